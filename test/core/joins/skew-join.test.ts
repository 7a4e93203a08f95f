import { describe, expect, it } from 'vitest';
import {
  compileSkewSpec,
  type FeatureRecord,
  SkewAccumulator,
  type SkewFeature,
  skewJoinKey,
} from '../../../src/core/joins/skew-accumulator.ts';
import { SkewJoin, type SkewJoinOptions } from '../../../src/core/joins/skew-join.ts';
import { hashString } from '../../../src/core/sketches/hash64.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 1);
const FEATURES: SkewFeature[] = [
  { name: 'amount', kind: 'numeric', absTol: 0.01, relTol: 0 },
  { name: 'channel', kind: 'categorical' },
];
const OPTIONS: SkewJoinOptions = {
  features: FEATURES,
  bucketMs: DAY,
  windowMs: DAY,
  graceMs: HOUR,
  maxKeys: 10_000,
  maxExamples: 5,
};

function harness(options: Partial<SkewJoinOptions> = {}) {
  const windows: { start: number; end: number; skew: SkewAccumulator }[] = [];
  const unmatched: string[] = [];
  const join = new SkewJoin(
    { ...OPTIONS, ...options },
    {
      window: (start, end, skew) => windows.push({ start, end, skew }),
      unmatched: (side, reason, entity, bucketStart) =>
        unmatched.push(`${side}:${reason}:${entity}@${bucketStart}`),
    },
  );
  return { join, windows, unmatched };
}

const OFF = new Set([3, 17, 29, 41, 58, 76, 93]);
const NEAR = new Set(Array.from({ length: 20 }, (_, i) => i * 5)); // disjoint from OFF; off by 2^-8 < 0.01

/** 100 entities on day T0; 7 (OFF) differ by 0.5 in amount, 20 (NEAR) by 2^-8 < 0.01. */
function feed(join: SkewJoin, only?: (i: number) => boolean): void {
  for (let i = 0; i < 100; i++) {
    if (only !== undefined && !only(i)) continue;
    const entity = `e${i}`;
    const amount = 100 + i;
    const offline = amount + (OFF.has(i) ? 0.5 : NEAR.has(i) ? 2 ** -8 : 0);
    const channel = i % 3 === 0 ? 'web' : 'mobile';
    const onlineRecord: FeatureRecord = { amount, channel };
    const offlineRecord: FeatureRecord = { amount: offline, channel };
    // Half the offline rows arrive first; serving times spread over the day, offline stamped at noon.
    if (i % 2 === 0) {
      join.offline(entity, T0 + 12 * HOUR, offlineRecord);
      join.online(entity, T0 + i * 10 * 60_000, onlineRecord);
    } else {
      join.online(entity, T0 + i * 10 * 60_000, onlineRecord);
      join.offline(entity, T0 + 12 * HOUR, offlineRecord);
    }
  }
}

function smallestKeys(entities: string[], bucketStart: number, k: number): string[] {
  const out = new Uint32Array(2);
  return entities
    .map((e) => {
      hashString(skewJoinKey(e, bucketStart), out);
      return { e, hi: out[0]!, lo: out[1]! };
    })
    .sort((a, b) => a.hi - b.hi || a.lo - b.lo)
    .slice(0, k)
    .map((x) => x.e);
}

