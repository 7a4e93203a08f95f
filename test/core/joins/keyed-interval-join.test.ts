import { describe, expect, it } from 'vitest';
import {
  type IntervalJoinCounts,
  type IntervalJoinOptions,
  KeyedIntervalJoin,
  type UnmatchedReason,
} from '../../../src/core/joins/keyed-interval-join.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

type Event =
  | { kind: 'matched'; key: string; left: string; leftTime: number; right: string; rightTime: number }
  | { kind: 'left' | 'right'; reason: UnmatchedReason; key: string; time: number; record: string };

const BASE: IntervalJoinOptions = { beforeMs: 10, afterMs: 100, graceMs: 5, maxKeys: 1_000 };

function harness(options: Partial<IntervalJoinOptions> = {}) {
  const events: Event[] = [];
  const join = new KeyedIntervalJoin<string, string>(
    { ...BASE, ...options },
    {
      matched: (key, left, leftTime, right, rightTime) =>
        events.push({ kind: 'matched', key, left, leftTime, right, rightTime }),
      leftUnmatched: (reason, key, time, record) => events.push({ kind: 'left', reason, key, time, record }),
      rightUnmatched: (reason, key, time, record) =>
        events.push({ kind: 'right', reason, key, time, record }),
    },
  );
  const take = () => events.splice(0, events.length);
  return { join, events, take };
}

function conserved(c: IntervalJoinCounts): void {
  expect(c.leftSeen).toBe(
    c.matched + c.leftExpiredUnmatched + c.leftDuplicates + c.leftEvicted + c.leftLate + c.leftHeld,
  );
  expect(c.rightSeen).toBe(
    c.matched + c.rightExpiredUnmatched + c.rightDuplicates + c.rightEvicted + c.rightLate + c.rightHeld,
  );
  expect(c.duplicates).toBe(c.leftDuplicates + c.rightDuplicates);
  expect(c.evicted).toBe(c.leftEvicted + c.rightEvicted);
  expect(c.late).toBe(c.leftLate + c.rightLate);
}

describe('KeyedIntervalJoin: matching', () => {
  it('matches a right record arriving after its left one, once, at once', () => {
    const { join, take } = harness();
    join.left('k', 1_000, 'L');
    expect(take()).toEqual([]);
    join.right('k', 1_050, 'R');
    expect(take()).toEqual([
      { kind: 'matched', key: 'k', left: 'L', leftTime: 1_000, right: 'R', rightTime: 1_050 },
    ]);
    join.flush();
    expect(take()).toEqual([]);
    const c = join.counts();
    expect(c).toMatchObject({ leftSeen: 1, rightSeen: 1, matched: 1, leftHeld: 0, rightHeld: 0 });
    conserved(c);
  });

  it('matches a right record that arrives before its left one', () => {
    const { join, take } = harness();
    join.right('k', 1_050, 'R');
    join.advance(1_000);
    expect(take()).toEqual([]);
    expect(join.counts().rightHeld).toBe(1);
    join.left('k', 1_000, 'L');
    expect(take()).toEqual([
      { kind: 'matched', key: 'k', left: 'L', leftTime: 1_000, right: 'R', rightTime: 1_050 },
    ]);
  });

  it('includes both ends of [t - before, t + after] and nothing outside', () => {
    const { join, take } = harness();
    join.left('a', 1_000, 'La');
    join.right('a', 1_100, 'Ra'); // t + after
    join.left('b', 1_000, 'Lb');
    join.right('b', 990, 'Rb'); // t - before
    join.left('c', 1_000, 'Lc');
    join.right('c', 1_101, 'Rc'); // one past t + after
    join.left('d', 1_000, 'Ld');
    join.right('d', 989, 'Rd'); // one before t - before
    expect(
      take()
        .filter((e) => e.kind === 'matched')
        .map((e) => e.key),
    ).toEqual(['a', 'b']);
    expect(join.counts()).toMatchObject({ matched: 2, leftHeld: 2, rightHeld: 2 });
  });

  it('does not match different keys', () => {
    const { join, take } = harness();
    join.left('x', 1_000, 'L');
    join.right('y', 1_000, 'R');
    expect(take()).toEqual([]);
  });
});

