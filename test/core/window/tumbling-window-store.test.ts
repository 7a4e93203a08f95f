import { describe, expect, it } from 'vitest';
import type { ColumnLayout } from '../../../src/core/window/event-batch.ts';
import { OffsetLedger } from '../../../src/core/window/offset-ledger.ts';
import {
  type OpenWindow,
  type TumblingStoreOptions,
  TumblingWindowStore,
} from '../../../src/core/window/tumbling-window-store.ts';
import type { WindowChunk } from '../../../src/core/window/window-chunk.ts';
import { makeBatch, type Row } from './event-batches.ts';

const LAYOUT: ColumnLayout = { numeric: ['amount', 'age'], categorical: ['channel'] };
const MIN = 60_000;

function setup(options: Partial<TumblingStoreOptions> = {}) {
  const ledger = new OffsetLedger();
  const sealed: { window: OpenWindow; chunk: WindowChunk; length: number }[] = [];
  const store = new TumblingWindowStore(
    { monitor: 'mon', sizeMs: MIN, graceMs: 0, chunkRows: 1000, ...options },
    LAYOUT,
    ledger,
    (window, chunk) => sealed.push({ window, chunk, length: chunk.length }),
  );
  return { store, ledger, sealed };
}

/** Numeric column `c` of a window's current chunk, first `length` values. */
function numericOf(window: OpenWindow, c: number): number[] {
  return [...window.chunk!.numeric[c]!.subarray(0, window.chunk!.length)];
}

/** Categorical values of a window's current chunk, decoded through the chunk dictionary. */
function categoricalOf(chunk: WindowChunk, c: number): (string | null)[] {
  return [...chunk.codes[c]!.subarray(0, chunk.length)].map((code) =>
    code === -1 ? null : chunk.dictionaries[c]![code]!,
  );
}

function rows(partition0Offset: number, times: readonly number[]): Row[] {
  return times.map((t, i) => ({ offset: partition0Offset + i, t, numeric: [t, i], categorical: ['web'] }));
}

describe('TumblingWindowStore: assignment', () => {
  it('assigns rows to the window holding their event time', () => {
    const { store } = setup();
    const result = store.add(
      makeBatch(LAYOUT, 0, rows(0, [0, 59_999, 60_000, 125_000, 1, -1])),
      Number.NEGATIVE_INFINITY,
    );
    expect(result).toEqual({ accepted: 6, late: 0 });
    expect(store.openCount).toBe(4);
    const closed = store.close(Number.POSITIVE_INFINITY);
    expect(closed.map((w) => [w.start, w.end, w.rows])).toEqual([
      [-MIN, 0, 1],
      [0, MIN, 3],
      [MIN, 2 * MIN, 1],
      [2 * MIN, 3 * MIN, 1],
    ]);
    expect(numericOf(closed[1]!, 0)).toEqual([0, 59_999, 1]);
    expect(numericOf(closed[0]!, 0)).toEqual([-1]);
    expect(closed.map((w) => w.key)).toEqual(['mon/-60000', 'mon/0', 'mon/60000', 'mon/120000']);
  });

  it('accepts out-of-order rows of a window that has not closed', () => {
    const { store } = setup();
    store.add(makeBatch(LAYOUT, 0, rows(0, [70_000, 90_000])), Number.NEGATIVE_INFINITY);
    // Watermark 85s is past both rows' times but not past their window's end (120s): they are accepted.
    const r1 = store.add(makeBatch(LAYOUT, 0, rows(2, [65_000, 61_000])), 85_000);
    expect(r1).toEqual({ accepted: 2, late: 0 });
    const [w] = store.close(Number.POSITIVE_INFINITY);
    expect(numericOf(w!, 0)).toEqual([70_000, 90_000, 65_000, 61_000]);
  });

  it('counts a row late exactly when window end + grace <= watermark, and does not append it', () => {
    const { store } = setup({ graceMs: 2_000 });
    // Window [0, 60s): late when 62s <= watermark.
    const early = store.add(makeBatch(LAYOUT, 0, rows(0, [30_000])), 61_999);
    expect(early).toEqual({ accepted: 1, late: 0 });
    const late = store.add(makeBatch(LAYOUT, 0, rows(1, [10_000, 90_000, 59_999])), 62_000);
    expect(late).toEqual({ accepted: 1, late: 2 });
    const closed = store.close(Number.POSITIVE_INFINITY);
    expect(closed.map((w) => [w.start, w.rows])).toEqual([
      [0, 1],
      [MIN, 1],
    ]);
    expect(numericOf(closed[0]!, 0)).toEqual([30_000]);
  });

  it('does not reopen a window that was closed: its rows are late', () => {
    const { store } = setup();
    store.add(makeBatch(LAYOUT, 0, rows(0, [1_000])), Number.NEGATIVE_INFINITY);
    expect(store.close(MIN)).toHaveLength(1);
    expect(store.add(makeBatch(LAYOUT, 0, rows(1, [2_000])), MIN)).toEqual({ accepted: 0, late: 1 });
    expect(store.openCount).toBe(0);
  });
});

