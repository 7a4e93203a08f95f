import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import {
  checkSchemaFields,
  modelFieldUses,
  parseAvroSchema,
  topologyFieldUses,
} from '../../src/streams/schema-fields.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import type {
  ErrorsSpec,
  LatencySpec,
  ModelSpec,
  SkewFeatureSpec,
  SkewSpec,
} from '../../src/topology/model-spec.ts';
import type { Topology } from '../../src/topology/topology-types.ts';
import { modelSpec } from '../baseline/model-baseline-topology.ts';

/** A topology without features whose model section reads only `request_id`, plus `overrides`. */
function withModel(overrides: Partial<ModelSpec> = {}): Topology {
  return {
    name: 'test',
    file: 'test.yaml',
    source: {
      topic: 't',
      subject: 't-value',
      keyField: null,
      timeSemantics: 'event',
      eventTimeField: 'event_time',
      modelNameField: 'model_name',
      modelVersionField: 'model_version',
    },
    baseline: { path: 'b.json', topic: null, name: 'test', previousPeriod: false },
    window: {
      type: 'tumbling',
      sizeMs: 60_000,
      graceMs: 0,
      outOfOrdernessMs: 0,
      idleTimeoutMs: 30_000,
      quietCloseMs: 0,
      late: { policy: 'drop', retentionMs: 0 },
    },
    features: [],
    correction: 'none',
    dataQuality: DEFAULT_QUALITY,
    segments: null,
    alerting: DEFAULT_ALERTING,
    sinks: [],
    model: modelSpec({
      fields: {
        predictionIdField: 'request_id',
        classField: null,
        scoreField: null,
        positiveClass: null,
        roleField: null,
      },
      labels: null,
      embeddings: [],
      ...overrides,
    }),
    outputs: { alertTopic: 'a', windowStatisticsTopic: null, deadLetterTopic: 'd', lateEventsTopic: null },
  };
}

const latency = (field: string): LatencySpec => ({
  field,
  quantile: 0.95,
  warningMs: 100,
  criticalMs: 200,
  minCount: 20,
  relativeAccuracy: 0.01,
});

const errors = (field: string, segmentField: string | null = null): ErrorsSpec => ({
  field,
  segmentField,
  ratePoints: { warning: 1, critical: 5 },
  spreadPoints: { warning: 1, critical: 3 },
  minRows: 20,
});

const skew = (onlineKeyField: string, features: readonly SkewFeatureSpec[] = []): SkewSpec => ({
  topic: 'offline',
  subject: 'offline-value',
  onlineKeyField,
  offlineKeyField: 'offline_only.key',
  offlineTimeField: 'offline_only.time',
  features,
  absTolerance: 1e-8,
  relTolerance: 1e-5,
  bucketMs: 60_000,
  mismatchRate: { warning: 0.01, critical: 0.05 },
  maxExamples: 10,
  maxPending: 1000,
});

const skewFeature = (onlineField: string, kind: 'numeric' | 'categorical'): SkewFeatureSpec => ({
  name: 'f',
  onlineField,
  offlineField: 'offline_only.f',
  kind,
});

const embedding = (field: string, name = 'query') => ({
  name,
  field,
  dimension: 4,
  test: 'mmd' as const,
  thresholds: { kind: 'fixed' as const, warning: 0.05, critical: 0.01 },
  projections: 16,
});

/** One field of each type a rule may accept or refuse, by name. */
const CANDIDATES = [
  { name: 'i', type: 'int' },
  { name: 'l', type: ['null', 'long'], default: null },
  { name: 'f', type: 'float' },
  { name: 'd', type: 'double' },
  { name: 's', type: 'string' },
  { name: 'ns', type: ['null', 'string'], default: null },
  { name: 'e', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] } },
  { name: 're', type: { type: 'enum', name: 'Role', symbols: ['live', 'shadow'] } },
  { name: 'rx', type: { type: 'enum', name: 'Stage', symbols: ['live', 'primary', 'backup'] } },
  { name: 'b', type: 'boolean' },
  { name: 'ob', type: ['null', 'boolean'], default: null },
  { name: 'by', type: 'bytes' },
  { name: 'af', type: { type: 'array', items: 'float' } },
  { name: 'ad', type: { type: 'array', items: 'double' } },
  { name: 'nad', type: ['null', { type: 'array', items: 'double' }], default: null },
  { name: 'ai', type: { type: 'array', items: 'int' } },
  { name: 'and', type: { type: 'array', items: ['null', 'double'] } },
  { name: 'm', type: { type: 'map', values: 'double' } },
  { name: 'two', type: ['int', 'string'] },
];

const SCHEMA = {
  type: 'record',
  name: 'Prediction',
  namespace: 'io.driftwatch.test',
  fields: [
    { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'model_name', type: 'string' },
    { name: 'model_version', type: 'string' },
    { name: 'request_id', type: 'string' },
    ...CANDIDATES,
  ],
};

