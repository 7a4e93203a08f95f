import { ipcToChunkView } from '../arrow/window-chunk-ipc.ts';
import {
  bucketCountFor,
  type FeatureDriftSpec,
  type FeatureState,
  isSampleTest,
  type Measurement,
  measureTest,
  needsSample,
} from '../core/drift/feature-drift.ts';
import { buildCodeToBucket, countCategorical } from '../core/stats/categorical-buckets.ts';
import { countNumeric } from '../core/stats/numeric-buckets.ts';
import { NumericSummary } from '../core/summary/numeric-summary.ts';

/**
 * A unit of work for a drift worker: summarise one window chunk (an Arrow IPC record batch) into mergeable partial
 * state, add the partial states already computed for the window's earlier chunks, and, on the window's last task,
 * measure every test of every feature against the baseline (and, when given, against the previous window).
 *
 * The mergeable state of a feature is its bucket counts in the baseline's layout (adding them is associative and
 * commutative) and, for features tested on samples (ks, wasserstein_norm), a serialized NumericSummary (exact below
 * its limit, a KLL sketch above). Both cross threads, and later processes, as plain bytes.
 */
export interface FeaturePartial {
  readonly counts: Float64Array;
  /** NumericSummary.serialize() of the values, or null when the feature's test needs no sample. */
  readonly summary: Uint8Array | null;
}

export interface DriftTask {
  /** Identifies the baseline and monitor, so a worker can cache per-baseline lookups between tasks. */
  readonly cacheKey: string;
  readonly features: readonly FeatureDriftSpec[];
  /** Arrow IPC stream bytes of one chunk, or null when only partial states are merged. */
  readonly ipc: Uint8Array | null;
  /** Partial states to add: one array per earlier task, each with one entry per feature in `features` order. */
  readonly partials: readonly (readonly FeaturePartial[])[];
  readonly finalize: boolean;
  /** On finalize: the previous window's merged state, to measure against as a second reference; null for none. */
  readonly previous?: readonly FeaturePartial[] | null;
}

export interface WindowMeasurements {
  /** Every test of every feature against the baseline, features in `features` order, tests in spec order. */
  readonly baseline: Measurement[];
  /** The same against the previous window, or null when no previous state was given. */
  readonly previous: Measurement[] | null;
}

export interface DriftTaskResult {
  /** Per-feature state: this chunk plus the partials. */
  readonly partials: FeaturePartial[];
  readonly measurements: WindowMeasurements | null;
}

const categoryIndexCache = new Map<string, Map<string, number>>();
const referenceSummaryCache = new Map<string, NumericSummary>();
/** One edges array per baseline feature and worker, so countNumeric's lookup grid (cached per array) is built once. */
const edgesCache = new Map<string, Float64Array>();

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size > 1024) cache.clear();
    cache.set(key, value);
  }
  return value;
}

export function runDriftTask(task: DriftTask): DriftTaskResult {
  const counts = task.features.map((spec) => new Float64Array(bucketCountFor(spec)));
  const summaries = task.features.map((spec) => (needsSample(spec) ? NumericSummary.create() : null));
  if (task.ipc !== null) {
    const view = ipcToChunkView(task.ipc);
    task.features.forEach((spec, f) => {
      const out = counts[f]!;
      if (spec.kind === 'numeric') {
        const column = view.numeric.get(spec.name);
        if (column === undefined) throw new Error(`chunk has no numeric column ${spec.name}`);
        const edges = cached(edgesCache, `${task.cacheKey}\u0000${spec.name}`, () => spec.edges);
        countNumeric(column.values, column.validity, column.length, edges, out);
        summaries[f]?.add(column.values, column.validity, column.length);
      } else {
        const column = view.categorical.get(spec.name);
        if (column === undefined) throw new Error(`chunk has no categorical column ${spec.name}`);
        const index = cached(
          categoryIndexCache,
          `${task.cacheKey}\u0000${spec.name}`,
          () => new Map(spec.categories.map((c, i) => [c, i])),
        );
        countCategorical(
          column.codes,
          column.validity,
          column.length,
          buildCodeToBucket(column.dictionary, index),
          out,
        );
      }
    });
  }
  for (const partial of task.partials) {
    partial.forEach((p, f) => {
      const out = counts[f]!;
      if (p.counts.length !== out.length) {
        throw new Error(`partial counts of ${task.features[f]!.name} have another layout`);
      }
      for (let i = 0; i < out.length; i++) out[i]! += p.counts[i]!;
      const summary = summaries[f];
      if (summary !== null && summary !== undefined) {
        if (p.summary === null)
          throw new Error(`partial state of ${task.features[f]!.name} lacks its sample summary`);
        summary.mergeFrom(NumericSummary.deserialize(p.summary));
      }
    });
  }
  const measurements = task.finalize ? measureAll(task, counts, summaries) : null;
  return {
    partials: counts.map((c, f) => ({ counts: c, summary: summaries[f]?.serialize() ?? null })),
    measurements,
  };
}

function measureAll(
  task: DriftTask,
  counts: readonly Float64Array[],
  summaries: readonly (NumericSummary | null)[],
): WindowMeasurements {
  const baseline: Measurement[] = [];
  const previous: Measurement[] | null = task.previous ? [] : null;
  task.features.forEach((spec, f) => {
    const current: FeatureState = { counts: counts[f]!, summary: summaries[f] ?? null };
    let referenceSummary: NumericSummary | null = null;
    if (spec.kind === 'numeric' && spec.tests.some(isSampleTest)) {
      const bytes = spec.referenceSummary;
      if (bytes === null) throw new Error(`${spec.name}: the baseline has no sample summary`);
      referenceSummary = cached(referenceSummaryCache, `${task.cacheKey}\u0000${spec.name}`, () =>
        NumericSummary.deserialize(bytes),
      );
    }
    const reference: FeatureState = { counts: spec.referenceCounts, summary: referenceSummary };
    const before = task.previous?.[f];
    const prior: FeatureState | null =
      before === undefined
        ? null
        : {
            counts: before.counts,
            summary: before.summary === null ? null : NumericSummary.deserialize(before.summary),
          };
    for (const test of spec.tests) {
      baseline.push(measureTest(test, spec, reference, current));
      if (previous !== null && prior !== null) previous.push(measureTest(test, spec, prior, current));
    }
  });
  return { baseline, previous };
}