describe('KeyedIntervalJoin: expiry and lateness', () => {
  it('expires a left record when the watermark passes t + after + grace (strictly), a right one at t + before + grace', () => {
    const { join, take } = harness();
    join.left('k', 1_000, 'L'); // expiry 1105
    join.right('k', 2_000, 'R'); // outside the interval; expiry 2015
    join.advance(1_105);
    expect(take()).toEqual([]);
    join.advance(1_106);
    expect(take()).toEqual([{ kind: 'left', reason: 'expired', key: 'k', time: 1_000, record: 'L' }]);
    join.advance(2_015);
    expect(take()).toEqual([]);
    join.advance(2_016);
    expect(take()).toEqual([{ kind: 'right', reason: 'expired', key: 'k', time: 2_000, record: 'R' }]);
    expect(join.keyCount).toBe(0);
    const c = join.counts();
    expect(c).toMatchObject({ leftExpiredUnmatched: 1, rightExpiredUnmatched: 1, matched: 0 });
    conserved(c);
  });

  it('expires in (expiry, arrival) order within one advance', () => {
    const { join, take } = harness({ beforeMs: 0, afterMs: 0, graceMs: 0 });
    join.left('c', 30, 'c');
    join.left('a', 10, 'a');
    join.right('b', 20, 'b');
    join.left('a2', 10, 'a2');
    join.advance(100);
    expect(take().map((e) => (e.kind === 'matched' ? '' : e.record))).toEqual(['a', 'a2', 'b', 'c']);
  });

  it('counts a record arriving after its own expiry as late, and does not match it even when its partner waits', () => {
    const { join, take } = harness();
    join.right('k', 1_100, 'R'); // waits until the watermark passes 1115
    join.advance(1_106);
    join.left('k', 1_000, 'L'); // expiry 1105 < 1106: late
    expect(take()).toEqual([{ kind: 'left', reason: 'late', key: 'k', time: 1_000, record: 'L' }]);
    join.left('k2', 1_001, 'L2'); // expiry 1106, not below the watermark: waits
    expect(take()).toEqual([]);
    const c = join.counts();
    expect(c).toMatchObject({ leftLate: 1, late: 1, rightHeld: 1, leftHeld: 1 });
    conserved(c);
  });

  it('never moves the watermark backwards and rejects NaN', () => {
    const { join } = harness();
    join.advance(500);
    join.advance(100);
    expect(join.watermark).toBe(500);
    expect(() => join.advance(Number.NaN)).toThrow(/watermark/);
  });

  it('rejects a non-finite event time with DW_EVENT_INVALID', () => {
    const { join } = harness();
    let error: unknown;
    try {
      join.left('k', Number.NaN, 'L');
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, ErrorCodes.EVENT_INVALID)).toBe(true);
    expect(join.counts().leftSeen).toBe(0);
  });
});

