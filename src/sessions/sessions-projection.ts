// A read projection of the session actors: per session the few facts the agent status and approval routes ask
// for (its agent, whether it is active or running a turn, its pending approvals, the models it reported), kept in
// an @xstate/store. The session machine stays the one authority: a row is derived from the actor's folded state,
// and only for the sessions a commit touched since the last read, instead of a scan over every actor per read.
//
// Rows are refreshed at read time, not in the commit listener: an actor folds its events when its append resolves,
// just after the commit listeners ran, so a row read from the actor inside the listener would lag one commit. A
// session stays marked until its actor has folded everything the commits showed.
import { createStore } from '@xstate/store';
import type { RecordedEvent } from '../store/types.js';
import type { SessionActor } from './live-session.js';
import { approvalViews, type ApprovalView } from './session-view.js';

export interface SessionRow {
  agent: string;
  /** not closed or failed (the machine is not in a final state) */
  active: boolean;
  /** a turn runs */
  busy: boolean;
  approvals: ApprovalView[];
  /** what the agent reported when the session last attached (null: never attached) */
  attached: { createdAt: number; models: unknown; configOptions: unknown } | null;
}

export interface SessionActors {
  /** every session actor, in creation order (the first read builds the rows from them) */
  list(): SessionActor[];
  get(id: string): SessionActor | undefined;
}

interface ProjectionContext {
  rows: Record<string, SessionRow>;
  /** approval id → its session, for the pending approvals */
  owners: Record<string, string>;
}

type RowChange = readonly [id: string, row: SessionRow | null];

function rowOf(actor: SessionActor): SessionRow {
  const snap = actor.snapshot();
  const c = snap.context;
  return {
    agent: c.agent,
    active: snap.status === 'active',
    busy: snap.value === 'prompting',
    approvals: approvalViews(c),
    attached: c.attachPath ? { createdAt: c.createdAt ?? 0, models: c.models, configOptions: c.configOptions } : null,
  };
}

export class SessionsProjection {
  private readonly store = createStore({
    context: { rows: {}, owners: {} } as ProjectionContext,
    on: {
      // one transition per read, whatever the number of sessions that changed
      changed: (ctx, e: { changes: readonly RowChange[] }) => {
        const rows = { ...ctx.rows };
        const owners = { ...ctx.owners };
        for (const [id, row] of e.changes) {
          for (const a of rows[id]?.approvals ?? []) delete owners[a.approval_id];
          if (row === null) delete rows[id];
          else {
            rows[id] = row;
            for (const a of row.approvals) owners[a.approval_id] = id;
          }
        }
        return { rows, owners };
      },
    },
  });
  /** session id → the newest stream version a commit showed, for the sessions not refreshed since */
  private readonly touched = new Map<string, number>();
  private built = false;

  constructor(private readonly actors: SessionActors) {}

  /** Committed events, as they come (feed from EventStore.onCommitted). */
  observeCommitted(events: readonly RecordedEvent[]): void {
    if (!this.built) return; // the first read builds every row anyway
    for (const e of events) {
      if (e.streamId.startsWith('session:')) this.touched.set(e.streamId.slice('session:'.length), e.streamPosition);
    }
  }

  /** Every session's row, in creation order. */
  rows(): Readonly<Record<string, SessionRow>> {
    return this.current().rows;
  }

  /** The session whose approval `approvalId` is pending, if any. */
  ownerOf(approvalId: string): string | undefined {
    const owners = this.current().owners;
    return Object.hasOwn(owners, approvalId) ? owners[approvalId] : undefined;
  }

  private current(): ProjectionContext {
    if (!this.built) {
      this.built = true;
      this.store.trigger.changed({ changes: this.actors.list().map((a) => [a.id, rowOf(a)] as const) });
    } else if (this.touched.size > 0) {
      const changes: RowChange[] = [];
      for (const [id, version] of this.touched) {
        const actor = this.actors.get(id);
        changes.push([id, actor ? rowOf(actor) : null]);
        if (!actor || actor.version >= version) this.touched.delete(id);
      }
      this.store.trigger.changed({ changes });
    }
    return this.store.getSnapshot().context;
  }
}
