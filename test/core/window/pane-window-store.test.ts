import { describe, expect, it } from 'vitest';
import type { ColumnLayout, EventBatch } from '../../../src/core/window/event-batch.ts';
import { OffsetLedger } from '../../../src/core/window/offset-ledger.ts';
import { type PaneStoreOptions, PaneWindowStore } from '../../../src/core/window/pane-window-store.ts';
import { OVERALL } from '../../../src/core/window/window-store.ts';
import { makeBatch, type Row } from './event-batches.ts';

const LAYOUT: ColumnLayout = { numeric: ['x'], categorical: [] };

/** One batch with value = event time, so a partial's sum tells which rows it holds. */
function batch(times: readonly number[], firstOffset = 0, partition = 0): EventBatch {
  const n = times.length;
  return {
    partition,
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

/** A store whose partial state is the list of values of the sealed chunk. */
function store(options: Partial<PaneStoreOptions> = {}, ledger = new OffsetLedger()) {
  let sealed = 0;
  const s = new PaneWindowStore<number[]>(
    {
      monitor: 'm',
      sizeMs: 10,
      stepMs: 10,
      graceMs: 0,
      retentionMs: 0,
      overall: false,
      chunkRows: 1000,
      ...options,
    },
    LAYOUT,
    ledger,
    (_pane, chunk) => {
      sealed++;
      return [...chunk.numeric[0]!.subarray(0, chunk.length)];
    },
  );
  return { s, ledger, sealedCount: () => sealed };
}

const values = (w: { partials: readonly number[][] }) => w.partials.flat().sort((a, b) => a - b);

describe('PaneWindowStore: tumbling', () => {
  it('emits each window once, in order, when end + grace <= watermark', () => {
    const { s } = store({ graceMs: 5 });
    s.add(batch([1, 12, 3, 25]), null, Number.NEGATIVE_INFINITY);
    expect(s.close(14).windows).toEqual([]);
    const first = s.close(15).windows;
    expect(first.map((w) => [w.start, w.end, w.rows, w.revision])).toEqual([[0, 10, 2, 0]]);
    expect(values(first[0]!)).toEqual([1, 3]);
    expect(s.close(15).windows).toEqual([]);
    const rest = s.close(Number.POSITIVE_INFINITY).windows;
    expect(rest.map((w) => w.start)).toEqual([10, 20]);
    expect(rest.map(values)).toEqual([[12], [25]]);
    expect(s.openCount).toBe(0);
  });

  it('skips empty stretches without emitting empty windows', () => {
    const { s } = store();
    s.add(batch([5, 1_000_005]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => w.start)).toEqual([0, 1_000_000]);
  });

  it('counts rows of closed windows as late and keeps the rest of the batch', () => {
    const { s } = store();
    s.add(batch([1, 2]), null, Number.NEGATIVE_INFINITY);
    s.close(10);
    const r = s.add(batch([3, 15, 4], 2), null, 10);
    expect(r).toEqual({ accepted: 1, late: 2, lateRows: [0, 2], updated: 0 });
    expect(s.close(20).windows.map(values)).toEqual([[15]]);
  });

  it('holds offsets per pane and releases them with the window that last needs them', () => {
    const { s, ledger } = store();
    ledger.advance(0, 4);
    s.add(batch([1, 12, 13, 2]), null, Number.NEGATIVE_INFINITY);
    expect(ledger.committable(0)).toBe(0);
    const [w0] = s.close(10).windows;
    for (const key of w0!.releases) ledger.release(key);
    expect(ledger.committable(0)).toBe(1);
  });
});

describe('PaneWindowStore: hopping and sliding', () => {
  it('puts each row in every window that covers it, merging panes of gcd(size, step)', () => {
    const { s } = store({ sizeMs: 10, stepMs: 5 });
    s.add(batch([1, 6, 11, 16]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.start, w.end])).toEqual([
      [-5, 5],
      [0, 10],
      [5, 15],
      [10, 20],
      [15, 25],
    ]);
    expect(closed.map(values)).toEqual([[1], [1, 6], [6, 11], [11, 16], [16]]);
  });

  it('copies a row once however many windows share it (one partial per pane)', () => {
    const { s, sealedCount } = store({ sizeMs: 30, stepMs: 10 });
    s.add(batch([1, 2, 3]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed).toHaveLength(3);
    expect(closed.every((w) => values(w).join() === '1,2,3')).toBe(true);
    expect(sealedCount()).toBe(1);
  });

  it('windows with a step that does not divide the size use gcd panes', () => {
    const { s } = store({ sizeMs: 6, stepMs: 4 });
    s.add(batch([0, 1, 2, 3, 4, 5, 6, 7]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    const byStart = new Map(closed.map((w) => [w.start, values(w)]));
    expect(byStart.get(0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(byStart.get(4)).toEqual([4, 5, 6, 7]);
    expect(byStart.get(-4)).toEqual([0, 1]);
  });

  it('a row is late only when the last window covering it has closed', () => {
    const { s } = store({ sizeMs: 10, stepMs: 5 });
    s.add(batch([12]), null, Number.NEGATIVE_INFINITY);
    // Watermark 10: window [0, 10) is closed, [5, 15) is open; t = 7 still counts for [5, 15).
    s.close(10);
    const r = s.add(batch([7, 3], 1), null, 10);
    expect(r.accepted).toBe(1);
    expect(r.lateRows).toEqual([1]);
    const rest = s.close(Number.POSITIVE_INFINITY).windows;
    expect(rest.find((w) => w.start === 5)!.rows).toBe(2);
  });
});

describe('PaneWindowStore: segments', () => {
  it('keeps segments apart and merges them for the whole stream after them', () => {
    const { s } = store({ overall: true });
    s.add(batch([1, 2, 3, 4]), Int32Array.from([0, 1, 0, 1]), Number.NEGATIVE_INFINITY);
    const closed = s.close(10).windows;
    expect(closed.map((w) => [w.segment, w.rows])).toEqual([
      [0, 2],
      [1, 2],
      [OVERALL, 4],
    ]);
    expect(values(closed[2]!)).toEqual([1, 2, 3, 4]);
    // The panes are released with the last window of their start (the whole stream).
    expect(closed[2]!.releases).toHaveLength(2);
  });
});

describe('PaneWindowStore: late updates', () => {
  it('adds a late row within retention and emits the window again with the next revision', () => {
    const { s } = store({ retentionMs: 20 });
    s.add(batch([1, 2]), null, Number.NEGATIVE_INFINITY);
    const [first] = s.close(10).windows;
    expect(first!.revision).toBe(0);
    const r = s.add(batch([3], 2), null, 25);
    expect(r).toMatchObject({ accepted: 1, late: 0, updated: 1 });
    const again = s.close(25).windows.filter((w) => w.start === 0);
    expect(again.map((w) => [w.revision, w.rows])).toEqual([[1, 3]]);
    expect(values(again[0]!)).toEqual([1, 2, 3]);
    expect(again[0]!.key).toBe(first!.key);
  });

  it('drops and counts a late row once retention has passed, and frees the pane', () => {
    const { s, ledger } = store({ retentionMs: 20 });
    ledger.advance(0, 2);
    s.add(batch([1, 2]), null, Number.NEGATIVE_INFINITY);
    s.close(10);
    const { expired } = s.close(30);
    expect(expired).toHaveLength(1);
    for (const key of expired) ledger.release(key);
    expect(ledger.committable(0)).toBe(2);
    expect(s.add(batch([4], 2), null, 30)).toMatchObject({ late: 1, updated: 0 });
    expect(s.openCount).toBe(0);
  });
});

describe('PaneWindowStore: type mismatches per feature', () => {
  const layout: ColumnLayout = { numeric: ['x'], categorical: ['c'] };
  /** Row at `t` whose features listed in `mismatched` (0: x, 1: c) had the wrong type. */
  const row = (offset: number, t: number, ...mismatched: number[]): Row => ({
    offset,
    t,
    numeric: [mismatched.includes(0) ? null : t],
    categorical: [mismatched.includes(1) ? null : 'a'],
    ...(mismatched.length > 0 ? { mismatched } : {}),
  });
  function mismatchStore(options: Partial<PaneStoreOptions> = {}) {
    return new PaneWindowStore<number>(
      {
        monitor: 'm',
        sizeMs: 10,
        stepMs: 10,
        graceMs: 0,
        retentionMs: 0,
        overall: false,
        chunkRows: 2,
        ...options,
      },
      layout,
      new OffsetLedger(),
      (_pane, chunk) => chunk.length,
    );
  }
  const counts = (w: { typeMismatches: Float64Array }) => [...w.typeMismatches];

  it('counts them per window and feature, however the pane was cut into chunks', () => {
    const s = mismatchStore();
    s.add(
      makeBatch(layout, 0, [row(0, 1, 0), row(1, 2), row(2, 3, 0, 1), row(3, 4, 0), row(4, 12, 1)]),
      null,
      Number.NEGATIVE_INFINITY,
    );
    s.add(makeBatch(layout, 0, [row(5, 5), row(6, 13)]), null, Number.NEGATIVE_INFINITY);
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.start, w.rows, counts(w)])).toEqual([
      [0, 5, [3, 1]],
      [10, 2, [0, 1]],
    ]);
    // Chunks of 2 rows: the window's rows are in several partials, the counts are not split with them.
    expect(closed[0]!.partials.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('reports zeros for a window whose batches had no flags', () => {
    const s = mismatchStore();
    s.add(makeBatch(layout, 0, [row(0, 1), row(1, 2)]), null, Number.NEGATIVE_INFINITY);
    expect(s.close(10).windows.map(counts)).toEqual([[0, 0]]);
  });

  it('hopping windows count a pane in every window that covers it', () => {
    const s = mismatchStore({ sizeMs: 10, stepMs: 5 });
    // Panes [0, 5): one x mismatch; [5, 10): two; [10, 15): one c mismatch.
    s.add(
      makeBatch(layout, 0, [row(0, 1, 0), row(1, 6, 0), row(2, 7, 0), row(3, 8), row(4, 11, 1)]),
      null,
      Number.NEGATIVE_INFINITY,
    );
    const closed = s.close(Number.POSITIVE_INFINITY).windows;
    expect(closed.map((w) => [w.start, w.rows, counts(w)])).toEqual([
      [-5, 1, [1, 0]],
      [0, 4, [3, 0]],
      [5, 4, [2, 1]],
      [10, 1, [0, 1]],
    ]);
  });

  it('keeps segments apart and adds them up for the whole stream', () => {
    const s = mismatchStore({ overall: true });
    s.add(
      makeBatch(layout, 0, [row(0, 1, 0), row(1, 2, 0, 1), row(2, 3, 0), row(3, 4), row(4, 5, 1)]),
      Int32Array.from([0, 1, 0, 1, 2]),
      Number.NEGATIVE_INFINITY,
    );
    const closed = s.close(10).windows;
    expect(closed.map((w) => [w.segment, w.rows, counts(w)])).toEqual([
      [0, 2, [2, 0]],
      [1, 2, [1, 1]],
      [2, 1, [0, 1]],
      [OVERALL, 5, [3, 2]],
    ]);
  });

  it('adds a late row under update to the revised window, segments and whole stream alike', () => {
    const s = mismatchStore({ retentionMs: 20, overall: true });
    s.add(makeBatch(layout, 0, [row(0, 1, 0), row(1, 2)]), Int32Array.from([0, 0]), Number.NEGATIVE_INFINITY);
    expect(s.close(10).windows.map((w) => [w.segment, w.revision, counts(w)])).toEqual([
      [0, 0, [1, 0]],
      [OVERALL, 0, [1, 0]],
    ]);
    s.add(makeBatch(layout, 0, [row(2, 3, 0, 1)]), Int32Array.from([0]), 25);
    const revised = s.close(25).windows.sort((a, b) => b.segment - a.segment);
    expect(revised.map((w) => [w.segment, w.revision, w.rows, counts(w)])).toEqual([
      [0, 1, 3, [2, 1]],
      [OVERALL, 1, 3, [2, 1]],
    ]);
  });
});
