import { describe, expect, it } from 'vitest';
import { EventRingBuffer } from '../../src/client/event-ring-buffer.ts';

const bytes = (n: number) => Buffer.from([n]);
const values = (messages: readonly { value: Buffer }[]) => messages.map((m) => m.value[0]);

describe('EventRingBuffer', () => {
  it('keeps FIFO order across the wrap-around', () => {
    const ring = new EventRingBuffer(3);
    expect(ring.push(bytes(1), 'a')).toBe(true);
    expect(ring.push(bytes(2), null)).toBe(true);
    expect(ring.release(1)).toBe(1);
    expect(ring.push(bytes(3), 'c')).toBe(true);
    expect(ring.push(bytes(4), 'd')).toBe(true);
    // The tail has wrapped to slot 0; the head is at slot 1.
    expect(ring.size).toBe(3);
    const batch = ring.peek(10);
    expect(values(batch)).toEqual([2, 3, 4]);
    expect(batch.map((m) => m.key)).toEqual([null, 'c', 'd']);
  });

  it('refuses a push when full and changes nothing', () => {
    const ring = new EventRingBuffer(2);
    ring.push(bytes(1), null);
    ring.push(bytes(2), null);
    expect(ring.full).toBe(true);
    expect(ring.push(bytes(3), null)).toBe(false);
    expect(ring.size).toBe(2);
    expect(values(ring.peek(5))).toEqual([1, 2]);
  });

  it('peeks without removing and releases at most what it holds', () => {
    const ring = new EventRingBuffer(4);
    for (let i = 1; i <= 4; i++) ring.push(bytes(i), null);
    expect(values(ring.peek(2))).toEqual([1, 2]);
    expect(values(ring.peek(2))).toEqual([1, 2]);
    expect(ring.release(3)).toBe(3);
    expect(values(ring.peek(4))).toEqual([4]);
    expect(ring.release(9)).toBe(1);
    expect(ring.size).toBe(0);
    expect(ring.peek(3)).toEqual([]);
  });

  it('reuses slots indefinitely', () => {
    const ring = new EventRingBuffer(3);
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) {
      expect(ring.push(bytes(i), null)).toBe(true);
      if (ring.size === 2) {
        seen.push(ring.peek(1)[0]!.value[0]!);
        ring.release(1);
      }
    }
    expect(seen).toEqual(Array.from({ length: 49 }, (_, i) => i));
  });

  it('caps a batch by the bytes of values and keys, but always returns the first event', () => {
    const ring = new EventRingBuffer(5);
    ring.push(Buffer.alloc(40), null);
    ring.push(Buffer.alloc(30), 'key-of-10b');
    ring.push(Buffer.alloc(20), null);
    // 40 + (30 + 10) = 80 fits in 80; the third event would make 100.
    expect(ring.peek(5, 80).map((m) => m.value.length)).toEqual([40, 30]);
    expect(ring.peek(5, 79).map((m) => m.value.length)).toEqual([40]);
    expect(ring.peek(5, 1).map((m) => m.value.length)).toEqual([40]);
    expect(ring.peek(2, 1_000).map((m) => m.value.length)).toEqual([40, 30]);
  });
});
