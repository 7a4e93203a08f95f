import { describe, expect, it } from 'vitest';
import {
  LabelJoin,
  type LabelJoinCounts,
  type LabelJoinOptions,
} from '../../../src/core/joins/label-join.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const OPTIONS: LabelJoinOptions = { lookbackMs: 7 * DAY, graceMs: 60_000, maxKeys: 10_000 };

interface Prediction {
  score: number;
}

function harness(options: Partial<LabelJoinOptions> = {}) {
  const labelled: [number, string, Prediction, boolean, number][] = [];
  const unlabelled: [string, string, number][] = [];
  const orphans: [string, string, number, boolean][] = [];
  const join = new LabelJoin<Prediction, boolean>(
    { ...OPTIONS, ...options },
    {
      labelled: (pt, id, p, label, lt) => labelled.push([pt, id, p, label, lt]),
      unlabelled: (reason, id, t) => unlabelled.push([reason, id, t]),
      orphanLabel: (reason, id, t, label) => orphans.push([reason, id, t, label]),
    },
  );
  return { join, labelled, unlabelled, orphans };
}

function conserved(c: LabelJoinCounts): void {
  expect(c.predictions).toBe(
    c.labelled +
      c.unlabelled +
      c.predictionDuplicates +
      c.predictionsEvicted +
      c.predictionsLate +
      c.predictionsWaiting,
  );
  expect(c.labels).toBe(
    c.labelled + c.orphanLabels + c.labelDuplicates + c.labelsEvicted + c.labelsLate + c.labelsWaiting,
  );
}

describe('LabelJoin', () => {
  it('joins a label arriving days after its prediction, keyed by the prediction time', () => {
    const { join, labelled } = harness();
    const p = { score: 0.8 };
    join.prediction('p1', T0, p);
    join.advance(T0 + 3 * DAY);
    join.label('p1', T0 + 3 * DAY, true);
    expect(labelled).toEqual([[T0, 'p1', p, true, T0 + 3 * DAY]]);
    expect(join.counts()).toMatchObject({ predictions: 1, labels: 1, labelled: 1, predictionsWaiting: 0 });
  });

  it('joins a label that arrives before its prediction', () => {
    const { join, labelled } = harness();
    join.label('p1', T0 + 2 * DAY, false);
    join.advance(T0 + DAY);
    join.prediction('p1', T0 + DAY, { score: 0.1 });
    expect(labelled).toEqual([[T0 + DAY, 'p1', { score: 0.1 }, false, T0 + 2 * DAY]]);
    conserved(join.counts());
  });

  it('counts a prediction without a label within the lookback as unlabelled at prediction time + lookback + grace', () => {
    const { join, unlabelled, orphans, labelled } = harness();
    join.prediction('p1', T0, { score: 0.5 });
    const expiry = T0 + 7 * DAY + 60_000;
    join.advance(expiry);
    expect(unlabelled).toEqual([]);
    join.label('p1', T0 + 7 * DAY + 1, true); // one ms beyond the lookback: no match, the label waits as an orphan
    join.advance(expiry + 1);
    expect(unlabelled).toEqual([['expired', 'p1', T0]]);
    join.flush();
    expect(orphans).toEqual([['expired', 'p1', T0 + 7 * DAY + 1, true]]);
    expect(labelled).toEqual([]);
    const c = join.counts();
    expect(c).toMatchObject({ unlabelled: 1, orphanLabels: 1, labelled: 0 });
    conserved(c);
  });

  it('a label for an id never predicted expires as an orphan once the watermark passes label time + grace', () => {
    const { join, orphans } = harness();
    join.label('ghost', T0, true);
    join.advance(T0 + 60_000);
    expect(orphans).toEqual([]);
    join.advance(T0 + 60_001);
    expect(orphans).toEqual([['expired', 'ghost', T0, true]]);
  });

  it('accepts a label slightly before its prediction only within clockSkewMs', () => {
    const strict = harness();
    strict.join.prediction('p', T0, { score: 1 });
    strict.join.label('p', T0 - 1, true);
    expect(strict.labelled).toEqual([]);
    const skewed = harness({ clockSkewMs: 5_000 });
    skewed.join.prediction('p', T0, { score: 1 });
    skewed.join.label('p', T0 - 5_000, true);
    expect(skewed.labelled).toHaveLength(1);
  });

  it('several labels for one prediction: the first to match wins, the rest are label duplicates', () => {
    const { join, labelled } = harness();
    join.prediction('p', T0, { score: 1 });
    join.label('p', T0 + DAY, true);
    join.label('p', T0 + 2 * DAY, false);
    expect(labelled.map((x) => x[3])).toEqual([true]);
    expect(join.counts()).toMatchObject({ labelled: 1, labelDuplicates: 1 });
    conserved(join.counts());
  });

  it('several labels before the prediction: keep-first keeps the first, keep-last the latest', () => {
    for (const [duplicates, expected] of [
      ['keep-first', true],
      ['keep-last', false],
    ] as const) {
      const { join, labelled } = harness({ duplicates });
      join.label('p', T0 + DAY, true);
      join.label('p', T0 + 2 * DAY, false);
      join.prediction('p', T0, { score: 1 });
      expect(labelled.map((x) => x[3])).toEqual([expected]);
      expect(join.counts().labelDuplicates).toBe(1);
    }
  });

  it('a prediction arriving after its lookback has passed is late, and its waiting label becomes an orphan', () => {
    const { join, unlabelled, orphans } = harness();
    join.label('p', T0 + 30 * DAY, true);
    join.advance(T0 + 20 * DAY);
    join.prediction('p', T0, { score: 1 }); // expiry T0 + 7 days + grace, long passed
    expect(unlabelled).toEqual([['late', 'p', T0]]);
    join.flush();
    expect(orphans).toEqual([['expired', 'p', T0 + 30 * DAY, true]]);
    conserved(join.counts());
  });

  it('evicts under maxKeys and counts it', () => {
    const { join, unlabelled } = harness({ maxKeys: 2 });
    join.prediction('a', T0 + 2, { score: 1 });
    join.prediction('b', T0, { score: 1 });
    join.prediction('c', T0 + 1, { score: 1 });
    expect(unlabelled).toEqual([['evicted', 'b', T0]]);
    expect(join.keyCount).toBe(2);
    expect(join.counts().predictionsEvicted).toBe(1);
  });

  it('validates its options', () => {
    for (const patch of [{ lookbackMs: -1 }, { clockSkewMs: Number.NaN }, { maxKeys: 0 }, { graceMs: -5 }]) {
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
