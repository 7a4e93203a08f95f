import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BASELINE_MAX_MESSAGE_BYTES,
  BASELINE_VERSION_HEADER,
  publishBaseline,
  readLatestBaseline,
} from '../../src/baseline/baseline-topic.ts';
import { buildBaseline } from '../../src/baseline/build-baseline.ts';
import { fileReferenceRows } from '../../src/baseline/file-reference.ts';
import { loadBaseline } from '../../src/baseline/load-baseline.ts';
import { planChunks } from '../../src/baseline/reference-chunks.ts';
import { readTopicReference } from '../../src/baseline/topic-reference.ts';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import { type CreditRiskEvent, CreditRiskEventGenerator } from '../../src/demo/credit-risk-events.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { readDataFile } from '../../src/io/read-data-file.ts';
import { readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';
import { trainingBaseline } from '../support/credit-risk-fixture.ts';
import { brokers, readTopic, registryUrl, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { baselineTestTopology } from './baseline-test-topology.ts';

const { ConfigResourceTypes } = kafkajs;
const BIN = fileURLToPath(new URL('../../bin/driftwatch.js', import.meta.url));
const MINUTE = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'dw-baseline-topic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CREDIT_RISK_FEATURES = [
  ['amount', 'features.amount', 'numeric'],
  ['age', 'features.age', 'numeric'],
  ['income', 'features.income', 'numeric'],
  ['channel', 'features.channel', 'categorical'],
  ['country', 'features.country', 'categorical'],
] as const;

describe('baselines on a compacted topic', () => {
  it('publishes versions under a name and reads back the latest one', async () => {
    const kafka = testKafka();
    const topic = uniqueName('it.baselines');
    const first = trainingBaseline(1, 2_000);
    const second = trainingBaseline(2, 2_000);
    const other = trainingBaseline(3, 2_000);
    expect(second.version).not.toBe(first.version);

    expect(await readLatestBaseline(kafka, topic, 'credit-risk')).toBeUndefined(); // no topic yet
    await publishBaseline(kafka, topic, first, 'credit-risk');
    const published = await publishBaseline(kafka, topic, second, 'credit-risk');
    await publishBaseline(kafka, topic, other, 'another-model');
    expect(published).toEqual({ topic, partition: 0, offset: '1' });

    expect(await readLatestBaseline(kafka, topic, 'credit-risk')).toEqual(second);
    expect(await readLatestBaseline(kafka, topic, 'another-model')).toEqual(other);
    expect(await readLatestBaseline(kafka, topic, 'nobody')).toBeUndefined();

    // Keyed by name, with the version in a header; the topic is compacted and takes large baselines.
    const messages = await readTopic(topic, 3);
    expect(messages.map((m) => m.key?.toString())).toEqual(['credit-risk', 'credit-risk', 'another-model']);
    expect(messages.map((m) => m.headers[BASELINE_VERSION_HEADER]?.toString())).toEqual([
      first.version,
      second.version,
      other.version,
    ]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ['cleanup.policy', 'max.message.bytes'],
          },
        ],
      });
      const configs = Object.fromEntries(
        resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
      );
      expect(configs).toEqual({
        'cleanup.policy': 'compact',
        'max.message.bytes': String(BASELINE_MAX_MESSAGE_BYTES),
      });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a topic that is not compacted, where retention would delete baselines', async () => {
    const kafka = testKafka();
    const topic = uniqueName('it.not-compacted');
    await ensureTopics(kafka, [{ topic }]);
    await expect(publishBaseline(kafka, topic, trainingBaseline(1, 500))).rejects.toMatchObject({
      code: ErrorCodes.BASELINE_TOPIC,
      message: expect.stringContaining(`topic ${topic} has cleanup.policy=delete`),
    });
  });

  it('rejects a published value that is not a baseline, naming the topic, partition and offset', async () => {
    const kafka = testKafka();
    const topic = uniqueName('it.baselines');
    await publishBaseline(kafka, topic, trainingBaseline(1, 500), 'x');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'x', value: '{"format":"other"}' }] });
    await producer.disconnect();
    await expect(readLatestBaseline(kafka, topic, 'x')).rejects.toMatchObject({
      code: ErrorCodes.BASELINE_INVALID,
      message: `${topic}[0]@1: format must be "driftwatch-baseline/1", got "other"`,
    });
  });
});

