// A copy of every signed checkpoint outside the database (`audit.sink`): whoever deletes events AND the checkpoints
// that sign them from the database still leaves the checkpoints here. One NDJSON line per checkpoint, appended to a
// file (opened O_APPEND, 0600, fsync'ed) or written to stdout (for a log collector):
//
//   {"type":"audit_checkpoint","seq":3,"position":3000,"hash":"<64 hex>","at":"2025-11-28T10:00:00.000Z",
//    "key_id":"<16 hex>","mac":"<64 hex>"}
//
// `at` is the signing time as ISO 8601 (Date.parse gives the integer the MAC covers). Reading a sink, lines that do
// not mention "audit_checkpoint" are skipped (a captured stdout also holds the start-up banner), a line that does
// must be a whole checkpoint, and a last line without its newline (a write cut short by a crash) is ignored.
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { AuditCheckpoint } from '../store/types.js';

export type SinkConfig = 'stdout' | { file: string };

const MARKER = '"audit_checkpoint"';

export function sinkLine(cp: AuditCheckpoint): string {
  return JSON.stringify({
    type: 'audit_checkpoint',
    seq: cp.seq,
    position: cp.position,
    hash: cp.hash,
    at: new Date(cp.at).toISOString(),
    key_id: cp.keyId,
    mac: cp.mac,
  });
}

/** Append one checkpoint to the sink; throws when it cannot be written (the caller logs it). */
export function writeToSink(sink: SinkConfig, cp: AuditCheckpoint): void {
  const line = sinkLine(cp) + '\n';
  if (sink === 'stdout') {
    process.stdout.write(line);
    return;
  }
  const fd = openSync(sink.file, 'a', 0o600);
  try {
    writeSync(fd, line);
    fdatasyncSync(fd); // the copy outside the database is worth something only if it survives a crash
  } finally {
    closeSync(fd);
  }
}

const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`));
const lineSchema = z
  .object({
    type: z.literal('audit_checkpoint'),
    seq: z.number().int().positive(),
    position: z.number().int().positive(),
    hash: hex(64),
    at: z.iso.datetime(),
    key_id: hex(16),
    mac: hex(64),
  })
  .strict();

export interface SinkCheckpoint {
  /** 1-based line number in the sink file */
  line: number;
  checkpoint: AuditCheckpoint;
}

export type SinkReading = { ok: true; checkpoints: SinkCheckpoint[] } | { ok: false; line: number; reason: string };

/** Parse a sink file's text. */
export function parseSink(text: string): SinkReading {
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line whose write was cut short
  const checkpoints: SinkCheckpoint[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.includes(MARKER)) continue;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(line));
    } catch {
      return { ok: false, line: i + 1, reason: `sink line ${i + 1} is not a valid audit checkpoint` };
    }
    checkpoints.push({
      line: i + 1,
      checkpoint: { seq: parsed.seq, position: parsed.position, hash: parsed.hash, at: Date.parse(parsed.at), keyId: parsed.key_id, mac: parsed.mac },
    });
  }
  return { ok: true, checkpoints };
}

/** Read a sink file; `missingIsEmpty` for the gateway's own sink, which exists only after its first checkpoint. */
export function readSinkFile(path: string, missingIsEmpty: boolean): SinkReading {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (missingIsEmpty && (e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, checkpoints: [] };
    throw new Error(`cannot read the audit sink ${path}: ${(e as Error).message}`);
  }
  return parseSink(text);
}
