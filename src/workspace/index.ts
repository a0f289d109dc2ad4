// Public surface of the workspace services an ACP agent calls on the gateway (fs/* and terminal/*).
export { WorkspaceAccessError, TerminalError } from './errors.js';
export type { WorkspaceAccessErrorCode, TerminalErrorCode } from './errors.js';
export { resolveInWorkspace, isInsideRoot } from './confine-path.js';
export type { ConfineOptions } from './confine-path.js';
export { readTextFile, writeTextFile } from './file-access.js';
export type { FileAccessLimits, ReadTextFileParams, WriteTextFileParams } from './file-access.js';
export { TerminalManager } from './terminal-manager.js';
export type { TerminalManagerOptions, CreateTerminalParams, TerminalOutput, TerminalExitStatus, TerminalLifecycle, StartingTerminal, ProcessIdentity } from './terminal-manager.js';
export { processStartTime, groupExists, groupHasLiveMember } from './process-group.js';
export { DENIED_ENV_NAMES, DENIED_ENV_PREFIXES } from './terminal-env.js';
export { toJsonRpcError, JSON_RPC_INVALID_PARAMS, JSON_RPC_INTERNAL_ERROR, ACP_RESOURCE_NOT_FOUND } from './json-rpc-error.js';
export type { JsonRpcErrorObject } from './json-rpc-error.js';
