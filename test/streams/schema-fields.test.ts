import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import { readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import {
  checkFieldUses,
  checkSchemaFields,
  inferEventTimeField,
  inferFeatures,
  parseAvroSchema,
  schemaFieldError,
  topologyFieldUses,
} from '../../src/streams/schema-fields.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import type { FeatureKind, Topology } from '../../src/topology/topology-types.ts';

const CREDIT_RISK = readShippedSchema('credit-risk-prediction.avsc');

/** A complete topology over `features`, with the credit-risk source fields unless overridden. */
function topology(
  features: readonly { field: string; kind: FeatureKind; name?: string }[],
  source: Partial<Topology['source']> = {},
  segments: string | null = null,
): Topology {
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
      ...source,
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
    features: features.map((f) => ({
      name: f.name ?? f.field.split('.').at(-1)!,
      field: f.field,
      kind: f.kind,
      tests: [{ test: 'psi', thresholds: { kind: 'fixed', warning: null, critical: 0.2 } }],
    })),
    correction: 'none',
    dataQuality: DEFAULT_QUALITY,
    segments:
      segments === null ? null : { field: segments, maxValues: 10, otherLabel: 'other', overall: false },
    alerting: DEFAULT_ALERTING,
    model: null,
    sinks: [],
    outputs: {
      alertTopic: 'a',
      windowStatisticsTopic: null,
      deadLetterTopic: 'd',
      lateEventsTopic: null,
    },
  };
}

/** A record schema with the given top-level fields, plus the source fields every test topology uses. */
function schemaWith(fields: readonly { name: string; type: unknown; default?: unknown }[]): object {
  return {
    type: 'record',
    name: 'Event',
    namespace: 'io.driftwatch.test',
    fields: [
      { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'model_name', type: 'string' },
      { name: 'model_version', type: 'string' },
      ...fields,
    ],
  };
}

const CREDIT_RISK_FEATURES = [
  { field: 'features.amount', kind: 'numeric' },
  { field: 'features.age', kind: 'numeric' },
  { field: 'features.income', kind: 'numeric' },
  { field: 'features.channel', kind: 'categorical' },
  { field: 'features.country', kind: 'categorical' },
] as const;

