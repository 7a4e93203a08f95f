import { describe, expect, it } from 'vitest';
import type { BaselineFeature } from '../../src/baseline/baseline-types.ts';
import { buildBaseline, type ReferenceColumn } from '../../src/baseline/build-baseline.ts';
import {
  assignChunks,
  type ChunkAssignment,
  chunkCount,
  defaultChunkRows,
  planChunks,
} from '../../src/baseline/reference-chunks.ts';
import { type FeatureState, measureTest } from '../../src/core/drift/feature-drift.ts';
import {
  buildCodeToBucket,
  categoricalBucketCount,
  countCategorical,
} from '../../src/core/stats/categorical-buckets.ts';
import { countNumeric, numericBucketCount } from '../../src/core/stats/numeric-buckets.ts';
import { NumericSummary } from '../../src/core/summary/numeric-summary.ts';
import { ErrorCodes } from '../../src/errors.ts';
import type { WindowSpec } from '../../src/topology/topology-types.ts';

const SOURCE = { description: 'test', fingerprint: 'sha256:0', rows: 0 };
const NOW = () => new Date('2026-01-01T00:00:00Z');
const MINUTE = 60_000;
const TIMING = {
  graceMs: 0,
  outOfOrdernessMs: 0,
  idleTimeoutMs: 30_000,
  quietCloseMs: 0,
  late: { policy: 'drop', retentionMs: 0 },
} as const;

/** The row indices of each chunk. */
function chunks(a: ChunkAssignment): number[][] {
  return Array.from({ length: chunkCount(a) }, (_, c) => [
    ...a.order.subarray(a.bounds[c]!, a.bounds[c + 1]!),
  ]);
}

/** A deterministic standard-normal-ish stream (sum of 12 uniforms from an LCG), so tests need no seed library. */
function normals(n: number, seed: number, shift = 0): Float64Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Float64Array.from({ length: n }, () => {
    let s = 0;
    for (let k = 0; k < 12; k++) s += uniform();
    return s - 6 + shift;
  });
}

describe('assignChunks by rows', () => {
  it('cuts consecutive runs and keeps a last chunk of at least half the size', () => {
    const a = assignChunks({ by: 'rows', size: 4 }, 10);
    // 4 + 4 + 2: the remainder holds half a chunk, so it stays.
    expect(chunks(a)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(a).toMatchObject({ by: 'rows', size: 4, smallChunks: 0, sampledFrom: null, untimedRows: 0 });
  });

  it('leaves out a remainder of less than half a chunk', () => {
    const a = assignChunks({ by: 'rows', size: 4 }, 9);
    expect(chunks(a)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(a.smallChunks).toBe(1);
  });

  it('defaults to a tenth of the rows, rounded up, so there are at least two chunks', () => {
    expect(defaultChunkRows(1000)).toBe(100);
    expect(defaultChunkRows(1001)).toBe(101);
    expect(defaultChunkRows(2)).toBe(1);
    expect(chunkCount(assignChunks({ by: 'rows', size: defaultChunkRows(2) }, 2))).toBe(2);
    expect(chunkCount(assignChunks({ by: 'rows', size: defaultChunkRows(19) }, 19))).toBe(10);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => assignChunks({ by: 'rows', size: 0 }, 10)).toThrowError(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
  });
});

describe('assignChunks by time', () => {
  it('puts rows in windows aligned to the epoch, in time order, whatever the row order', () => {
    const t0 = Date.UTC(2025, 0, 1, 12, 0);
    const times = Float64Array.of(
      t0 + 2 * MINUTE + 5, // row 0: third window
      t0 + 10, // row 1: first
      Number.NaN, // row 2: no time
      t0 + MINUTE - 1, // row 3: first
      t0 + MINUTE, // row 4: second
      t0 + 2 * MINUTE, // row 5: third
      t0 + MINUTE + 30_000, // row 6: second
    );
    const a = assignChunks({ by: 'time', sizeMs: MINUTE, eventTimes: times }, times.length);
    expect(chunks(a)).toEqual([
      [1, 3],
      [4, 6],
      [0, 5],
    ]);
    expect(a).toMatchObject({ by: 'time', size: MINUTE, untimedRows: 1, smallChunks: 0 });
  });

  it('leaves out chunks with fewer than half the median rows, such as partial windows at the edges', () => {
    const t0 = Date.UTC(2025, 0, 1);
    // Windows with 1, 10, 10, 10, 4 rows: the median is 10, so 1 and 4 are left out.
    const perWindow = [1, 10, 10, 10, 4];
    const times = Float64Array.from(
      perWindow.flatMap((n, w) => Array.from({ length: n }, (_, i) => t0 + w * MINUTE + i * 1000)),
    );
    const a = assignChunks({ by: 'time', sizeMs: MINUTE, eventTimes: times }, times.length);
    expect(chunks(a).map((c) => c.length)).toEqual([10, 10, 10]);
    expect(a.smallChunks).toBe(2);
  });

  it('keeps an evenly spaced subset when there are more chunks than the cap', () => {
    const times = Float64Array.from({ length: 100 }, (_, i) => i * MINUTE);
    const a = assignChunks({ by: 'time', sizeMs: MINUTE, eventTimes: times }, 100, 10);
    expect(chunks(a)).toEqual([[0], [10], [20], [30], [40], [50], [60], [70], [80], [90]]);
    expect(a.sampledFrom).toBe(100);
  });

  it('rejects event times that do not match the rows', () => {
    expect(() =>
      assignChunks({ by: 'time', sizeMs: MINUTE, eventTimes: new Float64Array(3) }, 4),
    ).toThrowError(expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }));
  });
});

