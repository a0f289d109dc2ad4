// What every client command shares: the gateway to talk to (--url / AINTEGRIX_URL, --token / AINTEGRIX_TOKEN) and
// the typed client on it, and the translation of its errors into messages and exit codes.
import { AintegrixClient, ApiError } from '../client/index.js';
import { CliError, EXIT, UsageError } from './exit-codes.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export function gatewayUrl(o: GlobalOptions): string | undefined {
  return o.url ?? (process.env.AINTEGRIX_URL || undefined);
}

export function clientFor(o: GlobalOptions): AintegrixClient {
  const url = gatewayUrl(o);
  if (!url) throw new UsageError('no gateway: give --url URL or set AINTEGRIX_URL (e.g. http://127.0.0.1:8050)');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url: not an http(s) URL: ${url}`);
  // AINTEGRIX_API_KEY is the token `serve` takes: a shell that started the gateway can talk to it as it is
  const token = o.token ?? (process.env.AINTEGRIX_TOKEN || process.env.AINTEGRIX_API_KEY || undefined);
  return new AintegrixClient({ baseUrl: url, token });
}

/** A thrown error as the CLI reports it: the message and the exit code (see exit-codes.ts). */
export function asCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ApiError) {
    if (e.status === 0) return new CliError(e.message, EXIT.unreachable);
    const hint = e.status === 401 ? ' (give --token or set AINTEGRIX_TOKEN)' : '';
    const code = e.status === 401 || e.status === 403 ? EXIT.auth : EXIT.failed;
    return new CliError(`${e.code}: ${e.message}${hint}`, code);
  }
  return new CliError(e instanceof Error ? e.message : String(e), EXIT.failed);
}
