// The `server` section: where the gateway listens, its timeouts, and the Host and Origin values it accepts.
import { z } from 'zod';
import { boolean, integer, list, nonEmptyString, section, seconds } from './fields.js';
import { ANY, normalizeHost, normalizeOrigin } from './host-values.js';

const hostEntry = () =>
  z.string({ error: () => 'expected a host (name or address, optionally :port) or "*"' }).transform((v, c) => {
    const n = v === ANY ? ANY : normalizeHost(v);
    if (n === undefined) c.addIssue({ code: 'custom', message: `expected a Host value such as "gateway.example.com" or "10.0.0.5:8050" (or "*"), got ${JSON.stringify(v)}` });
    return n ?? v;
  });

const originEntry = () =>
  z.string({ error: () => 'expected an origin (scheme://host[:port]) or "*"' }).transform((v, c) => {
    const n = v === ANY ? ANY : normalizeOrigin(v);
    if (n === undefined) c.addIssue({ code: 'custom', message: `expected an origin such as "https://ui.example.com" (no path) or "*", got ${JSON.stringify(v)}` });
    return n ?? v;
  });

export const serverSchema = section({
  /** loopback by default (the original bound 0.0.0.0) */
  host: nonEmptyString('a host name or IP address').default('127.0.0.1'),
  /** 0 lets the OS pick a free port (tests); the AINTEGRIX_PORT override accepts 1..65535 only */
  port: integer(0, 65535, 'a port number from 0 to 65535').default(8050),
  prompt_timeout_secs: seconds().default(120),
  init_timeout_secs: seconds().default(30),
  shutdown_timeout_secs: seconds().default(10),
  /** true: GET /metrics needs no token */
  metrics_public: boolean().default(true),
  /**
   * Host header values accepted besides the defaults (localhost, 127.0.0.1 and [::1] on the server's port, and the
   * bound address when it is not a wildcard); exact, e.g. `gateway.example.com` or `10.0.0.5:8050`; `*`: any
   */
  allowed_hosts: list(hostEntry()).default(() => []),
  /** Origin values accepted besides the defaults (http:// + the default hosts); e.g. `https://ui.example.com`; `*`: any */
  allowed_origins: list(originEntry()).default(() => []),
});