describe('planChunks', () => {
  const tumbling: WindowSpec = { type: 'tumbling', sizeMs: MINUTE, ...TIMING };
  const hopping: WindowSpec = { type: 'hopping', sizeMs: 5 * MINUTE, advanceMs: MINUTE, ...TIMING };
  const session: WindowSpec = { type: 'session', gapMs: MINUTE, maxSizeMs: 0, ...TIMING };
  const times = Float64Array.of(1, 2, Number.NaN);

  it('chunks by the window size when the reference has event times', () => {
    expect(planChunks(tumbling, { rows: 3, eventTimes: times })).toEqual({
      by: 'time',
      sizeMs: MINUTE,
      eventTimes: times,
    });
    expect(planChunks(hopping, { rows: 3, eventTimes: times })).toMatchObject({
      by: 'time',
      sizeMs: 5 * MINUTE,
    });
  });

  it('chunks by rows when asked to, or without event times', () => {
    expect(planChunks(tumbling, { rows: 3, eventTimes: times }, 2)).toEqual({ by: 'rows', size: 2 });
    expect(planChunks(tumbling, { rows: 100, eventTimes: null })).toEqual({ by: 'rows', size: 10 });
    expect(planChunks(tumbling, { rows: 100, eventTimes: new Float64Array(100).fill(Number.NaN) })).toEqual({
      by: 'rows',
      size: 10,
    });
  });

  it('needs a row count for session windows, which have no size', () => {
    expect(() => planChunks(session, { rows: 3, eventTimes: times })).toThrowError(/session windows/);
    expect(planChunks(session, { rows: 3, eventTimes: times }, 5)).toEqual({ by: 'rows', size: 5 });
  });
});

