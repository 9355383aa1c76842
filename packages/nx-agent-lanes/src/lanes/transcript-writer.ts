import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { formatBytes } from '../sandbox/format-bytes';
import { redactValue, type SecretValue } from './redact-secrets';

export interface TranscriptWriter {
  /** Appends one event as a JSON line, redacted; dropped once the cap is reached. */
  write(event: Record<string, unknown>): void;
  /** Ends the transcript with one line saying what was dropped, if anything was. */
  close(): void;
}

export interface OpenTranscriptOptions {
  file: string;
  /** The file never grows past this, marker included (limits.transcriptBytes). */
  limitBytes: number;
  secrets: readonly SecretValue[];
  now: () => number;
}

/** Room kept for the closing marker, so the file stays under its cap with it. */
const MARKER_RESERVE = 512;

/**
 * A lane's transcript.jsonl, started empty. transcript.jsonl is a cached artifact: an agent that
 * prints without end must not make it (and every cache entry, local and remote) grow without end,
 * so past the cap events are only counted. One descriptor for the whole run, not an open and a
 * close per event: a chatty agent logs hundreds of thousands of lines. It is opened at the first
 * event, so a run that fails before its agent starts leaves no descriptor open.
 */
export function openTranscript(options: OpenTranscriptOptions): TranscriptWriter {
  const { limitBytes, secrets, now } = options;
  writeFileSync(options.file, '');
  let fd: number | undefined;
  const append = (text: string) => writeSync((fd ??= openSync(options.file, 'a')), text);
  const room = Math.max(0, limitBytes - MARKER_RESERVE);
  let written = 0;
  let full = false;
  let droppedBytes = 0;
  let droppedEvents = 0;
  let closed = false;
  const line = (event: Record<string, unknown>) => `${JSON.stringify({ t: new Date(now()).toISOString(), ...redactValue(event, secrets) })}\n`;
  return {
    write(event) {
      if (closed) return;
      const text = line(event);
      const size = Buffer.byteLength(text);
      if (!full && written + size <= room) {
        append(text);
        written += size;
        return;
      }
      full = true;
      droppedBytes += size;
      droppedEvents++;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        if (droppedEvents > 0) {
          const message = `${formatBytes(droppedBytes)} (${droppedEvents} events) dropped past the ${formatBytes(limitBytes)} cap; raise limits.transcriptBytes in feature.jsonc to keep more`;
          append(line({ type: 'transcript-dropped', droppedBytes, droppedEvents, limitBytes, message }));
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    },
  };
}
