// Reviews of merge requests: the webhook hands a MergeRequest in, a review actor (`review:<id>`) takes it from
// there (review-kind.ts). Here: receiving (duplicates answered with the first review's id), the read views, and the
// boot step that resumes what a previous process left running.
//
// Duplicates: the same delivery id (X-Gitlab-Event-UUID, X-GitHub-Delivery) or the same request at the same head
// commit (provider, repository, number, head) is one review. Both indexes are rebuilt from the log at boot.
//
// After a restart (resumeAtBoot): a review still `received` is cloned again (or goes on in the session it already
// made), one `cloned` is prompted again in its session (the interrupted turn is not re-used), one `posting` first
// looks for its post on the provider (by the marker in the body) and posts only if it is not there. A review whose
// session is gone is marked failed (stage interrupted). Nothing recorded as posted is ever posted again.
import { randomUUID } from 'node:crypto';
import type { ActorRuntime } from '../actors/runtime.js';
import type { AintegrixConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { EventMeta } from '../store/types.js';
import { Rejected } from '../errors/rejection.js';
import { routeAgent } from '../routing/route-agent.js';
import type { MergeRequest } from '../webhooks/merge-request.js';
import type { ReviewCommand } from './review-decide.js';
import { reviewKind, type ReviewActor, type ReviewKind, type ReviewKindDeps } from './review-kind.js';
import { resumableStage } from './review-decide.js';
import type { ReviewState } from './review-machine.js';
import type { reviewMachine } from './review-machine.js';
import { reviewDetail, reviewSummary, type ReviewDetail, type ReviewSummary } from './review-view.js';

export type Received = { duplicate: true; review_id: string } | { duplicate: false; review_id: string; session_id: string };

export class ReviewService {
  readonly kind: ReviewKind;
  private readonly byDelivery = new Map<string, string>();
  private readonly byHead = new Map<string, string>();

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly deps: ReviewKindDeps,
  ) {
    this.kind = reviewKind(deps);
  }

  private get config(): AintegrixConfig {
    return this.deps.config;
  }

  private get logger(): Logger {
    return this.deps.logger;
  }

  actors(): ReviewActor[] {
    return this.runtime.list<typeof reviewMachine>('review');
  }

  /** Index the restored reviews (call after runtime.restoreAll). */
  indexRestored(): void {
    for (const a of this.actors()) {
      const r = a.snapshot().context.request;
      if (r) this.index(a.id, r);
    }
  }

  /** Start a review of `mr`, or name the review that already covers it. */
  async receive(mr: MergeRequest, meta: EventMeta): Promise<Received> {
    const known = (mr.delivery_id !== null ? this.byDelivery.get(deliveryKey(mr.provider, mr.delivery_id)) : undefined) ?? this.byHead.get(headKey(mr));
    if (known !== undefined) return { duplicate: true, review_id: known };
    const { agent, chosen_by } = this.chooseAgent(mr);
    const id = randomUUID();
    const session_id = `${agent}_${randomUUID()}`;
    const data = { review_id: id, ...mr, agent, session_id, chosen_by, post_to: this.postTo(mr.provider) };
    this.index(id, data); // synchronously, before the append: a concurrent duplicate finds it
    try {
      await this.runtime.create(this.kind, id, [{ type: 'ReviewReceived', data }], meta);
    } catch (e) {
      this.unindex(data);
      throw e;
    }
    return { duplicate: false, review_id: id, session_id };
  }

  list(): ReviewSummary[] {
    return this.actors()
      .filter((a) => a.snapshot().context.request !== null)
      .map(reviewSummary);
  }

  get(id: string): ReviewDetail {
    const a = this.runtime.get<typeof reviewMachine>(`review:${id}`);
    if (!a || a.snapshot().context.request === null) throw new Rejected('review_not_found', `review '${id}' not found`);
    return reviewDetail(a);
  }

  /** Resume (or mark interrupted) every review a previous process left running; returns how many. */
  async resumeAtBoot(boot: string): Promise<number> {
    let n = 0;
    for (const a of this.actors()) if (await this.resume(a, boot)) n++;
    if (n > 0) this.logger.info('reviews resumed after a restart', { reviews: n });
    return n;
  }

  /** A cluster node took this review over from a node that stopped: resumed (or ended) as after a restart. */
  async resumeTakenOver(id: string, boot: string): Promise<boolean> {
    const a = this.runtime.get<typeof reviewMachine>(`review:${id}`);
    if (a === undefined) return false;
    const r = a.snapshot().context.request;
    if (r) this.index(a.id, r);
    return this.resume(a, boot);
  }

  private async resume(a: ReviewActor, boot: string): Promise<boolean> {
    const state = a.snapshot().value as ReviewState;
    if (resumableStage(state) === undefined || state === 'posting') {
      // past its review (or stopped before it closed its session): the session has nothing left to do
      if (state !== 'new') await this.kind.closeSession(a);
      if (state !== 'posting') return false;
    }
    const r = await a.execute<ReviewCommand>({ type: 'resume', boot }, { principal: 'system', correlation: boot });
    return r.ok;
  }

  /** webhooks.review_agent, else routing (keywords of the title and description, task_type "review"). */
  private chooseAgent(mr: MergeRequest): { agent: string; chosen_by: 'review_agent' | { rule: number | 'fallback' } } {
    const agent = this.config.webhooks.review_agent;
    if (agent !== undefined) return { agent, chosen_by: 'review_agent' };
    const routed = routeAgent(this.config.routing, { prompt: `${mr.title}\n${mr.description}`, task_type: 'review', files: [] });
    return { agent: routed.agent, chosen_by: { rule: routed.rule } };
  }

  private postTo(provider: MergeRequest['provider']): 'gitlab' | 'github' | null {
    const w = this.config.webhooks;
    if (provider === 'gitlab') return w.gitlab.token !== undefined && w.gitlab.url !== undefined ? 'gitlab' : null;
    return w.github.token !== undefined ? 'github' : null;
  }

  private index(id: string, r: Pick<MergeRequest, 'provider' | 'delivery_id' | 'repo' | 'number' | 'head'>): void {
    if (r.delivery_id !== null) this.byDelivery.set(deliveryKey(r.provider, r.delivery_id), id);
    this.byHead.set(headKey(r), id);
  }

  private unindex(r: Pick<MergeRequest, 'provider' | 'delivery_id' | 'repo' | 'number' | 'head'>): void {
    if (r.delivery_id !== null) this.byDelivery.delete(deliveryKey(r.provider, r.delivery_id));
    this.byHead.delete(headKey(r));
  }
}

function deliveryKey(provider: string, delivery: string): string {
  return `${provider}\0${delivery}`;
}

function headKey(r: Pick<MergeRequest, 'provider' | 'repo' | 'number' | 'head'>): string {
  return `${r.provider}\0${r.repo}\0${r.number}\0${r.head}`;
}
