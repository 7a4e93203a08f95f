import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/time/clock.ts';
import { ModelEventExtractor } from '../../src/model/model-event-extractor.ts';
import type { LabelRecord, OfflineFeatureRecord, PredictionRecord } from '../../src/model/model-records.ts';
import type { ModelSpec } from '../../src/topology/model-spec.ts';
import { MODEL_TEST_SPEC, modelTestTopology } from './model-test-topology.ts';

const FULL: Partial<ModelSpec> = {
  latency: {
    field: 'latency_ms',
    quantile: 0.95,
    warningMs: 100,
    criticalMs: 200,
    minCount: 20,
    relativeAccuracy: 0.01,
  },
  errors: {
    field: 'error',
    segmentField: 'region',
    ratePoints: { warning: 1, critical: 5 },
    spreadPoints: { warning: 1, critical: 3 },
    minRows: 100,
  },
  skew: {
    topic: 'offline.model-test',
    subject: 'offline.model-test-value',
    onlineKeyField: 'entity_id',
    offlineKeyField: 'key',
    offlineTimeField: 'computed_at',
    features: [
      { name: 'amount', onlineField: 'features.amount', offlineField: 'amount', kind: 'numeric' },
      { name: 'country', onlineField: 'features.country', offlineField: 'country', kind: 'categorical' },
    ],
    absTolerance: 1e-8,
    relTolerance: 1e-5,
    bucketMs: 60_000,
    mismatchRate: { warning: 0.01, critical: 0.05 },
    maxExamples: 10,
    maxPending: 1_000,
  },
  embeddings: [
    {
      name: 'text',
      field: 'embedding',
      dimension: 3,
      test: 'mmd',
      thresholds: { kind: 'fixed', warning: 0.05, critical: 0.01 },
      projections: 16,
    },
  ],
};

function event(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_time: 1_700_000_000_000,
    prediction_id: 'req-1',
    model_name: 'fraud',
    model_version: '2.1',
    role: 'shadow',
    predicted_class: '1',
    score: 0.75,
    latency_ms: 12.5,
    error: 'TIMEOUT',
    region: 'eu',
    entity_id: 42,
    features: { amount: 10.5, country: 'FR' },
    embedding: [0.1, 0.2, 0.3],
    ...extra,
  };
}