describe('KeyedIntervalJoin: duplicates', () => {
  it('keep-first: a second record on a side already held is a duplicate; the first one matches', () => {
    const { join, take } = harness();
    join.left('k', 1_000, 'L1');
    join.left('k', 1_010, 'L2');
    expect(take()).toEqual([{ kind: 'left', reason: 'duplicate', key: 'k', time: 1_010, record: 'L2' }]);
    join.right('k', 1_020, 'R');
    expect(take()).toEqual([
      { kind: 'matched', key: 'k', left: 'L1', leftTime: 1_000, right: 'R', rightTime: 1_020 },
    ]);
    conserved(join.counts());
  });

  it('keep-last: the newcomer replaces the unmatched record, which is counted as a duplicate', () => {
    const { join, take } = harness({ duplicates: 'keep-last' });
    join.right('k', 1_020, 'R1');
    join.right('k', 1_030, 'R2');
    expect(take()).toEqual([{ kind: 'right', reason: 'duplicate', key: 'k', time: 1_020, record: 'R1' }]);
    join.left('k', 1_000, 'L');
    expect(take()).toEqual([
      { kind: 'matched', key: 'k', left: 'L', leftTime: 1_000, right: 'R2', rightTime: 1_030 },
    ]);
    const c = join.counts();
    expect(c).toMatchObject({ rightDuplicates: 1, matched: 1, rightHeld: 0 });
    conserved(c);
  });

  it('keep-last: a newcomer that matches the other side supersedes its own unmatched predecessor', () => {
    const { join, take } = harness({ duplicates: 'keep-last' });
    join.left('k', 1_000, 'L');
    join.right('k', 5_000, 'R1'); // outside the interval: both wait
    join.right('k', 1_050, 'R2');
    expect(take()).toEqual([
      { kind: 'right', reason: 'duplicate', key: 'k', time: 5_000, record: 'R1' },
      { kind: 'matched', key: 'k', left: 'L', leftTime: 1_000, right: 'R2', rightTime: 1_050 },
    ]);
    conserved(join.counts());
  });

  it('keep-last: a late newcomer does not displace the waiting record', () => {
    const { join, take } = harness({ duplicates: 'keep-last' });
    join.right('k', 2_000, 'R1');
    join.advance(1_500);
    join.right('k', 1_000, 'R2'); // expiry 1015 < 1500
    expect(take()).toEqual([{ kind: 'right', reason: 'late', key: 'k', time: 1_000, record: 'R2' }]);
    join.left('k', 1_950, 'L');
    expect(take()).toMatchObject([{ kind: 'matched', right: 'R1' }]);
  });

  it('after a match, later records for the key are duplicates under both policies (first match wins)', () => {
    for (const duplicates of ['keep-first', 'keep-last'] as const) {
      const { join, take } = harness({ duplicates });
      join.left('k', 1_000, 'L');
      join.right('k', 1_010, 'R1');
      take();
      join.right('k', 1_020, 'R2');
      join.left('k', 1_000, 'L2');
      expect(take()).toEqual([
        { kind: 'right', reason: 'duplicate', key: 'k', time: 1_020, record: 'R2' },
        { kind: 'left', reason: 'duplicate', key: 'k', time: 1_000, record: 'L2' },
      ]);
      conserved(join.counts());
    }
  });

  it('forgets a match once both records would have expired; without memory a later record just waits', () => {
    const { join, take } = harness();
    join.left('k', 1_000, 'L'); // expiry 1105
    join.right('k', 1_050, 'R'); // expiry 1065: the match is remembered until 1105
    join.advance(1_105);
    expect(join.keyCount).toBe(1);
    join.advance(1_106);
    expect(join.keyCount).toBe(0);

    // Same pair, right first: the memory lasts until the later of the two expiries (the arriving left's), not the
    // waiting right's.
    join.right('j', 2_050, 'R'); // expiry 2065
    join.left('j', 2_000, 'L'); // expiry 2105
    join.advance(2_100);
    join.right('j', 2_090, 'R2');
    expect(take().at(-1)).toEqual({
      kind: 'right',
      reason: 'duplicate',
      key: 'j',
      time: 2_090,
      record: 'R2',
    });
    join.advance(2_105);
    expect(join.keyCount).toBe(1);
    join.advance(2_106);
    expect(join.keyCount).toBe(0);

    const off = harness({ rememberMatchedKeys: false });
    off.join.left('k', 1_000, 'L');
    off.join.right('k', 1_050, 'R');
    expect(off.join.keyCount).toBe(0);
    off.join.right('k', 1_060, 'R2');
    off.join.flush();
    expect(off.take().slice(1)).toEqual([
      { kind: 'right', reason: 'expired', key: 'k', time: 1_060, record: 'R2' },
    ]);
    take();
  });
});

