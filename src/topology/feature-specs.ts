import type { Baseline } from '../baseline/baseline-types.ts';
import { type FeatureDriftSpec, isSampleTest } from '../core/drift/feature-drift.ts';
import type { ColumnLayout } from '../core/window/event-batch.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import type { DriftTestName, FeatureKind, ThresholdSpec, Topology } from './topology-types.ts';

/** One test of one feature as the topology asks for it, with the baseline's reference-chunk values if it has them. */
export interface TestPlan {
  readonly feature: string;
  readonly featureKind: FeatureKind;
  readonly test: DriftTestName;
  readonly thresholds: ThresholdSpec;
  /** The statistic over the baseline's reference chunks (for calibrated levels), or null when it has none. */
  readonly referenceChunks: readonly number[] | null;
}

/**
 * Joins a topology's features with the baseline: every monitored feature must be in the baseline with a matching
 * kind (boolean features are categorical in a baseline). Returns the worker specs in layout order (numeric features,
 * then categorical and boolean), which is the column order of chunks, and the test plans in the order a worker
 * returns measurements (feature by feature, tests in the order the topology lists them).
 */
export function featureSpecs(
  topology: Topology,
  baseline: Baseline,
  layout: ColumnLayout,
): { specs: FeatureDriftSpec[]; plans: TestPlan[] } {
  const byName = new Map(topology.features.map((f) => [f.name, f]));
  const specs: FeatureDriftSpec[] = [];
  const plans: TestPlan[] = [];
  const invalid = (name: string, message: string) =>
    new DriftwatchError(ErrorCodes.BASELINE_INVALID, message, { feature: name, baseline: baseline.version });
  for (const name of [...layout.numeric, ...layout.categorical]) {
    const feature = byName.get(name)!;
    const reference = baseline.features[name];
    if (reference === undefined) {
      throw invalid(
        name,
        `baseline ${baseline.version} (${topology.baseline.path}) has no feature "${name}" that topology ${topology.name} monitors`,
      );
    }
    const expected = feature.kind === 'numeric' ? 'numeric' : 'categorical';
    if (reference.kind !== expected) {
      throw invalid(
        name,
        `feature "${name}" is ${feature.kind} in topology ${topology.name} but ${reference.kind} in baseline ${baseline.version}`,
      );
    }
    const tests = feature.tests.map((t) => t.test);
    for (const t of feature.tests) {
      const chunks = reference.calibration?.statistics[t.test] ?? null;
      if (t.thresholds.kind === 'calibrated' && (chunks === null || chunks.length === 0)) {
        throw invalid(
          name,
          `feature "${name}" has calibrated ${t.test} levels, but baseline ${baseline.version} has no reference-chunk statistics for ${t.test}: rebuild it with driftwatch baseline build`,
        );
      }
      plans.push({
        feature: name,
        featureKind: feature.kind,
        test: t.test,
        thresholds: t.thresholds,
        referenceChunks: chunks,
      });
    }
    if (reference.kind === 'numeric') {
      const sampled = tests.find(isSampleTest);
      if (sampled !== undefined && reference.summary === undefined) {
        throw invalid(
          name,
          `feature "${name}" is tested with ${sampled}, which needs the reference sample, but baseline ${baseline.version} has none: rebuild it`,
        );
      }
      specs.push({
        name,
        kind: 'numeric',
        tests,
        edges: Float64Array.from(reference.edges),
        referenceCounts: Float64Array.from(reference.counts),
        referenceSummary:
          reference.summary === undefined ? null : new Uint8Array(Buffer.from(reference.summary, 'base64')),
      });
    } else {
      specs.push({
        name,
        kind: 'categorical',
        tests,
        categories: reference.categories,
        referenceCounts: Float64Array.from(reference.counts),
        referenceSummary: null,
      });
    }
  }
  return { specs, plans };
}
