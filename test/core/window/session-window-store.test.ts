import { describe, expect, it } from 'vitest';
import type { ColumnLayout, EventBatch } from '../../../src/core/window/event-batch.ts';
import { OffsetLedger } from '../../../src/core/window/offset-ledger.ts';
import { SessionWindowStore } from '../../../src/core/window/session-window-store.ts';
import { makeBatch, type Row } from './event-batches.ts';

const LAYOUT: ColumnLayout = { numeric: ['x'], categorical: [] };

function batch(times: readonly number[], firstOffset = 0): EventBatch {
  const n = times.length;
  return {
    partition: 0,
    length: n,
    offsets: Float64Array.from(times, (_, i) => firstOffset + i),
    eventTimes: Float64Array.from(times),
    numeric: [Float64Array.from(times)],
    numericValid: [new Uint8Array(n).fill(1)],
    categorical: [],
    modelNames: times.map(() => 'm'),
    modelVersions: times.map(() => '1'),
  };
}

function store(gapMs = 10, maxSizeMs = 0, ledger = new OffsetLedger()) {
  const s = new SessionWindowStore<number[]>(
    { monitor: 'm', gapMs, maxSizeMs, graceMs: 0, chunkRows: 1000 },
    LAYOUT,
    ledger,
    (_pane, chunk) => [...chunk.numeric[0]!.subarray(0, chunk.length)],
  );
  return { s, ledger };
}

const values = (w: { partials: readonly number[][] }) => w.partials.flat().sort((a, b) => a - b);

describe('SessionWindowStore', () => {
  it('splits activity at gaps and closes a session at last event + gap', () => {
    const { s } = store();
    s.add(batch([0, 5, 9, 40, 45]), null, Number.NEGATIVE_INFINITY);
    expect(s.close(18).windows).toEqual([]);
    const first = s.close(19).windows;
    expect(first.map((w) => [w.start, w.end, w.rows])).toEqual([[0, 9, 3]]);
    const second = s.close(Number.POSITIVE_INFINITY).windows;
    expect(second.map((w) => [w.start, w.end, w.rows])).toEqual([[40, 45, 2]]);
  });

  it('merges two sessions when an out-of-order event bridges them', () => {
    const { s, ledger } = store();
    ledger.advance(0, 3);
    s.add(batch([0, 17]), null, Number.NEGATIVE_INFINITY);
    expect(s.openCount).toBe(2);
    // 8 is within the gap of both: after 0 (8 <= 0 + 10) and before 17 (8 >= 17 - 10).
    s.add(batch([8], 2), null, Number.NEGATIVE_INFINITY);
    expect(s.openCount).toBe(1);
    const [w] = s.close(Number.POSITIVE_INFINITY).windows;
    expect([w!.start, w!.end, w!.rows]).toEqual([0, 17, 3]);
    expect(values(w!)).toEqual([0, 8, 17]);
    // The merged session holds (and releases) every offset of both.
    expect(ledger.committable(0)).toBe(0);
    for (const key of w!.releases) ledger.release(key);
    expect(ledger.committable(0)).toBe(3);
  });

  it('keeps segments apart', () => {
    const { s } = store();
    s.add(batch([0, 1, 2, 3]), Int32Array.from([0, 1, 0, 1]), Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.segment, values(w)])).toEqual([
      [0, [0, 2]],
      [1, [1, 3]],
    ]);
  });

  it('counts an event late when no open session takes it and its own would be closed', () => {
    const { s } = store();
    s.add(batch([100]), null, Number.NEGATIVE_INFINITY);
    // Watermark 50: a lone event at 30 would close at 40 <= 50: late. One at 95 joins the open session.
    const r = s.add(batch([30, 95], 1), null, 50);
    expect(r).toMatchObject({ accepted: 1, late: 1, lateRows: [0] });
    expect(s.close(Number.POSITIVE_INFINITY).windows.map((w) => w.rows)).toEqual([2]);
  });

  it('cuts a session at maxSize so a busy stream still reports', () => {
    const { s } = store(10, 20);
    s.add(batch([0, 5, 10, 15, 20, 25, 30]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.start, w.end])).toEqual([
      [0, 20],
      [25, 30],
    ]);
    expect(closed.every((w) => w.end - w.start <= 20)).toBe(true);
  });
});

describe('SessionWindowStore: type mismatches per feature', () => {
  const layout: ColumnLayout = { numeric: ['x'], categorical: ['c'] };
  const row = (offset: number, t: number, ...mismatched: number[]): Row => ({
    offset,
    t,
    numeric: [mismatched.includes(0) ? null : t],
    categorical: [mismatched.includes(1) ? null : 'a'],
    ...(mismatched.length > 0 ? { mismatched } : {}),
  });

  it('counts them per session and adds them up when an event bridges two sessions', () => {
    const s = new SessionWindowStore<number>(
      { monitor: 'm', gapMs: 10, maxSizeMs: 0, graceMs: 0, chunkRows: 1000 },
      layout,
      new OffsetLedger(),
      (_pane, chunk) => chunk.length,
    );
    // Sessions around 0 (x mismatch twice), 17 (c mismatch) and 60 (none); the event at 8 joins the first two.
    s.add(
      makeBatch(layout, 0, [row(0, 0, 0), row(1, 1, 0), row(2, 17, 1), row(3, 60)]),
      null,
      Number.NEGATIVE_INFINITY,
    );
    s.add(makeBatch(layout, 0, [row(4, 8, 0, 1)]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.start, w.end, w.rows, [...w.typeMismatches]])).toEqual([
      [0, 17, 4, [3, 2]],
      [60, 60, 1, [0, 0]],
    ]);
  });
});
