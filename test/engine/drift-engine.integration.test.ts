import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriftAlert } from '../../src/alerts/drift-alert.ts';
import { loadBaseline } from '../../src/baseline/load-baseline.ts';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import {
  type CreditRiskDrift,
  CreditRiskEventGenerator,
  DEMO_DRIFT,
  NO_DRIFT,
} from '../../src/demo/credit-risk-events.ts';
import { DEAD_LETTER_HEADERS } from '../../src/engine/dead-letter.ts';
import { DRIFT_ALERT_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';
import type { Topology, TumblingWindowSpec } from '../../src/topology/topology-types.ts';
import { startTestEngine, stopTestEngines } from '../support/engine-test-kit.ts';
import {
  brokers,
  readTopic,
  registryUrl,
  testKafka,
  topicSize,
  uniqueName,
} from '../support/kafka-test-kit.ts';

const TOPOLOGY_FILE = fileURLToPath(new URL('../../topologies/credit-risk.yaml', import.meta.url));
const PER_WINDOW = 1_500;
const MINUTE = 60_000;
/** Event times start three hours back, aligned to a minute, so windows are whole minutes of history. */
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE;

const producers: PredictionProducer[] = [];

afterEach(async () => {
  await stopTestEngines();
  await Promise.allSettled(producers.splice(0).map((p) => p.close()));
});

async function isolatedTopology(
  overrides: Partial<Omit<TumblingWindowSpec, 'type'>> = {},
): Promise<Topology> {
  const base = await loadTopologyFile(TOPOLOGY_FILE);
  if (base.window.type !== 'tumbling') throw new Error(`${TOPOLOGY_FILE}: expected a tumbling window`);
  const topology: Topology = {
    ...base,
    source: { ...base.source, topic: uniqueName('it.predictions') },
    window: { ...base.window, sizeMs: MINUTE, outOfOrdernessMs: 5_000, quietCloseMs: 1_500, ...overrides },
    outputs: {
      alertTopic: uniqueName('it.alerts'),
      windowStatisticsTopic: null,
      deadLetterTopic: uniqueName('it.dead-letter'),
      lateEventsTopic: null,
    },
  };
  await ensureTopics(testKafka(), [{ topic: topology.source.topic, numPartitions: 2 }]);
  return topology;
}

async function connectProducer(topology: Topology): Promise<PredictionProducer> {
  const producer = await PredictionProducer.connect({
    brokers,
    registryUrl,
    topic: topology.source.topic,
    schema: readShippedSchema('credit-risk-prediction.avsc'),
    key: (event) => String(event.request_id),
  });
  producers.push(producer);
  return producer;
}

/** Produces `PER_WINDOW` events in each listed window, in event-time order, drifted where asked. */
async function produceWindows(
  producer: PredictionProducer,
  seed: number,
  windows: readonly { index: number; drift: CreditRiskDrift }[],
): Promise<number> {
  const generator = new CreditRiskEventGenerator(seed);
  let sent = 0;
  for (const { index, drift } of windows) {
    const events: Record<string, unknown>[] = [];
    for (let j = 0; j < PER_WINDOW; j++) {
      const t = BASE + index * MINUTE + Math.floor((j * MINUTE) / PER_WINDOW);
      events.push(generator.next(t, drift) as unknown as Record<string, unknown>);
    }
    for (let i = 0; i < events.length; i += 500) await producer.send(events.slice(i, i + 500));
    sent += events.length;
  }
  return sent;
}

async function readAlerts(topic: string, expected: number): Promise<DriftAlert[]> {
  const type = avro.Type.forSchema(readShippedSchema(DRIFT_ALERT_SCHEMA_FILE) as avro.Schema);
  const messages = await readTopic(topic, expected);
  return messages.map((m) => type.fromBuffer(m.value!.subarray(5)) as DriftAlert);
}

describe('drift engine on the real broker and registry', () => {
  it('raises no alert for a stream drawn from the baseline distribution', async () => {
    const topology = await isolatedTopology();
    const producer = await connectProducer(topology);
    const { engine, windows, until } = await startTestEngine(topology);
    const sent = await produceWindows(
      producer,
      101,
      [0, 1, 2, 3].map((index) => ({ index, drift: NO_DRIFT })),
    );

    await until('four windows', () => windows.length === 4);
    expect(windows.map((w) => w.start)).toEqual([0, 1, 2, 3].map((i) => BASE + i * MINUTE));
    expect(windows.every((w) => w.rows === PER_WINDOW)).toBe(true);
    for (const w of windows) {
      expect(w.statistics.map((s) => s.feature).sort()).toEqual([
        'age',
        'amount',
        'channel',
        'country',
        'income',
      ]);
      expect(w.statistics.filter((s) => s.drift)).toEqual([]);
    }
    expect(engine.counters()).toMatchObject({
      consumed: sent,
      processed: sent,
      late: 0,
      deadLettered: 0,
      alerts: 0,
    });
    expect(await topicSize(topology.outputs.alertTopic)).toBe(0);
  });

  it('alerts on exactly the shifted numeric and categorical features, in the drifted windows', async () => {
    const topology = await isolatedTopology();
    const baseline = await loadBaseline(topology.baseline.path);
    const producer = await connectProducer(topology);
    const { engine, windows, until } = await startTestEngine(topology);
    await produceWindows(producer, 202, [
      { index: 0, drift: NO_DRIFT },
      { index: 1, drift: NO_DRIFT },
      { index: 2, drift: DEMO_DRIFT },
      { index: 3, drift: DEMO_DRIFT },
    ]);

    await until('four windows', () => windows.length === 4);
    const alerts = await readAlerts(topology.outputs.alertTopic, 4);
    expect(await topicSize(topology.outputs.alertTopic)).toBe(4);
    const seen = alerts.map((a) => `${a.feature}@${(a.window_start - BASE) / MINUTE}`).sort();
    expect(seen).toEqual(['amount@2', 'amount@3', 'channel@2', 'channel@3']);
    for (const alert of alerts) {
      expect(alert.window_end - alert.window_start).toBe(MINUTE);
      expect(alert.model_name).toBe('credit-risk');
      expect(alert.model_versions).toEqual(['1.4.0']);
      expect(alert.current_size).toBe(PER_WINDOW);
      expect(alert.baseline_version).toBe(baseline.version);
      expect(alert.value).toBeGreaterThanOrEqual(alert.threshold);
      if (alert.feature === 'amount') {
        expect(alert).toMatchObject({
          statistic: 'psi',
          threshold: 0.2,
          feature_kind: 'NUMERIC',
          reference_size: 50_000,
        });
        expect(alert.conventions).toMatchObject({ epsilon: '0.0001', logBase: 'e', buckets: '10' });
      } else {
        expect(alert).toMatchObject({ statistic: 'js', threshold: 0.1, feature_kind: 'CATEGORICAL' });
        expect(alert.conventions).toMatchObject({ logBase: '2' });
      }
    }
    expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(4);
    expect(engine.counters().alerts).toBe(4);
  });

  it('dead-letters poisoned messages with the reason and original bytes, and counts the events around them', async () => {
    const topology = await isolatedTopology();
    const producer = await connectProducer(topology);
    const { engine, windows, until } = await startTestEngine(topology);
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const otherSchema = {
      type: 'record',
      name: 'NotAPrediction',
      namespace: 'io.driftwatch.test',
      fields: [{ name: 'note', type: 'string' }],
    };
    const otherId = await registry.register(uniqueName('it.other'), otherSchema);
    const otherType = avro.Type.forSchema(otherSchema as avro.Schema);
    const valid = producer.encode(
      new CreditRiskEventGenerator(9).next(BASE + 1_000) as unknown as Record<string, unknown>,
    );
    const poison: { bytes: Buffer; code: string }[] = [
      { bytes: Buffer.from('{"not":"wire format"}'), code: 'DW_WIRE_FORMAT' },
      { bytes: encodeWire(987_654, valid.subarray(5)), code: 'DW_UNKNOWN_SCHEMA' },
      { bytes: valid.subarray(0, valid.length - 7), code: 'DW_DECODE_FAILED' },
      { bytes: encodeWire(otherId, otherType.toBuffer({ note: 'hello' })), code: 'DW_EVENT_INVALID' },
    ];

    const before = await produceWindows(producer, 303, [{ index: 0, drift: NO_DRIFT }]);
    await producer.sendRaw(
      poison.map((p) => p.bytes),
      0,
    );
    const after = await produceWindows(producer, 304, [{ index: 1, drift: NO_DRIFT }]);

    await until('two windows', () => windows.length === 2);
    const dead = await readTopic(topology.outputs.deadLetterTopic, poison.length);
    expect(dead).toHaveLength(poison.length);
    const byCode = new Map(dead.map((m) => [String(m.headers[DEAD_LETTER_HEADERS.code]), m]));
    for (const p of poison) {
      const letter = byCode.get(p.code);
      expect(letter, p.code).toBeDefined();
      expect(Buffer.compare(letter!.value!, p.bytes)).toBe(0);
      expect(String(letter!.headers[DEAD_LETTER_HEADERS.reason]).length).toBeGreaterThan(10);
      expect(String(letter!.headers[DEAD_LETTER_HEADERS.topic])).toBe(topology.source.topic);
      expect(String(letter!.headers[DEAD_LETTER_HEADERS.partition])).toBe('0');
      expect(String(letter!.headers[DEAD_LETTER_HEADERS.monitor])).toBe(topology.name);
    }
    expect(String(byCode.get('DW_EVENT_INVALID')!.headers[DEAD_LETTER_HEADERS.reason])).toContain(
      'event_time',
    );
    expect(String(byCode.get('DW_UNKNOWN_SCHEMA')!.headers[DEAD_LETTER_HEADERS.reason])).toContain('987654');

    const c = engine.counters();
    expect(c).toMatchObject({ deadLettered: 4, late: 0, processed: before + after });
    expect(c.consumed).toBe(c.processed + c.late + c.deadLettered);
    expect(windows.reduce((sum, w) => sum + w.rows, 0)).toBe(before + after);
  });

  it('commits only offsets whose windows are published, so a restart recounts the open window exactly once', async () => {
    // No wall-clock close here: window 2 stays open until an event of window 3 moves the watermark past it.
    // Everything goes to partition 0; the empty partition 1 stops holding the watermark after 2 s of idleness.
    const topology = await isolatedTopology({ quietCloseMs: 0, idleTimeoutMs: 2_000 });
    const groupId = uniqueName('it.group');
    const producer = await connectProducer(topology);
    const first = await startTestEngine(topology, { groupId });
    const generator = new CreditRiskEventGenerator(404);
    const eventsOf = (window: number) =>
      Array.from(
        { length: PER_WINDOW },
        (_, j) =>
          generator.next(BASE + window * MINUTE + Math.floor((j * MINUTE) / PER_WINDOW)) as unknown as Record<
            string,
            unknown
          >,
      );
    // One partition, so offsets are positions in the stream: window w holds offsets [w * PER_WINDOW, ...).
    for (const w of [0, 1, 2]) await producer.send(eventsOf(w), 0);

    await first.until('windows 0 and 1', () => first.windows.length === 2);
    await first.until('all events read', () => first.engine.counters().consumed === 3 * PER_WINDOW);
    const admin = testKafka().admin();
    await admin.connect();
    const committed = async () => {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [topology.source.topic] });
      return Number(topic!.partitions.find((p) => p.partition === 0)!.offset);
    };
    try {
      let offset = await committed();
      const deadline = Date.now() + 10_000;
      while (offset !== 2 * PER_WINDOW && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        offset = await committed();
      }
      // Window 2 is open: its first offset is held, nothing after it is committed.
      expect(offset).toBe(2 * PER_WINDOW);

      await first.stop();
      const second = await startTestEngine(topology, { groupId });
      await producer.send(eventsOf(3), 0);
      await second.until('window 2 after restart', () => second.windows.length >= 1);
      expect(second.windows[0]!.start).toBe(BASE + 2 * MINUTE);
      expect(second.windows[0]!.rows).toBe(PER_WINDOW);
      expect(second.engine.counters().consumed).toBe(2 * PER_WINDOW);
    } finally {
      await admin.disconnect();
    }
  });

  it('pauses consumption under backpressure and still counts every event once', async () => {
    const topology = await isolatedTopology();
    const producer = await connectProducer(topology);
    // Tiny chunks and one task in flight at most: nearly every batch must pause its partition.
    const { engine, windows, until } = await startTestEngine(topology, {
      maxInFlight: 1,
      chunkRows: 64,
    });
    const sent = await produceWindows(
      producer,
      505,
      [0, 1, 2].map((index) => ({ index, drift: NO_DRIFT })),
    );

    await until('three windows', () => windows.length === 3);
    const c = engine.counters();
    expect(c.pauses).toBeGreaterThan(0);
    expect(c).toMatchObject({ consumed: sent, processed: sent, late: 0, deadLettered: 0 });
    expect(windows.map((w) => w.rows)).toEqual([PER_WINDOW, PER_WINDOW, PER_WINDOW]);
    // Counts merged from many chunks equal the window's rows for every feature.
    for (const w of windows) for (const s of w.statistics) expect(s.currentSize).toBe(PER_WINDOW);
  });
});
