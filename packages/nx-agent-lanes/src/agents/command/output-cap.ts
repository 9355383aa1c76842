/**
 * A byte budget for the output lines one run records (log, transcript), shared by stdout and
 * stderr. Once a line does not fit, it and every line after it are dropped and only counted:
 * an agent that floods its output then costs a counter, not memory, disk or Nx cache space.
 * Lines reach it already redacted, so the cut can never split a secret.
 */
export class OutputCap {
  private used = 0;
  private full = false;
  droppedBytes = 0;
  droppedLines = 0;

  constructor(readonly limitBytes: number) {}

  /** Whether `line` is to be recorded; false from the first line past the cap on. */
  admit(line: string): boolean {
    const size = Buffer.byteLength(line) + 1;
    if (!this.full && this.used + size <= this.limitBytes) {
      this.used += size;
      return true;
    }
    this.full = true;
    this.droppedBytes += size;
    this.droppedLines++;
    return false;
  }

  /** The one marker line for the record, when something was dropped. */
  describeDropped(what: string, setting: string): string | undefined {
    if (this.droppedLines === 0) return undefined;
    return (
      `… ${formatBytes(this.droppedBytes)} (${this.droppedLines} line${this.droppedLines === 1 ? '' : 's'}) of ${what} dropped past its ` +
      `${formatBytes(this.limitBytes)} cap; raise ${setting} in feature.jsonc to keep more`
    );
  }
}

/** Bytes for a person: `812 B`, `3.5 KiB`, `91.6 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}
