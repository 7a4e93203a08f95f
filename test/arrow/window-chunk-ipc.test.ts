import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type ChunkView, chunkToIpc, ipcToChunkView } from '../../src/arrow/window-chunk-ipc.ts';
import type { ColumnLayout } from '../../src/core/window/event-batch.ts';
import { WindowChunk } from '../../src/core/window/window-chunk.ts';

const LAYOUT: ColumnLayout = { numeric: ['amount', 'income'], categorical: ['channel', 'country'] };

/** Whether row i is present in an Arrow LSB-first validity bitmap (null bitmap = all present). */
function present(validity: Uint8Array | null, i: number): boolean {
  return validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1;
}

function fill(
  capacity: number,
  rows: readonly {
    amount: number | null;
    income: number | null;
    channel: string | null;
    country: string | null;
  }[],
): WindowChunk {
  const chunk = new WindowChunk(LAYOUT, capacity);
  rows.forEach((r, i) => {
    chunk.numeric[0]![i] = r.amount ?? Number.NaN;
    chunk.numericValid[0]![i] = r.amount === null ? 0 : 1;
    chunk.numeric[1]![i] = r.income ?? Number.NaN;
    chunk.numericValid[1]![i] = r.income === null ? 0 : 1;
    chunk.codes[0]![i] = chunk.code(0, r.channel);
    chunk.codes[1]![i] = chunk.code(1, r.country);
  });
  chunk.length = rows.length;
  return chunk;
}

function numericValues(view: ChunkView, name: string): (number | null)[] {
  const column = view.numeric.get(name)!;
  return Array.from({ length: column.length }, (_, i) =>
    present(column.validity, i) ? column.values[i]! : null,
  );
}

function categoricalValues(view: ChunkView, name: string): (string | null)[] {
  const column = view.categorical.get(name)!;
  return Array.from({ length: column.length }, (_, i) =>
    present(column.validity, i) ? column.dictionary[column.codes[i]!]! : null,
  );
}

const ROWS = [
  { amount: 1200.5, income: 50_000, channel: 'web', country: 'DE' },
  { amount: null, income: Number.NaN, channel: 'mobile', country: null },
  { amount: -0.25, income: null, channel: null, country: 'FR' },
  { amount: Number.POSITIVE_INFINITY, income: 1, channel: 'web', country: 'DE' },
  { amount: Number.NEGATIVE_INFINITY, income: 2, channel: 'partner', country: 'ES' },
  { amount: 3, income: 3, channel: 'mobile', country: 'DE' },
  { amount: 4, income: 4, channel: 'web', country: 'IT' },
  { amount: 5, income: null, channel: 'web', country: 'IT' },
  { amount: 6, income: 6, channel: null, country: 'DE' },
  { amount: 7, income: 7, channel: 'branch', country: 'DE' },
];

describe('chunkToIpc / ipcToChunkView', () => {
  it('round-trips numeric values, nulls and NaN apart', () => {
    const chunk = fill(16, ROWS);
    const view = ipcToChunkView(chunkToIpc(chunk, LAYOUT));
    expect(view.length).toBe(ROWS.length);
    expect(numericValues(view, 'amount')).toEqual(ROWS.map((r) => r.amount));
    const income = numericValues(view, 'income');
    expect(income).toEqual(ROWS.map((r) => r.income));
    // NaN is a present value, not a null.
    expect(Number.isNaN(income[1])).toBe(true);
    expect(income[2]).toBeNull();
    expect(Object.is(numericValues(view, 'amount')[2], -0.25)).toBe(true);
  });

  it('round-trips categorical values with the dictionary and the codes', () => {
    const chunk = fill(16, ROWS);
    const view = ipcToChunkView(chunkToIpc(chunk, LAYOUT));
    expect(categoricalValues(view, 'channel')).toEqual(ROWS.map((r) => r.channel));
    expect(categoricalValues(view, 'country')).toEqual(ROWS.map((r) => r.country));
    const channel = view.categorical.get('channel')!;
    expect(channel.dictionary).toEqual(['web', 'mobile', 'partner', 'branch']);
    // Present codes are the chunk's codes; null slots hold a valid index.
    expect(
      [...channel.codes.subarray(0, ROWS.length)].filter((_, i) => present(channel.validity, i)),
    ).toEqual([0, 1, 0, 2, 1, 0, 0, 3]);
    for (let i = 0; i < ROWS.length; i++) {
      expect(channel.codes[i]!).toBeGreaterThanOrEqual(0);
      expect(channel.codes[i]!).toBeLessThan(channel.dictionary.length);
    }
    expect(view.categorical.get('country')!.dictionary).toEqual(['DE', 'FR', 'ES', 'IT']);
  });

  it('writes only the first `length` rows of a partly filled chunk', () => {
    const chunk = fill(1024, ROWS.slice(0, 3));
    const view = ipcToChunkView(chunkToIpc(chunk, LAYOUT));
    expect(view.length).toBe(3);
    expect(view.numeric.get('amount')!.length).toBe(3);
    expect(numericValues(view, 'amount')).toEqual([1200.5, null, -0.25]);
    expect(categoricalValues(view, 'channel')).toEqual(['web', 'mobile', null]);
  });

  it('has no validity bitmap when nothing is null', () => {
    const rows = ROWS.filter((r) => r.amount !== null && r.channel !== null).map((r) => ({
      ...r,
      income: 1,
      country: 'DE',
    }));
    const view = ipcToChunkView(chunkToIpc(fill(16, rows), LAYOUT));
    expect(view.numeric.get('amount')!.validity).toBeNull();
    expect(view.categorical.get('channel')!.validity).toBeNull();
    expect(numericValues(view, 'amount')).toEqual(rows.map((r) => r.amount));
  });

  it('handles a column that is entirely null', () => {
    const rows = ROWS.slice(0, 4).map((r) => ({ ...r, amount: null, channel: null }));
    const view = ipcToChunkView(chunkToIpc(fill(8, rows), LAYOUT));
    expect(numericValues(view, 'amount')).toEqual([null, null, null, null]);
    expect(categoricalValues(view, 'channel')).toEqual([null, null, null, null]);
    expect(view.categorical.get('channel')!.dictionary).toEqual([]);
  });

  it('writes a standard Arrow stream: Float64 and Dictionary<Utf8, Int32> columns named after the features', () => {
    const table = tableFromIPC(chunkToIpc(fill(16, ROWS), LAYOUT));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['amount', 'income', 'channel', 'country']);
    expect(String(table.schema.fields[0]!.type)).toBe('Float64');
    expect(String(table.schema.fields[2]!.type)).toMatch(/^Dictionary<Int32, Utf8>$/);
    expect(table.getChild('channel')!.toArray()).toEqual(ROWS.map((r) => r.channel));
    expect(table.getChild('amount')!.get(1)).toBeNull();
  });

  it('leaves the chunk as it was, so encoding twice gives the same nulls', () => {
    const chunk = fill(16, ROWS);
    const codesBefore = [...chunk.codes[0]!];
    const first = ipcToChunkView(chunkToIpc(chunk, LAYOUT));
    expect([...chunk.codes[0]!]).toEqual(codesBefore);
    const second = ipcToChunkView(chunkToIpc(chunk, LAYOUT));
    expect(categoricalValues(second, 'channel')).toEqual(categoricalValues(first, 'channel'));
    expect(categoricalValues(second, 'channel')).toEqual(ROWS.map((r) => r.channel));
  });
});
