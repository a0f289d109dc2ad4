// `/verdict MODE`: a judge. It reads the answers of the judge prompt that follows the command (blocks
// `<answer label="X">...</answer>`, as the gateway's orchestrations write them; on a corrective re-prompt, from the
// session's earlier prompt) and answers a verdict:
//   pick=X      X wins (a fenced json block after a sentence, so the gateway's second parsing rule is used)
//   prefer=WORD the answer containing WORD wins (else the first)
//   garbage     prose without any JSON, every time
//   corrected   first an invalid verdict (a winner that is no label), then, re-prompted, a valid one (prefer the first)
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';

interface Answer {
  label: string;
  text: string;
}

function answersIn(text: string): Answer[] {
  const out: Answer[] = [];
  const re = /<answer label="([A-Z]+)">\n([\s\S]*?)\n<\/answer>/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ label: m[1]!, text: m[2]! });
  return out;
}

export async function verdict(turn: Turn): Promise<PromptResponse> {
  const mode = turn.prompt.args[0] ?? 'prefer=';
  let answers = answersIn(turn.prompt.text);
  const first = answers.length > 0;
  for (let i = turn.history.length - 1; answers.length === 0 && i >= 0; i--) answers = answersIn(turn.history[i]!.promptText);
  const labels = answers.map((a) => a.label);
  const json = (winner: string) =>
    JSON.stringify({ winner, scores: Object.fromEntries(labels.map((l) => [l, l === winner ? 9 : 5])), rationale: `${winner} answers the task best.` });
  const prefer = (word: string) => answers.find((a) => word !== '' && a.text.includes(word))?.label ?? labels[0] ?? 'A';
  let text: string;
  if (mode === 'garbage') text = 'They are all lovely answers; I cannot choose.';
  else if (mode === 'corrected') text = first ? JSON.stringify({ winner: 'ZZ', scores: {}, rationale: 'oops' }) : json(prefer(''));
  else if (mode.startsWith('pick=')) text = `After careful review:\n\`\`\`json\n${json(mode.slice(5))}\n\`\`\`\n`;
  else text = `My verdict is ${json(prefer(mode.startsWith('prefer=') ? mode.slice(7) : ''))} and that is final.`;
  await sayInPieces(turn, text);
  return turn.finish();
}
