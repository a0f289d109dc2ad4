// The command table: which `/command` runs which behaviour. Plain text and unknown commands are echoed.
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { echo, fail, history, junk, mode, model, sayInPieces, think } from './basic.js';
import { effects } from './effects.js';
import { read, readRaw, write, writeRaw } from './files.js';
import { localRead } from './local-files.js';
import { bash, edit, permission } from './permission.js';
import { exit, plan, unknown } from './protocol-quirks.js';
import { chunks, slow } from './streaming.js';
import { review } from './review.js';
import { slowFirst } from './slow-first.js';
import { run, runKill } from './terminal.js';
import { usage } from './usage.js';
import { verdict } from './verdict.js';

type Behaviour = (turn: Turn) => Promise<PromptResponse>;

interface Command {
  usage: string;
  description: string;
  run: Behaviour;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  chunks: { usage: '/chunks N [SIZE]', description: 'N agent_message_chunks of SIZE (8) chars each, as fast as possible', run: chunks },
  permission: {
    usage: '/permission [KIND] [TITLE...] [path=P]',
    description: 'tool_call + session/request_permission (allow_always/allow/reject), reports the decision',
    run: permission,
  },
  bash: {
    usage: '/bash COMMAND...',
    description: 'a Bash-like tool call: session/request_permission, rawInput.command = the rest of the prompt verbatim; runs nothing',
    run: bash,
  },
  edit: {
    usage: '/edit PATH TEXT...',
    description: 'an edit tool call whose content is a diff (the file now, read locally, against TEXT) asking permission; writes nothing',
    run: edit,
  },
  read: { usage: '/read PATH [LINE] [LIMIT]', description: 'fs/read_text_file (path relative to the session cwd)', run: read },
  'read-raw': { usage: '/read-raw PATH [LINE] [LIMIT]', description: 'fs/read_text_file with PATH sent unchanged', run: readRaw },
  write: { usage: '/write PATH CONTENT...', description: 'fs/write_text_file (path relative to the session cwd)', run: write },
  'write-raw': { usage: '/write-raw PATH CONTENT...', description: 'fs/write_text_file with PATH sent unchanged', run: writeRaw },
  'local-read': { usage: '/local-read PATH', description: "the agent reads PATH itself (not through the client's fs)", run: localRead },
  run: { usage: '/run [--limit=N] CMD [ARGS...]', description: 'terminal/create, wait_for_exit, output, release', run },
  'run-kill': { usage: '/run-kill CMD [ARGS...]', description: 'terminal/create, 300 ms, kill, output, wait_for_exit, release', run: runKill },
  effects: {
    usage: '/effects N [PREFIX]',
    description: 'N rounds of fs/write_text_file PREFIXw<i>.txt and terminal/create touch PREFIXt<i>.txt (PREFIX fx-)',
    run: effects,
  },
  slow: { usage: '/slow SECONDS', description: 'a chunk every 100 ms for SECONDS; honours session/cancel', run: slow },
  'slow-first': {
    usage: '/slow-first SECONDS [NAME]',
    description: 'the first time in this workspace like /slow (marks it: .slow-first-NAME), later times an answer at once',
    run: slowFirst,
  },
  exit: { usage: '/exit [CODE]', description: 'one chunk, then the process exits with CODE (3) without answering', run: exit },
  junk: { usage: '/junk', description: 'a non-JSON stdout line, then an echo', run: junk },
  unknown: { usage: '/unknown', description: 'an unknown sessionUpdate kind and a usage_update with used=null', run: unknown },
  plan: { usage: '/plan', description: 'plan (3 entries), usage_update with cost, usage in the response', run: plan },
  usage: {
    usage: '/usage IN OUT [COST CUR] [cached=N] [wait=S]',
    description: 'usage_update (context tokens, cumulative cost) and usage in the response; wait=S keeps the turn running',
    run: usage,
  },
  verdict: {
    usage: '/verdict pick=X|prefer=WORD|garbage|corrected',
    description: 'a judge: reads <answer label="X"> blocks and answers a verdict (or garbage, or an invalid one first)',
    run: verdict,
  },
  review: {
    usage: '/review [hold=PATH] [write=PATH] [run=CMD] ...',
    description: 'reads the "- path" lines after "Changed files:" (fs/read_text_file) and reviews them; hold= waits for PATH',
    run: review,
  },
  history: { usage: '/history', description: 'the prompts of this session so far, numbered', run: history },
  fail: { usage: '/fail', description: 'the prompt fails with JSON-RPC error -32603 "demo failure"', run: fail },
  think: { usage: '/think', description: 'an agent_thought_chunk, then an answer', run: think },
  model: { usage: '/model', description: 'the current model id', run: model },
  mode: { usage: '/mode', description: 'the current mode id', run: mode },
  help: { usage: '/help', description: 'this list', run: help },
};

async function help(turn: Turn): Promise<PromptResponse> {
  const lines = Object.values(COMMANDS).map((c) => `${c.usage} — ${c.description}`);
  await sayInPieces(turn, ['anything else: echo: <prompt text>', ...lines].join('\n'));
  return turn.finish();
}

export function runTurn(turn: Turn): Promise<PromptResponse> {
  const command = turn.prompt.command;
  const entry = command !== null && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  return (entry?.run ?? echo)(turn);
}
