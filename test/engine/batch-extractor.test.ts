import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/time/clock.ts';
import { BatchExtractor } from '../../src/engine/batch-extractor.ts';
import type { FeatureSpec, Topology } from '../../src/topology/topology-types.ts';
import { CREDIT_RISK_TOPOLOGY, generateEvents } from '../support/credit-risk-fixture.ts';

function event(overrides: { features?: Record<string, unknown>; [key: string]: unknown } = {}) {
  const { features, ...rest } = overrides;
  return {
    model_name: 'credit-risk',
    model_version: '1.4.0',
    request_id: 'r-1',
    event_time: 1_767_225_600_000,
    features: { amount: 1000, age: 40, income: 50_000, channel: 'web', country: 'DE', ...features },
    prediction: { score: 0.1, label: 'approve' },
    ...rest,
  };
}

/** A feature read from `field` (default: its name), tested with its kind's default test. */
function feature(name: string, kind: FeatureSpec['kind'], field = name): FeatureSpec {
  const test = kind === 'numeric' ? 'psi' : 'js';
  return { name, field, kind, tests: [{ test, thresholds: { kind: 'fixed', warning: 0.1, critical: 0.2 } }] };
}

/** `topology` with the data-quality policy for wrong-typed feature values set to `policy`. */
function onTypeMismatch(topology: Topology, policy: 'count' | 'dead-letter'): Topology {
  return { ...topology, dataQuality: { ...topology.dataQuality, onTypeMismatch: policy } };
}