describe('checkSchemaFields', () => {
  it('accepts the demo topology on the demo schema and describes every field it checked', () => {
    const { checked, problems } = checkSchemaFields(CREDIT_RISK, topology(CREDIT_RISK_FEATURES));
    expect(problems).toEqual([]);
    expect(checked.map((c) => [c.path, c.type])).toEqual([
      ['event_time', 'long (timestamp-millis)'],
      ['model_name', 'string'],
      ['model_version', 'string'],
      ['features.amount', 'double'],
      ['features.age', 'double'],
      ['features.income', '[null, double]'],
      ['features.channel', 'string'],
      ['features.country', 'string'],
    ]);
    expect(checked[5]!.use).toBe('features[2] "income" (numeric)');
  });

  it('names a missing field, the record it looked in, its fields, and the likely intended one', () => {
    const { problems } = checkSchemaFields(
      CREDIT_RISK,
      topology([{ field: 'features.amout', kind: 'numeric', name: 'amount' }]),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'features.amout',
      use: 'features[0] "amount" (numeric)',
      actual: 'no such field',
    });
    expect(problems[0]!.message).toBe(
      'features.amout (features[0] "amount" (numeric)): no field "amout" in record CreditRiskFeatures (at features), ' +
        'which has amount, age, income, channel, country; did you mean "amount"?',
    );
  });

  it('reports a field whose type does not fit its kind with what was expected and what the schema has', () => {
    const { problems } = checkSchemaFields(
      CREDIT_RISK,
      topology([
        { field: 'features.channel', kind: 'numeric' },
        { field: 'features.amount', kind: 'boolean' },
        { field: 'features', kind: 'categorical' },
      ]),
    );
    expect(problems.map((p) => [p.path, p.actual])).toEqual([
      ['features.channel', 'string'],
      ['features.amount', 'double'],
      ['features', 'record CreditRiskFeatures'],
    ]);
    expect(problems[0]!.expected).toBe('int, long, float or double (optionally in a union with null)');
    expect(problems[0]!.message).toBe(
      'features.channel (features[0] "channel" (numeric)): expected int, long, float or double (optionally in a union with null), but the schema has string',
    );
  });

  it('does not walk into a field that is not a record', () => {
    const { problems } = checkSchemaFields(
      CREDIT_RISK,
      topology([{ field: 'features.amount.cents', kind: 'numeric' }]),
    );
    expect(problems[0]!.message).toContain(
      'features.amount is double, not a record, so it has no field "cents"',
    );
  });

  it('checks the model fields, the key and the segment field too', () => {
    const t = topology(
      [{ field: 'features.amount', kind: 'numeric' }],
      { modelNameField: 'modelName', keyField: 'features.age' },
      'prediction',
    );
    expect(topologyFieldUses(t).map((u) => u.use)).toEqual([
      'source.eventTime',
      'source.modelName',
      'source.modelVersion',
      'source.key',
      'segments.field',
      'features[0] "amount" (numeric)',
    ]);
    const { problems } = checkSchemaFields(CREDIT_RISK, t);
    expect(problems.map((p) => `${p.use}: ${p.actual}`)).toEqual([
      'source.modelName: no such field',
      'source.key: double',
      'segments.field: record CreditRiskOutput',
    ]);
    expect(problems[0]!.message).toContain('did you mean "model_name"?');
  });

  it('accepts epoch-millisecond event times and refuses other times with the reason', () => {
    const check = (type: unknown, eventTimeField = 'when') =>
      checkSchemaFields(schemaWith([{ name: 'when', type }]), topology([], { eventTimeField })).problems;
    expect(check('long')).toEqual([]);
    expect(check('int')).toEqual([]);
    expect(check('double')).toEqual([]);
    expect(check({ type: 'long', logicalType: 'timestamp-millis' })).toEqual([]);
    expect(check({ type: 'long', logicalType: 'timestamp-micros' })[0]!.message).toBe(
      'when (source.eventTime): expected epoch milliseconds: long, timestamp-millis, int or double, not nullable, ' +
        'but the schema has long (timestamp-micros): it holds epoch microseconds, the engine reads epoch milliseconds',
    );
    expect(check({ type: 'int', logicalType: 'date' })[0]!.message).toContain('days since the epoch');
    expect(check('string')[0]!.actual).toBe('string');
    expect(check(['null', 'long'])[0]!.message).toContain('could not be placed in a window');
  });

  it('has no event-time use in processing time', () => {
    const t = topology([{ field: 'features.amount', kind: 'numeric' }], {
      timeSemantics: 'processing',
      eventTimeField: null,
    });
    const schema = schemaWith([]) as { fields: { name: string }[] };
    const withoutTime = { ...schema, fields: schema.fields.filter((f) => f.name !== 'event_time') };
    expect(topologyFieldUses(t).map((u) => u.use)).not.toContain('source.eventTime');
    expect(checkSchemaFields(withoutTime, t).problems.map((p) => p.path)).toEqual(['features.amount']);
  });

  it('fits each kind to its Avro types, optional fields included', () => {
    const fields = [
      { name: 'i', type: 'int' },
      { name: 'l', type: ['null', 'long'], default: null },
      { name: 'f', type: 'float' },
      { name: 's', type: 'string' },
      { name: 'e', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] } },
      { name: 'b', type: 'boolean' },
      { name: 'ob', type: ['null', 'boolean'], default: null },
      { name: 'by', type: 'bytes' },
      { name: 'a', type: { type: 'array', items: 'double' } },
      { name: 'two', type: ['int', 'double'] },
      { name: 'nothing', type: ['null'] },
    ];
    const schema = schemaWith(fields);
    const fitting = (kind: FeatureKind) =>
      fields
        .filter((f) => checkSchemaFields(schema, topology([{ field: f.name, kind }])).problems.length === 0)
        .map((f) => f.name);
    expect(fitting('numeric')).toEqual(['i', 'l', 'f']);
    expect(fitting('categorical')).toEqual(['i', 'l', 's', 'e', 'b', 'ob']);
    expect(fitting('boolean')).toEqual(['b', 'ob']);
    const problem = (name: string) =>
      checkSchemaFields(schema, topology([{ field: name, kind: 'numeric' }])).problems[0]!;
    expect(problem('two').message).toContain(
      '[int, double]; a union of several non-null types decodes to a wrapped value',
    );
    expect(problem('nothing').message).toContain('which is always null');
    expect(problem('a').actual).toBe('an array of double');
    expect(problem('e').actual).toBe('enum Colour');
  });

  it('follows named type references, namespaces and optional records', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      namespace: 'io.driftwatch.a',
      fields: [
        { name: 'event_time', type: 'long' },
        { name: 'model_name', type: 'string' },
        { name: 'model_version', type: 'string' },
        {
          name: 'now',
          type: {
            type: 'record',
            name: 'Inputs',
            namespace: 'io.driftwatch.b',
            fields: [
              { name: 'x', type: 'double' },
              { name: 'colour', type: { type: 'enum', name: 'Colour', symbols: ['RED'] } },
            ],
          },
        },
        // A short name resolves in the enclosing namespace (io.driftwatch.a), so the full name is needed here.
        { name: 'before', type: ['null', 'io.driftwatch.b.Inputs'], default: null },
        { name: 'tint', type: 'io.driftwatch.b.Colour' },
      ],
    };
    parseAvroSchema(schema, 'nested.avsc');
    const { checked, problems } = checkSchemaFields(
      schema,
      topology([
        { field: 'now.x', kind: 'numeric', name: 'x' },
        { field: 'before.x', kind: 'numeric', name: 'bx' },
        { field: 'before.colour', kind: 'categorical', name: 'bc' },
        { field: 'tint', kind: 'categorical' },
      ]),
    );
    expect(problems).toEqual([]);
    expect(checked.slice(3).map((c) => c.type)).toEqual([
      'double',
      'double inside an optional record',
      'enum Colour inside an optional record',
      'enum Colour',
    ]);
    // An event time inside an optional record may be missing, so it does not fit.
    const time = checkSchemaFields(schema, topology([], { eventTimeField: 'before.x' })).problems;
    expect(time[0]!.actual).toBe('double inside an optional record');
  });

  it('lists every problem of a topology at once, in one error naming schema and topology', () => {
    const { problems } = checkSchemaFields(
      CREDIT_RISK,
      topology([
        { field: 'features.amout', kind: 'numeric' },
        { field: 'features.channel', kind: 'numeric' },
      ]),
    );
    const error = schemaFieldError(problems, 'v2.avsc', 'credit-risk.yaml');
    expect(error.code).toBe('DW_SCHEMA_FIELD');
    expect(error.message.split('\n')).toEqual([
      'schema v2.avsc does not fit topology credit-risk.yaml (2 problems):',
      `  ${problems[0]!.message}`,
      `  ${problems[1]!.message}`,
    ]);
    expect(error.details.problems).toEqual(problems);
  });
});

