import { describe, expect, it } from 'vitest';
import { calibrateLevels } from '../../../src/core/drift/thresholds.ts';
import {
  centroidCosineDistance,
  EMBEDDING_DEFAULT_PROJECTION_SEED,
  embeddingDrift,
  embeddingReferenceChunkStatistics,
  linearTimeMmd,
  medianHeuristicBandwidth,
  prepareEmbeddingReference,
  projectionDirections,
  randomProjectionKs,
} from '../../../src/core/embedding/embedding-drift.ts';
import { EmbeddingSummary } from '../../../src/core/embedding/embedding-summary.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';
import { expectRelClose } from '../stats/golden-fixture.ts';
import { asSample, embeddingGolden, generateCase } from './embedding-data.ts';

const REL = 1e-10;

function exactSum(values: Float64Array): number {
  // Values are float32 of magnitude < 2^8: their sum in 2^-40 fixed point is exact in BigInt.
  let total = 0n;
  for (const v of values) total += BigInt(Math.round(v * 2 ** 40));
  return Number(total) / 2 ** 40;
}

describe('embedding golden cases (numpy / scipy)', () => {
  it(`has the fixture cases (scipy ${embeddingGolden.versions.scipy})`, () => {
    expect(embeddingGolden.cases.map((c) => c.dimension)).toContain(64);
    expect(embeddingGolden.cases.length).toBeGreaterThanOrEqual(7);
  });

  for (const c of embeddingGolden.cases) {
    describe(c.name, () => {
      const { x, y } = generateCase(c);
      const d = c.dimension;

      it('regenerates the same data as the Python generator', () => {
        expect(Array.from(x.subarray(0, c.fingerprint.referenceFirst.length))).toEqual(
          c.fingerprint.referenceFirst,
        );
        expect(Array.from(y.subarray(y.length - d, y.length - d + c.fingerprint.currentLast.length))).toEqual(
          c.fingerprint.currentLast,
        );
        expectRelClose(exactSum(x), c.fingerprint.referenceSum, 1e-15, 'reference sum');
        expectRelClose(exactSum(y), c.fingerprint.currentSum, 1e-15, 'current sum');
      });

      it('centroids and their cosine distance', () => {
        const ref = EmbeddingSummary.create({ dimension: d, sampleSize: 0 });
        ref.add(x, c.referenceRows);
        const cur = EmbeddingSummary.create({ dimension: d, sampleSize: 0 });
        cur.add(Float32Array.from(y), c.currentRows);
        const a = ref.centroid();
        const b = cur.centroid();
        for (let j = 0; j < d; j++) {
          expectRelClose(a[j]!, c.referenceCentroid[j]!, 1e-15, `reference centroid ${j}`);
          expectRelClose(b[j]!, c.currentCentroid[j]!, 1e-15, `current centroid ${j}`);
        }
        expectRelClose(centroidCosineDistance(a, b), c.cosineDistance, REL, 'cosine distance');
        // scipy's 1 - uv/|u||v| agrees to the digits its cancellation leaves (~1e-16 / distance).
        expectRelClose(centroidCosineDistance(a, b), c.scipyCosine, 1e-11, 'scipy cosine');
      });

      it('median-heuristic bandwidth', () => {
        expectRelClose(medianHeuristicBandwidth(asSample(x, d)), c.bandwidth, REL, 'bandwidth');
      });

      it('linear-time MMD², its variance and p-value', () => {
        const r = linearTimeMmd(asSample(x, d), asSample(y, d), c.bandwidth);
        expect(r.pairs).toBe(c.mmd.pairs);
        expectRelClose(r.statistic, c.mmd.statistic, REL, 'statistic');
        expectRelClose(r.variance, c.mmd.variance, REL, 'variance');
        expectRelClose(r.standardError, c.mmd.standardError, REL, 'standard error');
        expectRelClose(r.z, c.mmd.z, REL, 'z');
        expectRelClose(r.pValue, c.mmd.pValue, REL, 'p-value');
        expect(r.bandwidth).toBe(c.bandwidth);
      });

      it('KS on random projections, Bonferroni', () => {
        const r = randomProjectionKs(
          asSample(x, d),
          asSample(y, d),
          c.projectionKs.projections,
          c.projectionKs.seed,
        );
        for (let p = 0; p < r.projections; p++) {
          expectRelClose(r.statistics[p]!, c.projectionKs.statistics[p]!, REL, `D ${p}`);
          expectRelClose(r.pValues[p]!, c.projectionKs.pValues[p]!, 1e-7, `p ${p}`);
        }
        expectRelClose(r.pValue, c.projectionKs.pValue, 1e-7, 'Bonferroni p');
      });
    });
  }
});

