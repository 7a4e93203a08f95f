import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../../src/core/performance/classification-metrics.ts';
import {
  CLASSIFICATION_STATE_SERIAL_KIND,
  type ClassificationBatch,
  ClassificationState,
  type ClassificationStateOptions,
} from '../../../src/core/performance/classification-state.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, type SerialKindValue } from '../../../src/core/sketches/byte-codec.ts';
import {
  expectFrameIsGuarded,
  expectSameBytes,
  mergeCandidates,
  randomCuts,
} from '../sketches/sketch-test-support.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

type ScoreShape = 'uniform' | 'separated' | 'narrow' | 'tied';

/** Random labelled rows: binary (classes n, p, plus rare m in `extraClass` mode) or multiclass softmax over k classes. */
interface Rows {
  labels: string[];
  predictions: string[];
  scores: Float64Array | null;
  probabilities: Float64Array | null;
  classes: string[];
}

function drawScore(shape: ScoreShape, positive: boolean, rng: SeededRandom): number {
  switch (shape) {
    case 'uniform':
      return rng.next();
    case 'separated':
      return Math.min(1, Math.max(0, (positive ? 0.6 : 0.4) + 0.2 * rng.normal()));
    case 'narrow':
      // Every score within [0.45, 0.55): densities near 10 on [0, 1], ten times the uniform case.
      return 0.45 + 0.1 * (positive ? rng.next() ** 0.8 : rng.next() ** 1.2);
    case 'tied':
      // 21 distinct scores shared by both classes: about one pair in 20 ties, many bins hold both classes.
      return Math.round(rng.next() * 20) / 20;
  }
}

function binaryRows(n: number, seed: number, shape: ScoreShape = 'separated'): Rows {
  const rng = new SeededRandom(seed);
  const labels: string[] = [];
  const predictions: string[] = [];
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const positive = rng.next() < 0.3;
    const s = drawScore(shape, positive, rng);
    labels.push(positive ? 'p' : 'n');
    predictions.push(s >= 0.5 ? 'p' : 'n');
    scores[i] = s;
  }
  return { labels, predictions, scores, probabilities: null, classes: ['p', 'n'] };
}

function multiclassRows(n: number, k: number, seed: number, decimals = 0): Rows {
  const rng = new SeededRandom(seed);
  const classes = Array.from({ length: k }, (_, i) => `c${i}`);
  const labels: string[] = [];
  const predictions: string[] = [];
  const probabilities = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(rng.next() * k);
    let total = 0;
    let best = 0;
    for (let j = 0; j < k; j++) {
      let v = Math.exp(rng.normal() + (j === y ? 1 : 0));
      if (decimals > 0) v = Math.round(v * 10 ** decimals) / 10 ** decimals + 1e-3;
      probabilities[i * k + j] = v;
      total += v;
    }
    for (let j = 0; j < k; j++) {
      probabilities[i * k + j]! /= total;
      if (probabilities[i * k + j]! > probabilities[i * k + best]!) best = j;
    }
    labels.push(classes[y]!);
    predictions.push(classes[best]!);
  }
  return { labels, predictions, scores: null, probabilities, classes };
}

/** Rows [start, end) as a batch whose dictionary is `rows.classes` (optionally reversed). */
function batchOf(rows: Rows, start: number, end: number, reversed = false): ClassificationBatch {
  const dictionary = reversed ? rows.classes.slice().reverse() : rows.classes.slice();
  const code = new Map(dictionary.map((name, i) => [name, i]));
  const k = rows.classes.length;
  return {
    length: end - start,
    labels: Int32Array.from(rows.labels.slice(start, end), (name) => code.get(name)!),
    predictions: Int32Array.from(rows.predictions.slice(start, end), (name) => code.get(name)!),
    dictionary,
    scores: rows.scores === null ? null : rows.scores.slice(start, end),
    probabilities: rows.probabilities === null ? null : rows.probabilities.slice(start * k, end * k),
    probabilityClasses: rows.probabilities === null ? undefined : rows.classes,
  };
}

