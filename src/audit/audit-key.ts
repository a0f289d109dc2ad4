// The key that signs audit checkpoints (checkpoint-mac.ts). It lives in a file OUTSIDE the database
// (`audit.key_file`), as 64 hex digits (32 bytes) and a newline: whoever can rewrite the database but not read this
// file cannot forge a checkpoint. The gateway generates it (0600, in a 0700 directory) at its first start when the
// file does not exist, and says so in the log with the key's id, never the key. The key itself is held in a private
// field, so it cannot end up in a JSON log line or an API answer by accident.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { auditKeyId } from './checkpoint-mac.js';

const KEY_BYTES = 32;
const KEY_TEXT = /^(?:[0-9a-fA-F]{2}){32,}$/;

/** The key file is missing, unreadable or not a key; the message says which and where. */
export class AuditKeyError extends Error {
  override readonly name = 'AuditKeyError';
}

export class AuditKey {
  readonly #bytes: Buffer;
  /** not secret: names the key in checkpoints and messages */
  readonly id: string;

  constructor(bytes: Buffer, readonly path: string) {
    this.#bytes = bytes;
    this.id = auditKeyId(bytes);
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): { key_file: string; key_id: string } {
    return { key_file: this.path, key_id: this.id };
  }
}

/** Read an existing key file (the offline `--key-file`, and the gateway after its first start). */
export function readAuditKey(path: string): AuditKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuditKeyError(`cannot read the audit key file ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!KEY_TEXT.test(text)) {
    throw new AuditKeyError(`${path} is not an audit key: expected at least ${KEY_BYTES * 2} hex digits (${KEY_BYTES} bytes) on one line`);
  }
  return new AuditKey(Buffer.from(text, 'hex'), path);
}

export interface LoadedAuditKey {
  key: AuditKey;
  /** true when this call created the file */
  generated: boolean;
  /** group or others may read the file (the gateway warns: the key is only as safe as the file) */
  readableByOthers: boolean;
}

/** The gateway's key: read `path`, or generate a new key there when the file does not exist. */
export function loadOrCreateAuditKey(path: string): LoadedAuditKey {
  let generated = false;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key that appeared meanwhile (another process, a race): read that one instead.
    writeFileSync(path, randomBytes(KEY_BYTES).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600); // the umask may have taken bits off the mode, never added: make it exact
    generated = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new AuditKeyError(`cannot create the audit key file ${path}: ${(e as Error).message}`);
    }
  }
  const key = readAuditKey(path);
  return { key, generated, readableByOthers: (statSync(path).mode & 0o077) !== 0 };
}
