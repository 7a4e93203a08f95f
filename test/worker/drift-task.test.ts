import { describe, expect, it } from 'vitest';
import { chunkToIpc } from '../../src/arrow/window-chunk-ipc.ts';
import { type FeatureDriftSpec, measureTest } from '../../src/core/drift/feature-drift.ts';
import { SeededRandom } from '../../src/core/random/seeded-random.ts';
import { NumericSummary } from '../../src/core/summary/numeric-summary.ts';
import type { ColumnLayout } from '../../src/core/window/event-batch.ts';
import { WindowChunk } from '../../src/core/window/window-chunk.ts';
import { type DriftTask, type FeaturePartial, runDriftTask } from '../../src/worker/drift-task.ts';

const LAYOUT: ColumnLayout = { numeric: ['x'], categorical: ['c'] };
const CATEGORIES = ['a', 'b', 'c'];
const SPECS: FeatureDriftSpec[] = [
  {
    name: 'x',
    kind: 'numeric',
    tests: ['psi'],
    edges: Float64Array.of(0, 0.25, 0.5, 0.75, 1),
    // [missing, -inf, under, 4 inner, over, +inf]
    referenceCounts: Float64Array.of(0, 0, 0, 25, 25, 25, 25, 0, 0),
    referenceSummary: null,
  },
  {
    name: 'c',
    kind: 'categorical',
    tests: ['js'],
    categories: CATEGORIES,
    referenceCounts: Float64Array.of(40, 40, 20, 0, 0),
    referenceSummary: null,
  },
];

interface Row {
  x: number | null;
  c: string | null;
}

function makeRows(n: number, seed: number): Row[] {
  const r = new SeededRandom(seed);
  const values = ['a', 'b', 'c', 'zz', null];
  return Array.from({ length: n }, () => {
    const u = r.next();
    const x = u < 0.05 ? null : u < 0.08 ? Number.NaN : u < 0.1 ? -0.5 : u < 0.12 ? 2 : r.next();
    return { x, c: values[Math.floor(r.next() * values.length)]! };
  });
}

function chunkOf(rows: readonly Row[]): WindowChunk {
  const chunk = new WindowChunk(LAYOUT, Math.max(1, rows.length));
  rows.forEach((row, i) => {
    chunk.numeric[0]![i] = row.x ?? Number.NaN;
    chunk.numericValid[0]![i] = row.x === null ? 0 : 1;
    chunk.codes[0]![i] = chunk.code(0, row.c);
  });
  chunk.length = rows.length;
  return chunk;
}

function task(ipc: Uint8Array | null, partials: FeaturePartial[][] = [], finalize = false): DriftTask {
  return { cacheKey: 'test', features: SPECS, ipc, partials, finalize };
}

