import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutputBuffer } from '../../src/workspace/output-buffer.js';

const SAMPLE = 'é€😀'; // 2 + 3 + 4 bytes

describe('OutputBuffer', () => {
  it('keeps everything under the limit, untruncated', () => {
    const b = new OutputBuffer(100);
    b.append(Buffer.from('hello '));
    b.append(Buffer.from(SAMPLE));
    assert.deepEqual(b.snapshot(true), { output: `hello ${SAMPLE}`, truncated: false });
  });

  it('drops from the front on a character boundary, whatever the chunking', () => {
    const full = Buffer.from(SAMPLE.repeat(200));
    for (const chunkSize of [1, 2, 3, 7, 64, 5000]) {
      for (const limit of [0, 1, 5, 100, 1000]) {
        const b = new OutputBuffer(limit);
        for (let i = 0; i < full.length; i += chunkSize) b.append(full.subarray(i, i + chunkSize));
        const { output, truncated } = b.snapshot(true);
        const bytes = Buffer.byteLength(output);
        assert.ok(bytes <= limit, `limit ${limit}, chunk ${chunkSize}: ${bytes} bytes`);
        assert.ok(bytes >= limit - 3, `limit ${limit}, chunk ${chunkSize}: dropped too much (${bytes})`);
        assert.equal(truncated, true);
        assert.ok(!output.includes('\uFFFD'), 'no replacement character (no partial character)');
        assert.ok(SAMPLE.repeat(200).endsWith(output), 'a suffix of what was written');
        assert.equal(b.byteLength, bytes, 'the held bytes themselves start on a boundary (no decoder repair needed)');
      }
    }
  });

  it('holds back an incomplete trailing character until the process is done', () => {
    const b = new OutputBuffer(100);
    const euro = Buffer.from('€');
    b.append(Buffer.from('a'));
    b.append(euro.subarray(0, 2));
    assert.deepEqual(b.snapshot(false), { output: 'a', truncated: false });
    b.append(euro.subarray(2));
    assert.equal(b.snapshot(false).output, 'a€');
  });

  it('keeps the text within the limit even when invalid bytes decode to wider U+FFFD', () => {
    const b = new OutputBuffer(30);
    b.append(Buffer.alloc(30, 0xff));
    const { output, truncated } = b.snapshot(true);
    assert.ok(Buffer.byteLength(output) <= 30);
    assert.equal(truncated, true);
  });
});
