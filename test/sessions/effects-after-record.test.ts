// A call of the agent that acts on the world (fs/write_text_file, terminal/create|kill|release) is committed to the
// log before it is carried out: at the moment its record commits, nothing has happened yet; when the commit fails,
// the agent gets a JSON-RPC error and nothing happens; and a session whose stream stopped taking writes refuses every
// later fs/terminal call. The crash test (test/recovery/effects-crash.test.ts) kills the gateway in that window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { says, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

interface Call {
  method?: string;
  id?: unknown;
  params?: { path?: string; args?: string[]; cwd?: string };
}

test('an acting call is in the log before it acts: when its request commits, the file and the process are not there yet', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-fx-'));
  const g = await startTestGateway({ workspaces: { allowed_roots: [ws] } });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: ws })).body.id as string;
  const seen: string[] = [];
  const early: string[] = [];
  g.gw.store.onCommitted((events) => {
    for (const e of events) {
      const d = e.data as { dir?: string; msg?: Call };
      if (e.type !== 'AcpMessage' || d.dir !== 'in') continue;
      const effect =
        d.msg?.method === 'fs/write_text_file' ? d.msg.params!.path! : d.msg?.method === 'terminal/create' ? join(ws, d.msg.params!.args![0]!) : null;
      if (effect === null) continue;
      seen.push(effect);
      // onCommitted runs synchronously after the commit: a handler that waited for it cannot have run yet
      if (existsSync(effect)) early.push(effect);
    }
  });
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/effects 10'));
  assert.match(r.body.text, /effects: 10 of 10 rounds done$/);
  assert.equal(seen.length, 20, 'ten writes and ten terminals were requested');
  assert.deepEqual(early, [], 'no file existed when the request that makes it was committed');
  assert.equal(readdirSync(ws).length, 20);
});

test('a failed commit refuses the call (JSON-RPC error, nothing done, refusal recorded); the failed session refuses every later fs/terminal call', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-fx-'));
  const g = await startTestGateway({ workspaces: { allowed_roots: [ws] } });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: ws })).body.id as string;
  assert.match((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/write before.txt ok'))).body.text, /wrote 2 chars/);

  // the disk fails for the first write request only (as an I/O error or a full disk would)
  const saboteur = new Database(g.gw.config.store.path);
  t.after(() => saboteur.close());
  saboteur.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'AcpMessage' AND NEW.data LIKE '%fx-w1.txt%'
                 BEGIN SELECT RAISE(ABORT, 'injected storage failure'); END`);
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/effects 3')).catch(() => undefined);

  const processStream = g.gw.store.listStreams('agent:demo:')[0]!.streamId;
  const refused = await eventually(() => {
    const r = g.gw.store.readStream(processStream).filter((e) => e.type === 'ClientCallRefused');
    return r.length >= 3 ? r : undefined;
  }, 10_000, 'three refused calls');
  const refusals = refused.map((e) => e.data as { session: string; method: string; reason: string });
  assert.deepEqual(
    refusals.map((r) => [r.session, r.method, r.reason]),
    [
      [id, 'fs/write_text_file', 'not_recorded'],
      [id, 'fs/write_text_file', 'session_failed'],
      [id, 'fs/write_text_file', 'session_failed'],
    ],
  );
  // three refusals: the agent was answered each time (it waits for an answer before its next call)
  await turn;
  assert.deepEqual(readdirSync(ws).sort(), ['before.txt'], 'nothing was written and no terminal ran');
});