function optionsFor(rows: Rows, extra: Partial<ClassificationStateOptions> = {}): ClassificationStateOptions {
  return rows.scores !== null
    ? { task: 'binary', positiveClass: 'p', ...extra }
    : { task: 'multiclass', ...extra };
}

function build(rows: Rows, options: ClassificationStateOptions, cuts: number[], reversed = false) {
  const state = ClassificationState.create(options);
  for (let i = 0; i + 1 < cuts.length; i++) state.add(batchOf(rows, cuts[i]!, cuts[i + 1]!, reversed));
  return state;
}

const roundTrip = (s: ClassificationState) => ClassificationState.deserialize(s.serialize());

describe('ClassificationState options', () => {
  it('validates every option', () => {
    expectInvalidOption(() => ClassificationState.create({} as ClassificationStateOptions));
    expectInvalidOption(() => ClassificationState.create(null as unknown as ClassificationStateOptions));
    expectInvalidOption(() => ClassificationState.create({ task: 'binary' }));
    expectInvalidOption(() => ClassificationState.create({ task: 'multiclass', positiveClass: 'x' }));
    for (const bad of [-1, 1.5, 2 ** 24 + 1, Number.NaN]) {
      expectInvalidOption(() => ClassificationState.create({ task: 'multiclass', exactLimit: bad }));
    }
    for (const bad of [0, 2 ** 20 + 1]) {
      expectInvalidOption(() => ClassificationState.create({ task: 'multiclass', bins: bad }));
    }
    for (const bad of [1, 1025]) {
      expectInvalidOption(() => ClassificationState.create({ task: 'multiclass', maxClasses: bad }));
    }
    const s = ClassificationState.create({ task: 'binary', positiveClass: 'yes' });
    expect([s.exactLimit, s.bins, s.maxClasses, s.positiveClass, s.classes]).toEqual([
      10_000,
      10_000,
      64,
      'yes',
      ['yes'],
    ]);
  });
});

