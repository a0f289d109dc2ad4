// Errors of the client-side services an ACP agent calls on the gateway: workspace file access and terminals.
// Each carries a machine-readable `code`; json-rpc-error.ts maps them to the JSON-RPC errors sent back to the agent.

/** Why a file-system request from an agent was refused or failed. */
export type WorkspaceAccessErrorCode =
  /** The path (after normalisation and symlink resolution) lies outside the workspace. */
  | 'outside_workspace'
  /** The path is not a usable path: empty, contains NUL, a symlink loop or a dangling symlink, ... */
  | 'invalid_path'
  /** The params are malformed (path not a string, `line` < 1, `limit` < 0, content not a string, ...). */
  | 'invalid_params'
  /** Nothing exists at the path (reads), or a directory expected to exist does not. */
  | 'not_found'
  /** A file operation named a directory (the workspace root included). */
  | 'is_directory'
  /** A directory was expected (terminal cwd, a parent of a written file) but something else is there. */
  | 'not_a_directory'
  /** The path names a FIFO, socket, device, ...: only regular files are read or replaced. */
  | 'not_regular_file'
  /** A regular file with more than one hard link: the other name may lie outside the workspace. */
  | 'hard_linked'
  /** The file (or the directory a new one goes in) is on another device than the workspace: a mount inside it. */
  | 'other_device'
  /** The path no longer leads to the file its permission was decided on (a symlink changed in between). */
  | 'path_changed'
  /** The file (or the requested window of it, or the content to write) is larger than the configured cap. */
  | 'too_large'
  /** The operating system refused access (EACCES / EPERM). */
  | 'permission_denied'
  /** The configured workspace root itself cannot be resolved: a gateway-side problem. */
  | 'workspace_unavailable'
  /** Any other I/O failure. */
  | 'io_error';

export class WorkspaceAccessError extends Error {
  override readonly name = 'WorkspaceAccessError';
  constructor(
    readonly code: WorkspaceAccessErrorCode,
    message: string,
    /** The path as the agent sent it (never the resolved target, which could reveal what lies outside). */
    readonly requestedPath?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type TerminalErrorCode =
  /** No live terminal has that id in this session (never created, or already released). */
  | 'unknown_terminal'
  /** terminal/create params are malformed, or an env entry names a denied variable. */
  | 'invalid_params'
  /** The process could not be started (ENOENT, EACCES, ...); the message says why. */
  | 'spawn_failed'
  /** The session already holds `maxTerminals` unreleased terminals. */
  | 'too_many_terminals'
  /** The manager was closed (session closing): no new terminals. */
  | 'manager_closed'
  /** The terminal's process could not be put on record, so its command was not run. */
  | 'not_recorded';

export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(
    readonly code: TerminalErrorCode,
    message: string,
    readonly terminalId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The `code` of a Node system error (ENOENT, ELOOP, ...), or undefined for anything else. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}