describe('ModelEventExtractor: predictions', () => {
  const extractor = new ModelEventExtractor(modelTestTopology(FULL), new ManualClock(5));

  it('extracts every field of a prediction event', () => {
    const r = extractor.prediction(event(), 3, 99) as PredictionRecord;
    expect(typeof r).toBe('object');
    expect(r).toMatchObject({
      time: 1_700_000_000_000,
      partition: 3,
      offset: 99,
      predictionId: 'req-1',
      modelName: 'fraud',
      modelVersion: '2.1',
      role: 'shadow',
      predictedClass: '1',
      score: 0.75,
      latencyMs: 12.5,
      error: true,
      segment: 'eu',
      entity: '42',
      online: { amount: 10.5, country: 'FR' },
    });
    expect(Array.from(r.embeddings[0]!)).toEqual([0.1, 0.2, 0.3]);
  });

  it('reads Avro longs decoded as bigint or Date, and missing optional fields as null', () => {
    const r = extractor.prediction(
      event({
        event_time: 1_700_000_000_123n,
        latency_ms: undefined,
        error: undefined,
        entity_id: undefined,
        embedding: null,
        features: undefined,
      }),
      0,
      0,
    ) as PredictionRecord;
    expect(r.time).toBe(1_700_000_000_123);
    expect(r.latencyMs).toBeNull();
    expect(r.error).toBeNull();
    expect(r.entity).toBeNull();
    expect(r.embeddings).toEqual([null]);
    expect(r.online).toEqual({ amount: undefined, country: undefined });
    const d = extractor.prediction(event({ event_time: new Date(1_000) }), 0, 0) as PredictionRecord;
    expect(d.time).toBe(1_000);
  });

  it('reads the error flag: true or a code is an error; false, null and the empty string are not', () => {
    const flag = (error: unknown) => (extractor.prediction(event({ error }), 0, 0) as PredictionRecord).error;
    expect(flag(true)).toBe(true);
    expect(flag('E42')).toBe(true);
    expect(flag(false)).toBe(false);
    expect(flag(null)).toBe(false);
    expect(flag('')).toBe(false);
  });

  it.each([
    ['a missing event time', { event_time: undefined }, /event time field event_time is missing/],
    ['a non-finite event time', { event_time: Number.NaN }, /event time field event_time/],
    ['a missing prediction id', { prediction_id: undefined }, /prediction id field prediction_id is missing/],
    ['a blank prediction id', { prediction_id: '  ' }, /prediction id field prediction_id .*non-blank/],
    [
      'an unknown role',
      { role: 'primary' },
      /role field role is a string \("primary"\), expected one of live, shadow, canary/,
    ],
    ['a non-finite score', { score: Number.POSITIVE_INFINITY }, /score field score .*finite number/],
    ['a string score', { score: '0.5' }, /score field score is a string/],
    ['a negative latency', { latency_ms: -1 }, /latency field latency_ms .*>= 0/],
    ['a string latency', { latency_ms: 'fast' }, /latency field latency_ms is a string/],
    ['an error flag of another type', { error: 3 }, /error field error is a number/],
    [
      'an embedding of the wrong dimension',
      { embedding: [1, 2] },
      /embedding field embedding is an array of 2 values, expected an array of 3/,
    ],
    [
      'an embedding with a non-number',
      { embedding: [1, 'x', 3] },
      /embedding field embedding .*finite numbers/,
    ],
    ['an embedding that is not an array', { embedding: 'v' }, /embedding field embedding is a string/],
    ['a class of an object type', { predicted_class: { a: 1 } }, /class field predicted_class is an object/],
  ])('refuses %s with a reason', (_what, extra, reason) => {
    const r = extractor.prediction(event(extra), 0, 0);
    expect(typeof r).toBe('string');
    expect(r).toMatch(reason);
  });

  it('stamps predictions with the clock in processing time, and every prediction is live without a role field', () => {
    const base = modelTestTopology({ fields: { ...MODEL_TEST_SPEC.fields, roleField: null } });
    const topology = {
      ...base,
      source: { ...base.source, timeSemantics: 'processing' as const, eventTimeField: null },
    };
    const r = new ModelEventExtractor(topology, new ManualClock(777)).prediction(
      event({ event_time: undefined, role: 'bogus' }),
      0,
      0,
    ) as PredictionRecord;
    expect(r.time).toBe(777);
    expect(r.role).toBe('live');
  });
});

describe('ModelEventExtractor: labels and offline features', () => {
  const extractor = new ModelEventExtractor(modelTestTopology(FULL), new ManualClock(0));

  it('extracts a label, reading a classifier label as a string', () => {
    const r = extractor.label({ prediction_id: 'req-1', label: 1, label_time: 5_000n }, 2, 7) as LabelRecord;
    expect(r).toEqual({ time: 5_000, partition: 2, offset: 7, predictionId: 'req-1', label: '1' });
  });

  it('reads a regression label as a number', () => {
    const regression = new ModelEventExtractor(modelTestTopology({ task: 'regression' }), new ManualClock(0));
    const r = regression.label({ prediction_id: 'a', label: 12.5, label_time: 1 }, 0, 0) as LabelRecord;
    expect(r.label).toBe(12.5);
    expect(regression.label({ prediction_id: 'a', label: 'x', label_time: 1 }, 0, 0)).toMatch(
      /label field label is a string \("x"\), expected a finite number/,
    );
  });

  it.each([
    [
      'a missing prediction id',
      { label: '1', label_time: 1 },
      /label prediction id field prediction_id is missing/,
    ],
    ['a missing label', { prediction_id: 'a', label_time: 1 }, /label field label is missing/],
    ['a null label', { prediction_id: 'a', label: null, label_time: 1 }, /label field label is null/],
    ['a missing label time', { prediction_id: 'a', label: '1' }, /label time field label_time is missing/],
    [
      'a string label time',
      { prediction_id: 'a', label: '1', label_time: 'now' },
      /label time field label_time is a string/,
    ],
  ])('refuses a label with %s', (_what, value, reason) => {
    expect(extractor.label(value, 0, 0)).toMatch(reason);
  });

  it('extracts offline feature values by skew feature name', () => {
    const r = extractor.offline(
      { key: 'e1', computed_at: 9_000, amount: 10.5, country: null },
      1,
      4,
    ) as OfflineFeatureRecord;
    expect(r).toEqual({
      time: 9_000,
      partition: 1,
      offset: 4,
      entity: 'e1',
      values: { amount: 10.5, country: null },
    });
  });

  it.each([
    ['a missing key', { computed_at: 1 }, /offline key field key is missing/],
    ['a missing time', { key: 'e' }, /offline time field computed_at is missing/],
    [
      'a feature of an object type',
      { key: 'e', computed_at: 1, amount: { x: 1 } },
      /offline feature field amount is an object/,
    ],
  ])('refuses an offline event with %s', (_what, value, reason) => {
    expect(extractor.offline(value, 0, 0)).toMatch(reason);
  });

  it('says why when the topology has no labels or skew section', () => {
    const bare = new ModelEventExtractor(modelTestTopology({ labels: null }), new ManualClock(0));
    expect(bare.label({ prediction_id: 'a', label: '1', label_time: 1 }, 0, 0)).toBe(
      'the topology has no labels section',
    );
    expect(bare.offline({ key: 'e', computed_at: 1 }, 0, 0)).toBe('the topology has no skew section');
  });
});

