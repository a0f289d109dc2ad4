// `aintegrix audit verify|export`: offline on a database file (--db PATH), or remote on a running gateway (--url /
// AINTEGRIX_URL, without --db). Offline the file is opened read-only (no migration, no write), so it can be a copy, a
// backup, or the live file of a running gateway.
//   verify → one JSON line {ok, checked, first_bad_position?, reason?, checkpoint_seq?, head?, checkpoints?};
//            with --key-file the signed checkpoints' MACs are checked, --sink FILE adds the checkpoints copied
//            outside the database, --expect-head POSITION:HASH an event the log must still hold
//   export → NDJSON (the format of GET /api/v1/audit/export) to stdout or --out FILE
// Exit codes: 0 ok, 1 error (unreadable or unknown file, key or sink, write failure), 2 usage, 3 the log is broken.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { UsageError } from './exit-codes.js';
import { clientFor, gatewayUrl, type GlobalOptions } from './remote.js';

export const AUDIT_USAGE = `  audit verify --db PATH [--key-file K] [--sink FILE] [--expect-head POSITION:HASH]
                          check a database file (read-only): the hash chain, the signed checkpoints (their MACs
                          with --key-file), a sink's copies, an event the log must still hold; prints
                          {ok, checked, first_bad_position?, reason?, head?, checkpoints?}; exit 0 intact, 3 broken,
                          1 unreadable. Without --db: the running gateway's log (--url / AINTEGRIX_URL)
  audit export --db PATH [--stream S] [--type T] [--since X] [--until Y] [--after N] [--out FILE]
               [--checkpoints FILE]
                          the log as NDJSON (one event per line, with prev_hash and hash) to stdout or FILE;
                          since/until: ISO 8601 with a zone, or epoch ms (since inclusive, until exclusive);
                          --checkpoints: the signed checkpoints of the exported cut to FILE (the sink's format).
                          Without --db: the running gateway's export (--url / AINTEGRIX_URL)`;

// Loaded on use, so that `aintegrix help` stays instant.
const auditModule = () => import('../audit/index.js');

type Flags = Record<string, string | undefined>;

export function auditCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const audit = program.command('audit').description('verify and export the audit log: of a database file (--db), or of a running gateway');
  audit
    .command('verify')
    .description('check the hash chain, the signed checkpoints, a sink, an expected head (exit 3: broken)')
    .option('--db <path>', 'a database file (read-only); without it, the gateway at --url')
    .option('--key-file <file>', 'the audit key: check the checkpoints\' MACs (offline)')
    .option('--sink <file>', "the checkpoints copied outside the database (offline)")
    .option('--expect-head <head>', 'POSITION:HASH of an event the log must still hold')
    .action((o: Flags, c: Command) => run(() => verify(o, c.optsWithGlobals<GlobalOptions>())));
  audit
    .command('export')
    .description('the log as NDJSON, one event per line with prev_hash and hash')
    .option('--db <path>', 'a database file (read-only); without it, the gateway at --url')
    .option('--stream <stream>', 'exact stream id, e.g. session:<id>')
    .option('--type <type>', 'exact event type')
    .option('--since <time>', 'at >= since: ISO 8601 with a zone, or epoch ms')
    .option('--until <time>', 'at < until')
    .option('--after <position>', 'position > after')
    .option('--out <file>', 'write to FILE instead of stdout')
    .option('--checkpoints <file>', 'also the signed checkpoints of the exported cut (offline)')
    .action((o: Flags, c: Command) => run(() => exportLog(o, c.optsWithGlobals<GlobalOptions>())));
}

function needDb(o: Flags, g: GlobalOptions, offlineOnly: string[]): 'offline' | 'remote' {
  if (o.db !== undefined) return 'offline';
  if (!gatewayUrl(g)) throw new UsageError('--db PATH is required (or --url / AINTEGRIX_URL for a running gateway)');
  const local = offlineOnly.find((f) => o[f] !== undefined);
  if (local) throw new UsageError(`--${local.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)} needs --db (a database file)`);
  return 'remote';
}

