// Why an agent could not be attached to a session, with the HTTP status a client should see.

export type AttachErrorCode =
  | 'spawn_failed'
  | 'initialize_failed'
  | 'initialize_timeout'
  | 'session_new_failed'
  | 'session_timeout'
  | 'agent_auth_required'
  | 'agent_exited'
  | 'unknown_model'
  | 'model_not_supported'
  | 'set_model_failed'
  | 'agent_failed';

const STATUS: Record<AttachErrorCode, number> = {
  spawn_failed: 500,
  initialize_failed: 502,
  initialize_timeout: 504,
  session_new_failed: 502,
  session_timeout: 504,
  agent_auth_required: 502,
  agent_exited: 502,
  unknown_model: 400,
  model_not_supported: 400,
  set_model_failed: 502,
  agent_failed: 503,
};

export class AttachError extends Error {
  readonly status: number;
  constructor(
    readonly code: AttachErrorCode,
    message: string,
    readonly stderrTail?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Reject after `ms` with an AttachError of `code`. */
export function withTimeout<T>(p: Promise<T>, ms: number, code: AttachErrorCode, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new AttachError(code, `${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** JSON-RPC error code of an error thrown by the SDK client (RequestError), if any. */
export function rpcCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  const m = (e as { message?: unknown })?.message;
  return typeof m === 'string' ? m : String(e);
}