describe('a baseline from a topic time range', () => {
  /** Two hours back, on a 5-minute boundary (so 1- and 5-minute windows are whole): recent enough for retention. */
  const T0 = Math.floor((Date.now() - 2 * 3_600_000) / (5 * MINUTE)) * 5 * MINUTE;
  const T1 = T0 + 20 * MINUTE;

  /**
   * Per partition, in offset order: 25 events before the range, 300 inside (one every 4 s), 25 at or after its end;
   * partition 1 then gets 5 late events from before the range, a message that is not in the wire format and one
   * with a schema id the registry does not know. Messages are stamped with their event time, as a producer that
   * forwards event times does, so the read starts at the range's first offset.
   */
  async function produceRange(topic: string): Promise<{ inside: CreditRiskEvent[][] }> {
    await ensureTopics(testKafka(), [{ topic, numPartitions: 2 }]);
    const encoder = await PredictionProducer.connect({
      brokers,
      registryUrl,
      topic,
      schema: readShippedSchema('credit-risk-prediction.avsc'),
    });
    await encoder.close();
    const producer = testKafka().producer();
    await producer.connect();
    const generator = new CreditRiskEventGenerator(77);
    const inside: CreditRiskEvent[][] = [[], []];
    try {
      for (const partition of [0, 1]) {
        const events: CreditRiskEvent[] = [];
        for (let i = 0; i < 25; i++) events.push(generator.next(T0 - (25 - i) * 10_000));
        for (let i = 0; i < 300; i++) {
          const e = generator.next(T0 + partition * 2_000 + i * 4_000);
          events.push(e);
          inside[partition]!.push(e);
        }
        for (let i = 0; i < 25; i++) events.push(generator.next(T1 + i * 10_000));
        if (partition === 1) for (let i = 0; i < 5; i++) events.push(generator.next(T0 - MINUTE));
        const messages: { value: Buffer; timestamp: string }[] = events.map((e) => ({
          value: encoder.encode(e as unknown as Record<string, unknown>),
          timestamp: String(e.event_time),
        }));
        if (partition === 1) {
          messages.push({ value: Buffer.from('not avro at all'), timestamp: String(T0 + MINUTE) });
          messages.push({
            value: encodeWire(987_654_321, Buffer.from([2, 4])),
            timestamp: String(T0 + MINUTE),
          });
        }
        await producer.send({ topic, messages: messages.map((m) => ({ ...m, partition })) });
      }
    } finally {
      await producer.disconnect();
    }
    return { inside };
  }

  it('keeps the events in the range, counts what it leaves out, and equals a baseline of the same rows from a file', async () => {
    const topic = uniqueName('it.predictions');
    const { inside } = await produceRange(topic);
    const topology = baselineTestTopology(CREDIT_RISK_FEATURES, { topic });
    const progress: [number, number][] = [];
    const read = await readTopicReference({
      kafka: testKafka(),
      registry: new SchemaRegistryClient({ url: registryUrl }),
      topology,
      fromMs: T0,
      toMs: T1,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(read.rows).toBe(600);
    // Reading starts at each partition's first offset stamped at or after T0: offset 25.
    expect(read.ranges).toEqual([
      { partition: 0, start: 25, end: 350 },
      { partition: 1, start: 25, end: 357 },
    ]);
    expect(read.messages).toBe(325 + 332);
    expect(read.outOfRange).toBe(25 + 25 + 5);
    expect([...read.rejected.keys()].sort()).toEqual([ErrorCodes.UNKNOWN_SCHEMA, ErrorCodes.WIRE_FORMAT]);
    expect(read.rejected.get(ErrorCodes.WIRE_FORMAT)).toMatchObject({ count: 1 });
    expect(read.rejected.get(ErrorCodes.WIRE_FORMAT)!.example).toMatch(/^partition 1 offset 355: /);
    expect(read.rejected.get(ErrorCodes.UNKNOWN_SCHEMA)).toMatchObject({ count: 1 });
    expect(read.incomplete).toEqual([]);
    expect(progress.at(-1)).toEqual([657, 657]);
    expect(read.source.rows).toBe(600);
    expect(read.source.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(read.source.description).toBe(
      `topic ${topic}, event time [${new Date(T0).toISOString()}, ${new Date(T1).toISOString()}), offsets 0:25-350 1:25-357`,
    );

    const fromTopic = buildBaseline(read.columns, {
      name: 'credit-risk',
      source: read.source,
      chunks: planChunks(topology.window, read),
    });
    // Twenty one-minute windows of 15 events per partition.
    const amount = fromTopic.features.amount!;
    expect(amount.calibration).toMatchObject({ chunkBy: 'time', chunkSize: MINUTE, chunks: 20 });
    expect(amount.calibration!.rows).toEqual(Array(20).fill(30));

    // The same rows, in partition then offset order, as a training file.
    const lines = ['event_time,amount,age,income,channel,country'];
    for (const e of inside.flat()) {
      const f = e.features;
      lines.push([e.event_time, f.amount, f.age, f.income ?? '', f.channel, f.country].join(','));
    }
    const file = join(dir, 'same-rows.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const rows = fileReferenceRows(await readDataFile(file, new Set(['channel', 'country'])), topology);
    const fromFile = buildBaseline(rows.columns, {
      name: 'credit-risk',
      source: { description: 'same-rows.csv', fingerprint: 'sha256:file', rows: rows.rows },
      chunks: planChunks(topology.window, rows),
    });
    expect(fromTopic.features).toEqual(fromFile.features);
    // Only the source tells them apart, and the version follows the content.
    const same = buildBaseline(rows.columns, {
      name: 'credit-risk',
      source: read.source,
      chunks: planChunks(topology.window, rows),
    });
    expect(same.version).toBe(fromTopic.version);

    // In processing time the range applies to the message timestamps, here the event times.
    const byTimestamp = await readTopicReference({
      kafka: testKafka(),
      registry: new SchemaRegistryClient({ url: registryUrl }),
      topology: baselineTestTopology(CREDIT_RISK_FEATURES, { topic, eventTimeField: null }),
      fromMs: T0,
      toMs: T1,
    });
    expect(byTimestamp.rows).toBe(600);
    expect(byTimestamp.outOfRange).toBe(55);
    expect([...byTimestamp.eventTimes]).toEqual([...read.eventTimes]);
  });

  it('builds, publishes and shows a baseline from the command line', async () => {
    const topic = uniqueName('it.predictions');
    const baselineTopic = uniqueName('it.baselines');
    await produceRange(topic);
    const topologyFile = join(dir, 'from-topic.yaml');
    writeFileSync(
      topologyFile,
      [
        'apiVersion: driftwatch/v1',
        'name: from-topic',
        'source:',
        `  topic: ${topic}`,
        '  eventTime: event_time',
        'baseline:',
        '  file: from-topic.baseline.json',
        `  topic: ${baselineTopic}`,
        'window:',
        '  type: tumbling',
        '  size: 5m',
        'features:',
        ...CREDIT_RISK_FEATURES.flatMap(([name, field, kind]) => [
          `  - name: ${name}`,
          `    field: ${field}`,
          `    kind: ${kind}`,
        ]),
        '',
      ].join('\n'),
    );
    const env = {
      ...process.env,
      DRIFTWATCH_BROKERS: brokers.join(','),
      DRIFTWATCH_REGISTRY_URL: registryUrl,
    };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'baseline', ...args], { encoding: 'utf8', env });
    const built = run(
      'build',
      '--topology',
      topologyFile,
      '--from-topic',
      '--from',
      new Date(T0).toISOString(),
      '--to',
      String(T1),
      '--publish',
    );
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toContain(
      `read 657 messages from ${topic}: 600 events in the time range, 55 outside it, 2 left out`,
    );
    expect(built.stdout).toMatch(/1 x DW_WIRE_FORMAT, e\.g\. partition 1 offset 355: /);
    expect(built.stdout).toContain(
      'calibration: 4 chunks of 300000 ms of event time (0 small chunks left out)',
    );
    const baseline = await loadBaseline(join(dir, 'from-topic.baseline.json'));
    expect(baseline.source.rows).toBe(600);
    expect(built.stdout).toContain(`published ${baseline.version} to ${baselineTopic} under "from-topic"`);
    expect(await readLatestBaseline(testKafka(), baselineTopic, 'from-topic')).toEqual(baseline);

    const shown = run('show', '--topology', topologyFile);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(
      `baseline ${baseline.version} (topic ${baselineTopic}, name "from-topic")`,
    );
    expect(shown.stdout).toContain('600 rows');
    expect(shown.stdout).toMatch(
      /amount\s+numeric\s+10 buckets\s+calibration over 4 time chunks \(psi, ks, wasserstein_norm\)/,
    );
    const none = run('show', '--topic', baselineTopic, '--name', 'nobody');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`no baseline published in topic ${baselineTopic}, name "nobody"`);
  });
});
