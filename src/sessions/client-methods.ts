// The ACP client methods one session's agent may call: permission requests go to the broker; fs/* are confined to
// the session workspace; terminal/* run real processes (terminal/create is permission-gated, kind execute).
// Failures go back as JSON-RPC errors, never as file content.
import type * as acp from '@agentclientprotocol/sdk';
import { isRpcError, rpcError } from '../acp/sdk.js';
import type { ClientMethodHandlers } from '../acp/agent-connection.js';
import { readTextFile, writeTextFile, toJsonRpcError, type TerminalManager } from '../workspace/index.js';
import type { PermissionBroker } from './permission-broker.js';

export interface ClientMethodDeps {
  workspace: string;
  broker: PermissionBroker;
  terminals: TerminalManager;
  fsMaxReadBytes: number;
  fsMaxWriteBytes: number;
}

/** JSON-RPC code for "the permission policy or a person refused this call". */
export const PERMISSION_DENIED = -32003;

export function clientMethodHandlers(d: ClientMethodDeps): ClientMethodHandlers {
  const denied = (method: string) => rpcError(PERMISSION_DENIED, `${method} was refused by the permission policy or an approver`);
  return {
    requestPermission: (params, signal) => d.broker.requestPermission(params, signal),

    // the file acted on must be the one the policy decided on (expectedPath): a symlink swapped since fails the call
    async readTextFile(params) {
      const allowed = await d.broker.gate('fs/read_text_file', params, new AbortController().signal);
      if (!allowed) throw denied('fs/read_text_file');
      return asJsonRpc(() => readTextFile(d.workspace, params, { maxBytes: d.fsMaxReadBytes, expectedPath: allowed.realPaths[0] }));
    },

    async writeTextFile(params) {
      const allowed = await d.broker.gate('fs/write_text_file', params, new AbortController().signal);
      if (!allowed) throw denied('fs/write_text_file');
      await asJsonRpc(() => writeTextFile(d.workspace, params, { maxBytes: d.fsMaxWriteBytes, expectedPath: allowed.realPaths[0] }));
      return {};
    },

    async createTerminal(params, signal) {
      if (!(await d.broker.gate('terminal/create', params, signal))) throw denied('terminal/create');
      return asJsonRpc(() => d.terminals.create(params));
    },

    terminalOutput: async (p: acp.TerminalOutputRequest) => asJsonRpc(async () => d.terminals.output(p.terminalId)),
    waitForTerminalExit: async (p: acp.WaitForTerminalExitRequest) => asJsonRpc(() => d.terminals.waitForExit(p.terminalId)),
    killTerminal: async (p: acp.KillTerminalRequest) => asJsonRpc(async () => (d.terminals.kill(p.terminalId), {})),
    releaseTerminal: async (p: acp.ReleaseTerminalRequest) => asJsonRpc(async () => (await d.terminals.release(p.terminalId), {})),
  };
}

async function asJsonRpc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isRpcError(e)) throw e;
    const err = toJsonRpcError(e);
    throw rpcError(err.code, err.message, err.data);
  }
}
