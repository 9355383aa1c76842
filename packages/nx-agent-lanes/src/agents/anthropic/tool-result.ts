/** What one tool call gives back to the model. A failure is data the model can act on, never an exception. */
export interface ToolResult {
  content: string;
  isError: boolean;
}

export function succeedTool(content: string): ToolResult {
  return { content, isError: false };
}

export function failTool(content: string): ToolResult {
  return { content, isError: true };
}