describe('parseAvroSchema', () => {
  it('refuses what is not a valid Avro schema, naming the source', () => {
    expect(() =>
      parseAvroSchema({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'decimal' }] }, 'x.avsc'),
    ).toThrowError(
      expect.objectContaining({
        code: 'DW_SCHEMA_INVALID',
        message: expect.stringContaining('x.avsc is not a valid Avro schema'),
      }),
    );
  });

  it('refuses a schema that is not a record', () => {
    expect(() => parseAvroSchema('string', 's.avsc')).toThrowError(
      expect.objectContaining({
        code: 'DW_SCHEMA_INVALID',
        message: "s.avsc: a stream's value schema must be an Avro record, got string",
      }),
    );
  });

  it('returns a valid record schema as it is', () => {
    expect(parseAvroSchema(CREDIT_RISK, 'c.avsc')).toBe(CREDIT_RISK);
  });
});

describe('checkFieldUses', () => {
  it('checks uses on their own, for a topology not written yet', () => {
    const { problems } = checkFieldUses(CREDIT_RISK, [
      { path: 'request_id', use: 'source.key', expects: 'key' },
      { path: 'model', use: 'source.modelName', expects: 'text' },
    ]);
    expect(problems.map((p) => p.path)).toEqual(['model']);
  });
});

