import { describe, expect, it } from 'vitest';
import { TumblingPartWindows } from '../../src/model/tumbling-part-windows.ts';

interface Bucket {
  readonly start: number;
  readonly first: string;
  n: number;
}

function windows(): TumblingPartWindows<Bucket, { time: number; id: string }> {
  return new TumblingPartWindows(1000, 200, (record, start) => ({ start, first: record.id, n: 0 }));
}

function add(w: ReturnType<typeof windows>, time: number, id: string): boolean {
  const bucket = w.openAt(w.startOf(time), { time, id });
  if (bucket === undefined) return false;
  bucket.n++;
  return true;
}

describe('TumblingPartWindows', () => {
  it('opens a window per start, created from its first record', () => {
    const w = windows();
    add(w, 1500, 'a');
    add(w, 1999, 'b');
    add(w, -1, 'c');
    expect(w.doneBefore()).toBe(-1000);
    const closed = w.flush();
    expect(closed.map(([s, b]) => [s, b.start, b.first, b.n])).toEqual([
      [-1000, -1000, 'c', 1],
      [1000, 1000, 'a', 2],
    ]);
    expect(w.doneBefore()).toBe(Number.POSITIVE_INFINITY);
  });

  it('closes a window when the watermark reaches its end + grace, then counts its records late', () => {
    const w = windows();
    add(w, 100, 'a');
    add(w, 1100, 'b');
    // [0, 1000) closes at 1000 + 200.
    expect(w.advance(1199)).toEqual([]);
    expect(w.advance(1200).map(([s]) => s)).toEqual([0]);
    expect(w.doneBefore()).toBe(1000);
    expect(add(w, 999, 'late')).toBe(false);
    expect(w.late).toBe(1);
    // A lower watermark does not reopen anything.
    expect(w.advance(0)).toEqual([]);
    expect(add(w, 50, 'late again')).toBe(false);
    expect(w.late).toBe(2);
    expect(add(w, 1000, 'c')).toBe(true);
    expect(w.flush().map(([s, b]) => [s, b.n])).toEqual([[1000, 2]]);
    expect(add(w, 5000, 'after flush')).toBe(false);
    expect(w.late).toBe(3);
  });
});
