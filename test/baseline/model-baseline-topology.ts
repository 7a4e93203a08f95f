import type { ModelSpec } from '../../src/topology/model-spec.ts';
import type { Topology } from '../../src/topology/topology-types.ts';
import { MODEL_TEST_SPEC } from '../model/model-test-topology.ts';
import { baselineTestTopology } from './baseline-test-topology.ts';

/**
 * A normalised model section (as the topology loader will return it) over the columns of
 * test/fixtures/baseline-model/training.csv: a binary classifier (label, decision, score of "decline") with one
 * 4-dimensional embedding. Fields are dotted paths whose last segment names the column, as in real events. The
 * sections this fixture does not name (task, window, shadow, outputs...) are those of the model-monitor tests'
 * MODEL_TEST_SPEC.
 */
export function modelSpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    ...MODEL_TEST_SPEC,
    fields: {
      predictionIdField: 'request_id',
      classField: 'prediction.decision',
      scoreField: 'prediction.score',
      positiveClass: 'decline',
      roleField: null,
    },
    labels: {
      topic: 'labels.baseline-test',
      subject: 'labels.baseline-test-value',
      predictionIdField: 'request_id',
      labelField: 'label',
      labelTimeField: 'label_time',
      lookbackMs: 7 * 86_400_000,
      clockSkewMs: 0,
      maxPending: 1_000_000,
    },
    performance: {
      ...MODEL_TEST_SPEC.performance,
      metrics: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'],
    },
    embeddings: [
      {
        name: 'query',
        field: 'request.embedding',
        dimension: 4,
        test: 'mmd',
        thresholds: { kind: 'fixed', warning: 0.05, critical: 0.01 },
        projections: 8,
      },
    ],
    ...overrides,
  };
}

/** The training file's features (amount, country; event time event_time) with `model`. */
export function modelBaselineTopology(model: ModelSpec = modelSpec()): Topology {
  return {
    ...baselineTestTopology([
      ['amount', 'features.amount', 'numeric'],
      ['country', 'features.country', 'categorical'],
    ]),
    model,
  };
}
