import { ipcToChunkView } from '../arrow/window-chunk-ipc.ts';
import {
  bucketCountFor,
  evaluateFeature,
  type FeatureDriftSpec,
  type FeatureStatistic,
} from '../core/drift/feature-drift.ts';
import { buildCodeToBucket, countCategorical } from '../core/stats/categorical-buckets.ts';
import { countNumeric } from '../core/stats/numeric-buckets.ts';

/**
 * A unit of work for a drift worker: count one window chunk (an Arrow IPC record batch) into the baseline's bucket
 * layouts, add partial counts already computed for the window's earlier chunks, and, on the window's last task,
 * test every feature. Counts are the mergeable state: adding them is associative and commutative.
 */
export interface DriftTask {
  /** Identifies the baseline and monitor, so a worker can cache per-baseline lookups between tasks. */
  readonly cacheKey: string;
  readonly features: readonly FeatureDriftSpec[];
  /** Arrow IPC stream bytes of one chunk, or null when only partial counts are merged. */
  readonly ipc: Uint8Array | null;
  /** Per-feature partial counts to add, in `features` order. */
  readonly partials: readonly (readonly Float64Array[])[];
  readonly finalize: boolean;
}

export interface DriftTaskResult {
  /** Per-feature counts: this chunk plus the partials. */
  readonly counts: Float64Array[];
  readonly statistics: FeatureStatistic[] | null;
}

const categoryIndexCache = new Map<string, Map<string, number>>();

function categoryIndex(
  cacheKey: string,
  spec: FeatureDriftSpec & { kind: 'categorical' },
): Map<string, number> {
  const key = `${cacheKey}\u0000${spec.name}`;
  let index = categoryIndexCache.get(key);
  if (index === undefined) {
    index = new Map(spec.categories.map((c, i) => [c, i]));
    if (categoryIndexCache.size > 1024) categoryIndexCache.clear();
    categoryIndexCache.set(key, index);
  }
  return index;
}

export function runDriftTask(task: DriftTask): DriftTaskResult {
  const counts = task.features.map((spec) => new Float64Array(bucketCountFor(spec)));
  if (task.ipc !== null) {
    const view = ipcToChunkView(task.ipc);
    task.features.forEach((spec, f) => {
      const out = counts[f]!;
      if (spec.kind === 'numeric') {
        const column = view.numeric.get(spec.name);
        if (column === undefined) throw new Error(`chunk has no numeric column ${spec.name}`);
        countNumeric(column.values, column.validity, column.length, spec.edges, out);
      } else {
        const column = view.categorical.get(spec.name);
        if (column === undefined) throw new Error(`chunk has no categorical column ${spec.name}`);
        const codeToBucket = buildCodeToBucket(column.dictionary, categoryIndex(task.cacheKey, spec));
        countCategorical(column.codes, column.validity, column.length, codeToBucket, out);
      }
    });
  }
  for (const partial of task.partials) {
    partial.forEach((p, f) => {
      const out = counts[f]!;
      if (p.length !== out.length)
        throw new Error(`partial counts of ${task.features[f]!.name} have another layout`);
      for (let i = 0; i < p.length; i++) out[i]! += p[i]!;
    });
  }
  const statistics = task.finalize ? task.features.map((spec, f) => evaluateFeature(spec, counts[f]!)) : null;
  return { counts, statistics };
}
