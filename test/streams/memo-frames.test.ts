// The rendering memo of the stream formats: one rendering per event for every client, found again for a new object
// of the same event (a page read again from the log), never for another event at the same position (another store
// in the same process) or at a position that shares its slot in the ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoFrames } from '../../src/streams/client-messages.js';
import type { RecordedEvent } from '../../src/store/types.js';

const ev = (position: number, hash: string, text = `e${position}`): RecordedEvent =>
  ({ position, hash, dataText: JSON.stringify(text), type: 'X' }) as unknown as RecordedEvent;

test('memoFrames: one rendering per event, whatever the object; none shared between different events', () => {
  let renders = 0;
  const frame = memoFrames((e) => {
    renders++;
    return e.position % 3 === 0 ? undefined : `${e.position}:${e.dataText}`;
  });
  assert.equal(frame(ev(1, 'h1')), '1:"e1"');
  assert.equal(frame(ev(1, 'h1')), '1:"e1"', 'the same event read again (a new object)');
  assert.equal(renders, 1);
  assert.equal(frame(ev(3, 'h3')), undefined, 'not shown');
  assert.equal(frame(ev(3, 'h3')), undefined);
  assert.equal(renders, 2, 'a "not shown" is remembered too');
  assert.equal(frame(ev(1, 'other-store', 'x')), '1:"x"', 'same position, another hash: another event');
  assert.equal(frame(ev(1 + 4096, 'h4097')), '4097:"e4097"', 'the same slot of the ring, another position');
  assert.equal(frame(ev(1, 'h1')), '1:"e1"', 'evicted, rendered again');
  assert.equal(renders, 5);
});
