// A typed client of the gateway's REST and SSE API, written on GET /openapi.json (operations.ts) with the types of
// the schemas the document is generated from (types.ts). Only fetch: it runs in Node 20 and in a browser.
import { OPERATIONS, type OperationId } from './operations.js';
import { bodyLines, sseFrames } from './sse.js';
import type * as T from './types.js';

export interface ClientOptions {
  /** the gateway, e.g. http://127.0.0.1:8050 */
  baseUrl: string;
  /** an API token (sent as `Authorization: Bearer`) */
  token?: string;
  /** another fetch (tests, proxies); default globalThis.fetch */
  fetch?: typeof fetch;
}

/** An answer in the API's error shape (or a failure to reach the gateway: status 0, code `unreachable`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

interface CallOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export class AintegrixClient {
  private readonly base: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetcher = options.fetch ?? ((...a) => globalThis.fetch(...a));
  }

  // --- meta
  /** true when /health answers 200 */
  async health(): Promise<boolean> {
    return (await this.send('health')).ok;
  }
  /** true when /readiness answers 200 (503: no agent, or shutting down) */
  async readiness(): Promise<boolean> {
    return (await this.send('readiness')).ok;
  }
  openApi(): Promise<Record<string, unknown>> {
    return this.json('getOpenApi');
  }

  // --- agents
  listAgents(): Promise<T.Agent[]> {
    return this.json('listAgents');
  }
  agentStatus(): Promise<T.AgentStatus[]> {
    return this.json('agentStatus');
  }
  agentModels(name: string): Promise<T.AgentModels> {
    return this.json('agentModels', { params: { name } });
  }

  // --- sessions
  listSessions(): Promise<T.SessionSummary[]> {
    return this.json('listSessions');
  }
  createSession(body: T.CreateSessionInput = {}): Promise<T.SessionCreated> {
    return this.json('createSession', { body });
  }
  getSession(id: string): Promise<T.SessionDetail> {
    return this.json('getSession', { params: { id } });
  }
  async closeSession(id: string): Promise<void> {
    await this.json('closeSession', { params: { id } });
  }
  cancelTurn(id: string): Promise<T.CancelResult> {
    return this.json('cancelTurn', { params: { id } });
  }
  /** A blocking prompt: resolves when the turn ends (a failed turn is an ApiError with the turn in `details`). */
  prompt(id: string, body: T.PromptBody | string, signal?: AbortSignal): Promise<T.TurnResult> {
    return this.json('prompt', { params: { id }, body: promptBody(body), signal });
  }
  forkSession(id: string, body: T.ForkInput = {}): Promise<T.ForkResult> {
    return this.json('forkSession', { params: { id }, body });
  }
  setModel(id: string, model: string): Promise<T.ModelChanged> {
    return this.json('setModel', { params: { id }, body: { model } });
  }

  // --- streams
  /** A prompt whose turn streams: each frame as it comes, the last one turn_complete or error. */
  async *promptStream(id: string, body: T.PromptBody | string, signal?: AbortSignal): AsyncGenerator<T.PromptFrame> {
    yield* this.frames(await this.open('promptStream', { params: { id }, body: promptBody(body), signal }));
  }
  /** Create a session and stream its first turn (the first frame is session_created). */
  async *createAndStream(body: T.CreateSessionInput & T.PromptBody, signal?: AbortSignal): AsyncGenerator<T.PromptFrame> {
    yield* this.frames(await this.open('createAndStream', { body, signal }));
  }
  /** A page of a session's log after a cursor (`next_after` is the next page's cursor). */
  sessionEvents(id: string, query: T.EventsQuery = {}): Promise<T.EventPage> {
    return this.json('sessionEvents', { params: { id }, query: { ...query } });
  }
  /**
   * A session's log as it is written, from `after`: with `follow` false it ends at the head as of the call. Each
   * event's `position` is the cursor to resume from.
   */
  async *streamEvents(id: string, o: { after?: number; type?: string; follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<T.EventView> {
    const res = await this.open('sessionEvents', {
      params: { id },
      query: { type: o.type, follow: o.follow === false ? 'false' : undefined },
      headers: { accept: 'text/event-stream', ...(o.after !== undefined ? { 'last-event-id': String(o.after) } : {}) },
      signal: o.signal,
    });
    for await (const f of sseFrames(res.body!)) yield JSON.parse(f.data) as T.EventView;
  }

  // --- approvals
  listApprovals(query: { session_id?: string } = {}): Promise<T.Approval[]> {
    return this.json('listApprovals', { query });
  }
  decideApproval(id: string, body: T.ApprovalDecision): Promise<T.DecidedApproval> {
    return this.json('decideApproval', { params: { id }, body });
  }

  // --- orchestrations
  /** One prompt to several agents; resolves when the orchestration ended (its results, winner and verdict). */
  orchestrate(body: T.OrchestrateInput, signal?: AbortSignal): Promise<T.Orchestration> {
    return this.json('orchestrate', { body, signal });
  }
  listOrchestrations(): Promise<T.OrchestrationSummary[]> {
    return this.json('listOrchestrations');
  }
  getOrchestration(id: string): Promise<T.Orchestration> {
    return this.json('getOrchestration', { params: { id } });
  }
  /** Cancel what runs and close its sessions. */
  async deleteOrchestration(id: string): Promise<void> {
    await this.json('deleteOrchestration', { params: { id } });
  }
  /** Re-run an interrupted orchestration; resolves when it ended (409 not_resumable when it runs or ended otherwise). */
  resumeOrchestration(id: string, signal?: AbortSignal): Promise<T.Orchestration> {
    return this.json('resumeOrchestration', { params: { id }, signal });
  }

  // --- pipelines
  /** Steps one after the other; resolves when the run ended (each step's answer and session). */
  runPipeline(body: T.PipelineInput, signal?: AbortSignal): Promise<T.Pipeline> {
    return this.json('runPipeline', { body, signal });
  }
  listPipelines(): Promise<T.Pipeline[]> {
    return this.json('listPipelines');
  }
  getPipeline(id: string): Promise<T.Pipeline> {
    return this.json('getPipeline', { params: { id } });
  }
  /** Cancel what runs and close its steps' sessions. */
  async deletePipeline(id: string): Promise<void> {
    await this.json('deletePipeline', { params: { id } });
  }
  /** Re-run an interrupted pipeline from the interrupted step; resolves when it ended (409 not_resumable otherwise). */
  resumePipeline(id: string, signal?: AbortSignal): Promise<T.Pipeline> {
    return this.json('resumePipeline', { params: { id }, signal });
  }
  /** A pipeline's log as it is written (SSE), from `after`: with `follow` false it ends at the head as of the call. */
  async *streamPipelineEvents(id: string, o: { after?: number; type?: string; follow?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<T.EventView> {
    const res = await this.open('pipelineEvents', {
      params: { id },
      query: { type: o.type, follow: o.follow === false ? 'false' : undefined },
      headers: { accept: 'text/event-stream', ...(o.after !== undefined ? { 'last-event-id': String(o.after) } : {}) },
      signal: o.signal,
    });
    for await (const f of sseFrames(res.body!)) yield JSON.parse(f.data) as T.EventView;
  }

  // --- reviews (started by the git webhook)
  listReviews(): Promise<T.ReviewSummary[]> {
    return this.json('listReviews');
  }
  getReview(id: string): Promise<T.ReviewDetail> {
    return this.json('getReview', { params: { id } });
  }

  // --- usage and audit
  usage(query: T.UsageQuery = {}): Promise<T.UsageReport> {
    return this.json('usage', { query: { ...query } });
  }
  verifyAudit(query: { expect_head?: string } = {}): Promise<T.VerifyReport> {
    return this.json('verifyAudit', { query });
  }
  /** The log as NDJSON lines (each an ExportLine's JSON text, without the newline), streamed. */
  async *exportAudit(query: T.ExportQuery = {}, signal?: AbortSignal): AsyncGenerator<string> {
    const res = await this.open('exportAudit', { query: { ...query }, signal });
    yield* bodyLines(res.body!);
  }

  // --- the one place requests are made
  /** Any documented operation; answers the parsed JSON (undefined for an empty body) or throws an ApiError. */
  async json<R>(op: OperationId, o: CallOptions = {}): Promise<R> {
    const res = await this.open(op, o);
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as R;
  }

  /** Send and check the status: a Response with a 2xx status, else an ApiError. */
  async open(op: OperationId, o: CallOptions = {}): Promise<Response> {
    const res = await this.send(op, o);
    if (res.ok) return res;
    throw await apiError(res);
  }

  /** Send as it is (no status check). */
  async send(op: OperationId, o: CallOptions = {}): Promise<Response> {
    const [method, template] = OPERATIONS[op];
    const url = this.base + expand(template, o.params ?? {}) + queryString(o.query);
    const headers: Record<string, string> = { ...o.headers };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetcher(url, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: o.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(0, 'unreachable', `cannot reach ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
  }

  private async *frames(res: Response): AsyncGenerator<T.PromptFrame> {
    for await (const f of sseFrames(res.body!)) {
      yield { position: Number(f.id), kind: f.event, data: JSON.parse(f.data) as Record<string, unknown> };
    }
  }
}

function promptBody(body: T.PromptBody | string): T.PromptBody {
  return typeof body === 'string' ? { messages: [{ type: 'text', text: body }] } : body;
}

function expand(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(v);
  });
}

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function apiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as T.ErrorBody).error;
    if (e && typeof e.code === 'string') return new ApiError(res.status, e.code, e.message, e.details);
  } catch {
    /* not the error shape */
  }
  return new ApiError(res.status, `http_${res.status}`, text.slice(0, 200) || `HTTP ${res.status}`);
}
