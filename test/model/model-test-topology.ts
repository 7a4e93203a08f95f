import { BASELINE_FORMAT, type Baseline } from '../../src/baseline/baseline-types.ts';
import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import type { ModelSpec } from '../../src/topology/model-spec.ts';
import type { Topology, WindowSpec } from '../../src/topology/topology-types.ts';

/**
 * Shared fixture of the model-monitor tests: a normalised topology (as the loader returns it) whose `model` section is
 * a binary classifier with labels and a role field, every default resolved as load-topology resolves it. Tests
 * override whole sections (`skew`, `latency`, `errors`, `embeddings`, `performance`...) through `overrides`.
 *
 * Event times are epoch ms in `event_time`; model windows are 1 minute; the label lookback is 2 minutes so windows
 * close after a few minutes of event time.
 */

export const MODEL_TEST_WINDOW: WindowSpec = {
  type: 'tumbling',
  sizeMs: 60_000,
  graceMs: 0,
  outOfOrdernessMs: 0,
  idleTimeoutMs: 30_000,
  quietCloseMs: 0,
  late: { policy: 'drop', retentionMs: 0 },
};

export const MODEL_TEST_SPEC: ModelSpec = {
  task: 'binary',
  windowMs: 60_000,
  graceMs: 0,
  fields: {
    predictionIdField: 'prediction_id',
    classField: 'predicted_class',
    scoreField: 'score',
    positiveClass: '1',
    roleField: 'role',
  },
  labels: {
    topic: 'labels.model-test',
    subject: 'labels.model-test-value',
    predictionIdField: 'prediction_id',
    labelField: 'label',
    labelTimeField: 'label_time',
    lookbackMs: 120_000,
    clockSkewMs: 0,
    maxPending: 1_000_000,
  },
  performance: {
    metrics: ['accuracy', 'f1'],
    reference: {},
    warning: 0.02,
    critical: 0.05,
    minRows: 100,
  },
  conceptDrift: [],
  skew: null,
  shadow: {
    maxSkewMs: 60_000,
    minPairs: 100,
    agreement: { warning: 0.95, critical: 0.9 },
    scoreDistance: { warning: 0.1, critical: 0.2 },
    metricDrop: { warning: 0.02, critical: 0.05 },
    rollbackOn: 'critical',
  },
  latency: null,
  errors: null,
  embeddings: [],
  newVersions: null,
  outputs: {
    alertTopic: 'driftwatch.model-alerts',
    rollbackTopic: 'driftwatch.rollback-recommendations',
    statisticsTopic: null,
  },
};

/** The model-test topology; `overrides` replace whole fields of the model section. */
export function modelTestTopology(overrides: Partial<ModelSpec> = {}): Topology {
  return {
    name: 'model-test',
    file: '/virtual/model-test.yaml',
    source: {
      topic: 'predictions.model-test',
      subject: 'predictions.model-test-value',
      keyField: 'entity_id',
      timeSemantics: 'event',
      eventTimeField: 'event_time',
      modelNameField: 'model_name',
      modelVersionField: 'model_version',
    },
    baseline: {
      path: '/virtual/model-test.baseline.json',
      topic: null,
      name: 'model-test',
      previousPeriod: false,
    },
    window: MODEL_TEST_WINDOW,
    features: [],
    correction: 'none',
    dataQuality: DEFAULT_QUALITY,
    segments: null,
    outputs: {
      alertTopic: 'driftwatch.alerts',
      windowStatisticsTopic: null,
      deadLetterTopic: 'driftwatch.dead-letter',
      lateEventsTopic: null,
    },
    alerting: DEFAULT_ALERTING,
    sinks: [],
    model: { ...MODEL_TEST_SPEC, ...overrides },
  };
}

/** A baseline with no features and the model's reference performance (accuracy 0.9, f1 0.8); `extra` replaces fields. */
export function modelTestBaseline(extra: Partial<Baseline> = {}): Baseline {
  return {
    format: BASELINE_FORMAT,
    name: 'model-test',
    version: 'model-test@000000000000',
    createdAt: '2024-01-01T00:00:00.000Z',
    source: { description: 'model-test fixture', fingerprint: `sha256:${'0'.repeat(64)}`, rows: 1000 },
    features: {},
    performance: { task: 'binary', rows: 1000, metrics: { accuracy: 0.9, f1: 0.8 } },
    ...extra,
  };
}