const problems = (overrides: Partial<ModelSpec>) => checkSchemaFields(SCHEMA, withModel(overrides)).problems;

/** The candidates a use fits, `place` putting the candidate's name into the model section. */
function fitting(place: (field: string) => Partial<ModelSpec>): string[] {
  return CANDIDATES.filter((c) => problems(place(c.name)).length === 0).map((c) => c.name);
}

const ids = (predictionIdField: string): Partial<ModelSpec> => ({
  fields: { predictionIdField, classField: null, scoreField: null, positiveClass: null, roleField: null },
});
const fields = (f: Partial<ModelSpec['fields']>): Partial<ModelSpec> => ({
  fields: { ...withModel().model!.fields, ...f },
});

describe('the model section of a topology against the prediction schema', () => {
  it('lists the prediction-side fields, named by their place in the topology, after the drift uses', () => {
    const t = withModel({
      fields: {
        predictionIdField: 'request_id',
        classField: 'prediction.decision',
        scoreField: 'prediction.score',
        positiveClass: 'decline',
        roleField: 'role',
      },
      latency: latency('latency_ms'),
      errors: errors('error', 'region'),
      skew: skew('customer_id', [
        skewFeature('amount', 'numeric'),
        { ...skewFeature('country', 'categorical'), name: 'c' },
      ]),
      embeddings: [embedding('request.embedding'), embedding('doc', 'document')],
      labels: modelSpec().labels,
    });
    expect(topologyFieldUses(t).map((u) => `${u.use} = ${u.path}`)).toEqual([
      'source.eventTime = event_time',
      'source.modelName = model_name',
      'source.modelVersion = model_version',
      'model.fields.predictionIdField = request_id',
      'model.fields.classField = prediction.decision',
      'model.fields.scoreField = prediction.score',
      'model.fields.roleField = role',
      'model.latency.field = latency_ms',
      'model.errors.field = error',
      'model.errors.segmentField = region',
      'model.skew.onlineKeyField = customer_id',
      'model.skew.features[0].onlineField "f" (numeric) = amount',
      'model.skew.features[1].onlineField "c" (categorical) = country',
      'model.embeddings[0].field "query" = request.embedding',
      'model.embeddings[1].field "document" = doc',
    ]);
    // Labels and offline features are other topics' fields: none of their paths is a use here.
    const paths = modelFieldUses(t.model!).map((u) => u.path);
    for (const other of ['label', 'label_time', 'offline_only.key', 'offline_only.time', 'offline_only.f']) {
      expect(paths).not.toContain(other);
    }
  });

  it('accepts a fitting model section and describes what it checked', () => {
    expect(parseAvroSchema(SCHEMA, 'prediction.avsc')).toBe(SCHEMA);
    const schema = {
      ...SCHEMA,
      fields: [
        ...SCHEMA.fields,
        {
          name: 'prediction',
          type: {
            type: 'record',
            name: 'Output',
            fields: [
              { name: 'decision', type: { type: 'enum', name: 'Decision', symbols: ['approve', 'decline'] } },
              { name: 'score', type: 'double' },
            ],
          },
        },
      ],
    };
    const t = withModel({
      fields: {
        predictionIdField: 'request_id',
        classField: 'prediction.decision',
        scoreField: 'prediction.score',
        positiveClass: 'decline',
        roleField: 're',
      },
      latency: latency('i'),
      errors: errors('ob', 'e'),
      skew: skew('l', [skewFeature('d', 'numeric'), skewFeature('ns', 'categorical')]),
      embeddings: [embedding('af'), embedding('nad', 'n')],
    });
    const { checked, problems } = checkSchemaFields(schema, t);
    expect(problems).toEqual([]);
    expect(checked.slice(3).map((c) => `${c.path}: ${c.type}`)).toEqual([
      'request_id: string',
      'prediction.decision: enum Decision',
      'prediction.score: double',
      're: enum Role',
      'i: int',
      'ob: [null, boolean]',
      'e: enum Colour',
      'l: [null, long]',
      'd: double',
      'ns: [null, string]',
      'af: an array of float',
      'nad: [null, an array of double]',
    ]);
  });

  it('fits the prediction id to a non-nullable string, int or long', () => {
    expect(fitting(ids)).toEqual(['i', 's']);
    expect(problems(ids('l'))[0]!.message).toBe(
      'l (model.fields.predictionIdField): expected string, int or long, not nullable, but the schema has ' +
        '[null, long]: a prediction without an id is dead-lettered',
    );
  });

  it('fits the class to string, enum, boolean, int or long', () => {
    expect(fitting((f) => fields({ classField: f }))).toEqual([
      'i',
      'l',
      's',
      'ns',
      'e',
      're',
      'rx',
      'b',
      'ob',
    ]);
    expect(problems(fields({ classField: 'd' }))[0]!.expected).toBe(
      'string, enum, boolean, int or long (optionally in a union with null)',
    );
  });

  it('fits the score to a number', () => {
    expect(fitting((f) => fields({ scoreField: f }))).toEqual(['i', 'l', 'f', 'd']);
    expect(problems(fields({ scoreField: 's' }))[0]!.use).toBe('model.fields.scoreField');
  });

  it('fits the role to a non-nullable string, or an enum whose symbols are all roles', () => {
    expect(fitting((f) => fields({ roleField: f }))).toEqual(['s', 're']);
    expect(problems(fields({ roleField: 'rx' }))[0]!.message).toBe(
      'rx (model.fields.roleField): expected string or enum (symbols among live, shadow, canary), not nullable, ' +
        'but the schema has enum Stage with symbols live, primary, backup; primary, backup are not among live, shadow, canary',
    );
    expect(problems(fields({ roleField: 'e' }))[0]!.message).toContain(
      'RED, GREEN are not among live, shadow, canary',
    );
    expect(problems(fields({ roleField: 'ns' }))[0]!.message).toContain(
      'the schema has [null, string]: a prediction without a role is dead-lettered',
    );
  });

  it('fits the latency to a number', () => {
    expect(fitting((f) => ({ latency: latency(f) }))).toEqual(['i', 'l', 'f', 'd']);
    expect(problems({ latency: latency('s') })[0]!.message).toBe(
      's (model.latency.field): expected int, long, float or double (optionally in a union with null), but the schema has string',
    );
  });

  it('fits the error flag to boolean or string, and its segment like a segment', () => {
    expect(fitting((f) => ({ errors: errors(f) }))).toEqual(['s', 'ns', 'b', 'ob']);
    expect(fitting((f) => ({ errors: errors('b', f) }))).toEqual([
      'i',
      'l',
      's',
      'ns',
      'e',
      're',
      'rx',
      'b',
      'ob',
    ]);
    expect(problems({ errors: errors('b', 'd') })[0]!.use).toBe('model.errors.segmentField');
    expect(problems({ errors: errors('i') })[0]!.expected).toBe(
      'boolean or string (optionally in a union with null)',
    );
  });

  it('fits the online key to string, int or long, and each online skew value to its kind', () => {
    expect(fitting((f) => ({ skew: skew(f) }))).toEqual(['i', 'l', 's', 'ns']);
    expect(fitting((f) => ({ skew: skew('s', [skewFeature(f, 'numeric')]) }))).toEqual(['i', 'l', 'f', 'd']);
    expect(fitting((f) => ({ skew: skew('s', [skewFeature(f, 'categorical')]) }))).toEqual([
      's',
      'ns',
      'e',
      're',
      'rx',
      'b',
      'ob',
    ]);
    const [problem] = problems({
      skew: skew('s', [skewFeature('d', 'numeric'), skewFeature('i', 'categorical')]),
    });
    expect(problem!.message).toBe(
      'i (model.skew.features[1].onlineField "f" (categorical)): expected string, enum or boolean (optionally in a union with null), but the schema has int',
    );
  });

  it('fits an embedding to an array of float or double, optionally nullable, whose items are not', () => {
    expect(fitting((f) => ({ embeddings: [embedding(f)] }))).toEqual(['af', 'ad', 'nad']);
    const refused = (f: string) => problems({ embeddings: [embedding(f)] })[0]!;
    expect(refused('ai').message).toBe(
      'ai (model.embeddings[0].field "query"): expected array of float or double (items not nullable) ' +
        '(optionally in a union with null), but the schema has an array of int',
    );
    expect(refused('and').actual).toBe('an array of [null, double]');
    expect(refused('d').actual).toBe('double');
    expect(refused('m').actual).toBe('a map');
  });

  it('lists every problem of the model section with the others, missing fields named with their use', () => {
    const t = withModel({
      fields: { ...withModel().model!.fields, predictionIdField: 'requestId', scoreField: 's' },
      latency: latency('latency'),
      embeddings: [embedding('ad'), embedding('two', 'second')],
    });
    const found = checkSchemaFields(SCHEMA, t).problems;
    expect(found.map((p) => `${p.use}: ${p.actual}`)).toEqual([
      'model.fields.predictionIdField: no such field',
      'model.fields.scoreField: string',
      'model.latency.field: no such field',
      'model.embeddings[1].field "second": [int, string]',
    ]);
    expect(found[0]!.message).toContain('did you mean "request_id"?');
  });

  it('checks nothing more for a topology without a model section', () => {
    const t = { ...withModel(), model: null };
    expect(topologyFieldUses(t).map((u) => u.use)).toEqual([
      'source.eventTime',
      'source.modelName',
      'source.modelVersion',
    ]);
  });
});