describe('inferFeatures', () => {
  it('infers numeric and categorical features through nested records and says what it left out', () => {
    const { features, skipped } = inferFeatures(CREDIT_RISK, {
      event_time: 'source.eventTime',
      model_name: 'source.modelName',
      model_version: 'source.modelVersion',
    });
    expect(features.map((f) => [f.name, f.field, f.kind])).toEqual([
      ['amount', 'features.amount', 'numeric'],
      ['age', 'features.age', 'numeric'],
      ['income', 'features.income', 'numeric'],
      ['channel', 'features.channel', 'categorical'],
      ['country', 'features.country', 'categorical'],
      ['score', 'prediction.score', 'numeric'],
      ['label', 'prediction.label', 'categorical'],
    ]);
    expect(features[2]!.type).toBe('[null, double]');
    expect(skipped).toEqual([
      { field: 'model_name', type: 'string', reason: 'used as source.modelName' },
      { field: 'model_version', type: 'string', reason: 'used as source.modelVersion' },
      {
        field: 'request_id',
        type: 'string',
        reason: 'looks like an identifier; nearly every value is new, so it would always drift',
      },
      { field: 'event_time', type: 'long (timestamp-millis)', reason: 'used as source.eventTime' },
    ]);
  });

  it('infers booleans, skips times and containers, and names same-named fields by their path', () => {
    const schema = {
      type: 'record',
      name: 'E',
      fields: [
        { name: 'created', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'flag', type: ['null', 'boolean'], default: null },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'either', type: ['int', 'string'] },
        { name: 'userId', type: 'string' },
        { name: 'a', type: { type: 'record', name: 'A', fields: [{ name: 'v', type: 'int' }] } },
        { name: 'b', type: ['null', { type: 'record', name: 'B', fields: [{ name: 'v', type: 'float' }] }] },
      ],
    };
    const { features, skipped } = inferFeatures(schema);
    expect(features.map((f) => [f.name, f.kind, f.type])).toEqual([
      ['flag', 'boolean', '[null, boolean]'],
      ['a.v', 'numeric', 'int'],
      ['b.v', 'numeric', 'float inside an optional record'],
    ]);
    expect(skipped.map((s) => `${s.field}: ${s.reason}`)).toEqual([
      'created: a time; its distribution moves with the clock by construction',
      'tags: an array of string is not a scalar a drift test can count',
      'either: not one scalar type, so no drift test fits it',
      'userId: looks like an identifier; nearly every value is new, so it would always drift',
    ]);
  });
});

describe('inferEventTimeField', () => {
  it('picks the only timestamp-millis field, else event_time, else nothing', () => {
    expect(inferEventTimeField(CREDIT_RISK)).toBe('event_time');
    const one = {
      type: 'record',
      name: 'E',
      fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
    };
    expect(inferEventTimeField(one)).toBe('at');
    const two = {
      type: 'record',
      name: 'E',
      fields: [
        { name: 'sent', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'received', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    expect(inferEventTimeField(two)).toBeUndefined();
    expect(
      inferEventTimeField({ ...two, fields: [...two.fields, { name: 'event_time', type: 'long' }] }),
    ).toBe('event_time');
    expect(
      inferEventTimeField({ type: 'record', name: 'E', fields: [{ name: 'event_time', type: 'string' }] }),
    ).toBeUndefined();
  });
});
