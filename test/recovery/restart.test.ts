// Restarts of an in-process gateway: eager re-attach at boot, the transcript path for an agent that can neither
// resume nor load (bounded by the recovery limits), and restore of the session list and states from the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

test('resume: eager re-attaches at boot; lazy waits for the next prompt; states and lists come back from the log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agents = { eager: { resume: 'eager' }, lazy: {} };
  const first = await startTestGateway({ dir, agents });
  const eager = (await first.api('POST', '/api/v1/sessions', { agent: 'eager' })).body.id;
  const lazy = (await first.api('POST', '/api/v1/sessions', { agent: 'lazy' })).body.id;
  const closed = (await first.api('POST', '/api/v1/sessions', { agent: 'lazy' })).body.id;
  await first.api('POST', `/api/v1/sessions/${eager}/prompt`, says('before restart'));
  await first.api('DELETE', `/api/v1/sessions/${closed}`);
  await first.close();

  const second = await startTestGateway({ dir, agents });
  t.after(() => second.dispose());
  const list = (await second.api('GET', '/api/v1/sessions')).body as { id: string; status: string; turns: number }[];
  assert.deepEqual(list.map((s) => [s.id, s.status]), [[eager, 'idle'], [lazy, 'idle'], [closed, 'closed']]);
  const e = await eventually(async () => {
    const s = (await second.api('GET', `/api/v1/sessions/${eager}`)).body;
    return s.attach.count === 2 && s.attached ? s : undefined;
  }, 10_000, 'the eager session re-attached at boot');
  assert.equal(e.attach.path, 'resume');
  const l = (await second.api('GET', `/api/v1/sessions/${lazy}`)).body;
  assert.deepEqual([l.attach.count, l.attached], [1, false], 'the lazy one waits for its next prompt');
  assert.match((await second.api('POST', `/api/v1/sessions/${eager}/prompt`, says('/history'))).body.text, /1\. before restart/);
  assert.equal((await second.api('POST', `/api/v1/sessions/${lazy}/prompt`, says('hi'))).body.text, 'echo: hi');
  assert.equal((await second.api('GET', `/api/v1/sessions/${lazy}`)).body.attach.count, 2);
  assert.equal((await second.api('POST', `/api/v1/sessions/${closed}/prompt`, says('x'))).status, 409);
  // re-attaching sends no model switch nobody asked for (the resumed session keeps its model)
  const switches = second.gw.store
    .readStream(`session:${lazy}`)
    .filter((e) => e.type === 'AcpMessage' && /set_config_option|set_model/.test(String((e.data as { msg: { method?: string } }).msg.method)));
  assert.deepEqual(switches, []);
  assert.equal((await second.api('GET', `/api/v1/sessions/${lazy}`)).body.model, 'demo-fast');
});

test('an agent that can neither resume nor load gets a new session primed with a bounded transcript', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-transcript-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agents = { none: { flags: ['--mode', 'none'] } };
  const recovery = { transcript_max_events: 3, transcript_max_chars: 2000 };
  const first = await startTestGateway({ dir, agents, recovery });
  const id = (await first.api('POST', '/api/v1/sessions', { agent: 'none' })).body.id;
  for (const word of ['one', 'two', 'three']) await first.api('POST', `/api/v1/sessions/${id}/prompt`, says(`word ${word}`));
  await first.close();

  const second = await startTestGateway({ dir, agents, recovery });
  t.after(() => second.dispose());
  const r = await second.api('POST', `/api/v1/sessions/${id}/prompt`, says('/history'));
  assert.equal(r.status, 200);
  // 3 entries at most: the last answer and prompt pairs (word two's answer, word three, its answer)
  // (/history shows each prompt on one line, with its newlines escaped as \n)
  assert.match(r.body.text, /Assistant: echo: word two\\n\\nUser: word three\\n\\nAssistant: echo: word three/);
  assert.doesNotMatch(r.body.text, /word one/);
  assert.doesNotMatch(r.body.text, /User: \/history/, 'the turn being started is not part of its own transcript');
  assert.equal(r.body.text.split('\n').filter((l: string) => /^\d+\. /.test(l)).length, 2, 'the agent saw the transcript and this prompt');
  const s = (await second.api('GET', `/api/v1/sessions/${id}`)).body;
  assert.equal(s.attach.path, 'new_with_transcript');
  const attached = second.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'AgentAttached').at(-1)!;
  assert.deepEqual((attached.data as { transcript: unknown }).transcript, { entries: 3, chars: (attached.data as { transcript: { chars: number } }).transcript.chars, ok: true });
  // the priming turn is in the log, marked, and is not part of the client's turn
  const priming = second.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'AcpMessage' && (e.data as { priming?: boolean }).priming);
  assert.ok(priming.length >= 2);
  assert.doesNotMatch(r.body.text, /^echo: \[aintegrix\]/);
});
