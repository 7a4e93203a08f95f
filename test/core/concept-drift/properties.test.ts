import { describe, expect, it } from 'vitest';
import { ADWIN_DEFAULTS, Adwin } from '../../../src/core/concept-drift/adwin.ts';
import { DDM_DEFAULTS, Ddm } from '../../../src/core/concept-drift/ddm.ts';
import {
  type ConceptDriftDetector,
  type DetectorState,
  detectionIndices,
} from '../../../src/core/concept-drift/detector.ts';
import { EDDM_DEFAULTS, Eddm } from '../../../src/core/concept-drift/eddm.ts';
import { HDDM_A_DEFAULTS, HddmA } from '../../../src/core/concept-drift/hddm-a.ts';
import { PAGE_HINKLEY_DEFAULTS, PageHinkley } from '../../../src/core/concept-drift/page-hinkley.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

/** mulberry32: a small seeded generator, so the streams below are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bernoulli(seed: number, segments: [length: number, p: number][]): Float64Array {
  const next = rng(seed);
  const out: number[] = [];
  for (const [length, p] of segments) for (let i = 0; i < length; i++) out.push(next() < p ? 1 : 0);
  return Float64Array.from(out);
}

function gaussian(seed: number, segments: [length: number, mean: number][]): Float64Array {
  const next = rng(seed);
  const out: number[] = [];
  for (const [length, mean] of segments) {
    for (let i = 0; i < length; i++) {
      // Box-Muller; 1 - u keeps the logarithm finite.
      out.push(mean + Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
    }
  }
  return Float64Array.from(out);
}

interface Factory {
  readonly name: string;
  readonly binary: boolean;
  readonly make: () => ConceptDriftDetector;
}

const FACTORIES: Factory[] = [
  { name: 'adwin', binary: false, make: () => new Adwin() },
  { name: 'adwin clock 1', binary: false, make: () => new Adwin({ clock: 1, delta: 0.01 }) },
  { name: 'page-hinkley', binary: false, make: () => new PageHinkley() },
  { name: 'page-hinkley up', binary: false, make: () => new PageHinkley({ mode: 'up', threshold: 5 }) },
  { name: 'ddm', binary: true, make: () => new Ddm() },
  { name: 'eddm', binary: true, make: () => new Eddm() },
  { name: 'hddm-a', binary: true, make: () => new HddmA() },
  { name: 'hddm-a two-sided', binary: true, make: () => new HddmA({ twoSidedTest: true }) },
];

/** A stream every detector reacts to: binary 0.05 -> 0.5 error rate; real N(0,1) -> N(3,1). */
function changing(f: Factory): Float64Array {
  return f.binary
    ? bernoulli(7, [
        [1500, 0.05],
        [1500, 0.5],
      ])
    : gaussian(7, [
        [1500, 0],
        [1500, 3],
      ]);
}

describe('defaults are the published ones', () => {
  it('match the papers and River', () => {
    expect(ADWIN_DEFAULTS).toEqual({
      delta: 0.002,
      clock: 32,
      maxBuckets: 5,
      minWindowLength: 5,
      gracePeriod: 10,
    });
    expect(DDM_DEFAULTS).toEqual({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });
    expect(EDDM_DEFAULTS).toEqual({ warmStart: 30, alpha: 0.95, beta: 0.9 });
    expect(HDDM_A_DEFAULTS).toEqual({
      driftConfidence: 0.001,
      warningConfidence: 0.005,
      twoSidedTest: false,
    });
    expect(PAGE_HINKLEY_DEFAULTS).toEqual({
      minInstances: 30,
      delta: 0.005,
      threshold: 50,
      alpha: 0.9999,
      mode: 'both',
    });
    for (const d of [ADWIN_DEFAULTS, DDM_DEFAULTS, EDDM_DEFAULTS, HDDM_A_DEFAULTS, PAGE_HINKLEY_DEFAULTS]) {
      expect(Object.isFrozen(d)).toBe(true);
    }
    expect(new Adwin().options).toEqual(ADWIN_DEFAULTS);
    expect(new Ddm({ warmStart: 5 }).options).toEqual({ ...DDM_DEFAULTS, warmStart: 5 });
  });
});

