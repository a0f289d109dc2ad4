// Host and Origin allow-lists, checked on every request (HTTP routes, the WebSocket upgrade, /mcp) before anything
// else. A web page can reach a gateway on loopback: through DNS rebinding (its own name resolving to 127.0.0.1,
// which makes the browser send `Host: evil.example`) or directly with a WebSocket or a simple request (which carries
// `Origin: http://evil.example`). Only the names the gateway is known by are accepted, loopback by default; a request
// without Origin (curl, SDKs, servers) is not from a browser page and passes the Origin check.
import { ANY, normalizeHost, normalizeOrigin } from '../config/host-values.js';
import { HttpError } from './errors.js';

export interface HostOriginOptions {
  /** the address the server binds (`server.host`); a concrete one is accepted as a Host too */
  bindHost: string;
  /** `server.allowed_hosts`, normalized */
  allowedHosts: readonly string[];
  /** `server.allowed_origins`, normalized */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '*']);

export class HostOriginPolicy {
  private hosts = new Set<string>();
  private origins = new Set<string>();
  private readonly anyHost: boolean;
  private readonly anyOrigin: boolean;

  constructor(private readonly o: HostOriginOptions) {
    this.anyHost = o.allowedHosts.includes(ANY);
    this.anyOrigin = o.allowedOrigins.includes(ANY);
  }

  /** The defaults depend on the port, known once the server listens (port 0 picks one). */
  listening(port: number): void {
    const bind = this.o.bindHost.toLowerCase();
    const names = [...LOOPBACK_NAMES];
    if (!WILDCARD_BINDS.has(bind)) names.push(bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind);
    const hosts = new Set<string>();
    const origins = new Set<string>();
    for (const name of names) {
      hosts.add(`${name}:${port}`);
      if (port === 80) hosts.add(name);
      origins.add(port === 80 ? `http://${name}` : `http://${name}:${port}`);
    }
    for (const h of this.o.allowedHosts) if (h !== ANY) hosts.add(h);
    for (const o of this.o.allowedOrigins) if (o !== ANY) origins.add(o);
    this.hosts = hosts;
    this.origins = origins;
  }

  /**
   * Undefined when the request may go on, else the error to answer: 400 `invalid_host` for a Host that is missing,
   * repeated or not a host, 403 `forbidden_host` / `forbidden_origin` for one that is not on the list.
   */
  check(host: string | undefined, origin: string | undefined, duplicateHost = false): HttpError | undefined {
    if (host === undefined || host === '' || duplicateHost) {
      return new HttpError(400, 'invalid_host', duplicateHost ? 'more than one Host header' : 'a Host header is required');
    }
    // the usual case first: a Host exactly as listed (already lower case), with no Origin; no regex per request
    if (this.hosts.has(host) && origin === undefined) return undefined;
    const h = normalizeHost(host);
    if (h === undefined) return new HttpError(400, 'invalid_host', `malformed Host header: ${quote(host)}`);
    if (!this.anyHost && !this.hosts.has(h)) {
      return new HttpError(403, 'forbidden_host', `Host ${quote(host)} is not allowed (server.allowed_hosts)`);
    }
    if (!origin || this.anyOrigin) return undefined; // no Origin: not a browser page (curl, SDKs, servers)
    const o = normalizeOrigin(origin);
    if (o === undefined || !this.origins.has(o)) {
      return new HttpError(403, 'forbidden_origin', `Origin ${quote(origin)} is not allowed (server.allowed_origins)`);
    }
    return undefined;
  }

  /**
   * The same lists for the MCP SDK's transport (its own DNS-rebinding check, exact strings), so that the SDK would
   * refuse what the gateway refuses even if a request reached it another way. Nothing when a wildcard is configured.
   */
  sdkOptions(): { enableDnsRebindingProtection: boolean; allowedHosts?: string[]; allowedOrigins?: string[] } {
    return {
      enableDnsRebindingProtection: !this.anyHost || !this.anyOrigin,
      ...(this.anyHost ? {} : { allowedHosts: [...this.hosts] }),
      ...(this.anyOrigin ? {} : { allowedOrigins: [...this.origins] }),
    };
  }
}

/** A client's header value in a message: JSON-quoted (no control bytes in logs or bodies) and cut short. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
