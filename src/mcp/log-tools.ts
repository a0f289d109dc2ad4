// The session's log and its pending approvals over MCP. Log pages use the one event shape of every surface
// (`eventView`) and the one cursor (`position`); approvals are decided exactly as REST decides them.
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import { approvalDecisionSchema } from '../sessions/approval-service.js';
import { eventView } from '../streams/event-view.js';
import type { RecordedEvent } from '../store/types.js';
import { defineTool, failure, json, textResult, type McpTool } from './tool-kit.js';
import { scopeFor } from '../http/scopes.js';
import { relayedCommand } from './relayed.js';

export const MAX_EVENTS_PAGE = 500;

const sessionId = z.string().min(1).max(256).describe('session id, as acp_create_session returned it');

export function logTools(gw: GatewayServices): McpTool[] {
  return [
    defineTool({
      name: 'acp_session_events',
      description:
        "A page of a session's event log after a cursor (the events' global `position`). Pass the returned " +
        '`next_after` as `after` to read on; `type` keeps only events of that type (e.g. TurnEnded, AcpMessage).',
      scope: scopeFor('read_events'),
      input: z
        .object({
          session_id: sessionId,
          after: z.number().int().min(0).optional().describe('position to read after (default 0: from the start)'),
          limit: z.number().int().min(1).max(MAX_EVENTS_PAGE).optional().describe(`events per page (default 100, at most ${MAX_EVENTS_PAGE})`),
          type: z.string().min(1).max(64).optional().describe('only events of this type'),
        })
        .strict(),
      run: async (args) => {
        try {
          gw.sessions.actor(args.session_id); // 404 for an unknown session rather than an empty page
          const after = args.after ?? 0;
          const limit = args.limit ?? 100;
          const read = readPage(gw, `session:${args.session_id}`, after, limit + 1, args.type);
          const events = read.slice(0, limit).map(eventView);
          const page = { session_id: args.session_id, events, next_after: events.at(-1)?.position ?? after, has_more: read.length > limit };
          return textResult(json(page), page);
        } catch (e) {
          return failure(e);
        }
      },
    }),
    defineTool({
      name: 'acp_list_approvals',
      description: 'Permission requests waiting for a person, oldest first (all sessions, or one).',
      scope: scopeFor('list_approvals'),
      input: z.object({ session_id: sessionId.optional() }).strict(),
      run: async (args) => {
        const approvals = gw.approvals.list(args.session_id ? { session_id: args.session_id } : {});
        return textResult(json(approvals), { approvals });
      },
    }),
    defineTool({
      name: 'acp_decide_approval',
      description:
        'Decide a pending permission request: allow_once, allow_always, reject_once or reject_always ' +
        '(the *_always decisions also leave a rule for the rest of the session).',
      scope: scopeFor('decide_approval'),
      input: approvalDecisionSchema.extend({ approval_id: z.string().min(1).max(256).describe('id from acp_list_approvals') }).strict(),
      run: async (args, call) => {
        try {
          const { approval_id, ...decision } = args;
          const session = gw.approvals.sessionOf(approval_id);
          const remote = session === undefined ? undefined : await relayedCommand(gw, session, call.meta, 'POST', `/api/v1/approvals/${encodeURIComponent(approval_id)}`, decision);
          const d = (remote as Awaited<ReturnType<typeof gw.approvals.decide>> | undefined) ?? (await gw.approvals.decide(approval_id, decision, call.meta));
          return textResult(`Approval ${d.approval_id} decided: ${d.decision} (option: ${d.option_id ?? 'none'}).`, { ...d });
        } catch (e) {
          return failure(e);
        }
      },
    }),
  ];
}

function readPage(gw: GatewayServices, streamId: string, after: number, limit: number, type: string | undefined): RecordedEvent[] {
  if (type === undefined) return gw.store.readStreamAfter(streamId, after, limit);
  const out: RecordedEvent[] = [];
  for (const e of gw.store.iterate({ streamId, afterPosition: after, type })) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}
