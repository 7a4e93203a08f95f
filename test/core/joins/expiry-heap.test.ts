import { describe, expect, it } from 'vitest';
import { ExpiryHeap, type ExpiryItem } from '../../../src/core/joins/expiry-heap.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';

function item(due: number, seq: number): ExpiryItem {
  return { due, seq, heapIndex: -1 };
}

function byDueSeq(a: ExpiryItem, b: ExpiryItem): number {
  return a.due - b.due || a.seq - b.seq;
}

describe('ExpiryHeap', () => {
  it('pops in (due, seq) order, ties by seq', () => {
    const heap = new ExpiryHeap<ExpiryItem>();
    const items = [item(5, 0), item(3, 1), item(5, 2), item(1, 3), item(3, 4)];
    for (const i of items) heap.push(i);
    const order: number[] = [];
    for (let x = heap.pop(); x !== undefined; x = heap.pop()) order.push(x.seq);
    expect(order).toEqual([3, 1, 4, 0, 2]);
    expect(heap.size).toBe(0);
    expect(items.every((i) => i.heapIndex === -1)).toBe(true);
  });

  it('removes any item and keeps heap order (random operations against a sorted model)', () => {
    const rng = new SeededRandom(7);
    const heap = new ExpiryHeap<ExpiryItem>();
    let model: ExpiryItem[] = [];
    let seq = 0;
    for (let step = 0; step < 5_000; step++) {
      const r = rng.next();
      if (r < 0.5 || model.length === 0) {
        const x = item(Math.floor(rng.next() * 100), seq++);
        heap.push(x);
        model.push(x);
      } else if (r < 0.75) {
        const x = model[Math.floor(rng.next() * model.length)]!;
        heap.remove(x);
        heap.remove(x); // a second removal is a no-op
        model = model.filter((m) => m !== x);
      } else {
        model.sort(byDueSeq);
        expect(heap.pop()).toBe(model.shift());
      }
      expect(heap.size).toBe(model.length);
      if (model.length > 0) expect(heap.peek()).toBe([...model].sort(byDueSeq)[0]);
    }
  });
});