describe('SkewJoin: 7 of 100 entities off by more than the tolerance', () => {
  it('has mismatch rate 0.07 exactly, the exact mean absolute difference, and examples among the 7', () => {
    expect([...OFF].filter((i) => NEAR.has(i))).toEqual([]);
    const { join, windows } = harness();
    feed(join);
    join.advance(T0 + DAY - 1 + HOUR);
    expect(windows).toHaveLength(0);
    join.advance(T0 + DAY + HOUR);
    expect(windows.map((w) => [w.start, w.end])).toEqual([[T0, T0 + DAY]]);
    const [amount, channel] = windows[0]!.skew.report();
    expect(amount).toMatchObject({
      feature: 'amount',
      kind: 'numeric',
      matches: 93,
      mismatches: 7,
      onlyOnline: 0,
      onlyOffline: 0,
      mismatchRate: 0.07,
      absDiffCount: 100,
      meanAbsDiff: (7 * 0.5 + 20 * 2 ** -8) / 100,
    });
    const offEntities = [...OFF].map((i) => `e${i}`);
    expect(amount!.examples).toHaveLength(5);
    expect(amount!.examples.map((e) => e.entity)).toEqual(smallestKeys(offEntities, T0, 5));
    for (const e of amount!.examples) {
      const i = Number(e.entity.slice(1));
      expect(e).toMatchObject({ bucketStart: T0, online: 100 + i, offline: 100.5 + i });
      expect(e.hash).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(channel).toMatchObject({
      matches: 100,
      mismatches: 0,
      mismatchRate: 0,
      meanAbsDiff: null,
      examples: [],
    });
    expect(join.counts()).toMatchObject({ online: 100, offline: 100, joined: 100, onlineWaiting: 0 });
  });

  it('gives the same counts and examples when the entities are split over two joins and merged', () => {
    const whole = harness();
    feed(whole.join);
    whole.join.flush();
    const even = harness();
    const odd = harness();
    feed(even.join, (i) => i % 2 === 0);
    feed(odd.join, (i) => i % 2 === 1);
    even.join.flush();
    odd.join.flush();
    const merged = even.windows[0]!.skew;
    merged.merge(odd.windows[0]!.skew);
    expect(merged.report()).toEqual(whole.windows[0]!.skew.report());
  });
});

describe('SkewJoin: buckets, one-sided records and windows', () => {
  it('joins only within the same bucket; one-sided records count their features as online-only or offline-only', () => {
    const { join, windows, unmatched } = harness();
    join.online('a', T0 + 23 * HOUR, { amount: 1, channel: 'web' });
    join.offline('a', T0 + DAY + HOUR, { amount: 1, channel: 'web' }); // next day's bucket
    join.online('b', T0 + HOUR, { amount: 2 }); // no channel in the online record
    join.offline('b', T0 + 2 * HOUR, { amount: 2, channel: 'web' });
    join.flush();
    expect(windows.map((w) => w.start)).toEqual([T0, T0 + DAY]);
    const [day0Amount, day0Channel] = windows[0]!.skew.report();
    expect(day0Amount).toMatchObject({ matches: 1, onlyOnline: 1, onlyOffline: 0 });
    expect(day0Channel).toMatchObject({ matches: 0, onlyOnline: 1, onlyOffline: 1 });
    const [day1Amount, day1Channel] = windows[1]!.skew.report();
    expect(day1Amount).toMatchObject({ matches: 0, onlyOnline: 0, onlyOffline: 1 });
    expect(day1Channel).toMatchObject({ onlyOffline: 1 });
    expect(unmatched).toEqual([`online:expired:a@${T0}`, `offline:expired:a@${T0 + DAY}`]);
    expect(join.counts()).toMatchObject({ joined: 1, onlineOnly: 1, offlineOnly: 1 });
  });

  it('emits each window once, in start order, with windows spanning several buckets', () => {
    const { join, windows } = harness({ bucketMs: HOUR, windowMs: 6 * HOUR, graceMs: 0 });
    for (let h = 0; h < 13; h++) {
      join.online(`e${h}`, T0 + h * HOUR + 5, { amount: h });
      join.offline(`e${h}`, T0 + h * HOUR + 7, { amount: h });
    }
    join.advance(T0 + 6 * HOUR - 1);
    expect(windows).toHaveLength(0);
    join.advance(T0 + 6 * HOUR); // last ms of the window (T0 + 6h - 1) is below
    expect(windows.map((w) => w.start)).toEqual([T0]);
    join.advance(T0 + 6 * HOUR);
    join.flush();
    expect(windows.map((w) => w.start)).toEqual([T0, T0 + 6 * HOUR, T0 + 12 * HOUR]);
    expect(windows.map((w) => w.skew.report()[0]!.matches)).toEqual([6, 6, 1]);
  });

  it('counts a record for a bucket that has closed as late, outside the windows', () => {
    const { join, windows, unmatched } = harness();
    join.online('a', T0, { amount: 1 });
    join.advance(T0 + DAY + HOUR);
    join.offline('a', T0 + HOUR, { amount: 1 });
    expect(unmatched).toEqual([`online:expired:a@${T0}`, `offline:late:a@${T0}`]);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.skew.report()[0]).toMatchObject({ onlyOnline: 1, onlyOffline: 0 });
    expect(join.counts()).toMatchObject({ offlineLate: 1 });
  });

  it('a second online record of an entity in a bucket is a duplicate (keep-first compares the first)', () => {
    const { join, windows } = harness();
    join.online('a', T0, { amount: 1 });
    join.online('a', T0 + HOUR, { amount: 5 });
    join.offline('a', T0 + 2 * HOUR, { amount: 1 });
    join.flush();
    expect(windows[0]!.skew.report()[0]).toMatchObject({ matches: 1, mismatches: 0 });
    expect(join.counts()).toMatchObject({ onlineDuplicates: 1 });
  });

  it('validates its options', () => {
    const cases: Partial<SkewJoinOptions>[] = [
      { windowMs: DAY + 1 },
      { bucketMs: 0 },
      { features: [] },
      { features: [FEATURES[0]!, FEATURES[0]!] },
      { features: [{ name: 'x', kind: 'numeric', absTol: -1 }] },
      { features: [{ name: 'x', kind: 'ordinal' as never }] },
      { maxExamples: -1 },
      { maxKeys: 0 },
    ];
    for (const patch of cases) {
      let error: unknown;
      try {
        harness(patch);
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION), JSON.stringify(patch)).toBe(true);
    }
  });
});