describe('power sanity at fixed seeds', () => {
  const byName = new Map(embeddingGolden.cases.map((c) => [c.name, c]));
  for (const d of [8, 64]) {
    it(`d = ${d}: shifted sets give tiny p-values, the unshifted one does not`, () => {
      const p = (name: string) => {
        const c = byName.get(`${name}-d${d}`)!;
        const { x, y } = generateCase(c);
        return linearTimeMmd(asSample(x, d), asSample(y, d), medianHeuristicBandwidth(asSample(x, d))).pValue;
      };
      expect(p('no-shift')).toBeGreaterThan(0.05);
      expect(p('mean-shift')).toBeLessThan(1e-6);
      expect(p('variance-shift')).toBeLessThan(1e-6);
    });
  }

  it('the MMD p-value of unshifted data is roughly uniform over seeds', () => {
    const rng = new SeededRandom(99);
    const d = 8;
    let below = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const x = Float64Array.from({ length: 200 * d }, () => rng.normal());
      const y = Float64Array.from({ length: 200 * d }, () => rng.normal());
      if (
        linearTimeMmd(asSample(x, d), asSample(y, d), medianHeuristicBandwidth(asSample(x, d))).pValue < 0.1
      ) {
        below++;
      }
    }
    // Binomial(200, 0.1): mean 20, sd 4.2; the asymptotic normal p-value is close to calibrated.
    expect(below).toBeGreaterThan(8);
    expect(below).toBeLessThan(34);
  });
});

describe('embeddingDrift over summaries', () => {
  const c = embeddingGolden.cases.find((g) => g.name === 'mean-shift-d64')!;
  const { x, y } = generateCase(c);
  const d = c.dimension;

  function summarize(
    values: Float64Array,
    rows: number,
    firstIndex: number,
    sampleSize = 512,
  ): EmbeddingSummary {
    const s = EmbeddingSummary.create({ dimension: d, sampleSize });
    s.add(values, rows, null, firstIndex);
    return s;
  }

  it('computes the same numbers as the kernels on the summaries’ samples, with conventions', () => {
    const reference = prepareEmbeddingReference(summarize(x, c.referenceRows, 0));
    const current = summarize(y, c.currentRows, 1_000_000);
    const result = embeddingDrift(reference, current, { projections: 5 });
    expect(reference.bandwidth).toBe(medianHeuristicBandwidth(reference.sample));
    expect(result.cosineDistance).toBe(centroidCosineDistance(reference.centroid, current.centroid()));
    expect(result.mmd).toEqual(linearTimeMmd(reference.sample, current.sample(), reference.bandwidth));
    expect(result.projectionKs!.pValue).toBe(
      randomProjectionKs(reference.sample, current.sample(), 5, EMBEDDING_DEFAULT_PROJECTION_SEED).pValue,
    );
    expect(result.mmd!.pValue).toBeLessThan(1e-6);
    expect(result.currentSampleRows).toBe(400);
    expect(result.conventions.mmd).toContain('linear-time MMD^2');
    // The sample is a hash order of the same rows, so the cosine distance is the golden one.
    expectRelClose(result.cosineDistance, c.cosineDistance, REL, 'cosine');
  });

  it('gives no MMD when a side has fewer than 4 sampled rows, and refuses other dimensions', () => {
    const reference = prepareEmbeddingReference(summarize(x, c.referenceRows, 0));
    const result = embeddingDrift(reference, summarize(y, 3, 0));
    expect(result.mmd).toBeNull();
    expect(result.projectionKs).toBeNull();
    expect(Number.isFinite(result.cosineDistance)).toBe(true);
    const other = EmbeddingSummary.create({ dimension: 8 });
    expectStatisticInput(() => embeddingDrift(reference, other));
    expectInvalidOption(() => embeddingDrift(reference, summarize(y, 10, 0), { projections: -1 }));
  });

  it('uses a stored bandwidth when given one', () => {
    const reference = prepareEmbeddingReference(summarize(x, c.referenceRows, 0), { bandwidth: 2.5 });
    expect(reference.bandwidth).toBe(2.5);
    expectInvalidOption(() => prepareEmbeddingReference(summarize(x, 10, 0), { bandwidth: 0 }));
  });
});