describe('ModelEventExtractor: topology features for new-version skew', () => {
  const NEW_VERSIONS: Partial<ModelSpec> = {
    newVersions: { windows: 3, baselines: { v2: '/virtual/v2.json' } },
  };
  const featured = (overrides: Partial<ModelSpec>) => ({
    ...modelTestTopology(overrides),
    features: [
      { name: 'amount', field: 'features.amount', kind: 'numeric' as const, tests: [] },
      { name: 'country', field: 'features.country', kind: 'categorical' as const, tests: [] },
      { name: 'vip', field: 'features.vip', kind: 'boolean' as const, tests: [] },
    ],
  });
  const deadLetter = (overrides: Partial<ModelSpec>) => {
    const topology = featured(overrides);
    return { ...topology, dataQuality: { ...topology.dataQuality, onTypeMismatch: 'dead-letter' as const } };
  };
  const extractor = new ModelEventExtractor(deadLetter(NEW_VERSIONS), new ManualClock(5));

  it('reads them in topology order as the feature engine does: numbers, strings, "true" / "false", null', () => {
    const read = (features: Record<string, unknown>) =>
      (extractor.prediction(event({ features }), 0, 0) as PredictionRecord).features;
    expect(read({ amount: 10.5, country: 'FR', vip: true })).toEqual([10.5, 'FR', 'true']);
    expect(read({ amount: 0, country: 7, vip: 'false' })).toEqual([0, '7', 'false']);
    expect(read({ country: false, vip: null })).toEqual([null, 'false', null]);
  });

  it('counts a value of the wrong type as missing under onTypeMismatch: count, as the feature engine does', () => {
    const counting = new ModelEventExtractor(featured(NEW_VERSIONS), new ManualClock(5));
    const r = counting.prediction(event({ features: { amount: '10', country: 'FR', vip: 'yes' } }), 0, 0);
    expect((r as PredictionRecord).features).toEqual([null, 'FR', null]);
  });

  it('gives the feature engine reason for a value of the wrong type under onTypeMismatch: dead-letter', () => {
    expect(extractor.prediction(event({ features: { amount: '10' } }), 0, 0)).toBe(
      'numeric feature field features.amount is a string ("10")',
    );
    expect(extractor.prediction(event({ features: { vip: 'yes' } }), 0, 0)).toBe(
      'boolean feature field features.vip is a string ("yes")',
    );
    expect(extractor.prediction(event({ features: { country: { a: 1 } } }), 0, 0)).toMatch(
      /^categorical feature field features\.country is /,
    );
  });

  it('reads none without newVersions, and then ignores their types', () => {
    const plain = new ModelEventExtractor(featured({}), new ManualClock(5));
    const r = plain.prediction(event({ features: { amount: 'not a number' } }), 0, 0) as PredictionRecord;
    expect(r.features).toEqual([]);
  });
});
