// Public API of the config module.
export { loadConfig, loadConfigText, ENV_CONFIG, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { defaultConfig, demoAgentEntry, DEFAULT_CONFIG_SOURCE } from './default-config.js';
export { ConfigError, formatConfigError, formatKeyPath, type ConfigProblem, type KeyPath } from './errors.js';
export { resolveAuthTokens, apiKeyFile, ENV_API_KEY, ENV_API_KEY_FILE } from './auth-tokens.js';
export { API_KEY_TOKEN_NAME } from './cross-check.js';
export { ENV_HOST, ENV_PORT, ENV_DATA_DIR } from './env-overrides.js';
export { resolveStoreUrl, ENV_STORE_URL } from './store-url.js';
export { expandString, type Env } from './expand-env.js';
export { LOG_LEVEL_ENV } from './legacy.js';
export { toAcpMcpServer } from './mcp-servers.js';
export { agentsByName, findAgent } from './agent-lookup.js';
export {
  configSchema,
  AGENT_NAME,
  TOOL_KINDS,
  DECISIONS,
  SCOPES,
  IN_MEMORY_STORE,
  type AintegrixConfig,
  type ServerConfig,
  type TelemetryConfig,
  type AgentConfig,
  type McpServerConfig,
  type RoutingConfig,
  type RoutingRule,
  type StoreConfig,
  type AuthToken,
  type PermissionsConfig,
  type PermissionRule,
  type PermissionDecision,
  type ToolKind,
  type Scope,
  type LimitsConfig,
  type RecoveryConfig,
  type AuditConfig,
  auditKeyFile,
  type WorkspacesConfig,
  type SandboxConfig,
} from './schema.js';
