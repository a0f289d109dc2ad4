// The `cluster` section: several gateway nodes on one PostgreSQL store (src/cluster). Absent by default: a gateway on
// the embedded SQLite store is one node and pays nothing for any of this; the keys are an error without
// `store.kind: postgres` (cross-check.ts), so a config that asks for a cluster never silently runs as one node.
import { z } from 'zod';
import { optional, section, seconds } from './fields.js';

/** Node ids name a node in the `nodes` and `leases` tables and in logs. */
export const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const clusterSchema = section({
  /** default: generated once and kept in `<data_dir>/node-id` (so a restarted node is the same node) */
  node_id: optional(
    z.string().regex(NODE_ID, { error: () => 'expected a node id: letters, digits, "_", "." and "-", at most 64 characters' }),
  ),
  /** where the other nodes reach this one (commands for its actors are forwarded there); default http://<host>:<port> */
  advertise_url: optional(z.url({ protocol: /^https?$/, error: () => 'expected an http:// or https:// URL' })),
  /** a lease not renewed for this long is lost by its node and taken over by another */
  lease_ttl_secs: seconds().default(10),
  /** how often a node renews its leases (one statement) and looks for expired leases to take over */
  heartbeat_secs: seconds().default(2),
}).refine((c) => c.heartbeat_secs * 2 < c.lease_ttl_secs, {
  // one missed heartbeat must not lose every lease
  error: 'heartbeat_secs must be less than half of lease_ttl_secs',
  path: ['heartbeat_secs'],
});

export type ClusterConfig = z.output<typeof clusterSchema>;

/** Parsed defaults, for a postgres store configured without a `cluster` section. */
export const DEFAULT_CLUSTER: ClusterConfig = { lease_ttl_secs: 10, heartbeat_secs: 2 };