describe('SkewAccumulator: comparison rules', () => {
  function compareOne(feature: SkewFeature, online: FeatureRecord['x'], offline: FeatureRecord['x']) {
    const acc = new SkewAccumulator(compileSkewSpec([{ ...feature, name: 'x' }]));
    acc.compare(skewJoinKey('e', 0), 0, { x: online }, { x: offline });
    return acc.report()[0]!;
  }
  const numeric: SkewFeature = { name: 'x', kind: 'numeric', absTol: 0, relTol: 0.01 };

  it('numeric: |a - b| <= absTol + relTol * |b| (relative to the offline value)', () => {
    expect(compareOne(numeric, 101, 100).matches).toBe(1);
    expect(compareOne(numeric, 101.5, 100).mismatches).toBe(1);
    expect(compareOne({ name: 'x', kind: 'numeric', absTol: 0.5, relTol: 0.01 }, 101.5, 100).matches).toBe(1);
    expect(compareOne(numeric, 101.5, 100).meanAbsDiff).toBe(1.5);
  });

  it('numeric defaults are numpy.isclose (atol 1e-8, rtol 1e-5)', () => {
    const d: SkewFeature = { name: 'x', kind: 'numeric' };
    expect(compareOne(d, 100.0009, 100).matches).toBe(1);
    expect(compareOne(d, 100.0011, 100).mismatches).toBe(1);
  });

  it('numeric: null and NaN are missing; both missing match, one missing mismatches without a difference', () => {
    expect(compareOne(numeric, null, null).matches).toBe(1);
    expect(compareOne(numeric, Number.NaN, null).matches).toBe(1);
    expect(compareOne(numeric, Number.NaN, Number.NaN).matches).toBe(1);
    const nullVsZero = compareOne(numeric, null, 0);
    expect(nullVsZero).toMatchObject({ mismatches: 1, absDiffCount: 0, meanAbsDiff: null });
    expect(compareOne(numeric, 1, Number.NaN).mismatches).toBe(1);
  });

  it('numeric: equal infinities match, an infinity against a finite value mismatches; other types need ===', () => {
    expect(compareOne(numeric, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toMatchObject({
      matches: 1,
      absDiffCount: 0,
    });
    expect(compareOne(numeric, Number.POSITIVE_INFINITY, 1e308).mismatches).toBe(1);
    expect(compareOne(numeric, '5', 5).mismatches).toBe(1);
    expect(compareOne(numeric, 'x', 'x').matches).toBe(1);
  });

  it('categorical: strict equality, so a type change is a mismatch; null and NaN equal themselves', () => {
    const cat: SkewFeature = { name: 'x', kind: 'categorical' };
    expect(compareOne(cat, 'web', 'web').matches).toBe(1);
    expect(compareOne(cat, '1', 1).mismatches).toBe(1);
    expect(compareOne(cat, true, 'true').mismatches).toBe(1);
    expect(compareOne(cat, null, null).matches).toBe(1);
    expect(compareOne(cat, Number.NaN, Number.NaN).matches).toBe(1);
    expect(compareOne(cat, null, 'web').mismatches).toBe(1);
  });

  it('a feature absent from one record is one-sided; absent from both is not counted', () => {
    expect(compareOne(numeric, 1, undefined)).toMatchObject({ onlyOnline: 1, matches: 0, mismatches: 0 });
    expect(compareOne(numeric, undefined, 1)).toMatchObject({ onlyOffline: 1 });
    expect(compareOne(numeric, undefined, undefined)).toMatchObject({
      onlyOnline: 0,
      onlyOffline: 0,
      matches: 0,
      mismatches: 0,
      mismatchRate: null,
    });
  });

  it('keeps no examples with maxExamples 0, and never the same key twice when merging', () => {
    const none = new SkewAccumulator(compileSkewSpec(FEATURES, 0));
    none.compare(skewJoinKey('e', 0), 0, { amount: 1 }, { amount: 2 });
    expect(none.report()[0]).toMatchObject({ mismatches: 1, examples: [] });

    const spec = compileSkewSpec(FEATURES, 3);
    const a = new SkewAccumulator(spec);
    a.compare(skewJoinKey('e1', 0), 0, { amount: 1 }, { amount: 2 });
    a.compare(skewJoinKey('e2', 0), 0, { amount: 1 }, { amount: 2 });
    const b = new SkewAccumulator(spec);
    b.merge(a);
    b.merge(a);
    expect(b.report()[0]!.mismatches).toBe(4);
    expect(
      b
        .report()[0]!
        .examples.map((e) => e.entity)
        .sort(),
    ).toEqual(['e1', 'e2']);
  });

  it('refuses to merge accumulators with different rules', () => {
    const a = new SkewAccumulator(compileSkewSpec(FEATURES));
    const b = new SkewAccumulator(
      compileSkewSpec([{ name: 'amount', kind: 'numeric', absTol: 0.02, relTol: 0 }, FEATURES[1]!]),
    );
    let error: unknown;
    try {
      a.merge(b);
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, ErrorCodes.STATISTIC_INPUT)).toBe(true);
  });
});
