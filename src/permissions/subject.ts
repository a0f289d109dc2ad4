// Turning what an agent sent into a PermissionSubject. Agents are untrusted and lenient about the schema, so every
// field is optional here and a malformed field is dropped rather than failing: a subject with less information matches
// fewer rules and ends with the configured default, never with an allow it did not earn.
import { z } from 'zod';
import type { PermissionSubject } from './policy.js';
import { absolutePath } from './paths.js';
import { parseShellWords } from './shell-words.js';

const optionalString = z.string().optional().catch(undefined);

const toolCallSchema = z.looseObject({
  title: optionalString,
  kind: optionalString,
  locations: z.array(z.unknown()).optional().catch(undefined),
  rawInput: z.unknown().optional(),
});

const permissionParamsSchema = z.looseObject({ toolCall: toolCallSchema.optional().catch(undefined) });

const locationSchema = z.looseObject({ path: z.string() });

const record = z.record(z.string(), z.unknown());

/** rawInput fields that name a touched file (claude-agent-acp: Edit/Write/Read → file_path, Glob/LS → path, notebooks). */
const RAW_INPUT_PATH_FIELDS = ['file_path', 'path', 'notebook_path'] as const;

export interface PermissionRequestContext {
  agent: string;
  workspaceRoot: string;
  /** the `params` of the agent's session/request_permission request, as received */
  params: unknown;
}

/**
 * Subject of a session/request_permission:
 *  - kind: toolCall.kind;
 *  - paths: toolCall.locations[].path plus rawInput.file_path / path / notebook_path (strings only), made absolute
 *    against the workspace and de-duplicated;
 *  - command: rawInput.command when it is a string (claude-agent-acp's Bash; argv = what the strict shell-word parser
 *    reads from it, null when it holds shell syntax), or an argv array of strings (codex-style; argv = the array,
 *    command = it shell-quoted); else, for kind 'execute', the title (with the backticks claude-agent-acp puts around
 *    a command removed), which only describes the call: argv null, so only deny and ask rules can match it;
 *  - title: toolCall.title.
 */
export function subjectFromPermissionRequest({ agent, workspaceRoot, params }: PermissionRequestContext): PermissionSubject {
  const toolCall = permissionParamsSchema.safeParse(params).data?.toolCall;
  const subject: PermissionSubject = { agent, method: 'session/request_permission', paths: [], workspaceRoot };
  if (toolCall === undefined) return subject;

  const rawInput = record.safeParse(toolCall.rawInput).data ?? {};
  const paths: string[] = [];
  for (const location of toolCall.locations ?? []) {
    const parsed = locationSchema.safeParse(location);
    if (parsed.success) paths.push(parsed.data.path);
  }
  for (const field of RAW_INPUT_PATH_FIELDS) {
    const value = rawInput[field];
    if (typeof value === 'string') paths.push(value);
  }
  subject.paths = uniqueAbsolute(workspaceRoot, paths);

  if (toolCall.kind !== undefined) subject.kind = toolCall.kind;
  if (toolCall.title !== undefined) subject.title = toolCall.title;
  const command = commandOf(rawInput['command']);
  if (command !== undefined) Object.assign(subject, command);
  else if (toolCall.kind === 'execute') {
    const title = titleCommand(toolCall.title);
    if (title !== undefined) Object.assign(subject, { command: title, argv: null });
  }
  return subject;
}

export interface ClientCallContext {
  agent: string;
  workspaceRoot: string;
  /** the ACP client method the agent called, e.g. 'fs/write_text_file' */
  method: string;
  params: unknown;
}

const fsParamsSchema = z.looseObject({ path: optionalString });
const terminalCreateSchema = z.looseObject({
  command: optionalString,
  args: z.array(z.string()).optional().catch(undefined),
  cwd: optionalString,
});

/**
 * Subject of a permission-gated client method other than session/request_permission:
 *  - fs/read_text_file, fs/write_text_file: paths = [params.path] (no kind: kinds belong to tool calls);
 *  - terminal/create: argv = [command, ...args] exactly as they will be exec'd (no shell), command = the same
 *    shell-quoted, paths = [cwd] and cwd when given;
 *  - anything else: agent and method only.
 * session/request_permission is delegated to subjectFromPermissionRequest.
 */
export function subjectFromClientCall({ agent, workspaceRoot, method, params }: ClientCallContext): PermissionSubject {
  if (method === 'session/request_permission') return subjectFromPermissionRequest({ agent, workspaceRoot, params });
  const subject: PermissionSubject = { agent, method, paths: [], workspaceRoot };
  if (method === 'fs/read_text_file' || method === 'fs/write_text_file') {
    const path = fsParamsSchema.safeParse(params).data?.path;
    if (path !== undefined && path !== '') subject.paths = [absolutePath(workspaceRoot, path)];
  } else if (method === 'terminal/create') {
    const parsed = terminalCreateSchema.safeParse(params).data;
    if (parsed?.command !== undefined) {
      subject.argv = [parsed.command, ...(parsed.args ?? [])];
      subject.command = [parsed.command, ...(parsed.args ?? []).map(shellQuote)].join(' ');
      subject.title = subject.command;
    }
    if (parsed?.cwd !== undefined && parsed.cwd !== '') {
      subject.cwd = absolutePath(workspaceRoot, parsed.cwd);
      subject.paths = [subject.cwd];
    }
  }
  return subject;
}

function commandOf(value: unknown): { command: string; argv: string[] | null } | undefined {
  if (typeof value === 'string') {
    const parsed = parseShellWords(value);
    return { command: value, argv: parsed.plain ? parsed.argv : null };
  }
  if (Array.isArray(value) && value.length > 0 && value.every((v): v is string => typeof v === 'string')) {
    return { command: value.map(shellQuote).join(' '), argv: [...value] };
  }
  return undefined;
}

/** claude-agent-acp titles a Bash call "`<command>`" (inner backticks escaped); other agents use the bare command. */
function titleCommand(title: string | undefined): string | undefined {
  if (title === undefined || title === '') return undefined;
  const quoted = /^`([\s\S]+)`$/.exec(title);
  return quoted ? quoted[1]!.replaceAll('\\`', '`') : title;
}

function uniqueAbsolute(workspaceRoot: string, paths: readonly string[]): string[] {
  return [...new Set(paths.filter((p) => p !== '').map((p) => absolutePath(workspaceRoot, p)))];
}

const SHELL_SAFE = /^[A-Za-z0-9_\-+=.,/:@%]+$/;

function shellQuote(arg: string): string {
  return SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
