// `/run [--limit=N] CMD [ARGS...]` and `/run-kill CMD [ARGS...]` through the client's terminal/* methods,
// with a tool call embedding the terminal (`{type:'terminal', terminalId}`) as a real agent shows it.
import type { PromptResponse, TerminalExitStatus, TerminalOutputResponse } from '@agentclientprotocol/sdk/unstable';
import type { TerminalHandle } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { describeClientError, newToolCallId } from './tool-calls.js';

const KILL_AFTER_MS = 300;

interface RunSpec {
  command: string;
  args: string[];
  outputByteLimit: number | undefined;
}

function parseRunSpec(args: readonly string[]): RunSpec | null {
  let outputByteLimit: number | undefined;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('--limit='); i++) {
    const value = args[i]!.slice('--limit='.length);
    if (!/^\d+$/.test(value)) return null;
    outputByteLimit = Number(value);
  }
  const command = args[i];
  return command === undefined ? null : { command, args: args.slice(i + 1), outputByteLimit };
}

function formatExit(status: TerminalExitStatus | null | undefined): string {
  return `exitCode=${status?.exitCode ?? 'null'} signal=${status?.signal ?? 'null'}`;
}

async function runCommand(turn: Turn, name: 'run' | 'run-kill'): Promise<PromptResponse> {
  const spec = parseRunSpec(turn.prompt.args);
  const answer = async (text: string): Promise<PromptResponse> => {
    await sayInPieces(turn, text);
    return turn.finish();
  };
  if (spec === null) return answer(`usage: /${name}${name === 'run' ? ' [--limit=N]' : ''} CMD [ARGS...]`);
  if (turn.clientCapabilities.terminal !== true) return answer(`${name}: the client does not support terminal/*`);

  const toolCallId = newToolCallId();
  const title = [spec.command, ...spec.args].join(' ');
  let terminal: TerminalHandle | undefined;
  let toolCallSent = false;
  try {
    terminal = await turn.client.createTerminal({
      sessionId: turn.sessionId,
      command: spec.command,
      args: spec.args,
      cwd: turn.cwd,
      ...(spec.outputByteLimit !== undefined ? { outputByteLimit: spec.outputByteLimit } : {}),
    });
    toolCallSent = true;
    await turn.send({
      sessionUpdate: 'tool_call',
      toolCallId,
      title,
      kind: 'execute',
      status: 'in_progress',
      rawInput: { command: spec.command, args: spec.args },
      content: [{ type: 'terminal', terminalId: terminal.id }],
    });

    let exit: TerminalExitStatus | null;
    let output: TerminalOutputResponse;
    if (name === 'run') {
      exit = await turn.untilCancelled<TerminalExitStatus | null>(terminal.waitForExit(), null);
      if (exit === null) await terminal.kill(); // cancelled: stop the command, still report its output
      output = await terminal.currentOutput();
      exit ??= output.exitStatus ?? null;
    } else {
      await turn.sleep(KILL_AFTER_MS);
      await terminal.kill();
      output = await terminal.currentOutput();
      exit = await terminal.waitForExit();
    }
    await terminal.release();
    terminal = undefined;

    await turn.send({
      sessionUpdate: 'tool_call_update',
      toolCallId,
      status: exit?.exitCode === 0 ? 'completed' : 'failed',
      rawOutput: { exitCode: exit?.exitCode ?? null, signal: exit?.signal ?? null, truncated: output.truncated },
    });
    return answer(`${name}: ${formatExit(exit)} truncated=${output.truncated}\n${output.output}`);
  } catch (error) {
    if (terminal) await terminal.release().catch(() => undefined);
    if (toolCallSent) await turn.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed' });
    return answer(`${name} failed: ${describeClientError(error)}`);
  }
}

export const run = (turn: Turn): Promise<PromptResponse> => runCommand(turn, 'run');
export const runKill = (turn: Turn): Promise<PromptResponse> => runCommand(turn, 'run-kill');
