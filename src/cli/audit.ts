// `aintegrix audit verify|export --db PATH`: audits a database file offline. The file is opened read-only (no
// migration, no write), so it can be a copy, a backup, or the live file of a running gateway.
//   verify → one JSON line {ok, checked, first_bad_position?, reason?, checkpoint_seq?, head?, checkpoints?};
//            with --key-file the signed checkpoints' MACs are checked, --sink FILE adds the checkpoints copied
//            outside the database, --expect-head POSITION:HASH an event the log must still hold
//   export → NDJSON (the format of GET /api/v1/audit/export) to stdout or --out FILE
// Exit codes: 0 ok, 1 error (unreadable or unknown file, key or sink, write failure), 2 usage, 3 the log is broken.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from './args.js';

export const AUDIT_USAGE = `  audit verify --db PATH [--key-file K] [--sink FILE] [--expect-head POSITION:HASH]
                          check a database file (read-only): the hash chain, the signed checkpoints (their MACs
                          with --key-file), a sink's copies, an event the log must still hold; prints
                          {ok, checked, first_bad_position?, reason?, head?, checkpoints?}; exit 0 intact, 3 broken,
                          1 unreadable
  audit export --db PATH [--stream S] [--type T] [--since X] [--until Y] [--after N] [--out FILE]
               [--checkpoints FILE]
                          the log as NDJSON (one event per line, with prev_hash and hash) to stdout or FILE;
                          since/until: ISO 8601 with a zone, or epoch ms (since inclusive, until exclusive);
                          --checkpoints: the signed checkpoints of the exported cut to FILE (the sink's format)`;

class UsageError extends Error {}

// Loaded on use, so that `aintegrix help` stays instant.
const auditModule = () => import('../audit/index.js');

export async function audit(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'verify':
        return await verifyCommand(rest);
      case 'export':
        return await exportCommand(rest);
      default:
        return usage(sub === undefined ? 'audit needs a subcommand (verify or export)' : `unknown audit subcommand '${sub}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    process.stderr.write(`aintegrix audit: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

function usage(problem: string): number {
  process.stderr.write(`aintegrix audit: ${problem}\nusage:\n${AUDIT_USAGE}\n`);
  return 2;
}

function flagsOf(argv: readonly string[], known: readonly string[]): Record<string, string> & { db: string } {
  let parsed;
  try {
    parsed = parseArgs(argv, known);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument '${parsed.positional[0]}'`);
  const { db } = parsed.flags;
  if (!db) throw new UsageError('--db PATH is required');
  return { ...parsed.flags, db };
}

async function verifyCommand(argv: readonly string[]): Promise<number> {
  const flags = flagsOf(argv, ['db', 'key-file', 'sink', 'expect-head']);
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

async function exportCommand(argv: readonly string[]): Promise<number> {
  const { EXPORT_FILTER_FIELDS, checkpointBatches, ndjsonBatches, openReadOnlyLog, parseExportFilter, writeChunks } = await auditModule();
  const { db, out, checkpoints, ...filterFlags } = flagsOf(argv, ['db', 'out', 'checkpoints', ...EXPORT_FILTER_FIELDS]);
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
