// `/effects N [PREFIX]`: N rounds of calls that act on the world, as fast as the client answers: fs/write_text_file
// of `<PREFIX>w<i>.txt`, then terminal/create of `touch <PREFIX>t<i>.txt` (waited for and released). Every file it
// leaves names the call that made it, so a test can check each one against the client's log (the crash test kills
// the gateway in the middle). A refused call is reported and the rounds go on.
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath, describeClientError } from './tool-calls.js';

export async function effects(turn: Turn): Promise<PromptResponse> {
  const [countArg, prefix = 'fx-'] = turn.prompt.args;
  const count = /^\d+$/.test(countArg ?? '') ? Number(countArg) : NaN;
  if (!(count >= 1) || /[/\s]/.test(prefix)) {
    await sayInPieces(turn, 'usage: /effects N [PREFIX]');
    return turn.finish();
  }
  const failures: string[] = [];
  let done = 0;
  for (let i = 1; i <= count && !turn.cancelled; i++) {
    try {
      await turn.client.request('fs/write_text_file', { sessionId: turn.sessionId, path: absolutePath(turn, `${prefix}w${i}.txt`), content: `${i}\n` });
      const terminal = await turn.client.createTerminal({ sessionId: turn.sessionId, command: 'touch', args: [`${prefix}t${i}.txt`], cwd: turn.cwd });
      try {
        await terminal.waitForExit();
      } finally {
        await terminal.release();
      }
      done++;
    } catch (error) {
      failures.push(`${i}: ${describeClientError(error)}`);
    }
    void turn.say(`${i} `);
  }
  await sayInPieces(turn, `\neffects: ${done} of ${count} rounds done${failures.length ? `; failed: ${failures.join('; ')}` : ''}`);
  return turn.finish();
}
