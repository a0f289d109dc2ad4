// The config schema (YAML keys in snake_case, as in the original) and the fully defaulted types inferred from it.
// Every section is strict: an unknown key is an error naming its path. The original's legacy keys (server.auth,
// persistence, logging, the old permissions block) are removed or translated by legacy.ts BEFORE this schema runs.
// Cross-references (routing → agents, unique token names, ...) are checked after it, in cross-check.ts.
import { isAbsolute, resolve, join } from 'node:path';
import { z } from 'zod';
import {
  argString,
  boolean,
  byteSize,
  enumOf,
  envMap,
  glob,
  list,
  map,
  nonEmptyString,
  nonNegativeInt,
  optional,
  positiveInt,
  positiveNumber,
  section,
  seconds,
} from './fields.js';
import { isPlainObject } from './expand-env.js';
import { DEFAULT_PROTECTED_PATHS } from '../permissions/protected-paths.js';
import { DEFAULT_COMMAND_PATH } from '../workspace/executable.js';
import { budgetsSchema, type BudgetConfig } from './budgets-schema.js';
import { telemetrySchema } from './telemetry-schema.js';
import { gitSchema } from './git-schema.js';
import { serverSchema } from './server-schema.js';
import { webhooksSchema } from './webhooks-schema.js';
import { clusterSchema } from './cluster-schema.js';
import { storeSchema } from './store-schema.js';

const absoluteDirectory = () =>
  nonEmptyString('an absolute directory').refine((p) => isAbsolute(p), { error: () => 'expected an absolute directory' });

export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const TOOL_KINDS = ['read', 'edit', 'delete', 'move', 'search', 'execute', 'think', 'fetch', 'switch_mode', 'other'] as const;
export const DECISIONS = ['allow', 'deny', 'ask'] as const;
/** What a token may do (src/http/scopes.ts says which operation needs which); `admin` implies the others. */
export const SCOPES = ['read', 'prompt', 'approve', 'admin'] as const;
export const SANDBOX_TYPES = ['none', 'bwrap'] as const;
/** SQLite's in-memory database name; kept as is instead of being resolved to a file path. */
export { IN_MEMORY_STORE } from './store-schema.js';

const headerName = () =>
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: () => 'invalid HTTP header name' });

const stdioMcpServer = section({
  type: z.literal('stdio'),
  name: nonEmptyString(),
  command: nonEmptyString('a command (a non-empty string)'),
  args: list(argString()).default(() => []),
  /** a map here; the ACP layer turns it into ACP's [{name, value}] (see toAcpMcpServer) */
  env: envMap(),
});

const remoteMcpServer = section({
  type: enumOf(['http', 'sse']),
  name: nonEmptyString(),
  url: z.url({ protocol: /^https?$/, error: () => 'expected an http:// or https:// URL' }),
  headers: map(headerName(), argString()).default(() => ({})),
});

/** ACP McpServer: stdio when `type` is absent (as in ACP), or `type: http|sse` with a url. */
const mcpServer = z.preprocess(
  (v) => (isPlainObject(v) && !('type' in v) ? { type: 'stdio', ...v } : v),
  z.discriminatedUnion('type', [stdioMcpServer, remoteMcpServer], {
    error: (iss) =>
      isPlainObject(iss.input) ? 'expected "type" to be "stdio" (the default), "http" or "sse"' : 'expected a map',
  }),
);

/**
 * `sandbox: none|bwrap`, or the map form `{type: bwrap, read_only: [paths]}` for more read-only binds (resolved
 * against the process cwd, as data_dir).
 */
const sandboxSchema = z
  .preprocess(
    (v) => (v === undefined || v === null ? { type: 'none' } : typeof v === 'string' ? { type: v } : v),
    section({
      type: enumOf(SANDBOX_TYPES),
      read_only: list(nonEmptyString('a path')).default(() => []),
    }),
  )
  .transform((s) => ({ type: s.type, read_only: s.read_only.map((p) => resolve(p)) }));

const agentSchema = section({
  command: nonEmptyString('a command (a non-empty string)'),
  args: list(argString()).default(() => []),
  /** informational, as in the original ("native" or "adapter"; any non-empty string is accepted) */
  mode: nonEmptyString().default('native'),
  max_sessions: positiveInt().default(3),
  auto_restart: boolean().default(false),
  env: envMap(),
  default_model: optional(nonEmptyString()),
  models: list(nonEmptyString()).default(() => []),
  prompt_prefix: optional(z.string({ error: () => 'expected a string' })),
  prompt_suffix: optional(z.string({ error: () => 'expected a string' })),
  context_inject: optional(section({ files: list(nonEmptyString()).default(() => []) })),
  /** put the branch, the last commits and `git status --short` of the workspace before the first prompt */
  git_context: boolean().default(false),
  mcp_servers: list(mcpServer).default(() => []),
  /** lazy: respawn the agent of a live session on its next prompt after a restart; eager: at boot */
  resume: enumOf(['lazy', 'eager']).default('lazy'),
  /** none, or bwrap: the agent and the terminals it asks for run in a bubblewrap sandbox (see src/sandbox) */
  sandbox: sandboxSchema,
});

