// `/slow-first SECONDS [NAME]`: the first time in a workspace it streams like /slow (a chunk every 100 ms, honours
// cancel); every later time it answers at once. The agent marks the workspace itself (`.slow-first-NAME`) before
// it starts streaming, so a step that was killed mid-way and is run again (a resumed pipeline) finishes quickly and
// says it was here before.
import { writeFile, access } from 'node:fs/promises';
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath } from './tool-calls.js';
import { MAX_SLOW_SECONDS } from './streaming.js';

export async function slowFirst(turn: Turn): Promise<PromptResponse> {
  const [secondsArg, nameArg = 'mark'] = turn.prompt.args;
  const seconds = Number(secondsArg);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SLOW_SECONDS || !/^[\w-]{1,64}$/.test(nameArg)) {
    await sayInPieces(turn, `usage: /slow-first SECONDS [NAME] (0 < SECONDS <= ${MAX_SLOW_SECONDS})`);
    return turn.finish();
  }
  const mark = absolutePath(turn, `.slow-first-${nameArg}`);
  const seen = await access(mark).then(
    () => true,
    () => false,
  );
  if (seen) {
    await sayInPieces(turn, `slow-first ${nameArg}: again, at once`);
    return turn.finish();
  }
  await writeFile(mark, 'seen\n');
  const ticks = Math.max(1, Math.round(seconds * 10));
  for (let i = 1; i <= ticks && !turn.cancelled; i++) {
    await turn.say(`slow ${i}/${ticks}\n`);
    if (i < ticks) await turn.sleep(100);
  }
  return turn.finish();
}
