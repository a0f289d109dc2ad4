// Counts occurrences of a byte marker in a stream of chunks, including one that straddles two chunks. SSE clients
// of the bench count frames this way instead of parsing them: the client must cost far less than the server.
export class MarkerCounter {
  private tail: Buffer = Buffer.alloc(0);

  constructor(private readonly marker: Buffer) {
    if (marker.length === 0) throw new Error('empty marker');
  }

  count(chunk: Buffer): number {
    const m = this.marker;
    const keep = m.length - 1;
    let n = 0;
    if (this.tail.length > 0 && keep > 0) {
      // only matches that start in the previous chunk's tail (the tail is too short to hold a whole one)
      const joint = Buffer.concat([this.tail, chunk.subarray(0, keep)]);
      for (let p = joint.indexOf(m); p !== -1 && p < this.tail.length; p = joint.indexOf(m, p + 1)) n++;
    }
    for (let p = chunk.indexOf(m); p !== -1; p = chunk.indexOf(m, p + m.length)) n++;
    if (keep > 0) {
      const joined = chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([this.tail, chunk]);
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
    }
    return n;
  }
}
