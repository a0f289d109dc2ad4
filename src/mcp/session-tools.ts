// Agents and the lifecycle of sessions over MCP, with the original's result texts so its clients keep working
// (`Session created: <id> (agent: <agent>, model: <model>)`, `Session <id> closed.`). The services are the same ones
// REST calls, so a session created here is the session REST lists, with one log.
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import { sessionSummary } from '../sessions/session-view.js';
import { defineTool, errorResult, failure, json, textResult, type McpTool } from './tool-kit.js';
import { scopeFor } from '../http/scopes.js';
import { findAgent } from '../config/agent-lookup.js';
import { originFields } from '../http/routes/origin-fields.js';
import { originView } from '../sessions/session-origin-view.js';
import { relayedCommand, sessionPath } from './relayed.js';

const sessionId = z.string().min(1).max(256).describe('session id, as acp_create_session returned it');

export function sessionTools(gw: GatewayServices): McpTool[] {
  return [
    defineTool({
      name: 'acp_list_agents',
      description: 'List the coding agents this gateway runs (name, command, mode, max_sessions).',
      scope: scopeFor('list_agents'),
      input: z.object({}).strict(),
      run: async () => {
        const agents = Object.entries(gw.config.agents).map(([name, a]) => ({ name, command: a.command, mode: a.mode, max_sessions: a.max_sessions }));
        return textResult(json(agents), { agents });
      },
    }),
    defineTool({
      name: 'acp_create_session',
      description:
        'Start a session with an agent. Pass workspace_root as an absolute directory on the gateway host; without it the ' +
        'session gets its own empty directory; with repo, a fresh clone of it. auto_route: true (with prompt) lets the ' +
        "gateway's routing rules choose the agent. " +
        'Returns "Session created: <id> (agent: <agent>, model: <model>)".',
      scope: scopeFor('create_session'),
      input: z
        .object({
          agent: z.string().min(1).max(64).optional().describe('agent name, see acp_list_agents (or auto_route: true)'),
          workspace_root: z.string().min(1).max(4096).optional().describe('absolute directory the agent works in'),
          model: z.string().min(1).max(256).optional().describe("model id (default: the agent's default model)"),
          repo: originFields.repo.describe('a repository URL or owner/name, cloned (depth 1) into a new workspace'),
          branch: originFields.branch.describe("the branch to clone (default: the remote's default branch)"),
          auto_route: originFields.auto_route.describe('let routing.rules choose the agent (needs prompt)'),
          prompt: z.string().min(1).max(65536).optional().describe('auto_route: the task, matched against the rules'),
          task_type: originFields.task_type.describe('auto_route: the task type, matched against the rules'),
          file_paths: originFields.file_paths.describe('auto_route: files the task concerns, matched against the rules'),
        })
        .strict(),
      run: async (args, call) => {
        if (args.agent !== undefined && !findAgent(gw.config, args.agent)) {
          const available = Object.keys(gw.config.agents).map((n) => JSON.stringify(n));
          return errorResult(`Error: agent '${args.agent}' not found. Available: [${available.join(', ')}]`);
        }
        try {
          const actor = await gw.sessions.create({ ...args, origin: 'mcp' }, call.meta);
          const s = sessionSummary(actor);
          const model = s.model ?? 'default';
          const origin = originView(gw.store, actor.streamId);
          const routed = origin.routed ? ` (routed by rule ${origin.routed.rule}: ${JSON.stringify(origin.routed.matched)})` : '';
          const text = `Session created: ${s.id} (agent: ${s.agent}, model: ${model})${routed}`;
          return textResult(text, { id: s.id, agent: s.agent, model: s.model, status: s.status, ...origin });
        } catch (e) {
          return failure(e);
        }
      },
    }),
    defineTool({
      name: 'acp_close_session',
      description: "Close a session: cancel its running turn, end the agent's session and stop its process.",
      scope: scopeFor('close_session'),
      input: z.object({ session_id: sessionId }).strict(),
      run: async (args, call) => {
        try {
          if ((await relayedCommand(gw, args.session_id, call.meta, 'DELETE', sessionPath(args.session_id))) === undefined) await gw.sessions.close(args.session_id, call.meta);
          return textResult(`Session ${args.session_id} closed.`);
        } catch (e) {
          return failure(e);
        }
      },
    }),
    defineTool({
      name: 'acp_fork_session',
      description:
        "Fork a session between turns: a new session whose conversation starts with the source's, up to `at` (a log " +
        "position of the source, default its latest), with target_agent (default the same agent). The same agent forks " +
        "natively when it can (ACP session/fork), otherwise the new session is primed with the transcript. Returns " +
        '"Session forked: <id> (agent: <agent>, from: <source>@<position>, method: native|transcript)".',
      scope: scopeFor('fork_session'),
      input: z
        .object({
          session_id: sessionId,
          target_agent: z.string().min(1).max(64).optional().describe('agent of the new session (default: the source\'s)'),
          at: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe("a log position of the source session (see acp_session_events)"),
        })
        .strict(),
      run: async (args, call) => {
        try {
          const input = { ...(args.target_agent !== undefined ? { target_agent: args.target_agent } : {}), ...(args.at !== undefined ? { at: args.at } : {}) };
          const r =
            ((await relayedCommand(gw, args.session_id, call.meta, 'POST', sessionPath(args.session_id, '/fork'), input)) as Awaited<ReturnType<typeof gw.sessions.fork>> | undefined) ??
            (await gw.sessions.fork(args.session_id, input, call.meta));
          const text = `Session forked: ${r.id} (agent: ${r.agent}, from: ${r.forked_from.session_id}@${r.forked_from.position}, method: ${r.method})`;
          return textResult(text, { ...r });
        } catch (e) {
          return failure(e);
        }
      },
    }),
    defineTool({
      name: 'acp_cancel',
      description: 'Cancel the running turn of a session (its acp_prompt then returns with stop reason "cancelled").',
      scope: scopeFor('cancel_turn'),
      input: z.object({ session_id: sessionId }).strict(),
      run: async (args, call) => {
        try {
          const r =
            ((await relayedCommand(gw, args.session_id, call.meta, 'POST', sessionPath(args.session_id, '/cancel'), {})) as { cancelled: boolean; turn: number | null } | undefined) ??
            (await gw.sessions.cancel(args.session_id, call.meta));
          const text = r.cancelled
            ? `Turn ${r.turn} of session ${args.session_id} is being cancelled.`
            : r.turn === null
              ? `Session ${args.session_id} has no running turn.`
              : `Turn ${r.turn} of session ${args.session_id} is already being cancelled.`;
          return textResult(text, { cancelled: r.cancelled, turn: r.turn });
        } catch (e) {
          return failure(e);
        }
      },
    }),
  ];
}