const agentName = () =>
  z.string().regex(AGENT_NAME, {
    error: () =>
      'invalid agent name: use letters, digits, "_", "." and "-", start with a letter or digit, at most 64 characters',
  });

const routingRule = section({
  match: section({
    keywords: optional(list(nonEmptyString())),
    file_patterns: optional(list(nonEmptyString())),
    task_type: optional(nonEmptyString()),
  }).refine((m) => m.keywords !== undefined || m.file_patterns !== undefined || m.task_type !== undefined, {
    error: 'expected at least one of keywords, file_patterns, task_type',
  }),
  agent: nonEmptyString('an agent name'),
});

const authToken = section({
  name: nonEmptyString('a token name'),
  token: z
    .string({ error: () => 'expected a token (a string of at least 16 characters)' })
    .min(16, { error: () => 'expected a token of at least 16 characters' }),
  /** absent: all four scopes (configs written before scopes existed keep working; a notice is logged at start) */
  scopes: optional(
    list(enumOf(SCOPES))
      .min(1, { error: () => 'expected at least one scope (omit the key for all of them)' })
      .transform((l) => [...new Set(l)]),
  ),
});

const permissionRule = section({
  decision: enumOf(DECISIONS),
  /** glob on the agent name */
  agent: optional(glob()),
  /** glob on the ACP client method the agent called: session/request_permission, fs/write_text_file, terminal/create */
  method: optional(glob()),
  /** ACP tool kinds (of a session/request_permission tool call) */
  kind: optional(list(enumOf(TOOL_KINDS))),
  /** glob on the file path concerned */
  path: optional(glob()),
  /**
   * command pattern of terminal/create or an execute tool call: words, the first naming the program (resolved on
   * command_path), then one glob per argument, a final `*` for any further ones (permissions/command-pattern.ts)
   */
  command: optional(glob()),
});

/** Rules are evaluated in order; the first rule whose criteria all match decides; otherwise `default`. */
const permissionsSchema = section({
  default: enumOf(DECISIONS).default('ask'),
  /** an `ask` left undecided this long is denied */
  approval_timeout_secs: seconds().default(300),
  rules: list(permissionRule).default(() => []),
  /** path globs an agent may not write (fs/write_text_file, edit tool calls) unless a rule naming the path allows it */
  protected_paths: list(glob()).default(() => [...DEFAULT_PROTECTED_PATHS]),
  /** where the program of a command is looked up, for rules and for terminals (never the agent's PATH) */
  command_path: list(absoluteDirectory()).default(() => [...DEFAULT_COMMAND_PATH]),
});

const limitsSchema = section({
  max_body_bytes: byteSize().default(1024 * 1024),
  max_prompt_bytes: byteSize().default(256 * 1024),
  max_sessions_total: positiveInt().default(256),
  /** the most candidates one orchestration may run (POST /orchestrate, acp_orchestrate) */
  max_candidates: positiveInt().default(8),
  /** token bucket per auth token */
  rate: section({
    requests_per_second: positiveNumber().default(50),
    burst: positiveInt().default(100),
  }).prefault({}),
  fs_max_read_bytes: byteSize().default(10 * 1024 * 1024),
  fs_max_write_bytes: byteSize().default(10 * 1024 * 1024),
  terminal_output_bytes: byteSize().default(1024 * 1024),
  /** a stream client (SSE, WebSocket) that does not drain for this long is closed; it resumes from its last position */
  stream_stall_secs: seconds().default(5),
});

const recoverySchema = section({
  /** the transcript that primes session/new when an agent can neither resume nor load a session */
  transcript_max_events: nonNegativeInt().default(50),
  transcript_max_chars: nonNegativeInt().default(12000),
});

/** Where the signed checkpoints of the head go besides the database: a file (NDJSON lines, appended) or stdout. */
const auditSink = z.union([z.literal('stdout'), section({ file: nonEmptyString('a file path') })], {
  error: () => 'expected "stdout" or {file: PATH}',
});

