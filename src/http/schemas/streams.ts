// The SSE streams' frames, as the document describes them (the frames themselves: src/streams/client-messages.ts).
import { z } from 'zod';

export const PROMPT_STREAM_DESCRIPTION =
  'SSE frames `id: <position>`, `event: <kind>`, `data: <JSON>`; kinds: session_created, repo_cloned, session_routed, ' +
  'session_update (an ACP session/update: agent_message_chunk, agent_thought_chunk, plan, tool_call, tool_call_update, ...), ' +
  'permission_request {approval_id, turn, method, tool_call, options, policy, deadline}, permission_decided ' +
  '{approval_id, decision, option_id, decided_by, reason}, and last turn_complete {turn, outcome, stop_reason, text, usage} ' +
  'or error {code, message, turn, outcome, stop_reason, text, usage}. Resume a dropped stream at GET /events with the last id.';

export const promptFrameDataSchema = z.record(z.string(), z.unknown()).meta({ id: 'PromptStreamFrame' });

export const EVENTS_STREAM_DESCRIPTION =
  'SSE frames `id: <position>`, `data: <Event JSON>`, one per logged event from the cursor (after=, or Last-Event-ID); ' +
  'with follow=false the stream ends at the head as of the request, else it follows the log.';
