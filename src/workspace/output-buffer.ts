// The merged stdout+stderr of one terminal, bounded to `limit` bytes: when more arrives, bytes are dropped from the
// FRONT (ACP: "truncates from the beginning, at a character boundary"), so memory stays bounded however much a
// command prints. After a cut the buffer never starts inside a multi-byte UTF-8 character.

/** True for a UTF-8 continuation byte (10xxxxxx). */
function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Length of the sequence a UTF-8 lead byte starts (1 for ASCII or an invalid lead). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

export interface OutputSnapshot {
  output: string;
  truncated: boolean;
}

export class OutputBuffer {
  #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;
  /**
   * Continuation bytes still to skip after a cut that emptied the buffer: the rest of the cut character may
   * arrive in later chunks and must not become the start of the buffer.
   */
  #skipBudget = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`output limit must be a non-negative integer: ${limit}`);
  }

  /** Bytes currently held (≤ limit). */
  get byteLength(): number {
    return this.#size;
  }

  /** True once any output was dropped. */
  get truncated(): boolean {
    return this.#truncated;
  }

  append(input: Buffer): void {
    let chunk = input;
    if (this.#skipBudget > 0) {
      let skip = 0;
      while (skip < chunk.length && skip < this.#skipBudget && isContinuation(chunk[skip]!)) skip += 1;
      this.#skipBudget = skip < chunk.length ? 0 : this.#skipBudget - skip;
      chunk = chunk.subarray(skip);
    }
    if (chunk.length === 0) return;
    if (chunk.length >= this.limit) {
      // The new chunk alone fills the buffer: keep (a copy of) its tail, releasing the big chunk's memory.
      const dropped = this.#size + chunk.length - this.limit;
      this.#chunks = this.limit === 0 ? [] : [Buffer.from(chunk.subarray(chunk.length - this.limit))];
      this.#size = this.limit;
      if (dropped > 0) this.#cutDone();
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size > this.limit) {
      this.#dropFront(this.#size - this.limit);
      this.#cutDone();
    }
  }

  /**
   * The held output as text. While the process may still write (`final` false), an incomplete multi-byte
   * character at the end is held back until its remaining bytes arrive. Bytes that are not valid UTF-8 become
   * U+FFFD; should that make the text longer than `limit` bytes, its front is cut too (and `truncated` is set).
   */
  snapshot(final: boolean): OutputSnapshot {
    let bytes = Buffer.concat(this.#chunks, this.#size);
    if (!final) bytes = bytes.subarray(0, completeLength(bytes));
    let output = bytes.toString('utf8');
    let truncated = this.#truncated;
    const encodedLength = Buffer.byteLength(output, 'utf8');
    if (encodedLength > this.limit) {
      const encoded = Buffer.from(output, 'utf8');
      let start = encoded.length - this.limit;
      while (start < encoded.length && isContinuation(encoded[start]!)) start += 1;
      output = encoded.subarray(start).toString('utf8');
      truncated = true;
    }
    return { output, truncated };
  }

  /** After dropping from the front: mark truncated and skip the rest of a character the cut went through. */
  #cutDone(): void {
    this.#truncated = true;
    // A UTF-8 character has at most 3 continuation bytes; more than that is invalid data, left for the decoder.
    let budget = 3;
    while (budget > 0 && this.#size > 0 && isContinuation(this.#chunks[0]![0]!)) {
      this.#dropFront(1);
      budget -= 1;
    }
    this.#skipBudget = this.#size === 0 ? budget : 0;
  }

  #dropFront(count: number): void {
    let remaining = count;
    while (remaining > 0 && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= remaining) {
        this.#chunks.shift();
        this.#size -= first.length;
        remaining -= first.length;
      } else {
        this.#chunks[0] = first.subarray(remaining);
        this.#size -= remaining;
        remaining = 0;
      }
    }
  }
}

/** Length of `bytes` without a trailing, still incomplete UTF-8 sequence. */
function completeLength(bytes: Buffer): number {
  const end = bytes.length;
  for (let back = 1; back <= Math.min(3, end); back += 1) {
    const byte = bytes[end - back]!;
    if (isContinuation(byte)) continue;
    // `byte` is the lead of the last sequence: is that sequence complete?
    return sequenceLength(byte) > back ? end - back : end;
  }
  return end;
}