describe('ClassificationState.add', () => {
  it('counts null labels, null predictions and invalid scores apart', () => {
    const s = ClassificationState.create({ task: 'binary', positiveClass: 'p' });
    s.add({
      length: 6,
      labels: Int32Array.of(0, 1, 7, 0, 1, 0),
      labelValidity: Uint8Array.of(0b111011),
      predictions: Int32Array.of(0, 1, 0, -3, 0, 1),
      predictionValidity: Uint8Array.of(0b110111),
      dictionary: ['p', 'n'],
      scores: Float64Array.of(0.9, Number.NaN, 0.5, 0.5, 1.5, 0.2),
    });
    expect([s.rows, s.unlabelledRows, s.unpredictedRows, s.scoredRows, s.unscoredRows]).toEqual([
      4, 1, 1, 2, 2,
    ]);
    // Scored rows: (p, 0.9) and (p, 0.2) -> loss -ln 0.9 - ln 0.2.
    expect(s.logLossSum).toBeCloseTo(-Math.log(0.9) - Math.log(0.2), 15);
    expect(Array.from(s.confusionMatrix())).toEqual([1, 1, 1, 1]);
  });

  it('validates the whole batch before changing anything', () => {
    const s = ClassificationState.create({ task: 'binary', positiveClass: 'p', maxClasses: 3 });
    s.add({
      length: 2,
      labels: Int32Array.of(0, 1),
      predictions: Int32Array.of(1, 1),
      dictionary: ['p', 'n'],
    });
    const before = s.serialize();
    const base = { dictionary: ['p', 'n', 'x', 'y'], predictions: Int32Array.of(0, 0, 0) };
    expectStatisticInput(() => s.add({ ...base, length: 3, labels: Int32Array.of(0, 1, 4) }));
    expectStatisticInput(() => s.add({ ...base, length: 3, labels: Int32Array.of(0, 2, 3) })); // 4 classes > 3
    expectStatisticInput(() => s.add({ ...base, length: 4, labels: Int32Array.of(0, 1, 1) }));
    expectStatisticInput(() =>
      s.add({ ...base, length: 3, labels: Int32Array.of(0, 1, 1), scores: Float64Array.of(0.5) }),
    );
    expectStatisticInput(() =>
      s.add({
        ...base,
        length: 3,
        labels: Int32Array.of(0, 1, 1),
        probabilities: new Float64Array(6),
        probabilityClasses: ['p', 'n'],
      }),
    );
    expectStatisticInput(() => s.add({ ...base, length: 3, labels: [0, 1, 1] as unknown as Int32Array }));
    expectSameBytes(s.serialize(), before);
    const m = ClassificationState.create({ task: 'multiclass' });
    const mb = { length: 1, labels: Int32Array.of(0), predictions: Int32Array.of(0), dictionary: ['a'] };
    expectStatisticInput(() => m.add({ ...mb, scores: Float64Array.of(0.5) }));
    expectStatisticInput(() => m.add({ ...mb, probabilities: Float64Array.of(1) }));
    expectStatisticInput(() =>
      m.add({ ...mb, probabilities: Float64Array.of(1, 0), probabilityClasses: ['a', 'a'] }),
    );
    expectStatisticInput(() =>
      m.add({ ...mb, probabilities: Float64Array.of(1), probabilityClasses: ['a', 'b'] }),
    );
  });

  it('registers only the classes valid rows use, plus probability columns', () => {
    const m = ClassificationState.create({ task: 'multiclass' });
    m.add({
      length: 2,
      labels: Int32Array.of(2, 0),
      labelValidity: Uint8Array.of(0b01),
      predictions: Int32Array.of(1, 1),
      dictionary: ['a', 'b', 'c', 'unused'],
      probabilities: Float64Array.of(0.7, 0.3, 0.5, 0.5),
      probabilityClasses: ['z', 'c'],
    });
    expect(m.classes).toEqual(['c', 'b', 'z']);
    expect(classificationMetrics(m).classes.map((c) => c.className)).toEqual(['b', 'c']);
  });

  it('gives a class missing from a batch probability 0 for its rows, in both regimes', () => {
    for (const exactLimit of [10_000, 0]) {
      const withColumn = ClassificationState.create({ task: 'multiclass', exactLimit });
      const withoutColumn = ClassificationState.create({ task: 'multiclass', exactLimit });
      const first = {
        length: 2,
        labels: Int32Array.of(0, 1),
        predictions: Int32Array.of(0, 1),
        dictionary: ['a', 'b'],
      };
      withColumn.add({
        ...first,
        probabilities: Float64Array.of(0.8, 0.2, 0, 0.3, 0.7, 0),
        probabilityClasses: ['a', 'b', 'c'],
      });
      withoutColumn.add({
        ...first,
        probabilities: Float64Array.of(0.8, 0.2, 0.3, 0.7),
        probabilityClasses: ['a', 'b'],
      });
      const second = {
        length: 2,
        labels: Int32Array.of(0, 1),
        predictions: Int32Array.of(0, 0),
        dictionary: ['c', 'a'],
        probabilities: Float64Array.of(0.6, 0.1, 0.3, 0.2, 0.5, 0.3),
        probabilityClasses: ['c', 'a', 'b'],
      };
      withColumn.add(second);
      withoutColumn.add(second);
      expect(classificationMetrics(withoutColumn)).toEqual(classificationMetrics(withColumn));
      expect(withoutColumn.scoreDistribution('c')).toEqual(withColumn.scoreDistribution('c'));
      expect(withColumn.isExact).toBe(exactLimit > 0);
    }
  });

  it('treats every class but the positive one as negative in a binary task', () => {
    const s = ClassificationState.create({ task: 'binary', positiveClass: 'p' });
    s.add({
      length: 4,
      labels: Int32Array.of(0, 1, 2, 0),
      predictions: Int32Array.of(0, 1, 1, 2),
      dictionary: ['p', 'n', 'm'],
      scores: Float64Array.of(0.9, 0.1, 0.95, 0.3),
    });
    const d = s.scoreDistribution('p');
    expect(d.exact && Array.from(d.positive)).toEqual([0.9, 0.3]);
    expect(d.exact && Array.from(d.negative)).toEqual([0.1, 0.95]);
    expect(classificationMetrics(s).rocAuc.value).toBe(0.5);
    expectStatisticInput(() => s.scoreDistribution('n'));
  });
});