describe('TumblingWindowStore: close', () => {
  it('emits windows only when end + grace <= watermark, oldest first, each once', () => {
    const { store } = setup({ graceMs: 5_000 });
    store.add(makeBatch(LAYOUT, 0, rows(0, [130_000, 10_000, 70_000, 200_000])), Number.NEGATIVE_INFINITY);
    expect(store.close(64_999)).toEqual([]);
    expect(store.close(65_000).map((w) => w.start)).toEqual([0]);
    expect(store.close(65_000)).toEqual([]);
    expect(store.close(185_000).map((w) => w.start)).toEqual([MIN, 2 * MIN]);
    expect(store.openCount).toBe(1);
    expect(store.close(Number.POSITIVE_INFINITY).map((w) => w.start)).toEqual([3 * MIN]);
    expect(store.close(Number.POSITIVE_INFINITY)).toEqual([]);
    expect(store.openCount).toBe(0);
  });

  it('returns nothing while the watermark is -Infinity', () => {
    const { store } = setup();
    store.add(makeBatch(LAYOUT, 0, rows(0, [-1e12, 0])), Number.NEGATIVE_INFINITY);
    expect(store.close(Number.NEGATIVE_INFINITY)).toEqual([]);
    expect(store.openCount).toBe(2);
  });

  it('keeps no memory of closed windows: lateness comes from the watermark it is given alone', () => {
    const { store } = setup();
    store.add(makeBatch(LAYOUT, 0, rows(0, [1_000])), Number.NEGATIVE_INFINITY);
    store.close(MIN);
    // A watermark below the closed window's end (which a WatermarkTracker never reports) opens a fresh window.
    store.add(makeBatch(LAYOUT, 0, rows(1, [2_000])), 0);
    const [again] = store.close(MIN);
    expect(again!.rows).toBe(1);
    expect(numericOf(again!, 0)).toEqual([2_000]);
  });
});

describe('TumblingWindowStore: chunks', () => {
  it('seals a chunk at chunkRows and hands it to onSealed, then starts another', () => {
    const { store, sealed } = setup({ chunkRows: 3 });
    const times = [1, 2, 3, 4, 5, 6, 7];
    store.add(makeBatch(LAYOUT, 0, rows(0, times)), Number.NEGATIVE_INFINITY);
    expect(sealed).toHaveLength(2);
    expect(sealed.map((s) => s.length)).toEqual([3, 3]);
    expect(sealed.every((s) => s.chunk.full)).toBe(true);
    expect([...sealed[0]!.chunk.numeric[0]!]).toEqual([1, 2, 3]);
    expect([...sealed[1]!.chunk.numeric[0]!]).toEqual([4, 5, 6]);
    const [w] = store.close(Number.POSITIVE_INFINITY);
    expect(w!.sealedChunks).toBe(2);
    expect(w!.rows).toBe(7);
    expect(w!.chunk!.length).toBe(1);
    expect(numericOf(w!, 0)).toEqual([7]);
    expect(sealed[0]!.window).toBe(w);
  });

  it('leaves chunk null when the last row filled it', () => {
    const { store, sealed } = setup({ chunkRows: 2 });
    store.add(makeBatch(LAYOUT, 0, rows(0, [1, 2, 3, 4])), Number.NEGATIVE_INFINITY);
    const [w] = store.close(Number.POSITIVE_INFINITY);
    expect(sealed).toHaveLength(2);
    expect(w!.chunk).toBeNull();
    expect(w!.sealedChunks).toBe(2);
    expect(w!.rows).toBe(4);
  });

  it('keeps chunks per window when rows of several windows interleave', () => {
    const { store, sealed } = setup({ chunkRows: 2 });
    store.add(makeBatch(LAYOUT, 0, rows(0, [1, 60_001, 2, 60_002, 3])), Number.NEGATIVE_INFINITY);
    expect(sealed.map((s) => [s.window.start, [...s.chunk.numeric[0]!]])).toEqual([
      [0, [1, 2]],
      [MIN, [60_001, 60_002]],
    ]);
    const closed = store.close(Number.POSITIVE_INFINITY);
    expect(numericOf(closed[0]!, 0)).toEqual([3]);
    expect(closed[1]!.chunk).toBeNull();
  });

  it('copies numeric values and validity (null vs NaN)', () => {
    const { store } = setup();
    const batch = makeBatch(LAYOUT, 0, [
      { offset: 0, t: 1, numeric: [1.5, null], categorical: ['web'] },
      { offset: 1, t: 2, numeric: [Number.NaN, 40], categorical: ['web'] },
      { offset: 2, t: 3, numeric: [Number.POSITIVE_INFINITY, -0], categorical: ['web'] },
    ]);
    store.add(batch, Number.NEGATIVE_INFINITY);
    const [w] = store.close(Number.POSITIVE_INFINITY);
    const chunk = w!.chunk!;
    expect([...chunk.numeric[0]!.subarray(0, 3)]).toEqual([1.5, Number.NaN, Number.POSITIVE_INFINITY]);
    expect([...chunk.numericValid[0]!.subarray(0, 3)]).toEqual([1, 1, 1]);
    expect([...chunk.numericValid[1]!.subarray(0, 3)]).toEqual([0, 1, 1]);
    expect(chunk.numeric[1]![1]).toBe(40);
  });

  it('dictionary-encodes categorical values per chunk, null as -1', () => {
    const { store, sealed } = setup({ chunkRows: 4 });
    const values = ['web', 'mobile', null, 'web', 'branch', null, 'branch'];
    store.add(
      makeBatch(
        LAYOUT,
        0,
        values.map((v, i) => ({ offset: i, t: i, numeric: [0, 0], categorical: [v] })),
      ),
      Number.NEGATIVE_INFINITY,
    );
    const first = sealed[0]!.chunk;
    expect(first.dictionaries[0]).toEqual(['web', 'mobile']);
    expect([...first.codes[0]!]).toEqual([0, 1, -1, 0]);
    expect(categoricalOf(first, 0)).toEqual(['web', 'mobile', null, 'web']);
    const [w] = store.close(Number.POSITIVE_INFINITY);
    const second = w!.chunk!;
    // A new chunk starts a new dictionary.
    expect(second.dictionaries[0]).toEqual(['branch']);
    expect([...second.codes[0]!.subarray(0, 3)]).toEqual([0, -1, 0]);
  });
});

