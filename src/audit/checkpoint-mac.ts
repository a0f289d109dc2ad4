// Signed checkpoints anchor the hash chain. The chain (src/store/hash.ts) shows that no event was changed in place,
// but whoever can write the database can cut events off the end, or change an event and recompute every later
// hash, and the chain still verifies. A checkpoint is the head (position and hash) signed with a key kept OUTSIDE
// the database, so neither can be done without the key. Auditors re-implement this rule, so it is spelled out:
//
//   key       = the bytes of the key file's hex text (`audit.key_file`, 64 hex digits = 32 bytes, whitespace trimmed)
//   key_id    = first 16 characters of lowercase hex HMAC-SHA256(key, "aintegrix-audit-key-id")
//   canonical = JSON.stringify(["aintegrix-audit-checkpoint/1", seq, position, hash, at, key_id])
//   mac       = lowercase hex of HMAC-SHA256(key, UTF-8(canonical))
//
// - seq counts checkpoints 1, 2, 3, ...; position is the head's position when signed (>= 1); hash is the stored
//   hash of the event at that position (64 lowercase hex); at is the signing time in ms since the epoch (an integer:
//   an export or a sink line shows it as ISO 8601, Date.parse gives it back). JSON.stringify as in hash.ts.
// - key_id is not secret and says which key signed (a wrong key is then told apart from a changed checkpoint).
// - Example: key = hex 000102…1f (the bytes 0..31), seq 1, position 42, hash "ab" × 32, at 1764330000000:
//     key_id    = 8a7033aee1833046
//     canonical = ["aintegrix-audit-checkpoint/1",1,42,"abab…ab",1764330000000,"8a7033aee1833046"]
//     mac       = f4811bfdbee52b42787de5bb05ba6680ba1c24952f4b013231dc2171aa563e18
//   (test/audit/checkpoint-mac.test.ts recomputes these.)
//
// What a verifier concludes from a checkpoint whose MAC verifies:
// - the log's event at `position` must have exactly `hash`: since every hash covers the previous one, the events
//   1..position are then exactly those that were signed. A different hash means the log was rewritten at or before
//   `position` (and rehashed, or the chain walk would have caught it first).
// - the log's head must be at or after `position`: a log that ends before it was cut off.
// - seqs in the database run 1..n without a gap (a gap is a deleted checkpoint) and their positions never decrease.
// Deleting the newest checkpoints together with the events they sign leaves no trace in the database alone; the
// sink (`audit.sink`, a copy of every checkpoint outside the database) or an expected head recorded elsewhere
// (`--expect-head`) catches that. Events committed after the newest checkpoint are not anchored until the next one
// (at most `audit.checkpoint_every_events` events or `audit.checkpoint_every_secs`; one is signed at clean shutdown).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CHECKPOINT_DOMAIN = 'aintegrix-audit-checkpoint/1';
const KEY_ID_DOMAIN = 'aintegrix-audit-key-id';

/** What a MAC covers: every field of a checkpoint but the MAC itself. */
export interface SignedFields {
  seq: number;
  position: number;
  hash: string;
  at: number;
  keyId: string;
}

export function auditKeyId(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_DOMAIN).digest('hex').slice(0, 16);
}

export function canonicalCheckpointText(f: SignedFields): string {
  return JSON.stringify([CHECKPOINT_DOMAIN, f.seq, f.position, f.hash, f.at, f.keyId]);
}

export function checkpointMac(key: Buffer, f: SignedFields): string {
  return createHmac('sha256', key).update(canonicalCheckpointText(f), 'utf8').digest('hex');
}

/** Why a checkpoint's MAC does not verify with `key`, or undefined when it does. */
export function macProblem(key: Buffer, keyId: string, f: SignedFields & { mac: string }): string | undefined {
  if (f.keyId !== keyId) return `was signed with another key (key id ${f.keyId}; the key given has id ${keyId})`;
  const expected = Buffer.from(checkpointMac(key, f), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(f.mac) ? f.mac : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'has a MAC that does not verify (the checkpoint was changed)';
  return undefined;
}