describe('ClassificationState regimes', () => {
  it('switches to histograms past exactLimit, whatever the batch boundaries', () => {
    for (const rows of [binaryRows(500, 1), multiclassRows(500, 4, 2)]) {
      const options = optionsFor(rows, { exactLimit: 200, bins: 64 });
      const rng = new SeededRandom(3);
      const one = build(rows, options, [0, 500]);
      const many = build(rows, options, randomCuts(500, 9, rng));
      const perRow = build(
        rows,
        options,
        Array.from({ length: 501 }, (_, i) => i),
      );
      expect(one.isExact).toBe(false);
      // Class order (order of first use) may differ; counts, histograms and the log-loss sum may not.
      for (const other of [many, perRow]) {
        expect(other.isExact).toBe(false);
        expect(classificationMetrics(other)).toEqual(classificationMetrics(one));
        expect(other.logLossSum).toBe(one.logLossSum);
        for (const name of rows.scores !== null ? ['p'] : rows.classes) {
          expect(other.scoreDistribution(name)).toEqual(one.scoreDistribution(name));
        }
      }
      const exactly = build(rows, options, [0, 200]);
      expect(exactly.isExact).toBe(true);
    }
  });

  it('merges to the same result in every order, exact or not (log loss up to rounding)', () => {
    const rng = new SeededRandom(11);
    for (const rows of [binaryRows(3000, 4, 'tied'), multiclassRows(3000, 5, 5, 1)]) {
      for (const exactLimit of [10_000, 700, 0]) {
        const options = optionsFor(rows, { exactLimit, bins: 100 });
        const cuts = randomCuts(3000, 7, rng);
        const whole = build(rows, options, [0, 3000]);
        const parts = cuts.slice(1).map((end, i) => build(rows, options, [cuts[i]!, end], i % 2 === 1));
        const expected = classificationMetrics(whole);
        const candidates = mergeCandidates(
          'whole',
          whole,
          parts,
          {
            clone: (s) => s.clone(),
            merge: (into, from) => into.mergeFrom(from),
            roundTrip,
          },
          rng,
        );
        for (const [name, candidate] of candidates) {
          const { logLoss, ...rest } = classificationMetrics(candidate);
          const { logLoss: expectedLoss, ...expectedRest } = expected;
          expect(rest, `${name}, exactLimit ${exactLimit}`).toEqual(expectedRest);
          expect(Math.abs(logLoss - expectedLoss)).toBeLessThanOrEqual(1e-14 * expectedLoss);
          expect(candidate.isExact).toBe(exactLimit >= 3000);
        }
      }
    }
  });

  it('merges a state into itself as two copies', () => {
    const rows = binaryRows(100, 6);
    const s = build(rows, optionsFor(rows), [0, 100]);
    const twice = build(rows, optionsFor(rows), [0, 100, 100]);
    twice.add(batchOf(rows, 0, 100));
    s.mergeFrom(s);
    expect(s.rows).toBe(200);
    expect(classificationMetrics(s).rocAuc).toEqual(classificationMetrics(twice).rocAuc);
  });

  it('refuses to merge incompatible states', () => {
    const a = ClassificationState.create({ task: 'binary', positiveClass: 'p' });
    expectStatisticInput(() =>
      a.mergeFrom(ClassificationState.create({ task: 'binary', positiveClass: 'q' })),
    );
    expectStatisticInput(() => a.mergeFrom(ClassificationState.create({ task: 'multiclass' })));
    expectStatisticInput(() =>
      a.mergeFrom(ClassificationState.create({ task: 'binary', positiveClass: 'p', bins: 9 })),
    );
    expectStatisticInput(() => a.mergeFrom({} as ClassificationState));
    const small = ClassificationState.create({ task: 'multiclass', maxClasses: 2 });
    const three = build(multiclassRows(30, 3, 1), { task: 'multiclass' }, [0, 30]);
    expectStatisticInput(() => small.mergeFrom(three));
    expect(small.classes).toEqual([]);
  });
});