describe('calibration in buildBaseline', () => {
  const N = 4_000;
  const CHUNK = 400;

  /** 10 row chunks; chunk 7 is shifted (numeric: +1 sd; categorical: mostly "c"). */
  function shiftedColumns(): Map<string, ReferenceColumn> {
    const x = normals(N, 7);
    const shifted = normals(CHUNK, 8, 1);
    x.set(shifted, 7 * CHUNK);
    const valid = new Uint8Array(N).fill(1);
    for (let i = 0; i < N; i += 97) valid[i] = 0;
    const labels = ['a', 'b', 'c'];
    const cat = Array.from({ length: N }, (_, i) =>
      i % 50 === 0 ? null : i >= 7 * CHUNK && i < 8 * CHUNK ? 'c' : labels[i % 3]!,
    );
    return new Map<string, ReferenceColumn>([
      ['x', { kind: 'numeric', values: x, valid }],
      ['cat', { kind: 'categorical', values: cat }],
    ]);
  }

  const baseline = buildBaseline(shiftedColumns(), {
    name: 't',
    source: SOURCE,
    chunks: { by: 'rows', size: CHUNK },
    now: NOW,
  });

  it('stores every test of the kind, one value per chunk, and p-values for ks and chi2', () => {
    const x = baseline.features.x!.calibration!;
    expect(x).toMatchObject({ chunkBy: 'rows', chunkSize: CHUNK, chunks: 10, smallChunks: 0 });
    expect(x.rows).toEqual(Array(10).fill(CHUNK));
    expect(Object.keys(x.statistics)).toEqual(['psi', 'ks', 'wasserstein_norm']);
    expect(Object.keys(x.pValues)).toEqual(['ks']);
    for (const values of [...Object.values(x.statistics), ...Object.values(x.pValues)]) {
      expect(values).toHaveLength(10);
    }
    const cat = baseline.features.cat!.calibration!;
    expect(Object.keys(cat.statistics)).toEqual(['js', 'chi2', 'share_change']);
    expect(Object.keys(cat.pValues)).toEqual(['chi2']);
    expect(x.sampledFrom).toBeUndefined();
  });

  it('gives the shifted chunk the largest statistic of every test, and the smallest p-value', () => {
    const argmax = (values: readonly number[]) => values.indexOf(Math.max(...values));
    const argmin = (values: readonly number[]) => values.indexOf(Math.min(...values));
    for (const feature of ['x', 'cat']) {
      const c = baseline.features[feature]!.calibration!;
      for (const [test, values] of Object.entries(c.statistics)) {
        expect(argmax(values), `${feature} ${test}`).toBe(7);
        const others = values.filter((_, i) => i !== 7);
        expect(values[7]!, `${feature} ${test}`).toBeGreaterThan(2 * Math.max(...others));
      }
      for (const values of Object.values(c.pValues)) expect(argmin(values)).toBe(7);
    }
    expect(baseline.features.x!.calibration!.pValues.ks![7]).toBeLessThan(1e-6);
  });

  it('equals measureTest on the same chunk, counted directly against the baseline as the engine reads it', () => {
    const columns = shiftedColumns();
    const reference = (f: BaselineFeature): FeatureState => ({
      counts: Float64Array.from(f.counts),
      summary:
        f.kind === 'numeric'
          ? NumericSummary.deserialize(new Uint8Array(Buffer.from(f.summary!, 'base64')))
          : null,
    });
    const x = baseline.features.x!;
    const cat = baseline.features.cat!;
    if (x.kind !== 'numeric' || cat.kind !== 'categorical') throw new Error('unexpected kinds');
    const edges = Float64Array.from(x.edges);
    const xColumn = columns.get('x')! as { values: Float64Array; valid: Uint8Array };
    const catColumn = columns.get('cat')! as { values: readonly (string | null)[] };
    for (const c of [0, 7, 9]) {
      const from = c * CHUNK;
      // Numeric: the chunk's values with a validity bitmap, as a window chunk arrives.
      const values = xColumn.values.slice(from, from + CHUNK);
      const bitmap = new Uint8Array(CHUNK / 8);
      for (let j = 0; j < CHUNK; j++) if (xColumn.valid[from + j] === 1) bitmap[j >> 3]! |= 1 << (j & 7);
      const counts = new Float64Array(numericBucketCount(edges));
      countNumeric(values, bitmap, CHUNK, edges, counts);
      const summary = NumericSummary.create();
      summary.add(values, bitmap, CHUNK);
      for (const test of ['psi', 'ks', 'wasserstein_norm'] as const) {
        const m = measureTest(test, { name: 'x', kind: 'numeric', edges }, reference(x), { counts, summary });
        expect(x.calibration!.statistics[test]![c]).toBe(m.value);
        if (test === 'ks') expect(x.calibration!.pValues.ks![c]).toBe(m.pValue);
      }
      // Categorical: dictionary-encoded with the chunk's own dictionary.
      const slice = catColumn.values.slice(from, from + CHUNK);
      const dictionary = [...new Set(slice.filter((v) => v !== null))];
      const codes = Int32Array.from(slice, (v) => (v === null ? 0 : dictionary.indexOf(v)));
      const validity = new Uint8Array(CHUNK / 8);
      slice.forEach((v, j) => {
        if (v !== null) validity[j >> 3]! |= 1 << (j & 7);
      });
      const index = new Map(cat.categories.map((v, i) => [v, i]));
      const catCounts = new Float64Array(categoricalBucketCount(cat.categories.length));
      countCategorical(codes, validity, CHUNK, buildCodeToBucket(dictionary, index), catCounts);
      const layout = { name: 'cat', kind: 'categorical' as const, categories: cat.categories };
      for (const test of ['js', 'chi2', 'share_change'] as const) {
        const m = measureTest(test, layout, reference(cat), { counts: catCounts, summary: null });
        expect(cat.calibration!.statistics[test]![c]).toBe(m.value);
        if (test === 'chi2') expect(cat.calibration!.pValues.chi2![c]).toBe(m.pValue);
      }
    }
  });

  it('keeps the rest of the feature as without calibration, and changes the version', () => {
    const plain = buildBaseline(shiftedColumns(), { name: 't', source: SOURCE, now: NOW });
    const { calibration: _x, ...x } = baseline.features.x!;
    const { calibration: _c, ...cat } = baseline.features.cat!;
    expect(plain.features).toEqual({ x, cat });
    expect(plain.version).not.toBe(baseline.version);
  });

  it('chunks by event time with the window size', () => {
    const times = Float64Array.from({ length: N }, (_, i) => Date.UTC(2025, 0, 1) + i * 1_000);
    const b = buildBaseline(shiftedColumns(), {
      name: 't',
      source: SOURCE,
      chunks: { by: 'time', sizeMs: 10 * MINUTE, eventTimes: times },
      now: NOW,
    });
    // 4000 s = 6 windows of 600 s and one of 400 s (at least half, so kept).
    const c = b.features.x!.calibration!;
    expect(c).toMatchObject({ chunkBy: 'time', chunkSize: 10 * MINUTE, chunks: 7, smallChunks: 0 });
    expect(c.rows).toEqual([600, 600, 600, 600, 600, 600, 400]);
  });

  it('leaves the calibration out when fewer than two chunks remain', () => {
    const b = buildBaseline(shiftedColumns(), {
      name: 't',
      source: SOURCE,
      chunks: { by: 'rows', size: N },
      now: NOW,
    });
    expect(b.features.x!.calibration).toBeUndefined();
    expect(b.features.cat!.calibration).toBeUndefined();
  });

  it('reports progress up to rows x features x 2', () => {
    const seen: [number, number][] = [];
    buildBaseline(shiftedColumns(), {
      name: 't',
      source: SOURCE,
      chunks: { by: 'rows', size: 1_500 }, // 1500, 1500, 1000: all kept
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen.at(-1)).toEqual([N * 2 * 2, N * 2 * 2]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
  });

  it('needs columns of equal length to chunk them', () => {
    const columns = new Map<string, ReferenceColumn>([
      ['a', { kind: 'numeric', values: Float64Array.of(1, 2, 3) }],
      ['b', { kind: 'numeric', values: Float64Array.of(1, 2) }],
    ]);
    expect(() =>
      buildBaseline(columns, { name: 't', source: SOURCE, chunks: { by: 'rows', size: 1 } }),
    ).toThrowError(/reference column b has 2 rows, the others 3/);
  });
});
