import type { Baseline } from '../baseline/baseline-types.ts';
import type { FeatureDriftSpec } from '../core/drift/feature-drift.ts';
import type { ColumnLayout } from '../core/window/event-batch.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import type { Topology } from './topology-types.ts';

/**
 * Joins a topology's features with the baseline: every monitored feature must be in the baseline with the same kind.
 * Returns the specs in layout order (numeric features, then categorical), which is the column order of chunks.
 */
export function featureSpecs(
  topology: Topology,
  baseline: Baseline,
  layout: ColumnLayout,
): FeatureDriftSpec[] {
  const byName = new Map(topology.features.map((f) => [f.name, f]));
  const specs: FeatureDriftSpec[] = [];
  for (const name of [...layout.numeric, ...layout.categorical]) {
    const feature = byName.get(name)!;
    const reference = baseline.features[name];
    if (reference === undefined) {
      throw new DriftwatchError(
        ErrorCodes.BASELINE_INVALID,
        `baseline ${baseline.version} (${topology.baselinePath}) has no feature "${name}" that topology ${topology.name} monitors`,
        { feature: name, baseline: baseline.version },
      );
    }
    if (reference.kind !== feature.kind) {
      throw new DriftwatchError(
        ErrorCodes.BASELINE_INVALID,
        `feature "${name}" is ${feature.kind} in topology ${topology.name} but ${reference.kind} in baseline ${baseline.version}`,
        { feature: name, baseline: baseline.version },
      );
    }
    if (reference.kind === 'numeric') {
      if (feature.test !== 'psi' && feature.test !== 'ks' && feature.test !== 'wasserstein_norm') {
        throw new Error(`unreachable: numeric test ${feature.test}`);
      }
      if (feature.test !== 'psi' && reference.summary === undefined) {
        throw new DriftwatchError(
          ErrorCodes.BASELINE_INVALID,
          `feature "${name}" is tested with ${feature.test}, which needs the reference sample, but baseline ${baseline.version} has none: rebuild it`,
          { feature: name, baseline: baseline.version },
        );
      }
      specs.push({
        name,
        kind: 'numeric',
        test: feature.test,
        threshold: feature.threshold,
        edges: Float64Array.from(reference.edges),
        referenceCounts: Float64Array.from(reference.counts),
        referenceSummary:
          reference.summary === undefined ? null : new Uint8Array(Buffer.from(reference.summary, 'base64')),
      });
    } else {
      if (feature.test !== 'js' && feature.test !== 'chi2') {
        throw new Error(`unreachable: categorical test ${feature.test}`);
      }
      specs.push({
        name,
        kind: 'categorical',
        test: feature.test,
        threshold: feature.threshold,
        categories: reference.categories,
        referenceCounts: Float64Array.from(reference.counts),
      });
    }
  }
  return specs;
}
