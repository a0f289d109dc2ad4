// Maps workspace and terminal errors to the JSON-RPC error objects the gateway answers agent requests with.
// The original gateway returned fs failures as *successful* results ({"content": "Error: ..."}); we never do:
// a failure is always a JSON-RPC error, so an agent cannot mistake an error message for file content.
//
// Mapping (codes from ACP's ErrorCode, acp-protocol.md §1.8):
//   -32602 invalid params     outside_workspace, invalid_path, invalid_params (workspace and terminal)
//   -32002 resource not found not_found, unknown_terminal
//   -32603 internal error     everything else: is_directory, not_a_directory, not_regular_file, hard_linked,
//                             other_device, path_changed, too_large,
//                             permission_denied, workspace_unavailable, io_error, spawn_failed,
//                             too_many_terminals, manager_closed, and any unexpected error
// `data.reason` always carries our own code, so an agent (or a test) can tell the -32603 cases apart.
import { TerminalError, WorkspaceAccessError } from './errors.js';

export const JSON_RPC_INVALID_PARAMS = -32602;
export const JSON_RPC_INTERNAL_ERROR = -32603;
export const ACP_RESOURCE_NOT_FOUND = -32002;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: { reason: string; path?: string; terminalId?: string };
}

const INVALID_PARAMS_REASONS: ReadonlySet<string> = new Set(['outside_workspace', 'invalid_path', 'invalid_params']);
const NOT_FOUND_REASONS: ReadonlySet<string> = new Set(['not_found', 'unknown_terminal']);

function codeFor(reason: string): number {
  if (INVALID_PARAMS_REASONS.has(reason)) return JSON_RPC_INVALID_PARAMS;
  if (NOT_FOUND_REASONS.has(reason)) return ACP_RESOURCE_NOT_FOUND;
  return JSON_RPC_INTERNAL_ERROR;
}

/**
 * The JSON-RPC error for a failed fs/* or terminal/* request. Unknown errors become a generic -32603 whose message
 * does not echo internals (stack traces and absolute gateway paths stay in our logs, not in the agent's context).
 */
export function toJsonRpcError(e: unknown): JsonRpcErrorObject {
  if (e instanceof WorkspaceAccessError) {
    const data: JsonRpcErrorObject['data'] = { reason: e.code };
    if (e.requestedPath !== undefined) data.path = e.requestedPath;
    return { code: codeFor(e.code), message: e.message, data };
  }
  if (e instanceof TerminalError) {
    const data: JsonRpcErrorObject['data'] = { reason: e.code };
    if (e.terminalId !== undefined) data.terminalId = e.terminalId;
    return { code: codeFor(e.code), message: e.message, data };
  }
  return { code: JSON_RPC_INTERNAL_ERROR, message: 'Internal error', data: { reason: 'internal_error' } };
}