describe('histogram-regime ROC AUC', () => {
  const shapes: ScoreShape[] = ['uniform', 'separated', 'narrow', 'tied'];
  for (const shape of shapes) {
    it(`stays within its stated bound of the exact AUC (${shape} scores)`, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const rows = binaryRows(30_000, 100 * seed + shapes.indexOf(shape), shape);
        const sketched = build(rows, optionsFor(rows), [0, 12_345, 30_000]);
        const exact = build(rows, optionsFor(rows, { exactLimit: 1 << 24 }), [0, 30_000]);
        const a = classificationMetrics(sketched).rocAuc;
        const b = classificationMetrics(exact).rocAuc;
        expect(a.exact).toBe(false);
        expect(b.exact).toBe(true);
        expect(Math.abs(a.value - b.value)).toBeLessThanOrEqual(a.errorBound);
        // The a-priori bound: half the largest share of negatives in one bin.
        const d = sketched.scoreDistribution('p');
        let negatives = 0;
        let largest = 0;
        for (const c of d.negative) {
          negatives += c;
          largest = Math.max(largest, c);
        }
        expect(a.errorBound).toBeLessThanOrEqual((0.5 * largest) / negatives);
        if (shape === 'uniform') expect(a.errorBound).toBeLessThan(1.2 / (2 * 10_000));
        if (shape === 'narrow') expect(a.errorBound).toBeLessThan((1.2 * 10) / (2 * 10_000));
        if (shape !== 'tied') expect(a.errorBound).toBeGreaterThan(0);
      }
    });
  }

  it('bounds the multiclass one-vs-rest averages too', () => {
    const rows = multiclassRows(20_000, 4, 9);
    const sketched = build(rows, optionsFor(rows, { bins: 1000 }), [0, 20_000]);
    const exact = build(rows, optionsFor(rows, { exactLimit: 1 << 24 }), [0, 20_000]);
    const a = classificationMetrics(sketched);
    const b = classificationMetrics(exact);
    expect(a.rocAuc.exact).toBe(false);
    expect(Math.abs(a.rocAuc.value - b.rocAuc.value)).toBeLessThanOrEqual(a.rocAuc.errorBound);
    expect(Math.abs(a.rocAucWeighted!.value - b.rocAucWeighted!.value)).toBeLessThanOrEqual(
      a.rocAucWeighted!.errorBound,
    );
    expect(a.rocAuc.errorBound).toBeGreaterThan(0);
    expect(a.rocAuc.errorBound).toBeLessThan(0.01);
    // Everything else is exact in both regimes.
    expect(a.classes).toEqual(b.classes);
    expect(a.logLoss).toBe(b.logLoss);
  });
});

