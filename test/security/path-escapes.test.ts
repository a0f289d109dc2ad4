// Path rules decide on the file really touched, end to end with the bundled agent: a symlink inside the workspace
// (a cloned repository can ship one) does not get around a deny rule, and a hard link made by a terminal does not
// read or write a file outside the workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { says, startTestGateway, createSessionWithWorkspace, promptText } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

test('a deny rule on secrets/** holds through a symlink s -> secrets, for reads, writes and new files', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'allow', rules: [{ decision: 'deny', path: 'secrets/**' }] } });
  t.after(() => g.dispose());
  const { id, ws } = await createSessionWithWorkspace(g);
  mkdirSync(join(ws, 'secrets'));
  writeFileSync(join(ws, 'secrets', 'key.txt'), 'the key');
  symlinkSync('secrets', join(ws, 's'));
  mkdirSync(join(ws, 'docs'));
  symlinkSync('../secrets/key.txt', join(ws, 'docs', 'key.txt'));

  for (const path of ['secrets/key.txt', 's/key.txt', 'docs/key.txt', 's/../s/key.txt']) {
    const read = await promptText(g, id, `/read ${path}`);
    assert.match(read, /failed: -32003 /, `${path}: ${read}`);
    assert.doesNotMatch(read, /the key/);
    assert.match(await promptText(g, id, `/write ${path} overwritten`), /failed: -32003 /, path);
  }
  assert.match(await promptText(g, id, '/write s/new.txt planted'), /failed: -32003 /, 'a new file under the link');
  assert.equal(readFileSync(join(ws, 'secrets', 'key.txt'), 'utf8'), 'the key');
  // the same link to a directory that no rule protects is fine
  mkdirSync(join(ws, 'public'));
  writeFileSync(join(ws, 'public', 'a.txt'), 'hello');
  symlinkSync('public', join(ws, 'p'));
  assert.match(await promptText(g, id, '/read p/a.txt'), /:\nhello$/);
});

test('a hard link made by a terminal to a file outside the workspace is neither read nor written', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'allow' } });
  t.after(() => g.dispose());
  const { id, ws } = await createSessionWithWorkspace(g);
  const outside = join(g.dir, 'outside-secret.txt');
  writeFileSync(outside, 'outside secret');
  assert.match(await promptText(g, id, `/run ln ${outside} hl.txt`), /^run: exitCode=0 /);
  const read = await promptText(g, id, '/read hl.txt');
  assert.match(read, /failed: -32603 the file has more than one hard link/, read);
  assert.doesNotMatch(read, /outside secret/);
  assert.match(await promptText(g, id, '/read hl.txt 1 1'), /more than one hard link/, 'a line window too');
  assert.match(await promptText(g, id, '/write hl.txt changed'), /more than one hard link/);
  assert.equal(readFileSync(outside, 'utf8'), 'outside secret');
  assert.equal(readFileSync(join(ws, 'hl.txt'), 'utf8'), 'outside secret');
});

test('an approver sees where a path really leads: s/key.txt is shown as secrets/key.txt', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'allow', rules: [{ decision: 'ask', method: 'fs/read_text_file', path: 'secrets/**' }] } });
  t.after(() => g.dispose());
  const { id, ws } = await createSessionWithWorkspace(g);
  mkdirSync(join(ws, 'secrets'));
  writeFileSync(join(ws, 'secrets', 'key.txt'), 'the key');
  symlinkSync('secrets', join(ws, 's'));
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/read s/key.txt'));
  const pending = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 10_000, 'a pending approval');
  assert.equal(pending.tool_call.rawInput.path, join(ws, 's', 'key.txt'), 'what the agent wrote');
  assert.deepEqual(pending.real_paths, [join(realpathSync(ws), 'secrets', 'key.txt')], 'where it leads');
  assert.equal((await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'reject_once' })).status, 200);
  assert.match((await turn).body.text, /failed: -32003 /);
});
