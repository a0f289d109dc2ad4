// The hash chain that makes the log tamper-evident. Auditors re-implement this rule, so it is spelled out here:
//
//   canonical = JSON.stringify([position, stream_id, stream_position, type, at, data, meta])
//   hash      = lowercase hex of SHA-256( UTF-8( prev_hash + canonical ) )
//
// - All values are the columns exactly as stored in the `events` row. `data` and `meta` are the stored JSON
//   *texts*, embedded as JSON strings (not re-parsed), so the hash covers every byte of them.
// - position, stream_position and at are integers below 2^53; they serialise as plain decimal digits.
// - Strings serialise as ECMAScript JSON.stringify does: `"` and `\` are escaped with a backslash; U+0008, U+0009,
//   U+000A, U+000C, U+000D become \b \t \n \f \r; other code units below U+0020 and lone surrogates become \uXXXX
//   with lowercase hex; every other character (including non-ASCII and U+2028/U+2029) is written as is.
//   No whitespace anywhere. Example: [1,"session:a",1,"SessionCreated",1764330000000,"{\"x\":1}","{}"]
// - prev_hash is the previous event's (position - 1) stored hash; the first event (position 1) uses GENESIS_HASH.
//   prev_hash is the 64-character lowercase hex text, prepended to the canonical text before hashing.
import * as crypto from 'node:crypto';

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The columns of an event row that the hash covers (besides prev_hash). */
export interface HashedFields {
  position: number;
  streamId: string;
  streamPosition: number;
  type: string;
  at: number;
  dataText: string;
  metaText: string;
}

export function canonicalEventText(f: HashedFields): string {
  return JSON.stringify([f.position, f.streamId, f.streamPosition, f.type, f.at, f.dataText, f.metaText]);
}

// crypto.hash (Node >= 20.12) hashes in one call: ~3x cheaper per event than a createHash object, measured at
// ~1.7 µs against ~5.8 µs for an AcpMessage row. Same bytes, same digest.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function computeEventHash(prevHash: string, fields: HashedFields): string {
  return sha256Hex(prevHash + canonicalEventText(fields));
}
