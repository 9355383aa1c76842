export interface IntegrateExecutorOptions {
  /** Branch that receives the integrated result (default lanes/<feature>). */
  branch?: string;
}
