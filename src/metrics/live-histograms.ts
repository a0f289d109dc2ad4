// The histograms this process measures as things happen, from its start (they are not in the log, so they begin
// empty after a restart): store commit latency and batch size, time to an agent's first update, HTTP request
// duration. Plain numbers on the hot paths; prom-client reads them on a scrape.
import type { CommitTiming, RecordedEvent } from '../store/types.js';
import { PlainHistogram, type HistogramSeries } from './plain-histogram.js';
import { COMMIT_EVENTS_BUCKETS, COMMIT_SECONDS_BUCKETS, FIRST_UPDATE_BUCKETS, HTTP_SECONDS_BUCKETS } from './buckets.js';

export class LiveHistograms {
  readonly commitSeconds = new PlainHistogram('aintegrix_store_commit_seconds', 'Group commit latency of the event log (one transaction, fsync included)', [], COMMIT_SECONDS_BUCKETS);
  readonly commitEvents = new PlainHistogram('aintegrix_store_commit_events', 'Events per group commit of the event log', [], COMMIT_EVENTS_BUCKETS);
  readonly firstUpdate = new PlainHistogram('aintegrix_turn_first_update_seconds', "Prompt recorded to the agent's first session/update of the turn, by agent (turns started by this process)", ['agent'], FIRST_UPDATE_BUCKETS);
  readonly http = new PlainHistogram('aintegrix_http_request_duration_seconds', 'HTTP request duration, routing to answer (or to a stream taking the response over), by method and route pattern', ['method', 'route'], HTTP_SECONDS_BUCKETS);
  private readonly commitSecondsAll = this.commitSeconds.seriesFor();
  private readonly commitEventsAll = this.commitEvents.seriesFor();
  /** session stream → when its running turn's prompt was committed (performance.now()), until its first update */
  private readonly awaitingFirstUpdate = new Map<string, number>();

  all(): PlainHistogram[] {
    return [this.commitSeconds, this.commitEvents, this.firstUpdate, this.http];
  }

  /** Per commit: two observations, and per event a type comparison (a map lookup for ACP messages). */
  observeCommit(events: readonly RecordedEvent[], commit: CommitTiming | undefined): void {
    if (!commit) return;
    this.commitSeconds.observe(this.commitSecondsAll, commit.durationMs / 1000);
    this.commitEvents.observe(this.commitEventsAll, events.length);
    const committedAt = commit.startedAt + commit.durationMs;
    for (const e of events) {
      if (e.type === 'PromptSubmitted') this.awaitingFirstUpdate.set(e.streamId, committedAt);
      else if (e.type === 'AcpMessage') {
        const since = this.awaitingFirstUpdate.get(e.streamId);
        if (since !== undefined && isAgentSessionUpdate(e)) {
          this.awaitingFirstUpdate.delete(e.streamId);
          this.firstUpdate.observe(this.firstUpdate.seriesFor(agentOfSession(e.streamId)), (committedAt - since) / 1000);
        }
      } else if (e.type === 'TurnEnded' || e.type === 'SessionClosed' || e.type === 'SessionFailed') {
        this.awaitingFirstUpdate.delete(e.streamId); // a turn that ended without any update
      }
    }
  }
}

/** A session/update notification from the agent (the cheap text test spares parsing every other message). */
export function isAgentSessionUpdate(e: RecordedEvent): boolean {
  if (!e.dataText.includes('"session/update"')) return false;
  const d = e.data as { dir?: string; msg?: { method?: string } };
  return d.dir === 'in' && d.msg?.method === 'session/update';
}

/** session ids are `<agent>_<uuid>` (36 characters of uuid): the agent without a lookup */
export function agentOfSession(streamId: string): string {
  return streamId.slice('session:'.length, -37);
}

export type { HistogramSeries };
