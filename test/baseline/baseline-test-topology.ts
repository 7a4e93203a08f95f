import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import type { FeatureKind, FeatureSpec, Topology, WindowSpec } from '../../src/topology/topology-types.ts';

/** Tests a feature kind gets in these topologies (any allowed test would do: baselines store them all). */
const TESTS: Record<FeatureKind, FeatureSpec['tests']> = {
  numeric: [{ test: 'psi', thresholds: { kind: 'fixed', warning: 0.1, critical: 0.2 } }],
  categorical: [{ test: 'js', thresholds: { kind: 'fixed', warning: 0.1, critical: 0.2 } }],
  boolean: [{ test: 'chi2', thresholds: { kind: 'fixed', warning: 0.01, critical: 0.001 } }],
};

export const ONE_MINUTE_TUMBLING: WindowSpec = {
  type: 'tumbling',
  sizeMs: 60_000,
  graceMs: 0,
  outOfOrdernessMs: 5_000,
  idleTimeoutMs: 30_000,
  quietCloseMs: 0,
  late: { policy: 'drop', retentionMs: 0 },
};

/** A normalised topology (as the loader returns it) over `features` ([name, field, kind]). */
export function baselineTestTopology(
  features: readonly (readonly [string, string, FeatureKind])[],
  overrides: { topic?: string; eventTimeField?: string | null; window?: WindowSpec } = {},
): Topology {
  const eventTimeField = overrides.eventTimeField === undefined ? 'event_time' : overrides.eventTimeField;
  return {
    name: 'baseline-test',
    file: '/virtual/baseline-test.yaml',
    source: {
      topic: overrides.topic ?? 'predictions.baseline-test',
      subject: `${overrides.topic ?? 'predictions.baseline-test'}-value`,
      keyField: null,
      timeSemantics: eventTimeField === null ? 'processing' : 'event',
      eventTimeField,
      modelNameField: 'model_name',
      modelVersionField: 'model_version',
    },
    baseline: {
      path: '/virtual/baseline-test.baseline.json',
      topic: null,
      name: 'baseline-test',
      previousPeriod: false,
    },
    window: overrides.window ?? ONE_MINUTE_TUMBLING,
    features: features.map(([name, field, kind]) => ({ name, field, kind, tests: TESTS[kind] })),
    correction: 'none',
    dataQuality: DEFAULT_QUALITY,
    segments: null,
    alerting: DEFAULT_ALERTING,
    model: null,
    sinks: [],
    outputs: {
      alertTopic: 'driftwatch.alerts',
      windowStatisticsTopic: null,
      deadLetterTopic: 'driftwatch.dead-letter',
      lateEventsTopic: null,
    },
  };
}