describe('calibration on reference chunks', () => {
  it('computes every complete chunk against the whole reference, ready for calibrateLevels', () => {
    const d = 16;
    const rng = new SeededRandom(5);
    const rows = 4100;
    const vectors = Float32Array.from({ length: rows * d }, (_, i) => 0.5 + (i % d) / d + rng.normal());
    const stats = embeddingReferenceChunkStatistics(vectors, rows, d, { chunkSize: 500, sampleSize: 256 });
    expect(stats.chunks).toBe(8);
    expect(stats.mmd.length).toBe(8);
    expect(stats.projectionKsPValue).toBeNull();
    // Chunk 3 by hand, through the same summaries.
    const chunk = EmbeddingSummary.create({ dimension: d, sampleSize: 256 });
    chunk.add(vectors.subarray(1500 * d, 2000 * d), 500, null, 1500);
    const byHand = embeddingDrift(stats.reference, chunk);
    expect(stats.mmd[3]).toBe(byHand.mmd!.statistic);
    expect(stats.cosineDistance[3]).toBe(byHand.cosineDistance);
    expect(stats.mmdPValue[3]).toBe(byHand.mmd!.pValue);
    // Chunks of the reference itself do not look drifted.
    for (const p of stats.mmdPValue) expect(p).toBeGreaterThan(1e-3);
    const levels = calibrateLevels(stats.mmd, { kind: 'calibrated', method: 'std', warning: 2, critical: 3 });
    expect(levels.chunks).toBe(8);
    expect(levels.warning).toBeCloseTo(levels.mean + 2 * levels.std, 15);
    // A shifted window lands above the calibrated cosine level.
    const cosineLevels = calibrateLevels(stats.cosineDistance, {
      kind: 'calibrated',
      method: 'std',
      warning: 2,
      critical: 3,
    });
    const shifted = EmbeddingSummary.create({ dimension: d, sampleSize: 256 });
    shifted.add(
      Float32Array.from({ length: 500 * d }, (_, i) => 0.9 + (i % d) / d + rng.normal()),
      500,
      null,
      10_000_000,
    );
    const live = embeddingDrift(stats.reference, shifted);
    expect(live.cosineDistance).toBeGreaterThan(cosineLevels.critical!);
    expect(live.mmd!.statistic).toBeGreaterThan(levels.critical!);
  });

  it('uses event keys when given, and projections on request', () => {
    const d = 4;
    const rng = new SeededRandom(8);
    const rows = 600;
    const vectors = Float64Array.from({ length: rows * d }, () => 1 + rng.normal());
    const keys = Array.from({ length: rows }, (_, i) => `prediction-${i}`);
    const stats = embeddingReferenceChunkStatistics(vectors, rows, d, {
      chunkSize: 200,
      keys,
      sampleSize: 64,
      projections: 3,
    });
    expect(stats.chunks).toBe(3);
    expect(stats.projectionKsPValue!.length).toBe(3);
    const chunk = EmbeddingSummary.create({ dimension: d, sampleSize: 64 });
    chunk.add(vectors.subarray(200 * d, 400 * d), 200, keys.slice(200, 400));
    expect(stats.mmd[1]).toBe(embeddingDrift(stats.reference, chunk).mmd!.statistic);
    expectInvalidOption(() => embeddingReferenceChunkStatistics(vectors, rows, d, { chunkSize: 0 }));
  });
});