async function verify(o: Flags, g: GlobalOptions): Promise<number> {
  if (needDb(o, g, ['keyFile', 'sink']) === 'offline') return verifyCommand({ db: o.db!, 'key-file': o.keyFile, sink: o.sink, 'expect-head': o.expectHead });
  const report = await clientFor(g).verifyAudit(o.expectHead ? { expect_head: o.expectHead } : {});
  process.stdout.write(JSON.stringify(report) + '\n');
  return report.ok ? 0 : 3;
}

async function exportLog(o: Flags, g: GlobalOptions): Promise<number> {
  const filter = { stream: o.stream, type: o.type, since: o.since, until: o.until, after: o.after };
  if (needDb(o, g, ['checkpoints']) === 'offline') return exportCommand({ db: o.db!, out: o.out, checkpoints: o.checkpoints, ...filter });
  const { parseExportFilter } = await auditModule();
  const parsed = parseExportFilter(filter);
  if (!parsed.ok) throw new UsageError(`--${parsed.field}: ${parsed.message}`);
  const lines = clientFor(g).exportAudit({ ...filter, after: o.after === undefined ? undefined : Number(o.after) });
  const out: Writable = o.out === undefined ? process.stdout : createWriteStream(o.out);
  let closed = false;
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true; // a reader that went away (`| head`) is a normal end
  });
  for await (const line of lines) {
    if (closed) break;
    if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  if (out !== process.stdout) {
    out.end();
    await finished(out);
  }
  return 0;
}

async function verifyCommand(flags: { db: string; 'key-file'?: string; sink?: string; 'expect-head'?: string }): Promise<number> {
  const { expectedHeadSchema, openReadOnlyLog, readAuditKey, readSinkFile, reportFor } = await auditModule();
  let expectHead;
  if (flags['expect-head'] !== undefined) {
    const parsed = expectedHeadSchema.safeParse(flags['expect-head']);
    if (!parsed.success) throw new UsageError(`--expect-head: ${parsed.error.issues[0]!.message}`);
    expectHead = parsed.data;
  }
  // Key and sink first: a missing or malformed one is an error (exit 1), not a verdict on the log.
  const key = flags['key-file'] === undefined ? undefined : readAuditKey(flags['key-file']);
  const sink = flags.sink === undefined ? undefined : readSinkFile(flags.sink, false);
  const log = openReadOnlyLog(flags.db);
  let report;
  try {
    report = reportFor(log.verifyAnchored({ key, sink, expectHeads: expectHead ? [expectHead] : [] }), expectHead);
  } finally {
    log.close();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
  return report.ok ? 0 : 3;
}

async function writeFile(path: string, chunks: Iterable<string>): Promise<void> {
  const { writeChunks } = await auditModule();
  const file = createWriteStream(path);
  try {
    await writeChunks(file, chunks);
  } finally {
    file.end();
  }
  await finished(file);
}

async function exportCommand(flags: { db: string; out?: string; checkpoints?: string } & Flags): Promise<number> {
  const { checkpointBatches, ndjsonBatches, openReadOnlyLog, parseExportFilter, writeChunks } = await auditModule();
  const { db, out, checkpoints, ...filterFlags } = flags as { db: string; out?: string; checkpoints?: string } & Flags;
  const parsed = parseExportFilter(filterFlags);
  if (!parsed.ok) throw new UsageError(`--${parsed.field}: ${parsed.message}`);
  for (const [flag, path] of [['out', out], ['checkpoints', checkpoints]] as const) {
    if (path !== undefined && [db, `${db}-wal`, `${db}-shm`].some((p) => resolve(p) === resolve(path))) {
      throw new UsageError(`--${flag} must not be the database file`);
    }
  }
  if (out !== undefined && checkpoints !== undefined && resolve(out) === resolve(checkpoints)) {
    throw new UsageError('--checkpoints must be another file than --out');
  }
  const log = openReadOnlyLog(db);
  try {
    // The head first: the events exported reach at least this far, so every checkpoint written signs one of them.
    const head = log.headPosition();
    const events = ndjsonBatches(log.iterate(parsed.filter));
    if (out === undefined) {
      // a reader that went away (`| head`) is a normal end
      if ((await writeChunks(process.stdout, events)) === 'reader-closed') return 0;
    } else {
      await writeFile(out, events);
    }
    if (checkpoints !== undefined) await writeFile(checkpoints, checkpointBatches(log.checkpoints(head)));
    return 0;
  } finally {
    log.close();
  }
}
