// The end of a turn as its waiters hear it: a callback waiter (SubmittedTurn.whenEnded, used by the blocking REST
// prompt) is called inside the announcement of the TurnEnded's commit, before that commit's promise jobs (the fold
// into the session machine) run, so the reply is not queued behind them; a request made after the reply still sees
// the turn folded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../src/store/index.js';
import type { RecordedEvent } from '../../src/store/types.js';
import { SessionSignals } from '../../src/sessions/session-signals.js';
import { says, startTestGateway } from '../helpers/gateway.js';

function turnEnded(turn: number) {
  return { type: 'TurnEnded', data: { turn, outcome: 'completed', stop_reason: 'end_turn', text: 'ok', error: null } };
}

for (const durability of ['strict', 'fast'] as const) {
  test(`whenTurnEnded is called inside the commit's announcement, before the append settles (${durability})`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aix-signals-'));
    const store = openEventStore({ path: join(dir, 'log.db'), durability });
    t.after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const signals = new SessionSignals(store);
    const seen: string[] = [];
    let heard: RecordedEvent | Error | undefined;
    signals.whenTurnEnded('s1', 1, (outcome) => {
      heard = outcome;
      seen.push('callback');
    });
    const appended = store.appendToStream('session:s1', 0, [turnEnded(1)]).then(() => seen.push('append settled'));
    await appended;
    assert.deepEqual(seen, ['callback', 'append settled']);
    assert.ok(heard && !(heard instanceof Error));
    assert.equal(heard.type, 'TurnEnded');
    assert.equal(heard.streamId, 'session:s1');

    // a turn that has ended already: called at once, with the same committed event
    let late: RecordedEvent | Error | undefined;
    signals.whenTurnEnded('s1', 1, (outcome) => (late = outcome));
    assert.equal(late, heard);

    // a TurnEnded that could not be recorded: the callback gets the error, once
    const errors: Error[] = [];
    signals.whenTurnEnded('s1', 2, (outcome) => {
      if (outcome instanceof Error) errors.push(outcome);
    });
    signals.turnFailed('s1', 2, new Error('log failed'));
    signals.turnFailed('s1', 2, new Error('again'));
    assert.deepEqual(errors.map((e) => e.message), ['log failed']);
  });
}

test('a blocking prompt answered from the commit: the next request sees the turn ended and folded', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const created = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  for (let n = 1; n <= 10; n++) {
    const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(`turn ${n}`));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.turn, n);
    assert.equal(r.body.text, `echo: turn ${n}`);
    // the reply's position is the committed TurnEnded's
    const ended = g.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'TurnEnded').at(-1)!;
    assert.equal(r.body.position, ended.position);
    assert.equal((ended.data as { turn: number }).turn, n);
    // read right after the reply: the session machine has folded it (idle, last turn n), not still prompting
    const s = await g.api('GET', `/api/v1/sessions/${id}`);
    assert.equal(s.body.status, 'idle', JSON.stringify(s.body));
    assert.equal(s.body.last_turn.turn, n);
    assert.equal(s.body.last_turn.position, r.body.position);
  }
});
