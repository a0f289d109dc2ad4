// `aintegrix prompt` at a terminal: the permission request the bundled agent asks is shown with its options and
// answered by typing at the prompt (the binary runs under a real pseudo-terminal made by python3's pty module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestGateway, TOKEN } from '../helpers/gateway.js';
import { CLI_ENTRY, REPO_ROOT } from '../helpers/paths.js';

const PTY_SCRIPT = fileURLToPath(new URL('test/cli/fixtures/pty-answer.py', `file://${REPO_ROOT}/`));

function underPty(args: string[], env: Record<string, string>, prompt: string, answer: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PTY_SCRIPT, prompt, answer, process.execPath, CLI_ENTRY, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...env },
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject); // no python3: fail loudly, never skip
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('prompt at a terminal: the permission request is answered by typing a choice, the turn ends', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const r = await underPty(['prompt', s.body.id, '/permission execute make build'], { AINTEGRIX_URL: g.url, AINTEGRIX_TOKEN: TOKEN }, 'choose 1-3:', '2');
  assert.equal(r.code, 0, r.out);
  // the request and its options as the agent offered them
  assert.match(r.out, /permission requested: make build \(execute\)/);
  assert.match(r.out, /1\) Always allow \[allow_always\]\s+2\) Allow \[allow_once\]\s+3\) Reject \[reject_once\]/);
  assert.match(r.out, /permission allow_once by tester/);
  assert.match(r.out, /permission: selected allow/);
  assert.match(r.out, /turn 1 ended: end_turn \(completed\)/);
  const events = await g.api('GET', `/api/v1/sessions/${s.body.id}/events?type=PermissionDecided`);
  assert.equal(events.body.events[0].data.decision, 'allow_once');
});