describe.each(FACTORIES)('$name', (f) => {
  it('never signals anything on constant streams', () => {
    const constants = f.binary ? [0, 1] : [0, 1, 0.25, -3.5, 1e6];
    for (const c of constants) {
      const d = f.make();
      const { drifts, warnings } = detectionIndices(d, new Float64Array(20_000).fill(c));
      expect({ c, drifts, warnings }).toEqual({ c, drifts: [], warnings: [] });
    }
  });

  it('detects a large change, after it happens', () => {
    const { drifts } = detectionIndices(f.make(), changing(f));
    const after = drifts.filter((i) => i >= 1500);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!).toBeLessThan(1900);
  });

  it('reports states consistent with its flags, never drift and warning at once', () => {
    const d = f.make();
    const seen = new Set<DetectorState>();
    for (const x of changing(f)) {
      const state = d.update(x);
      seen.add(state);
      expect(d.driftDetected).toBe(state === 'drift');
      expect(d.warningDetected).toBe(state === 'warning');
    }
    expect(seen.has('drift')).toBe(true);
  });

  it('reset() makes it behave like a new detector', () => {
    const stream = changing(f);
    const used = f.make();
    detectionIndices(used, stream.subarray(0, 2200));
    used.reset();
    expect(used.driftDetected).toBe(false);
    expect(used.warningDetected).toBe(false);
    expect(detectionIndices(used, stream)).toEqual(detectionIndices(f.make(), stream));
  });

  it('after a drift, continues exactly like a new detector started on the next value', () => {
    const stream = changing(f);
    const all = detectionIndices(f.make(), stream);
    const first = all.drifts[0]!;
    expect(first).toBeDefined();
    const rest = detectionIndices(f.make(), stream.subarray(first + 1));
    const shift = (xs: number[]) => xs.map((i) => i + first + 1);
    expect(all.drifts.slice(1)).toEqual(shift(rest.drifts));
    expect(all.warnings.filter((i) => i > first)).toEqual(shift(rest.warnings));
  });

  it('refuses inputs outside its domain with STATISTIC_INPUT', () => {
    const bad = f.binary ? [0.5, 2, -1, Number.NaN] : [Number.NaN, Number.POSITIVE_INFINITY, -Infinity];
    for (const x of bad) {
      const d = f.make();
      expect(() => d.update(x)).toThrow(expect.objectContaining({ code: ErrorCodes.STATISTIC_INPUT }));
    }
  });
});