describe('KeyedIntervalJoin: memory bound', () => {
  it('evicts the key whose record expires first when maxKeys is exceeded, both sides, counted', () => {
    const { join, take } = harness({ maxKeys: 3 });
    join.left('a', 3_000, 'La');
    join.left('b', 1_000, 'Lb');
    join.right('b', 9_000, 'Rb'); // no match, same key
    join.left('c', 2_000, 'Lc');
    expect(join.keyCount).toBe(3);
    join.left('d', 4_000, 'Ld');
    expect(join.keyCount).toBe(3);
    expect(take()).toEqual([
      { kind: 'left', reason: 'evicted', key: 'b', time: 1_000, record: 'Lb' },
      { kind: 'right', reason: 'evicted', key: 'b', time: 9_000, record: 'Rb' },
    ]);
    const c = join.counts();
    expect(c).toMatchObject({ leftEvicted: 1, rightEvicted: 1, evicted: 2, leftHeld: 3 });
    conserved(c);
  });

  it('forgets remembered matches before evicting a waiting record', () => {
    const { join, take } = harness({ maxKeys: 2 });
    join.left('m', 1_000, 'Lm');
    join.right('m', 1_000, 'Rm'); // matched, remembered
    join.left('a', 500, 'La'); // would expire first, but a remembered match goes first
    join.left('b', 2_000, 'Lb');
    expect(take().filter((e) => e.kind !== 'matched')).toEqual([]);
    expect(join.counts()).toMatchObject({ evictedMatchedKeys: 1, evicted: 0, leftHeld: 2 });
    join.right('m', 1_000, 'Rm2'); // memory gone: waits as a new key, evicting 'a'
    expect(take()).toEqual([{ kind: 'left', reason: 'evicted', key: 'a', time: 500, record: 'La' }]);
    conserved(join.counts());
  });

  it('may evict the newcomer itself when it expires first', () => {
    const { join, take } = harness({ maxKeys: 1 });
    join.left('a', 5_000, 'La');
    join.left('b', 1_000, 'Lb');
    expect(take()).toEqual([{ kind: 'left', reason: 'evicted', key: 'b', time: 1_000, record: 'Lb' }]);
    join.right('a', 5_000, 'Ra');
    expect(take()).toMatchObject([{ kind: 'matched', key: 'a' }]);
  });
});