describe('BatchExtractor', () => {
  const extractor = new BatchExtractor(CREDIT_RISK_TOPOLOGY);
  const deadLetter = new BatchExtractor(onTypeMismatch(CREDIT_RISK_TOPOLOGY, 'dead-letter'));

  it('lays out numeric features first, then categorical, in topology order', () => {
    expect(extractor.layout).toEqual({
      numeric: ['amount', 'age', 'income'],
      categorical: ['channel', 'country'],
    });
  });

  it('extracts generated events column by column', () => {
    const events = generateEvents(5, 50, Date.UTC(2026, 0, 1));
    const offsets = events.map((_, i) => 1000 + i);
    const { batch, rejected } = extractor.extract(3, events, offsets);
    expect(rejected).toEqual([]);
    expect(batch.partition).toBe(3);
    expect(batch.length).toBe(50);
    expect([...batch.offsets]).toEqual(offsets);
    expect([...batch.eventTimes]).toEqual(events.map((e) => e.event_time));
    expect([...batch.numeric[0]!]).toEqual(events.map((e) => e.features.amount));
    expect([...batch.numeric[1]!]).toEqual(events.map((e) => e.features.age));
    expect([...batch.numericValid[2]!]).toEqual(events.map((e) => (e.features.income === null ? 0 : 1)));
    expect(batch.categorical[0]).toEqual(events.map((e) => e.features.channel));
    expect(batch.categorical[1]).toEqual(events.map((e) => e.features.country));
    expect(batch.modelNames).toEqual(events.map(() => 'credit-risk'));
    expect(batch.modelVersions).toEqual(events.map(() => '1.4.0'));
  });

  it('turns null and missing features into missing values, not rejections', () => {
    const records = [
      event({ features: { income: null, channel: null } }),
      event({ features: { amount: undefined, country: undefined } }),
      event({ features: { amount: Number.NaN } }),
    ];
    const { batch, rejected } = extractor.extract(0, records, [0, 1, 2]);
    expect(rejected).toEqual([]);
    expect(batch.length).toBe(3);
    expect(batch.numericValid[2]![0]).toBe(0);
    expect(Number.isNaN(batch.numeric[2]![0]!)).toBe(true);
    expect(batch.categorical[0]![0]).toBeNull();
    expect(batch.numericValid[0]![1]).toBe(0);
    expect(batch.categorical[1]![1]).toBeNull();
    // NaN is a value (valid), counted as missing later by the kernels.
    expect(batch.numericValid[0]![2]).toBe(1);
    expect(Number.isNaN(batch.numeric[0]![2]!)).toBe(true);
  });

  it('stringifies booleans and numbers of categorical features', () => {
    const { batch, rejected } = extractor.extract(
      0,
      [event({ features: { channel: true, country: 49 } })],
      [0],
    );
    expect(rejected).toEqual([]);
    expect(batch.categorical[0]).toEqual(['true']);
    expect(batch.categorical[1]).toEqual(['49']);
  });

  it('under onTypeMismatch count (the default), keeps a wrong-typed value as missing and flags it', () => {
    const records = [
      event({ request_id: 'ok-0' }),
      event({ features: { amount: '1200' } }),
      event({ features: { age: { years: 40 }, income: null } }),
      event({ features: { channel: ['web'], country: 7 } }),
      event({ features: { amount: 5, age: true } }),
    ];
    const { batch, rejected } = extractor.extract(0, records, [10, 11, 12, 13, 14]);
    expect(rejected).toEqual([]);
    expect(batch.length).toBe(5);
    expect([...batch.offsets.subarray(0, 5)]).toEqual([10, 11, 12, 13, 14]);
    // Wrong-typed numeric values are missing (validity 0, NaN), like the null income; the rest of the row counts.
    expect([...batch.numericValid[0]!.subarray(0, 5)]).toEqual([1, 0, 1, 1, 1]);
    expect([...batch.numeric[0]!.subarray(0, 5)]).toEqual([1000, Number.NaN, 1000, 1000, 5]);
    expect([...batch.numericValid[1]!.subarray(0, 5)]).toEqual([1, 1, 0, 1, 0]);
    expect([...batch.numericValid[2]!.subarray(0, 5)]).toEqual([1, 1, 0, 1, 1]);
    expect(batch.categorical[0]!.slice(0, 5)).toEqual(['web', 'web', 'web', null, 'web']);
    // A number is a valid category (read as a string), so only the array is a mismatch.
    expect(batch.categorical[1]!.slice(0, 5)).toEqual(['DE', 'DE', 'DE', '7', 'DE']);
    // Flags per feature in layout order (amount, age, income, channel, country); a null is not a mismatch.
    expect(batch.typeMismatches!.map((column) => [...column.subarray(0, 5)])).toEqual([
      [0, 1, 0, 0, 0],
      [0, 0, 1, 0, 1],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('carries no mismatch flags for a batch without wrong-typed values', () => {
    const { batch } = extractor.extract(0, [event(), event({ features: { amount: null } })], [0, 1]);
    expect(batch.typeMismatches).toBeNull();
  });

  it('still rejects a wrong-typed event time under count: the event cannot be placed', () => {
    const { batch, rejected } = extractor.extract(
      0,
      [event({ event_time: '2026-01-01', features: { amount: 'x' } }), event({ features: { age: 'y' } })],
      [0, 1],
    );
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, 'event time field event_time is a string ("2026-01-01"), expected epoch milliseconds'],
    ]);
    expect(batch.length).toBe(1);
    // The kept row took slot 0; only its own mismatch (age) is flagged there.
    expect(batch.typeMismatches!.map((column) => column[0])).toEqual([0, 1, 0, 0, 0]);
  });

  it('under onTypeMismatch dead-letter, rejects wrong types with a reason naming the field, keeping the other rows packed', () => {
    const records = [
      event({ request_id: 'ok-0' }),
      event({ features: { amount: '1200' } }),
      event({ features: { age: { years: 40 } } }),
      event({ features: { channel: ['web'] } }),
      event({ event_time: 1_767_225_601_000 }),
    ];
    const { batch, rejected } = deadLetter.extract(0, records, [10, 11, 12, 13, 14]);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(rejected.every((r) => r.code === 'DW_EVENT_INVALID')).toBe(true);
    expect(rejected[0]!.reason).toBe('numeric feature field features.amount is a string ("1200")');
    expect(rejected[1]!.reason).toBe('numeric feature field features.age is an object');
    expect(rejected[2]!.reason).toBe('categorical feature field features.channel is an object');
    expect(batch.length).toBe(2);
    expect([...batch.offsets.subarray(0, 2)]).toEqual([10, 14]);
    expect([...batch.eventTimes.subarray(0, 2)]).toEqual([1_767_225_600_000, 1_767_225_601_000]);
    // A rejected row's partial writes are overwritten by the next accepted row.
    expect([...batch.numericValid[0]!.subarray(0, 2)]).toEqual([1, 1]);
    expect([...batch.numeric[1]!.subarray(0, 2)]).toEqual([40, 40]);
    expect(batch.categorical[0]!.slice(0, 2)).toEqual(['web', 'web']);
    expect(batch.typeMismatches).toBeNull();
  });

  it('rejects a missing, null or non-numeric event time, naming the field', () => {
    const records = [
      event({ event_time: undefined }),
      event({ event_time: null }),
      event({ event_time: '2026-01-01T00:00:00Z' }),
      event({ event_time: Number.POSITIVE_INFINITY }),
      event({ event_time: Number.NaN }),
    ];
    const { batch, rejected } = extractor.extract(0, records, [0, 1, 2, 3, 4]);
    expect(batch.length).toBe(0);
    expect(rejected.map((r) => r.reason)).toEqual([
      'event time field event_time is missing, expected epoch milliseconds',
      'event time field event_time is null, expected epoch milliseconds',
      'event time field event_time is a string ("2026-01-01T00:00:00Z"), expected epoch milliseconds',
      'event time field event_time is a number (Infinity), expected epoch milliseconds',
      'event time field event_time is a number (NaN), expected epoch milliseconds',
    ]);
  });

  it('rejects a record that is not an object', () => {
    const { batch, rejected } = extractor.extract(0, [null, 42, 'x'], [0, 1, 2]);
    expect(batch.length).toBe(0);
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('reads nested event-time and model fields named by the topology', () => {
    const topology: Topology = {
      ...CREDIT_RISK_TOPOLOGY,
      source: {
        ...CREDIT_RISK_TOPOLOGY.source,
        eventTimeField: 'meta.header.ts',
        modelNameField: 'meta.model',
        modelVersionField: 'meta.version',
      },
      features: [feature('x', 'numeric')],
    };
    const nested = new BatchExtractor(topology);
    const { batch, rejected } = nested.extract(
      1,
      [
        { meta: { header: { ts: 5 }, model: 'm', version: 'v2' }, x: 1 },
        { meta: { header: {}, model: 'm' }, x: 2 },
        { meta: { header: { ts: 6 } }, x: 3 },
      ],
      [7, 8, 9],
    );
    expect(rejected.map((r) => r.reason)).toEqual([
      'event time field meta.header.ts is missing, expected epoch milliseconds',
    ]);
    expect([...batch.eventTimes.subarray(0, 2)]).toEqual([5, 6]);
    expect(batch.modelNames.slice(0, 2)).toEqual(['m', '']);
    expect(batch.modelVersions.slice(0, 2)).toEqual(['v2', '']);
  });

  it('records no segments when the topology has none', () => {
    const { batch } = extractor.extract(0, [event()], [0]);
    expect(batch.segments).toBeNull();
  });
});

describe('BatchExtractor: boolean features', () => {
  const topology: Topology = {
    ...CREDIT_RISK_TOPOLOGY,
    features: [
      feature('flag', 'boolean', 'features.flag'),
      feature('amount', 'numeric', 'features.amount'),
      feature('channel', 'categorical', 'features.channel'),
    ],
  };
  const extractor = new BatchExtractor(topology);

  it('counts boolean features with the categorical ones, in topology order', () => {
    expect(extractor.layout).toEqual({ numeric: ['amount'], categorical: ['flag', 'channel'] });
  });

  it('reads true and false, as booleans or as the strings "true" and "false"', () => {
    const records = [
      event({ features: { flag: true } }),
      event({ features: { flag: false } }),
      event({ features: { flag: 'true' } }),
      event({ features: { flag: 'false' } }),
      event({ features: { flag: null } }),
      event({ features: {} }),
    ];
    const { batch, rejected } = extractor.extract(0, records, [0, 1, 2, 3, 4, 5]);
    expect(rejected).toEqual([]);
    expect(batch.categorical[0]).toEqual(['true', 'false', 'true', 'false', null, null]);
  });

  it('counts any other value as a type mismatch under count, where a categorical feature would stringify it', () => {
    const records = [
      event({ features: { flag: 1 } }),
      event({ features: { flag: 'yes' } }),
      event({ features: { flag: 'TRUE' } }),
      event({ features: { flag: { value: true } } }),
      event({ features: { flag: false, channel: 1 } }),
    ];
    const { batch, rejected } = extractor.extract(0, records, [0, 1, 2, 3, 4]);
    expect(rejected).toEqual([]);
    expect(batch.categorical[0]).toEqual([null, null, null, null, 'false']);
    expect(batch.categorical[1]).toEqual(['web', 'web', 'web', 'web', '1']);
    // Layout: amount, flag, channel.
    expect(batch.typeMismatches!.map((column) => [...column])).toEqual([
      [0, 0, 0, 0, 0],
      [1, 1, 1, 1, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('rejects any other value under dead-letter, naming the field', () => {
    const records = [
      event({ features: { flag: 1 } }),
      event({ features: { flag: 'yes' } }),
      event({ features: { flag: 'TRUE' } }),
      event({ features: { flag: { value: true } } }),
      event({ features: { flag: false, channel: 1 } }),
    ];
    const { batch, rejected } = new BatchExtractor(onTypeMismatch(topology, 'dead-letter')).extract(
      0,
      records,
      [0, 1, 2, 3, 4],
    );
    expect(rejected.map((r) => [r.index, r.reason])).toEqual([
      [0, 'boolean feature field features.flag is a number (1)'],
      [1, 'boolean feature field features.flag is a string ("yes")'],
      [2, 'boolean feature field features.flag is a string ("TRUE")'],
      [3, 'boolean feature field features.flag is an object'],
    ]);
    expect(rejected.every((r) => r.code === 'DW_EVENT_INVALID')).toBe(true);
    expect(batch.length).toBe(1);
    expect(batch.categorical[0]!.slice(0, 1)).toEqual(['false']);
    expect(batch.categorical[1]!.slice(0, 1)).toEqual(['1']);
  });
});

describe('BatchExtractor: segments', () => {
  const topology: Topology = {
    ...CREDIT_RISK_TOPOLOGY,
    segments: { field: 'meta.region', maxValues: 20, otherLabel: 'other', overall: true },
  };
  const extractor = new BatchExtractor(topology);

  it("reads each row's segment field as a string, null when missing", () => {
    const records = [
      event({ meta: { region: 'eu' } }),
      event({ meta: { region: 'us' } }),
      event({ meta: { region: 7 } }),
      event({ meta: { region: true } }),
      event({ meta: { region: null } }),
      event({ meta: {} }),
      event(),
      event({ meta: { region: { zone: 'a' } } }),
    ];
    const { batch, rejected } = extractor.extract(
      0,
      records,
      records.map((_, i) => i),
    );
    expect(rejected).toEqual([]);
    expect(batch.segments).toEqual(['eu', 'us', '7', 'true', null, null, null, '{"zone":"a"}']);
  });

  it('keeps segments aligned with the accepted rows', () => {
    const records = [
      event({ meta: { region: 'eu' } }),
      event({ meta: { region: 'us' }, features: { amount: 'x' } }),
      event({ meta: { region: 'apac' } }),
    ];
    const { batch, rejected } = new BatchExtractor(onTypeMismatch(topology, 'dead-letter')).extract(
      0,
      records,
      [0, 1, 2],
    );
    expect(rejected.map((r) => r.index)).toEqual([1]);
    expect(batch.length).toBe(2);
    expect(batch.segments!.slice(0, 2)).toEqual(['eu', 'apac']);
    const counted = extractor.extract(0, records, [0, 1, 2]);
    expect(counted.rejected).toEqual([]);
    expect(counted.batch.segments).toEqual(['eu', 'us', 'apac']);
  });
});

describe('BatchExtractor: processing time', () => {
  const topology: Topology = {
    ...CREDIT_RISK_TOPOLOGY,
    source: { ...CREDIT_RISK_TOPOLOGY.source, timeSemantics: 'processing', eventTimeField: null },
  };

  it('stamps each row with the clock when it is pushed, whatever the record says', () => {
    const clock = new ManualClock(1_767_225_600_000);
    const extractor = new BatchExtractor(onTypeMismatch(topology, 'dead-letter'), clock);
    const builder = extractor.begin(4);
    expect(builder.push(event({ event_time: undefined }), 10)).toBeNull();
    expect(builder.push(event({ event_time: 5 }), 11)).toBeNull();
    clock.advance(1_500);
    expect(builder.push(event({ event_time: 'not a time' }), 12)).toBeNull();
    clock.advance(1);
    expect(builder.push(event({ features: { amount: 'x' } }), 13)).toBe(
      'numeric feature field features.amount is a string ("x")',
    );
    const batch = builder.finish(2);
    expect(batch.length).toBe(3);
    expect([...batch.offsets.subarray(0, 3)]).toEqual([10, 11, 12]);
    expect([...batch.eventTimes.subarray(0, 3)]).toEqual([
      1_767_225_600_000, 1_767_225_600_000, 1_767_225_601_500,
    ]);
  });

  it('reads the clock on extract too', () => {
    const clock = new ManualClock(42_000);
    const { batch, rejected } = new BatchExtractor(topology, clock).extract(
      0,
      [event({ event_time: null }), event()],
      [0, 1],
    );
    expect(rejected).toEqual([]);
    expect([...batch.eventTimes.subarray(0, 2)]).toEqual([42_000, 42_000]);
  });
});
