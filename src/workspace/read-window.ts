// Bounded reads of an open file: the whole file up to a byte cap, or a window of lines (1-based `line`, `limit`
// lines) scanned in chunks so a huge file can still be read a window at a time without holding it in memory.
import type { FileHandle } from 'node:fs/promises';
import { WorkspaceAccessError } from './errors.js';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a; // never part of a multi-byte UTF-8 sequence, so splitting bytes on it is safe

function tooLarge(requested: string, maxBytes: number, what: string): WorkspaceAccessError {
  return new WorkspaceAccessError('too_large', `${what} is larger than ${maxBytes} bytes: ${requested}`, requested);
}

/** The whole file as UTF-8 (invalid bytes become U+FFFD); 'too_large' past maxBytes, even if it grew after fstat. */
export async function readWholeFile(handle: FileHandle, maxBytes: number, requested: string): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(requested, maxBytes, 'file');
    parts.push(Buffer.from(buf.subarray(0, bytesRead)));
  }
  return Buffer.concat(parts, total).toString('utf8');
}

/**
 * Lines `firstLine` .. `firstLine + limit - 1` (all remaining lines when limit is undefined), each with its own
 * line ending, as in the file. A window that starts past the end is ''. 'too_large' when the window exceeds maxBytes.
 */
export async function readLineWindow(
  handle: FileHandle,
  firstLine: number,
  limit: number | undefined,
  maxBytes: number,
  requested: string,
): Promise<string> {
  const endLine = limit === undefined ? Number.POSITIVE_INFINITY : firstLine + limit;
  const parts: Buffer[] = [];
  let taken = 0;
  let line = 1;
  let position = 0;
  const buf = Buffer.alloc(CHUNK_BYTES);
  while (line < endLine) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const chunk = buf.subarray(0, bytesRead);
    let i = 0;
    while (i < chunk.length && line < endLine) {
      const nl = chunk.indexOf(NEWLINE, i);
      const stop = nl === -1 ? chunk.length : nl + 1;
      if (line >= firstLine) {
        taken += stop - i;
        if (taken > maxBytes) throw tooLarge(requested, maxBytes, 'requested line window');
        parts.push(Buffer.from(chunk.subarray(i, stop)));
      }
      if (nl !== -1) line += 1;
      i = stop;
    }
  }
  return Buffer.concat(parts, taken).toString('utf8');
}