describe('runDriftTask', () => {
  it('counts a chunk into the baseline layouts', () => {
    const rows: Row[] = [
      { x: 0.1, c: 'a' },
      { x: 0.3, c: 'b' },
      { x: 1, c: 'a' },
      { x: null, c: null },
      { x: Number.NaN, c: 'new' },
      { x: -1, c: 'c' },
      { x: 5, c: 'a' },
      { x: Number.POSITIVE_INFINITY, c: 'b' },
    ];
    const { partials: state, measurements } = runDriftTask(task(chunkToIpc(chunkOf(rows), LAYOUT)));
    const counts = state.map((p) => p.counts);
    expect([...counts[0]!]).toEqual([2, 0, 1, 1, 1, 0, 1, 1, 1]);
    expect([...counts[1]!]).toEqual([3, 2, 1, 1, 1]);
    expect(state.map((p) => p.summary)).toEqual([null, null]);
    expect(measurements).toBeNull();
  });

  it('counting one chunk equals counting it in pieces and merging the partial counts', () => {
    const rows = makeRows(1000, 7);
    const whole = runDriftTask(task(chunkToIpc(chunkOf(rows), LAYOUT), [], true));
    const pieces = [rows.slice(0, 137), rows.slice(137, 500), rows.slice(500, 501), rows.slice(501, 999)];
    const partials = pieces.map((p) => runDriftTask(task(chunkToIpc(chunkOf(p), LAYOUT))).partials);
    const merged = runDriftTask(task(chunkToIpc(chunkOf(rows.slice(999)), LAYOUT), partials, true));
    expect(merged.partials.map((p) => [...p.counts])).toEqual(whole.partials.map((p) => [...p.counts]));
    expect(merged.measurements).toEqual(whole.measurements);
    // In another order, and with no chunk of its own: the same counts.
    const reordered = runDriftTask(
      task(
        null,
        [...partials.reverse(), runDriftTask(task(chunkToIpc(chunkOf(rows.slice(999)), LAYOUT))).partials],
        true,
      ),
    );
    expect(reordered.partials.map((p) => [...p.counts])).toEqual(whole.partials.map((p) => [...p.counts]));
    const total = (c: Float64Array) => c.reduce((s, x) => s + x, 0);
    expect(total(whole.partials[0]!.counts)).toBe(1000);
    expect(total(whole.partials[1]!.counts)).toBe(1000);
  });

  it('returns one measurement per feature and test when finalizing, consistent with the counts', () => {
    const rows = makeRows(500, 11);
    const { partials: state, measurements } = runDriftTask(task(chunkToIpc(chunkOf(rows), LAYOUT), [], true));
    const counts = state.map((p) => p.counts);
    expect(measurements).not.toBeNull();
    expect(measurements!.baseline).toHaveLength(2);
    // No previous window given: nothing measured against one.
    expect(measurements!.previous).toBeNull();
    const [x, c] = measurements!.baseline;
    expect(x!.feature).toBe('x');
    expect(x!.test).toBe('psi');
    expect(x!.currentSize).toBe(500);
    expect(x!.referenceSize).toBe(100);
    expect(x!.missing).toBe(counts[0]![0]);
    expect(x!.missing).toBe(rows.filter((r) => r.x === null || Number.isNaN(r.x)).length);
    expect(c!.feature).toBe('c');
    expect(c!.test).toBe('js');
    expect(c!.missing).toBe(rows.filter((r) => r.c === null).length);
    expect(c!.outOfReference).toBe(rows.filter((r) => r.c === 'zz').length);
    // 20% unseen, 20% missing against a reference with neither: a large distance, beyond js's default levels.
    expect(c!.value).toBeGreaterThanOrEqual(0.2);
    // Equal to measuring the merged counts directly against the baseline.
    expect(x).toEqual(
      measureTest(
        'psi',
        SPECS[0]!,
        { counts: SPECS[0]!.referenceCounts, summary: null },
        { counts: counts[0]!, summary: null },
      ),
    );
    expect(c).toEqual(
      measureTest(
        'js',
        SPECS[1]!,
        { counts: SPECS[1]!.referenceCounts, summary: null },
        { counts: counts[1]!, summary: null },
      ),
    );
    // The unseen and missing buckets, empty in the reference, carry the distance; contributors name them.
    expect(
      c!.contributors
        .map((k) => k.bucket)
        .slice(0, 2)
        .sort(),
    ).toEqual(['missing', 'unseen']);
    expect(c!.contributors[0]!.referenceShare).toBe(0);
    // Results cross threads by structured clone (Piscina): the contributors arrive intact.
    expect(structuredClone(measurements)).toEqual(measurements);
  });

  it('counts the same categories whatever the chunk dictionary order', () => {
    const one = runDriftTask(
      task(
        chunkToIpc(
          chunkOf([
            { x: 0.1, c: 'c' },
            { x: 0.1, c: 'a' },
          ]),
          LAYOUT,
        ),
      ),
    );
    const two = runDriftTask(
      task(
        chunkToIpc(
          chunkOf([
            { x: 0.1, c: 'a' },
            { x: 0.1, c: 'c' },
          ]),
          LAYOUT,
        ),
      ),
    );
    expect([...one.partials[1]!.counts]).toEqual([1, 0, 1, 0, 0]);
    expect([...two.partials[1]!.counts]).toEqual([...one.partials[1]!.counts]);
  });

  it('rejects partial counts in another layout', () => {
    expect(() =>
      runDriftTask(
        task(null, [
          [
            { counts: new Float64Array(3), summary: null },
            { counts: new Float64Array(5), summary: null },
          ],
        ]),
      ),
    ).toThrow(/partial counts of x have another layout/);
  });

  it('rejects a chunk that lacks a monitored column', () => {
    const other = new WindowChunk({ numeric: ['y'], categorical: ['c'] }, 1);
    other.length = 1;
    other.numericValid[0]![0] = 1;
    other.codes[0]![0] = other.code(0, 'a');
    expect(() => runDriftTask(task(chunkToIpc(other, { numeric: ['y'], categorical: ['c'] })))).toThrow(
      /no numeric column x/,
    );
  });

  it('merges sample summaries across chunks: KS on merged partial states equals KS on the whole window', () => {
    const reference = NumericSummary.create();
    const r = new SeededRandom(3);
    reference.add(
      Float64Array.from({ length: 5_000 }, () => r.next()),
      null,
      5_000,
    );
    const ks: FeatureDriftSpec = {
      ...(SPECS[0]! as FeatureDriftSpec & { kind: 'numeric' }),
      tests: ['ks'],
      referenceSummary: reference.serialize(),
    };
    const specs = [ks, SPECS[1]!];
    const rows = makeRows(3_000, 21);
    const run = (ipc: Uint8Array | null, partials: FeaturePartial[][], finalize: boolean) =>
      runDriftTask({ cacheKey: 'ks', features: specs, ipc, partials, finalize });
    const whole = run(chunkToIpc(chunkOf(rows), LAYOUT), [], true);
    const parts = [rows.slice(0, 1000), rows.slice(1000, 2500)].map(
      (p) => run(chunkToIpc(chunkOf(p), LAYOUT), [], false).partials,
    );
    const merged = run(chunkToIpc(chunkOf(rows.slice(2500)), LAYOUT), parts.reverse(), true);
    expect(merged.measurements!.baseline[0]).toEqual(whole.measurements!.baseline[0]);
    const statistic = whole.measurements!.baseline[0]!;
    expect(statistic.test).toBe('ks');
    // 5% null, 3% NaN, 2% below 0 and 2% at 2 (outside the uniform reference): D about 0.02-0.03, and the
    // exact p-value small at these sizes.
    expect(statistic.value).toBeGreaterThan(0.01);
    expect(statistic.pValue).toBeGreaterThan(0);
    expect(statistic.conventions.windowSample).toBe('exact sample');
  });

  it('measures every test of every feature, features in spec order and tests in the order listed', () => {
    const reference = NumericSummary.create();
    const r = new SeededRandom(5);
    reference.add(
      Float64Array.from({ length: 2_000 }, () => r.next()),
      null,
      2_000,
    );
    const specs: FeatureDriftSpec[] = [
      {
        ...(SPECS[0]! as FeatureDriftSpec & { kind: 'numeric' }),
        tests: ['wasserstein_norm', 'psi', 'ks'],
        referenceSummary: reference.serialize(),
      },
      { ...(SPECS[1]! as FeatureDriftSpec & { kind: 'categorical' }), tests: ['chi2', 'js'] },
    ];
    const rows = makeRows(800, 17);
    const { partials, measurements } = runDriftTask({
      cacheKey: 'several',
      features: specs,
      ipc: chunkToIpc(chunkOf(rows), LAYOUT),
      partials: [],
      finalize: true,
    });
    expect(measurements!.baseline.map((m) => [m.feature, m.test])).toEqual([
      ['x', 'wasserstein_norm'],
      ['x', 'psi'],
      ['x', 'ks'],
      ['c', 'chi2'],
      ['c', 'js'],
    ]);
    // A sample summary travels with the numeric feature's partial state because one of its tests needs it.
    expect(partials[0]!.summary).not.toBeNull();
    expect(partials[1]!.summary).toBeNull();
    // psi among several tests is the psi of the feature tested alone.
    const alone = runDriftTask(task(chunkToIpc(chunkOf(rows), LAYOUT), [], true));
    expect(measurements!.baseline[1]).toEqual(alone.measurements!.baseline[0]);
    expect(measurements!.baseline[4]).toEqual(alone.measurements!.baseline[1]);
  });

  it('also measures against a previous window when its state is given, in the same order', () => {
    const reference = NumericSummary.create();
    const r = new SeededRandom(8);
    reference.add(
      Float64Array.from({ length: 2_000 }, () => r.next()),
      null,
      2_000,
    );
    const specs: FeatureDriftSpec[] = [
      {
        ...(SPECS[0]! as FeatureDriftSpec & { kind: 'numeric' }),
        tests: ['psi', 'ks'],
        referenceSummary: reference.serialize(),
      },
      SPECS[1]!,
    ];
    const run = (rows: Row[], previous: FeaturePartial[] | null) =>
      runDriftTask({
        cacheKey: 'previous',
        features: specs,
        ipc: chunkToIpc(chunkOf(rows), LAYOUT),
        partials: [],
        finalize: true,
        previous,
      });
    const earlier = makeRows(600, 31);
    const now = makeRows(600, 32);
    const first = run(earlier, null);
    expect(first.measurements!.previous).toBeNull();

    const second = run(now, first.partials);
    const { baseline, previous } = second.measurements!;
    // The baseline comparison does not depend on whether a previous window was given.
    expect(baseline).toEqual(run(now, null).measurements!.baseline);
    expect(previous!.map((m) => [m.feature, m.test])).toEqual([
      ['x', 'psi'],
      ['x', 'ks'],
      ['c', 'js'],
    ]);
    // Against the previous window, the reference is that window: its size, and a statistic over its counts.
    expect(previous!.map((m) => m.referenceSize)).toEqual([600, 600, 600]);
    expect(previous!.map((m) => m.currentSize)).toEqual([600, 600, 600]);
    expect(previous![0]!.value).not.toBe(baseline[0]!.value);

    // A window compared with an identical previous window shows no difference at all.
    const same = run(now, second.partials).measurements!.previous!;
    expect(same[0]!.value).toBe(0);
    expect(same[1]!.value).toBe(0);
    expect(same[1]!.pValue).toBe(1);
    expect(same[2]!.value).toBe(0);
  });
});
