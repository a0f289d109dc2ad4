// Shared by the audit tests: the CLI as a child process, consistent copies of a live database, NDJSON exports over
// REST, and an independent re-check of an export's hash chain (written from the documented rule, not hash.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { CLI_ENTRY } from '../helpers/paths.js';
import { TOKEN, type TestGateway } from '../helpers/gateway.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `aintegrix <args>` as a real process; resolves when it exited. */
export function runCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aintegrix ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A consistent copy of a database another connection is writing: SQLite's online backup from a read-only
 * connection. It copies pages as they are (the copy is the same log, byte for byte in every row) and restarts by
 * itself if the writer commits meanwhile, so the copy is one committed state, WAL content included.
 */
export async function backupCopy(livePath: string, copyPath: string): Promise<void> {
  const src = new Database(livePath, { readonly: true, fileMustExist: true });
  try {
    await src.backup(copyPath);
  } finally {
    src.close();
  }
}

export interface ExportLineJson {
  position: number;
  stream: string;
  stream_position: number;
  type: string;
  at: string;
  data: any;
  meta: any;
  prev_hash: string;
  hash: string;
  invalid_json?: string[];
}

export function parseNdjson(text: string): ExportLineJson[] {
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), 'every line ends with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as ExportLineJson;
      } catch (e) {
        throw new Error(`line ${i + 1} is not JSON: ${(e as Error).message}: ${line.slice(0, 200)}`);
      }
    });
}

/** GET /api/v1/audit/export?<query> with the test token; the body as text. */
export async function exportRest(g: TestGateway, query = ''): Promise<{ status: number; contentType: string | null; text: string }> {
  const r = await fetch(`${g.url}/api/v1/audit/export${query ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: r.status, contentType: r.headers.get('content-type'), text: await r.text() };
}

export function assertIncreasing(lines: readonly ExportLineJson[]): void {
  for (let i = 1; i < lines.length; i++) {
    assert.ok(lines[i]!.position > lines[i - 1]!.position, `position ${lines[i]!.position} after ${lines[i - 1]!.position}`);
  }
}

/**
 * Re-verify a full export (positions 1..n) from its lines alone, with the rule as the README documents it.
 * Returns the first position whose stored hash does not match, or undefined when all do.
 */
export function firstBadLine(lines: readonly ExportLineJson[]): number | undefined {
  let prev = '0'.repeat(64);
  for (const [i, l] of lines.entries()) {
    assert.equal(l.position, i + 1, 'a full export has every position');
    const text = (field: 'data' | 'meta') => (l.invalid_json?.includes(field) ? (l[field] as string) : JSON.stringify(l[field]));
    const canonical = JSON.stringify([l.position, l.stream, l.stream_position, l.type, Date.parse(l.at), text('data'), text('meta')]);
    const hash = createHash('sha256').update(prev + canonical, 'utf8').digest('hex');
    if (l.prev_hash !== prev || l.hash !== hash) return l.position;
    prev = l.hash;
  }
  return undefined;
}

/** Fetch with the test token and an explicit request id, so the test knows which request caused which event. */
export async function call(g: TestGateway, method: string, path: string, requestId: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'x-request-id': requestId };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${g.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
