// The permission rules of a reviewing session: it may look, not touch. They are the session's own rules
// (SessionCreated.permission_rules), decided before the configured ones, so no configured allow and no later
// "allow always" can open a write: writes and edits are denied, terminals too except webhooks.read_commands (each
// an allow rule on the exact argv, command-pattern.ts), and an execute request outside those is denied as well.
// Reading (fs/read_text_file, read/search tool calls) is left to the configured policy, which allows it by default.
import type { PermissionRule } from '../permissions/index.js';

// every ACP tool kind but the looking ones (read, search, think, fetch); a request without a kind is the configured policy's
const CHANGING_KINDS = ['edit', 'delete', 'move', 'execute', 'switch_mode', 'other'];

export function readOnlyRules(readCommands: readonly string[]): PermissionRule[] {
  return [
    ...readCommands.flatMap((command): PermissionRule[] => [
      { decision: 'allow', method: 'terminal/create', command },
      { decision: 'allow', method: 'session/request_permission', kind: ['execute'], command },
    ]),
    { decision: 'deny', method: 'terminal/create' },
    { decision: 'deny', method: 'fs/write_text_file' },
    { decision: 'deny', method: 'session/request_permission', kind: CHANGING_KINDS },
  ];
}