describe('ClassificationState serialization', () => {
  const cases: [string, () => ClassificationState][] = [
    ['empty binary', () => ClassificationState.create({ task: 'binary', positiveClass: 'p' })],
    ['empty multiclass', () => ClassificationState.create({ task: 'multiclass' })],
    ['exact binary', () => build(binaryRows(300, 1), optionsFor(binaryRows(1, 1)), [0, 120, 300])],
    ['exact multiclass', () => build(multiclassRows(200, 5, 2), { task: 'multiclass' }, [0, 77, 200])],
    [
      'histogram binary',
      () =>
        build(
          binaryRows(400, 3),
          { task: 'binary', positiveClass: 'p', exactLimit: 100, bins: 50 },
          [0, 400],
        ),
    ],
    [
      'histogram multiclass',
      () => build(multiclassRows(400, 3, 4), { task: 'multiclass', exactLimit: 100, bins: 2000 }, [0, 400]),
    ],
  ];
  for (const [name, make] of cases) {
    it(`round-trips ${name} bit for bit, and continues identically`, () => {
      const state = make();
      const bytes = state.serialize();
      const decoded = ClassificationState.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expect(classificationMetrics(decoded)).toEqual(classificationMetrics(state));
      const more = state.task === 'binary' ? binaryRows(150, 9) : multiclassRows(150, 6, 9);
      state.add(batchOf(more, 0, 150));
      decoded.add(batchOf(more, 0, 150));
      expectSameBytes(decoded.serialize(), state.serialize());
    });
  }

  it('rejects damaged and truncated frames', () => {
    expectFrameIsGuarded(build(binaryRows(60, 1), optionsFor(binaryRows(1, 1)), [0, 60]).serialize(), (b) =>
      ClassificationState.deserialize(b),
    );
    expectFrameIsGuarded(
      build(multiclassRows(80, 3, 4), { task: 'multiclass', exactLimit: 10, bins: 20 }, [0, 80]).serialize(),
      (b) => ClassificationState.deserialize(b),
    );
  });

  it('rejects frames with a valid checksum but impossible content', () => {
    const kind = CLASSIFICATION_STATE_SERIAL_KIND as SerialKindValue;
    const frame = (write: (w: ByteWriter) => void) => {
      const w = new ByteWriter(kind);
      write(w);
      return w.finish();
    };
    const header = (w: ByteWriter, task = 0, classes = ['p']) => {
      w.u8(task);
      w.u32(10);
      w.u32(4);
      w.u16(8);
      w.varUint(classes.length);
      for (const c of classes) w.string(c);
    };
    const valid = frame((w) => {
      header(w);
      w.varUint(2); // confusion
      w.varUint(0);
      w.varUint(0);
      w.varUint(1); // scored
      w.f64(0.5);
      w.f64(0);
      w.u8(0);
      w.varUint(0);
      w.f64(0.6);
    });
    expect(ClassificationState.deserialize(valid).scoredRows).toBe(1);
    const bad: [string, (w: ByteWriter) => void][] = [
      ['unknown task', (w) => header(w, 2)],
      ['duplicate classes', (w) => header(w, 1, ['a', 'a'])],
      ['binary without classes', (w) => header(w, 0, [])],
      [
        'more scored rows than rows',
        (w) => {
          header(w);
          w.varUint(1);
          w.varUint(0);
          w.varUint(0);
          w.varUint(2);
        },
      ],
      [
        'score outside [0, 1]',
        (w) => {
          header(w);
          w.varUint(1);
          w.varUint(0);
          w.varUint(0);
          w.varUint(1);
          w.f64(0.5);
          w.f64(0);
          w.u8(0);
          w.varUint(0);
          w.f64(1.5);
        },
      ],
      [
        'impossible log loss',
        (w) => {
          header(w);
          w.varUint(1);
          w.varUint(0);
          w.varUint(0);
          w.varUint(1);
          w.f64(40);
          w.f64(0);
          w.u8(0);
          w.varUint(0);
          w.f64(0.5);
        },
      ],
      [
        'histogram not summing to the scored rows',
        (w) => {
          header(w);
          w.varUint(3);
          w.varUint(0);
          w.varUint(0);
          w.varUint(3);
          w.f64(1);
          w.f64(0);
          w.u8(1);
          w.varUint(1); // all: one bin
          w.varUint(2);
          w.varUint(2);
          w.varUint(0); // pos: empty
        },
      ],
      [
        'more positives than rows in a bin',
        (w) => {
          header(w);
          w.varUint(1);
          w.varUint(0);
          w.varUint(0);
          w.varUint(1);
          w.f64(1);
          w.f64(0);
          w.u8(1);
          w.varUint(1);
          w.varUint(0);
          w.varUint(1);
          w.varUint(1);
          w.varUint(1);
          w.varUint(2);
        },
      ],
      [
        'trailing bytes',
        (w) => {
          header(w);
          w.varUint(0);
          w.varUint(0);
          w.varUint(0);
          w.varUint(0);
          w.f64(0);
          w.f64(0);
          w.u8(0);
          w.u8(0);
        },
      ],
    ];
    for (const [name, write] of bad) {
      let thrown: unknown;
      try {
        ClassificationState.deserialize(frame(write));
      } catch (error) {
        thrown = error;
      }
      expect((thrown as { code?: string })?.code, name).toBe('DW_STATISTIC_INPUT');
    }
  });
});
