import { describe, expect, it } from 'vitest';
import type { BaselineEmbedding } from '../../src/baseline/baseline-types.ts';
import {
  embeddingDrift,
  medianHeuristicBandwidth,
  prepareEmbeddingReference,
} from '../../src/core/embedding/embedding-drift.ts';
import { EmbeddingSummary } from '../../src/core/embedding/embedding-summary.ts';
import { SeededRandom } from '../../src/core/random/seeded-random.ts';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { EmbeddingMonitor } from '../../src/model/embedding-monitor.ts';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import type { MonitorPartContext } from '../../src/model/monitor-part.ts';
import type { EmbeddingSpec, ModelRole } from '../../src/topology/model-spec.ts';
import { watermarks as marks, partContext, predictionRecord } from './model-test-records.ts';
import { modelTestBaseline } from './model-test-topology.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const D = 8;
const SAMPLE = 256;

/** n vectors with independent N(mean_j, 1) components, row-major. */
function vectors(random: SeededRandom, n: number, mean: readonly number[]): Float64Array {
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) out[i * D + j] = mean[j]! + random.normal();
  return out;
}

const SAME = new Array<number>(D).fill(1);
const SHIFTED = [3, ...new Array<number>(D - 1).fill(1)];

function referenceEmbedding(calibration?: BaselineEmbedding['calibration']): {
  stored: BaselineEmbedding;
  summary: EmbeddingSummary;
} {
  const rows = 2000;
  const summary = EmbeddingSummary.create({ dimension: D, sampleSize: SAMPLE });
  summary.add(
    vectors(new SeededRandom(1), rows, SAME),
    rows,
    Array.from({ length: rows }, (_, i) => `ref${i}`),
  );
  const stored: BaselineEmbedding = {
    dimension: D,
    count: rows,
    summary: Buffer.from(summary.serialize()).toString('base64'),
    bandwidth: medianHeuristicBandwidth(summary.sample(), 1000),
    ...(calibration === undefined ? {} : { calibration }),
  };
  return { stored, summary };
}

function spec(
  name: string,
  test: EmbeddingSpec['test'],
  thresholds: EmbeddingSpec['thresholds'],
): EmbeddingSpec {
  return { name, field: 'embedding', dimension: D, test, thresholds, projections: 8 };
}

const FIXED_SPECS = [
  spec('e_cos', 'centroid_cosine', { kind: 'fixed', warning: 0.05, critical: 0.1 }),
  spec('e_mmd', 'mmd', { kind: 'fixed', warning: 0.01, critical: 0.001 }),
  spec('e_ks', 'projection_ks', { kind: 'fixed', warning: 0.01, critical: 0.001 }),
];

function context(
  specs: EmbeddingSpec[],
  embeddings: Record<string, BaselineEmbedding> | undefined,
): MonitorPartContext {
  return partContext(
    { embeddings: specs },
    modelTestBaseline(embeddings === undefined ? {} : { embeddings }),
  );
}

function prediction(
  time: number,
  id: string,
  vector: Float64Array | null,
  copies: number,
  role: ModelRole = 'live',
): PredictionRecord {
  return predictionRecord({
    time,
    predictionId: id,
    modelName: 'search',
    modelVersion: 'v7',
    role,
    embeddings: new Array(copies).fill(vector),
  });
}

/**
 * Feeds 400 live vectors into the window at `start`; returns them with their ids, for the direct computation. The ids
 * fix the MMD's sample and the seeds the vectors, so outcomes are fixed. The linear-time MMD's normal p-value falls
 * below 0.01 in about 4% of same-distribution windows of this size (8 of 200 seeds against this reference), so a
 * fixed sample can, rarely, be a false alarm; this one is not.
 */
function feed(part: EmbeddingMonitor, start: number, seed: number, mean: readonly number[], copies: number) {
  const rows = 400;
  const values = vectors(new SeededRandom(seed), rows, mean);
  const ids = Array.from({ length: rows }, (_, i) => `${seed}-${i}`);
  for (let i = 0; i < rows; i++) {
    part.prediction(prediction(start + i, ids[i]!, values.slice(i * D, (i + 1) * D), copies));
  }
  return { values, ids, rows };
}