describe('KeyedIntervalJoin: options', () => {
  const bad: [string, Partial<IntervalJoinOptions>][] = [
    ['beforeMs', { beforeMs: -1 }],
    ['afterMs', { afterMs: Number.NaN }],
    ['graceMs', { graceMs: Number.POSITIVE_INFINITY }],
    ['maxKeys', { maxKeys: 0 }],
    ['maxKeys', { maxKeys: 1.5 }],
    ['duplicates', { duplicates: 'keep-middle' as never }],
  ];
  for (const [option, patch] of bad) {
    it(`rejects ${JSON.stringify(patch)} with DW_INVALID_OPTION naming ${option}`, () => {
      let error: unknown;
      try {
        harness(patch);
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
      expect((error as Error).message).toContain(option);
    });
  }
});

describe('KeyedIntervalJoin: properties over random arrival orders', () => {
  interface Rec {
    id: string;
    side: 'left' | 'right';
    key: string;
    time: number;
  }

  /** Records for `keys` keys: some keys with both sides, some one-sided, some with duplicates, times jittered. */
  function generate(rng: SeededRandom, keys: number): Rec[] {
    const recs: Rec[] = [];
    let n = 0;
    for (let k = 0; k < keys; k++) {
      const key = `k${k}`;
      const t = Math.floor(rng.next() * 2_000);
      const lefts = rng.next() < 0.8 ? (rng.next() < 0.1 ? 2 : 1) : 0;
      const rights = rng.next() < 0.8 ? (rng.next() < 0.1 ? 2 : 1) : 0;
      for (let i = 0; i < lefts; i++)
        recs.push({ id: `L${n++}`, side: 'left', key, time: t + Math.floor(rng.next() * 5) });
      for (let i = 0; i < rights; i++) {
        // Mostly inside [t - 10, t + 100], sometimes outside.
        recs.push({ id: `R${n++}`, side: 'right', key, time: t - 30 + Math.floor(rng.next() * 170) });
      }
    }
    return recs;
  }

  function shuffle<T>(rng: SeededRandom, xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }

  it('every record ends in exactly one bucket, counters and callbacks agree, the cap holds (20 seeds)', () => {
    const totals = { matched: 0, expired: 0, duplicate: 0, evicted: 0, late: 0, evictedMatchedKeys: 0 };
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new SeededRandom(seed);
      const options: IntervalJoinOptions = {
        ...BASE,
        maxKeys: 5 + Math.floor(rng.next() * 60),
        duplicates: rng.next() < 0.5 ? 'keep-first' : 'keep-last',
        rememberMatchedKeys: rng.next() < 0.7,
      };
      const recs = generate(rng, 150);
      // Arrival order: shuffled, then partly sorted by time so the watermark is meaningful but records still lag.
      const arrival = shuffle(rng, recs).sort((a, b) => Math.floor(a.time / 400) - Math.floor(b.time / 400));
      const byId = new Map(recs.map((r) => [r.id, r]));
      const outcome = new Map<string, string>();
      const dueOf = (r: Rec) =>
        r.time + (r.side === 'left' ? options.afterMs : options.beforeMs) + options.graceMs;
      const record = (id: string, what: string) => {
        expect(outcome.has(id), `${id} resolved twice (seed ${seed})`).toBe(false);
        outcome.set(id, what);
      };
      const join = new KeyedIntervalJoin<string, string>(options, {
        matched: (key, l, lt, r, rt) => {
          const left = byId.get(l)!;
          const right = byId.get(r)!;
          expect([left.key, right.key, left.time, right.time]).toEqual([key, key, lt, rt]);
          expect(rt).toBeGreaterThanOrEqual(lt - options.beforeMs);
          expect(rt).toBeLessThanOrEqual(lt + options.afterMs);
          // The guarantee windows rely on: neither record had expired when the pair formed.
          expect(dueOf(left)).toBeGreaterThanOrEqual(join.watermark);
          expect(dueOf(right)).toBeGreaterThanOrEqual(join.watermark);
          record(l, 'matched');
          record(r, 'matched');
        },
        leftUnmatched: (reason, _key, _time, id) => record(id, reason),
        rightUnmatched: (reason, _key, _time, id) => record(id, reason),
      });
      let maxTime = Number.NEGATIVE_INFINITY;
      for (const r of arrival) {
        if (r.side === 'left') join.left(r.key, r.time, r.id);
        else join.right(r.key, r.time, r.id);
        maxTime = Math.max(maxTime, r.time);
        if (rng.next() < 0.2) join.advance(maxTime - 300);
        expect(join.keyCount).toBeLessThanOrEqual(options.maxKeys);
        conserved(join.counts());
      }
      join.flush();
      const c = join.counts();
      conserved(c);
      expect(c.leftHeld + c.rightHeld).toBe(0);
      expect(outcome.size).toBe(recs.length);
      const tally = (side: 'left' | 'right', what: string) =>
        recs.filter((r) => r.side === side && outcome.get(r.id) === what).length;
      for (const side of ['left', 'right'] as const) {
        const cap = side === 'left' ? 'left' : 'right';
        expect(tally(side, 'matched')).toBe(c.matched);
        expect(tally(side, 'expired')).toBe(c[`${cap}ExpiredUnmatched`]);
        expect(tally(side, 'duplicate')).toBe(c[`${cap}Duplicates`]);
        expect(tally(side, 'evicted')).toBe(c[`${cap}Evicted`]);
        expect(tally(side, 'late')).toBe(c[`${cap}Late`]);
      }
      totals.matched += c.matched;
      totals.expired += c.leftExpiredUnmatched + c.rightExpiredUnmatched;
      totals.duplicate += c.duplicates;
      totals.evicted += c.evicted;
      totals.late += c.late;
      totals.evictedMatchedKeys += c.evictedMatchedKeys;
    }
    // The seeds exercise every bucket, so the conservation checks above are not vacuous.
    for (const [bucket, n] of Object.entries(totals)) expect(n, bucket).toBeGreaterThan(20);
  });

  it('without cap pressure or a moving watermark, the matched keys do not depend on arrival order', () => {
    const rng = new SeededRandom(99);
    const base: Rec[] = [];
    for (let k = 0; k < 300; k++) {
      const t = Math.floor(rng.next() * 10_000);
      base.push({ id: `L${k}`, side: 'left', key: `k${k}`, time: t });
      if (rng.next() < 0.9)
        base.push({ id: `R${k}`, side: 'right', key: `k${k}`, time: t - 40 + Math.floor(rng.next() * 200) });
    }
    // Reference: one left and at most one right per key, so a key matches iff its right lies in the interval.
    const expected = base
      .filter((r) => r.side === 'right')
      .filter((r) => {
        const left = base.find((l) => l.side === 'left' && l.key === r.key)!;
        return r.time >= left.time - BASE.beforeMs && r.time <= left.time + BASE.afterMs;
      })
      .map((r) => r.key)
      .sort();
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(270);
    for (let trial = 0; trial < 5; trial++) {
      const matched: string[] = [];
      const join = new KeyedIntervalJoin<string, string>(BASE, { matched: (key) => matched.push(key) });
      for (const r of shuffle(rng, [...base])) {
        if (r.side === 'left') join.left(r.key, r.time, r.id);
        else join.right(r.key, r.time, r.id);
      }
      join.flush();
      expect(matched.sort()).toEqual(expected);
    }
  });
});