describe('option validation', () => {
  const cases: [string, () => unknown, string][] = [
    ['adwin delta 0', () => new Adwin({ delta: 0 }), 'delta'],
    ['adwin delta 1', () => new Adwin({ delta: 1 }), 'delta'],
    ['adwin delta NaN', () => new Adwin({ delta: Number.NaN }), 'delta'],
    ['adwin clock 0', () => new Adwin({ clock: 0 }), 'clock'],
    ['adwin clock 1.5', () => new Adwin({ clock: 1.5 }), 'clock'],
    ['adwin maxBuckets 0', () => new Adwin({ maxBuckets: 0 }), 'maxBuckets'],
    ['adwin minWindowLength 0', () => new Adwin({ minWindowLength: 0 }), 'minWindowLength'],
    ['adwin gracePeriod -1', () => new Adwin({ gracePeriod: -1 }), 'gracePeriod'],
    ['adwin unknown key', () => new Adwin({ detla: 0.1 } as never), 'detla'],
    ['ddm warmStart -1', () => new Ddm({ warmStart: -1 }), 'warmStart'],
    ['ddm warningThreshold 0', () => new Ddm({ warningThreshold: 0 }), 'warningThreshold'],
    ['ddm drift below warning', () => new Ddm({ warningThreshold: 3, driftThreshold: 2 }), 'driftThreshold'],
    ['ddm threshold as string', () => new Ddm({ driftThreshold: '3' as never }), 'driftThreshold'],
    ['eddm alpha 1.1', () => new Eddm({ alpha: 1.1 }), 'alpha'],
    ['eddm beta above alpha', () => new Eddm({ alpha: 0.8, beta: 0.9 }), 'beta'],
    ['eddm beta 0', () => new Eddm({ beta: 0 }), 'beta'],
    ['hddm-a driftConfidence 0', () => new HddmA({ driftConfidence: 0 }), 'driftConfidence'],
    ['hddm-a warning below drift', () => new HddmA({ warningConfidence: 0.0001 }), 'warningConfidence'],
    ['hddm-a twoSidedTest 1', () => new HddmA({ twoSidedTest: 1 as never }), 'twoSidedTest'],
    ['page-hinkley mode', () => new PageHinkley({ mode: 'sideways' as never }), 'mode'],
    ['page-hinkley threshold 0', () => new PageHinkley({ threshold: 0 }), 'threshold'],
    ['page-hinkley alpha 0', () => new PageHinkley({ alpha: 0 }), 'alpha'],
    ['page-hinkley alpha 1.5', () => new PageHinkley({ alpha: 1.5 }), 'alpha'],
    ['page-hinkley delta -1', () => new PageHinkley({ delta: -1 }), 'delta'],
    ['page-hinkley minInstances 0', () => new PageHinkley({ minInstances: 0 }), 'minInstances'],
  ];

  it.each(cases)('%s is refused with INVALID_OPTION naming the option', (_label, construct, option) => {
    let error: unknown;
    try {
      construct();
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
    expect((error as Error).message).toContain(option);
    expect((error as { details: Record<string, unknown> }).details.option).toBe(option);
  });

  it('accepts boundary values and leaves undefined options at their defaults', () => {
    expect(
      new Adwin({ maxBuckets: 1, minWindowLength: 1, gracePeriod: 0, clock: 1 }).options.maxBuckets,
    ).toBe(1);
    expect(new Eddm({ alpha: 0.9, beta: 0.9 }).options.beta).toBe(0.9);
    expect(new PageHinkley({ alpha: 1, delta: 0 }).options.alpha).toBe(1);
    expect(new HddmA({ driftConfidence: undefined }).options.driftConfidence).toBe(0.001);
  });
});

describe('detector specifics', () => {
  it('ADWIN keeps exact window statistics while its bucket rows grow past the initial capacity', () => {
    // maxBuckets 1 keeps one summary per row, so 200,000 values need 17 rows (the arrays start with 16).
    const d = new Adwin({ maxBuckets: 1, gracePeriod: 1_000_000 });
    const n = 200_000;
    let signalled = 0;
    for (let i = 0; i < n; i++) if (d.update(i % 2) !== 'none') signalled++;
    expect(signalled).toBe(0);
    expect(d.width).toBe(n);
    expect(d.total).toBe(n / 2);
    expect(d.estimation).toBe(0.5);
    expect(d.variance).toBeCloseTo(0.25, 12);
  });

  it('ADWIN shrinks its window to the data after the change (before its lazy reset)', () => {
    const d = new Adwin({ clock: 1 });
    for (let i = 0; i < 1000; i++) d.update(0);
    let state: DetectorState = 'none';
    let i = 0;
    while (state !== 'drift' && i < 1000) {
      state = d.update(1);
      i++;
    }
    expect(state).toBe('drift');
    // The old zeros were dropped from the window until the remaining means no longer differ significantly.
    expect(d.width).toBeLessThan(1000 + i);
    expect(d.estimation).toBeGreaterThan(i / (1000 + i));
    d.update(1);
    expect(d.width).toBe(1); // reset at the update after the drift
  });

  it('DDM drifts on the first error after an error-free warm start, as River does', () => {
    const d = new Ddm();
    for (let i = 0; i < 100; i++) expect(d.update(0)).toBe('none');
    expect(d.update(1)).toBe('drift');
  });

  it('EDDM keeps a warning through the correct values that follow it', () => {
    const stream = bernoulli(3, [
      [3000, 0.02],
      [1000, 0.2],
    ]);
    const { warnings } = detectionIndices(new Eddm(), stream);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.some((i) => stream[i] === 0)).toBe(true);
  });

  it('HDDM-A one-sided ignores a falling error rate; two-sided detects it', () => {
    const stream = bernoulli(5, [
      [2000, 0.4],
      [2000, 0.02],
    ]);
    expect(detectionIndices(new HddmA(), stream).drifts).toEqual([]);
    expect(detectionIndices(new HddmA({ twoSidedTest: true }), stream).drifts.length).toBeGreaterThan(0);
  });

  it('Page-Hinkley modes: up sees only increases, down only decreases', () => {
    const up = gaussian(9, [
      [1000, 0],
      [1000, 2],
    ]);
    const down = gaussian(9, [
      [1000, 0],
      [1000, -2],
    ]);
    const from1000 = (xs: number[]) => xs.filter((i) => i >= 1000);
    expect(from1000(detectionIndices(new PageHinkley({ mode: 'up' }), up).drifts).length).toBeGreaterThan(0);
    // (Noise alone can push a cumulative sum over the threshold before the change, so only what follows it counts.)
    expect(from1000(detectionIndices(new PageHinkley({ mode: 'up' }), down).drifts)).toEqual([]);
    expect(from1000(detectionIndices(new PageHinkley({ mode: 'down' }), down).drifts).length).toBeGreaterThan(
      0,
    );
    expect(from1000(detectionIndices(new PageHinkley({ mode: 'down' }), up).drifts)).toEqual([]);
  });
});