describe('EmbeddingMonitor', () => {
  it('finds a shifted mean and not the same distribution; figures equal the core functions on the same summaries', () => {
    const { stored, summary: refSummary } = referenceEmbedding();
    const part = new EmbeddingMonitor(context(FIXED_SPECS, { e_cos: stored, e_mmd: stored, e_ks: stored }));
    const same = feed(part, T0, 2, SAME, 3);
    const shifted = feed(part, T0 + MIN, 3, SHIFTED, 3);
    // Not this part's: a shadow prediction far away.
    part.prediction(prediction(T0 + 5, 'shadow-1', new Float64Array(D).fill(100), 3, 'shadow'));

    const first = part.advance(marks(T0 + MIN));
    expect(first.reports.map((r) => r.subject)).toEqual(['e_cos', 'e_ks', 'e_mmd']);
    expect(first.findings).toEqual([]);
    const second = part.advance(marks(T0 + 2 * MIN));
    expect(second.findings.map((f) => [f.subject, f.metric, f.severity])).toEqual([
      ['e_cos', 'cosine_distance', 'critical'],
      ['e_ks', 'projection_ks_p_value', 'critical'],
      ['e_mmd', 'mmd_p_value', 'critical'],
    ]);

    // The same computation done directly: reference from the stored summary and bandwidth, window keyed by id.
    const reference = prepareEmbeddingReference(refSummary, { bandwidth: stored.bandwidth });
    for (const [window, fed, out] of [
      [T0, same, first],
      [T0 + MIN, shifted, second],
    ] as const) {
      const current = EmbeddingSummary.create({ dimension: D, sampleSize: SAMPLE });
      current.add(fed.values, fed.rows, fed.ids);
      const plain = embeddingDrift(reference, current);
      const withKs = embeddingDrift(reference, current, { projections: 8 });
      const byName = new Map(out.reports.map((r) => [r.subject, r]));
      for (const name of ['e_cos', 'e_mmd'] as const) {
        const r = byName.get(name)!;
        expect(r).toMatchObject({
          kind: 'embedding',
          modelName: 'search',
          modelVersion: 'v7',
          windowStart: window,
        });
        expect(r.figures).toEqual({
          cosine_distance: plain.cosineDistance,
          mmd2: plain.mmd!.statistic,
          mmd_p_value: plain.mmd!.pValue,
        });
        expect(r.counts).toEqual({ rows: 400, sample_rows: SAMPLE, missing: 0, invalid: 0 });
      }
      expect(byName.get('e_ks')!.figures.projection_ks_p_value).toBe(withKs.projectionKs!.pValue);
    }

    // The shift moves the centroid from (1, ..., 1) towards (3, 1, ..., 1): 1 − 10 / (4 √8) ≈ 0.116 in expectation.
    const cos = second.findings[0]!;
    expect(cos.value).toBeGreaterThan(0.1);
    expect(cos).toMatchObject({
      threshold: 0.1,
      warningLevel: 0.05,
      criticalLevel: 0.1,
      rows: 400,
      role: 'live',
    });
    expect(cos.evidence.levels).toBe('fixed');
    const mmd = second.findings[2]!;
    expect(mmd.value).toBeLessThan(0.001);
    expect(mmd).toMatchObject({ threshold: 0.001, warningLevel: 0.01, criticalLevel: 0.001 });
    expect(mmd.message).toContain('mmd_p_value');
  });

  it('applies calibrated levels as the feature tests do; p-value chunks are calibrated on their low tail', () => {
    const { stored: base } = referenceEmbedding({
      chunkSize: 400,
      chunks: 4,
      statistics: {
        centroid_cosine: [0.001, 0.002, 0.003, 0.004],
        mmd: [0.2, 0.4, 0.6, 0.8],
      },
    });
    const specs = [
      spec('e_cos', 'centroid_cosine', { kind: 'calibrated', method: 'std', warning: 2, critical: 3 }),
      spec('e_mmd', 'mmd', { kind: 'calibrated', method: 'quantile', warning: 0.9, critical: 0.99 }),
    ];
    const part = new EmbeddingMonitor(context(specs, { e_cos: base, e_mmd: base }));
    feed(part, T0, 4, SHIFTED, 2);
    const out = part.flush();
    // std: mean 0.0025 + k · population std √1.25e-6. quantile on −p: p-levels 0.4 − 0.2 · 0.7 and 0.4 − 0.2 · 0.97.
    const std = Math.sqrt(1.25e-6);
    const [cos, mmd] = out.findings;
    expect(cos!.warningLevel).toBeCloseTo(0.0025 + 2 * std, 15);
    expect(cos!.criticalLevel).toBeCloseTo(0.0025 + 3 * std, 15);
    expect(cos).toMatchObject({ severity: 'critical', metric: 'cosine_distance' });
    expect(cos!.threshold).toBe(cos!.criticalLevel);
    expect(mmd!.warningLevel).toBeCloseTo(0.26, 14);
    expect(mmd!.criticalLevel).toBeCloseTo(0.206, 14);
    expect(mmd).toMatchObject({ severity: 'critical', metric: 'mmd_p_value' });
    expect(mmd!.evidence.levels).toMatch(/^calibrated:quantile on 4 chunks \(mean 0\.5,/);
  });

  it('counts missing and wrong-length vectors, late predictions, and reports doneBefore', () => {
    const { stored } = referenceEmbedding();
    const part = new EmbeddingMonitor(context([FIXED_SPECS[0]!], { e_cos: stored }));
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    part.prediction(prediction(T0 + 1, 'a', null, 1));
    part.prediction(prediction(T0 + 2, 'b', new Float64Array(D - 1), 1));
    part.prediction(prediction(T0 + 3, 'c', new Float64Array(D).fill(Number.NaN), 1));
    part.prediction(prediction(T0 + 4, 'd', new Float64Array(D).fill(1), 1));
    expect(part.doneBefore().predictions).toBe(T0);
    const out = part.advance(marks(T0 + MIN));
    expect(out.reports).toHaveLength(1);
    expect(out.reports[0]!.counts).toEqual({ rows: 1, sample_rows: 1, missing: 1, invalid: 2 });
    // One row: the MMD needs 4, so only the cosine distance is computed.
    expect(Object.keys(out.reports[0]!.figures)).toEqual(['cosine_distance']);
    part.prediction(prediction(T0 + 5, 'e', new Float64Array(D).fill(1), 1));
    expect(part.late).toBe(1);
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a missing, unusable or uncalibrated reference with a message naming the embedding', () => {
    const { stored } = referenceEmbedding();
    const cases: [EmbeddingSpec[], Record<string, BaselineEmbedding> | undefined, string, RegExp][] = [
      [
        [FIXED_SPECS[1]!],
        undefined,
        ErrorCodes.BASELINE_INVALID,
        /embedding e_mmd.*driftwatch baseline build/,
      ],
      [[FIXED_SPECS[1]!], { other: stored }, ErrorCodes.BASELINE_INVALID, /embedding e_mmd/],
      [
        [FIXED_SPECS[1]!],
        { e_mmd: { ...stored, summary: 'AAAA' } },
        ErrorCodes.BASELINE_INVALID,
        /e_mmd.*unusable/,
      ],
      [[{ ...FIXED_SPECS[1]!, dimension: 4 }], { e_mmd: stored }, ErrorCodes.BASELINE_INVALID, /dimension 4/],
      [
        [spec('e_mmd', 'mmd', { kind: 'calibrated', method: 'std', warning: 2, critical: 3 })],
        { e_mmd: stored },
        ErrorCodes.BASELINE_INVALID,
        /embedding e_mmd, test mmd: calibrated mmd levels need/,
      ],
      [
        [spec('e_mmd', 'mmd', { kind: 'fixed', warning: 0.001, critical: 0.01 })],
        { e_mmd: stored },
        ErrorCodes.INVALID_OPTION,
        /must not exceed the warning p-level/,
      ],
      [
        [spec('e_cos', 'centroid_cosine', { kind: 'fixed', warning: 0, critical: 0.1 })],
        { e_cos: stored },
        ErrorCodes.INVALID_OPTION,
        /e_cos.*distance in \(0, 2\]/,
      ],
    ];
    for (const [specs, embeddings, code, message] of cases) {
      let error: unknown;
      try {
        new EmbeddingMonitor(context(specs, embeddings));
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, code as (typeof ErrorCodes)[keyof typeof ErrorCodes])).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});
