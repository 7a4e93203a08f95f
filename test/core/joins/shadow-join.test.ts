import { describe, expect, it } from 'vitest';
import {
  type ModelOutput,
  outputsAgree,
  ShadowAgreement,
  ShadowJoin,
  type ShadowJoinOptions,
} from '../../../src/core/joins/shadow-join.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

const T0 = Date.UTC(2026, 3, 1);
const OPTIONS: ShadowJoinOptions = {
  maxSkewMs: 1_000,
  graceMs: 500,
  maxKeys: 1_000,
  windowMs: 60_000,
  agreement: { kind: 'label' },
};

interface Output extends ModelOutput {
  readonly label: string;
  readonly score: number;
}

function harness(options: Partial<ShadowJoinOptions> = {}) {
  const pairs: { id: string; agree: boolean; diff: number }[] = [];
  const windows: { start: number; end: number; agreement: ShadowAgreement }[] = [];
  const unmatched: string[] = [];
  const join = new ShadowJoin<Output>(
    { ...OPTIONS, ...options },
    {
      paired: (id, _lt, _live, _st, _shadow, agree, diff) => pairs.push({ id, agree, diff }),
      window: (start, end, agreement) => windows.push({ start, end, agreement }),
      unmatched: (side, reason, id) => unmatched.push(`${side}:${reason}:${id}`),
    },
  );
  return { join, pairs, windows, unmatched };
}

/**
 * Ten requests answered by both versions: classes equal on r0..r7, different on r8 and r9; shadow score = live score
 * + 1/32 on even requests and - 1/16 on odd ones (exact in binary). r10 only live, r11 only shadow, r12 answered by
 * the shadow 2 s after the live one (beyond maxSkew): one of each side, unpaired.
 */
function feed(join: ShadowJoin<Output>): void {
  for (let i = 0; i < 10; i++) {
    const live: Output = { label: i % 2 === 0 ? 'approve' : 'deny', score: i / 16 };
    const shadowLabel = i < 8 ? live.label : live.label === 'approve' ? 'deny' : 'approve';
    const shadow: Output = { label: shadowLabel, score: i / 16 + (i % 2 === 0 ? 1 / 32 : -1 / 16) };
    const t = T0 + i * 1_000;
    if (i % 3 === 0) {
      join.shadow(`r${i}`, t + 300, shadow);
      join.live(`r${i}`, t, live);
    } else {
      join.live(`r${i}`, t, live);
      join.shadow(`r${i}`, t - 200, shadow);
    }
  }
  join.live('r10', T0 + 20_000, { label: 'approve', score: 0.5 });
  join.shadow('r11', T0 + 21_000, { label: 'approve', score: 0.5 });
  join.live('r12', T0 + 30_000, { label: 'approve', score: 0.5 });
  join.shadow('r12', T0 + 32_000, { label: 'approve', score: 0.5 });
}

describe('ShadowJoin on a known set of requests', () => {
  it('label agreement: 8 of 10 pairs agree; live-only and shadow-only are counted in the window', () => {
    const { join, pairs, windows, unmatched } = harness();
    feed(join);
    join.advance(T0 + 60_000 - 1 + 1_500);
    expect(windows).toHaveLength(0);
    join.advance(T0 + 60_000 + 1_500);
    expect(windows).toHaveLength(1);
    const report = windows[0]!.agreement.report();
    expect(report).toEqual({
      pairs: 10,
      agreements: 8,
      agreementRate: 0.8,
      liveOnly: 2,
      shadowOnly: 2,
      scoreDiffCount: 10,
      meanScoreDiff: -1 / 64,
      meanAbsScoreDiff: 3 / 64,
    });
    expect(pairs.map((p) => p.id)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    expect(pairs.map((p) => p.diff)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1 / 32 : -1 / 16)),
    );
    expect(pairs.filter((p) => !p.agree).map((p) => p.id)).toEqual(['r8', 'r9']);
    expect(unmatched.sort()).toEqual([
      'live:expired:r10',
      'live:expired:r12',
      'shadow:expired:r11',
      'shadow:expired:r12',
    ]);
    expect(join.counts()).toMatchObject({ live: 12, shadow: 12, paired: 10, liveOnly: 2, shadowOnly: 2 });
  });

  it('score agreement within a tolerance: the 5 pairs off by 1/32 agree at 0.05, the 5 off by 1/16 do not', () => {
    const { join, windows } = harness({ agreement: { kind: 'score', tolerance: 0.05 } });
    feed(join);
    join.flush();
    expect(windows[0]!.agreement.report()).toMatchObject({ pairs: 10, agreements: 5, agreementRate: 0.5 });
  });

  it('merging the windows of two halves gives the counts of the whole', () => {
    const a = new ShadowAgreement();
    const b = new ShadowAgreement();
    a.addPair(true, 0.25);
    a.liveOnly++;
    b.addPair(false, -0.5);
    b.addPair(true, Number.NaN);
    b.shadowOnly++;
    a.merge(b);
    expect(a.report()).toEqual({
      pairs: 3,
      agreements: 2,
      agreementRate: 2 / 3,
      liveOnly: 1,
      shadowOnly: 1,
      scoreDiffCount: 2,
      meanScoreDiff: -0.125,
      meanAbsScoreDiff: 0.375,
    });
    expect(new ShadowAgreement().report()).toMatchObject({ agreementRate: null, meanScoreDiff: null });
  });

  it('a duplicate live output for a paired request is counted, not paired again', () => {
    const { join, pairs } = harness();
    join.live('r', T0, { label: 'a', score: 1 });
    join.shadow('r', T0, { label: 'a', score: 1 });
    join.live('r', T0 + 10, { label: 'b', score: 0 });
    expect(pairs).toHaveLength(1);
    expect(join.counts()).toMatchObject({ liveDuplicates: 1 });
  });

  it('validates its options', () => {
    const cases: Partial<ShadowJoinOptions>[] = [
      { agreement: { kind: 'score', tolerance: -1 } },
      { agreement: { kind: 'rank' } as never },
      { windowMs: 0 },
      { maxSkewMs: -1 },
    ];
    for (const patch of cases) {
      let error: unknown;
      try {
        harness(patch);
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION), JSON.stringify(patch)).toBe(true);
      const option = Object.keys(patch)[0]!;
      expect((error as Error).message).toContain(option);
    }
  });
});

describe('outputsAgree', () => {
  const label = { kind: 'label' } as const;
  const score = { kind: 'score', tolerance: 0.1 } as const;

  it('labels: strict equality; both missing agree, one missing disagrees', () => {
    expect(outputsAgree(label, { label: 1 }, { label: 1 })).toBe(true);
    expect(outputsAgree(label, { label: 1 }, { label: '1' })).toBe(false);
    expect(outputsAgree(label, {}, { label: null })).toBe(true);
    expect(outputsAgree(label, { label: 'a' }, {})).toBe(false);
  });

  it('scores: within the tolerance, equal infinities, missing rules', () => {
    expect(outputsAgree(score, { score: 0.5 }, { score: 0.6 })).toBe(true);
    expect(outputsAgree(score, { score: 0.5 }, { score: 0.61 })).toBe(false);
    expect(
      outputsAgree(score, { score: Number.POSITIVE_INFINITY }, { score: Number.POSITIVE_INFINITY }),
    ).toBe(true);
    expect(outputsAgree(score, { score: Number.NaN }, { score: null })).toBe(true);
    expect(outputsAgree(score, { score: 0.5 }, { score: Number.NaN })).toBe(false);
  });
});