describe('kernels: edge cases', () => {
  it('cosine distance: identical 0, opposite 2, orthogonal 1, zero vector NaN; accurate when nearly parallel', () => {
    expect(centroidCosineDistance(Float64Array.of(1, 2, 3), Float64Array.of(2, 4, 6))).toBe(0);
    expect(centroidCosineDistance(Float64Array.of(1, 0), Float64Array.of(-3, 0))).toBe(2);
    expect(centroidCosineDistance(Float64Array.of(1, 0), Float64Array.of(0, 5))).toBeCloseTo(1, 15);
    expect(centroidCosineDistance(Float64Array.of(0, 0), Float64Array.of(1, 1))).toBeNaN();
    // 1 − cos(θ) for θ = 1e-6: θ²/2 = 5e-13, where 1 − uv/|u||v| has no correct digit left.
    const t = 1e-6;
    const distance = centroidCosineDistance(Float64Array.of(1, 0), Float64Array.of(Math.cos(t), Math.sin(t)));
    expectRelClose(distance, 2 * Math.sin(t / 2) ** 2, 1e-9, 'tiny angle');
    expectStatisticInput(() => centroidCosineDistance(Float64Array.of(1), Float64Array.of(1, 2)));
  });

  it('bandwidth falls back to the positive distances, and refuses a constant reference', () => {
    // Three copies of one vector and one other: 3 zero distances, 3 of length 5 -> median 2.5 (positive).
    const s = asSample(Float64Array.of(0, 0, 0, 0, 0, 0, 3, 4), 2);
    expect(medianHeuristicBandwidth(s)).toBe(2.5);
    // Five copies and one other: 10 zeros, 5 fives -> median 0 -> the positive ones' median 5.
    const t = asSample(Float64Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4), 2);
    expect(medianHeuristicBandwidth(t)).toBe(5);
    expectStatisticInput(() => medianHeuristicBandwidth(asSample(Float64Array.of(1, 1, 1, 1), 2)));
    expectStatisticInput(() => medianHeuristicBandwidth(asSample(Float64Array.of(1, 1), 2)));
    // Only the first maxRows rows count.
    const u = asSample(Float64Array.of(0, 0, 1, 0, 100, 0), 2);
    expect(medianHeuristicBandwidth(u, 2)).toBe(1);
  });

  it('MMD: input checks and the zero-variance p-value', () => {
    const s = asSample(Float64Array.of(1, 2, 3, 4), 1);
    expectStatisticInput(() => linearTimeMmd(s, asSample(Float64Array.of(1, 2, 3), 1), 1));
    expectStatisticInput(() => linearTimeMmd(s, asSample(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8), 2), 1));
    expectStatisticInput(() => linearTimeMmd(s, s, 0));
    // Identical samples: every h_i is 0 -> statistic 0, variance 0, p 1.
    const same = linearTimeMmd(s, s, 1);
    expect(same.statistic).toBe(0);
    expect(same.pValue).toBe(1);
    // Far apart, each side constant: every h_i = 2 exactly -> p 0.
    const far = linearTimeMmd(
      asSample(Float64Array.of(0, 0, 0, 0), 1),
      asSample(Float64Array.of(1e3, 1e3, 1e3, 1e3), 1),
      1,
    );
    expect(far.statistic).toBe(2);
    expect(far.pValue).toBe(0);
  });

  it('projection directions are unit vectors from the SeededRandom stream', () => {
    const dirs = projectionDirections(5, 3, 42);
    const rng = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => rng.normal());
    const norm = Math.sqrt(first.reduce((sum, g) => sum + g * g, 0));
    for (let j = 0; j < 5; j++) expect(dirs[j]).toBe(first[j]! / norm);
    for (let p = 0; p < 3; p++) expect(Math.hypot(...dirs.subarray(p * 5, p * 5 + 5))).toBeCloseTo(1, 14);
    const s = asSample(Float64Array.of(1, 2, 3, 4), 2);
    expectInvalidOption(() => randomProjectionKs(s, s, 0));
    expectInvalidOption(() => randomProjectionKs(s, s, 2, -1));
    expectStatisticInput(() => randomProjectionKs(s, asSample(new Float64Array(0), 2), 2));
  });
});
