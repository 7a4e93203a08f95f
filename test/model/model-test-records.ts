import type { LabelRecord, PredictionRecord } from '../../src/model/model-records.ts';
import type { MonitorPartContext, StreamWatermarks } from '../../src/model/monitor-part.ts';
import type { ModelSpec } from '../../src/topology/model-spec.ts';
import { modelTestBaseline, modelTestTopology } from './model-test-topology.ts';

/**
 * Record and context builders shared by the model-monitor part tests, over model-test-topology.ts. Each test file
 * wraps predictionRecord() in a builder taking the fields it varies.
 */

/** A live prediction of model `m` version `v1` with every optional field empty; `fields` set the rest. */
export function predictionRecord(
  fields: Partial<PredictionRecord> & Pick<PredictionRecord, 'time' | 'predictionId'>,
): PredictionRecord {
  return {
    partition: 0,
    offset: 0,
    modelName: 'm',
    modelVersion: 'v1',
    role: 'live',
    predictedClass: null,
    score: null,
    latencyMs: null,
    error: null,
    segment: null,
    entity: null,
    online: {},
    embeddings: [],
    features: [],
    ...fields,
  };
}

export function labelRecord(predictionId: string, time: number, label: string | number): LabelRecord {
  return { time, partition: 0, offset: 0, predictionId, label };
}

/** A part's context: the model-test topology with `overrides` in its model section, and `baseline`. */
export function partContext(
  overrides: Partial<ModelSpec> = {},
  baseline = modelTestBaseline(),
): MonitorPartContext {
  const topology = modelTestTopology(overrides);
  return { topology, spec: topology.model!, baseline };
}

/** Stream watermarks; a stream not given has delivered nothing yet. */
export function watermarks(
  predictions: number,
  labels = Number.NEGATIVE_INFINITY,
  offline = Number.NEGATIVE_INFINITY,
): StreamWatermarks {
  return { predictions, labels, offline };
}