/** Signed checkpoints of the log's head (src/audit/checkpoint-mac.ts): the anchor of the hash chain. */
const auditSchema = section({
  /** the HMAC key, kept outside the database; generated (0600) at first start if missing. Default <data_dir>/audit-key */
  key_file: optional(nonEmptyString('a file path')),
  /** sign the head after this many events since the last checkpoint */
  checkpoint_every_events: positiveInt().default(1000),
  /** ... and at least this often while events come in (one is also signed at clean shutdown) */
  checkpoint_every_secs: seconds().default(60),
  sink: optional(auditSink),
}).transform((a) => ({
  ...a,
  // resolved against the process cwd at load time, like store.data_dir
  key_file: a.key_file === undefined ? undefined : resolve(a.key_file),
  sink: a.sink === undefined || a.sink === 'stdout' ? a.sink : { file: resolve(a.sink.file) },
}));
/**
 * Where sessions work. `dir`: where the gateway creates the workspaces it owns (default: the data dir's sibling
 * `<data_dir>-workspaces`, never inside the data dir, so an agent's workspace is nowhere near the database and the
 * token). `allowed_roots`: a client's workspace_root must be `dir` or lie inside it or inside one of these.
 * `homes_dir`: the per-agent homes of sandboxed agents whose env sets no HOME (default `<data_dir>-agent-homes`).
 */
const workspacesSchema = section({
  dir: optional(nonEmptyString('a directory path')),
  allowed_roots: list(nonEmptyString('a directory path')).default(() => []),
  homes_dir: optional(nonEmptyString('a directory path')),
});

function resolveWorkspaces(w: z.output<typeof workspacesSchema>, dataDir: string) {
  return {
    dir: resolve(w.dir ?? `${dataDir}-workspaces`),
    allowed_roots: w.allowed_roots.map((p) => resolve(p)),
    homes_dir: resolve(w.homes_dir ?? `${dataDir}-agent-homes`),
  };
}

export const configSchema = section({
  server: serverSchema.prefault({}),
  /** zero agents is allowed (readiness then answers 503) */
  agents: map(agentName(), agentSchema).default(() => ({})),
  routing: section({
    rules: list(routingRule).default(() => []),
    fallback: optional(nonEmptyString('an agent name')),
  }).prefault({}),
  store: storeSchema.prefault({}),
  auth: section({
    tokens: list(authToken).default(() => []),
    /** a file holding the API token (named `api-key`); AINTEGRIX_API_KEY_FILE overrides it */
    api_key_file: optional(nonEmptyString('a file path')),
  }).prefault({}),
  permissions: permissionsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  recovery: recoverySchema.prefault({}),
  audit: auditSchema.prefault({}),
  workspaces: workspacesSchema.prefault({}),
  budgets: budgetsSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  git: gitSchema.prefault({}),
  webhooks: webhooksSchema.prefault({}),
  /** absent unless set: only with store.kind postgres (cross-check.ts) */
  cluster: optional(clusterSchema),
}).transform((c) => ({ ...c, workspaces: resolveWorkspaces(c.workspaces, c.store.data_dir) }));

/** The fully defaulted config. */
export type AintegrixConfig = z.output<typeof configSchema>;
export type ServerConfig = AintegrixConfig['server'];
export type AgentConfig = z.output<typeof agentSchema>;
export type McpServerConfig = AgentConfig['mcp_servers'][number];
export type RoutingConfig = AintegrixConfig['routing'];
export type RoutingRule = RoutingConfig['rules'][number];
export type StoreConfig = AintegrixConfig['store'];
export type AuthToken = AintegrixConfig['auth']['tokens'][number];
export type PermissionsConfig = AintegrixConfig['permissions'];
export type PermissionRule = PermissionsConfig['rules'][number];
export type BudgetsConfig = AintegrixConfig['budgets'];
export type TelemetryConfig = AintegrixConfig['telemetry'];
export type { BudgetConfig };
export type PermissionDecision = (typeof DECISIONS)[number];
export type ToolKind = (typeof TOOL_KINDS)[number];
export type Scope = (typeof SCOPES)[number];
export type LimitsConfig = AintegrixConfig['limits'];
export type RecoveryConfig = AintegrixConfig['recovery'];
export type WorkspacesConfig = AintegrixConfig['workspaces'];
export type AuditConfig = AintegrixConfig['audit'];
export type { GitConfig } from './git-schema.js';
export type { WebhooksConfig } from './webhooks-schema.js';

/** The audit key file: `audit.key_file`, or `audit-key` in the data dir. */
export function auditKeyFile(config: Pick<AintegrixConfig, 'audit' | 'store'>): string {
  return config.audit.key_file ?? join(config.store.data_dir, 'audit-key');
}
export type SandboxConfig = AgentConfig['sandbox'];