describe('TumblingWindowStore: offsets and models', () => {
  it('holds, per window, the lowest offset of each partition in the ledger', () => {
    const { store, ledger } = setup();
    ledger.advance(0, 1000);
    ledger.advance(1, 1000);
    store.add(
      makeBatch(LAYOUT, 0, [
        { offset: 10, t: 70_000 },
        { offset: 11, t: 5_000 },
        { offset: 12, t: 71_000 },
        { offset: 13, t: 6_000 },
      ]),
      Number.NEGATIVE_INFINITY,
    );
    store.add(
      makeBatch(LAYOUT, 1, [
        { offset: 500, t: 72_000 },
        { offset: 501, t: 73_000 },
      ]),
      Number.NEGATIVE_INFINITY,
    );
    store.add(makeBatch(LAYOUT, 0, [{ offset: 20, t: 1_000 }]), Number.NEGATIVE_INFINITY);
    expect(ledger.holderCount).toBe(2);
    expect(ledger.committable(0)).toBe(10);
    expect(ledger.committable(1)).toBe(500);
    const [w0, w1] = store.close(Number.POSITIVE_INFINITY);
    expect(w0!.key).toBe('mon/0');
    expect(w1!.key).toBe('mon/60000');
    ledger.release(w1!.key);
    // Window [0, 60s) still holds offset 11 of partition 0, and nothing of partition 1.
    expect(ledger.committable(0)).toBe(11);
    expect(ledger.committable(1)).toBe(1000);
    ledger.release(w0!.key);
    expect(ledger.committable(0)).toBe(1000);
  });

  it('does not hold offsets of late rows', () => {
    const { store, ledger } = setup();
    ledger.advance(0, 100);
    store.add(
      makeBatch(LAYOUT, 0, [
        { offset: 5, t: 1_000 },
        { offset: 6, t: 61_000 },
      ]),
      MIN,
    );
    expect(ledger.holderCount).toBe(1);
    expect(ledger.committable(0)).toBe(6);
  });

  it('counts rows per model name and version', () => {
    const { store } = setup({ chunkRows: 2 });
    const models: [string, string][] = [
      ['a', '1'],
      ['a', '1'],
      ['a', '2'],
      ['b', '1'],
      ['a', '1'],
    ];
    store.add(
      makeBatch(
        LAYOUT,
        0,
        models.map((model, i) => ({ offset: i, t: i % 2 === 0 ? 1_000 : 61_000, model })),
      ),
      Number.NEGATIVE_INFINITY,
    );
    store.add(
      makeBatch(LAYOUT, 1, [
        { offset: 0, t: 2_000, model: ['a', '2'] },
        { offset: 1, t: 3_000, model: ['a', '2'] },
      ]),
      Number.NEGATIVE_INFINITY,
    );
    const [w0, w1] = store.close(Number.POSITIVE_INFINITY);
    // Window 0 got rows 0, 2, 4 of the first batch (a/1, a/2, a/1) and a/2 twice from partition 1.
    expect(Object.fromEntries(w0!.models)).toEqual({ 'a\u00001': 2, 'a\u00002': 3 });
    // Window 1 got rows 1, 3 (a/1, b/1).
    expect(Object.fromEntries(w1!.models)).toEqual({ 'a\u00001': 1, 'b\u00001': 1 });
    expect(w0!.rows).toBe(5);
    expect(w1!.rows).toBe(2);
  });

  it('an empty batch changes nothing', () => {
    const { store, ledger, sealed } = setup();
    expect(store.add(makeBatch(LAYOUT, 0, []), Number.NEGATIVE_INFINITY)).toEqual({ accepted: 0, late: 0 });
    expect(store.openCount).toBe(0);
    expect(ledger.holderCount).toBe(0);
    expect(sealed).toEqual([]);
  });
});
