// How a started (or resumed) orchestration streams with `Accept: text/event-stream` (src/multiagent/actor-sse.ts
// answers it): orchestration_started, candidate_update (a candidate session's ACP update, with its label and agent),
// candidate_complete, judge_update (a judge prompt, its answer, a match, and the judge session's ACP updates),
// verdict, and orchestration_complete with the final body; every frame carries its log position as id.
import type { RecordedEvent } from '../store/types.js';
import type { ActorSseFormat } from '../multiagent/actor-sse.js';

export interface OrchestrationSseSource {
  /** the agent of candidate `label` of the orchestration stream `streamId` */
  agentOf(streamId: string, label: string): string | undefined;
  /** the final body, as GET /orchestrations/{id} answers it, once `ended` (OrchestrationEnded) is committed */
  finalBody(ended: RecordedEvent): unknown;
}

export function orchestrationSseFormat(source: OrchestrationSseSource): ActorSseFormat {
  return {
    updateEvent: 'candidate_update',
    frame(e) {
      const data = e.data as Record<string, unknown>;
      switch (e.type) {
        case 'OrchestrationStarted': {
          const { messages: _task, ...shown } = data;
          return { event: 'orchestration_started', data: shown };
        }
        case 'CandidateEnded':
          return { event: 'candidate_complete', data: { ...data, agent: source.agentOf(e.streamId, data.label as string) } };
        case 'JudgeRequested':
          return { event: 'judge_update', data: { kind: 'requested', ...data } };
        case 'JudgeAnswered':
          return { event: 'judge_update', data: { kind: 'answered', ...data } };
        case 'MatchDecided':
          return { event: 'judge_update', data: { kind: 'match_decided', ...data } };
        case 'VerdictReached':
          return { event: 'verdict', data };
        case 'OrchestrationEnded':
          return { event: 'orchestration_complete', data: source.finalBody(e) };
        default:
          return undefined;
      }
    },
    isFinal: (e) => e.type === 'OrchestrationEnded' || e.type === 'OrchestrationDeleted',
    linkOf(e) {
      const data = e.data as { label?: string; session_id?: string; match?: number };
      if (e.type === 'CandidateStarted') return { session_id: data.session_id!, label: { label: data.label, agent: source.agentOf(e.streamId, data.label!) } };
      if (e.type === 'JudgeRequested' && data.session_id) return { session_id: data.session_id, label: { match: data.match }, event: 'judge_update' };
      return undefined;
    },
  };
}
