// What goes before a session's first prompt, from its agent's config: `git_context: true` (the branch, the last
// commits and `git status --short` of the workspace) and `context_inject.files` (workspace files, read confined to
// the workspace as an agent's fs/read_text_file is: a symlink in a cloned repo cannot pull in a file from elsewhere).
// It is prepared once at creation and recorded (ContextPrepared), then shaped at the first prompt: files become ACP
// `resource` blocks when the agent has promptCapabilities.embeddedContext, else text with a marker. A file that
// cannot be read is said so in the prompt, never silently dropped.
import { spawn } from 'node:child_process';
import type { AgentConfig } from '../config/schema.js';
import { readTextFile } from '../workspace/file-access.js';
import { withGitHardening } from '../workspace/git-hardening.js';
import type { ContentBlock } from './prompt-input.js';
import type { EventStore } from '../store/types.js';

export interface FirstContext {
  git?: string;
  files: { path: string; text?: string; error?: string }[];
}

const COMMITS = 10;

export async function prepareFirstContext(
  agent: AgentConfig,
  workspace: string,
  maxBytes: number,
  gatewayEnv: Readonly<Record<string, string | undefined>>,
): Promise<FirstContext | undefined> {
  const files = agent.context_inject?.files ?? [];
  if (!agent.git_context && files.length === 0) return undefined;
  const out: FirstContext = { files: [] };
  if (agent.git_context) out.git = await gitSummary(workspace, gatewayEnv);
  for (const path of files) {
    try {
      out.files.push({ path, text: (await readTextFile(workspace, { path }, { maxBytes })).content });
    } catch (e) {
      out.files.push({ path, error: (e as Error).message });
    }
  }
  return out;
}

/** The blocks put before the first prompt's own. */
export function firstContextBlocks(ctx: FirstContext, workspace: string, embeddedContext: boolean): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (ctx.git !== undefined) blocks.push({ type: 'text', text: ctx.git });
  for (const f of ctx.files) {
    if (f.text === undefined) {
      blocks.push({ type: 'text', text: `--- context file ${f.path}: not included (${f.error ?? 'unreadable'}) ---` });
    } else if (embeddedContext) {
      blocks.push({ type: 'resource', resource: { uri: `file://${workspace.replace(/\/$/, '')}/${f.path}`, text: f.text } });
    } else {
      blocks.push({ type: 'text', text: `--- context file ${f.path} ---\n${f.text}\n--- end of ${f.path} ---` });
    }
  }
  return blocks;
}

/** The lead of a session's first prompt: its recorded ContextPrepared, shaped for the agent; [] without one. */
export function firstPromptLead(store: EventStore, sessionId: string, workspace: string, embeddedContext: boolean): ContentBlock[] {
  const prepared = store.readStream(`session:${sessionId}`, 1, 5).find((e) => e.type === 'ContextPrepared');
  return prepared ? firstContextBlocks(prepared.data as FirstContext, workspace, embeddedContext) : [];
}

async function gitSummary(workspace: string, gatewayEnv: Readonly<Record<string, string | undefined>>): Promise<string> {
  const env = withGitHardening({ PATH: gatewayEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent', GIT_OPTIONAL_LOCKS: '0' });
  const run = (args: string[]) => gitText(args, workspace, env);
  const branch = await run(['rev-parse', '--abbrev-ref', 'HEAD']);
  if (branch === undefined) return 'Repository context (git_context): the workspace is not a git repository.';
  const log = (await run(['log', `-n${COMMITS}`, '--format=%h %s'])) ?? '';
  const status = (await run(['status', '--short'])) ?? '';
  return [
    'Repository context (git_context):',
    `branch: ${branch.trim()}`,
    `last commits:\n${log.trimEnd() || '(none)'}`,
    `git status --short:\n${status.trimEnd() || '(clean)'}`,
  ].join('\n');
}

/** stdout of git, or undefined when it fails (not a repository). */
function gitText(args: string[], cwd: string, env: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      if (out.length < 64 * 1024) out += b.toString('utf8');
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? out : undefined));
  });
}
