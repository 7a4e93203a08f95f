import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import { type CreditRiskEvent, CreditRiskEventGenerator } from '../../src/demo/credit-risk-events.ts';
import { readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';
import type { Topology } from '../../src/topology/topology-types.ts';
import { startTestEngine, stopTestEngines } from '../support/engine-test-kit.ts';
import { brokers, registryUrl, testKafka, topicSize, uniqueName } from '../support/kafka-test-kit.ts';

/**
 * Schema evolution under a running monitor, on the real broker and registry: the engine decodes every message with
 * the writer schema its header names, so a new version with an added optional field is read like the old one, and an
 * incompatible version that the registry refuses never reaches the topic. Nothing may be dead-lettered or lost.
 */

const TOPOLOGY_FILE = fileURLToPath(new URL('../../topologies/credit-risk.yaml', import.meta.url));
const MINUTE = 60_000;
const PER_WINDOW = 300;
/** Event times start two hours back, aligned to a minute, so windows are whole minutes of history. */
const BASE = Math.floor((Date.now() - 2 * 3_600_000) / MINUTE) * MINUTE;

interface AvroRecord {
  type: 'record';
  name: string;
  fields: { name: string; type: unknown; default?: unknown }[];
}

const V1 = readShippedSchema('credit-risk-prediction.avsc') as AvroRecord;

function withFeatureFields(extra: AvroRecord['fields']): AvroRecord {
  const copy = structuredClone(V1);
  const features = copy.fields.find((f) => f.name === 'features')!.type as AvroRecord;
  features.fields.push(...extra);
  return copy;
}

/** v2 adds an optional field, as a service that starts sending a new input would. */
const V2 = withFeatureFields([{ name: 'merchant_category', type: ['null', 'string'], default: null }]);
/** v3 adds a required field without a default: events written before it could not be read with it. */
const V3 = withFeatureFields([{ name: 'risk_band', type: 'string' }]);

const producers: PredictionProducer[] = [];
afterEach(async () => {
  await stopTestEngines();
  await Promise.allSettled(producers.splice(0).map((p) => p.close()));
});

async function isolatedTopology(): Promise<Topology> {
  const base = await loadTopologyFile(TOPOLOGY_FILE);
  const topic = uniqueName('it.evolution');
  const topology: Topology = {
    ...base,
    source: { ...base.source, topic, subject: `${topic}-value` },
    window: {
      type: 'tumbling',
      sizeMs: MINUTE,
      graceMs: 0,
      outOfOrdernessMs: 5_000,
      idleTimeoutMs: 30_000,
      quietCloseMs: 0,
      late: base.window.late,
    },
    outputs: {
      ...base.outputs,
      alertTopic: uniqueName('it.alerts'),
      deadLetterTopic: uniqueName('it.dead-letter'),
    },
  };
  await ensureTopics(testKafka(), [{ topic, numPartitions: 2 }]);
  return topology;
}

async function connectProducer(topology: Topology, schema: object): Promise<PredictionProducer> {
  const producer = await PredictionProducer.connect({
    brokers,
    registryUrl,
    topic: topology.source.topic,
    subject: topology.source.subject,
    schema,
    key: (event) => String(event.request_id),
  });
  producers.push(producer);
  return producer;
}

/** `PER_WINDOW` events spread over window `index`, in event-time order; `v2` adds the new optional field. */
function windowEvents(
  generator: CreditRiskEventGenerator,
  index: number,
  v2: boolean,
): Record<string, unknown>[] {
  return Array.from({ length: PER_WINDOW }, (_, j) => {
    const event: CreditRiskEvent = generator.next(
      BASE + index * MINUTE + Math.floor((j * MINUTE) / PER_WINDOW),
    );
    if (!v2) return event as unknown as Record<string, unknown>;
    const merchant_category = j % 3 === 0 ? null : j % 3 === 1 ? 'grocery' : 'travel';
    return { ...event, features: { ...event.features, merchant_category } };
  });
}

describe('schema evolution under a running engine', () => {
  it('keeps counting every event across a compatible new version and a refused incompatible one', async () => {
    const topology = await isolatedTopology();
    const subject = topology.source.subject;
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const { engine, windows, until, settled } = await startTestEngine(topology);
    const generator = new CreditRiskEventGenerator(606);
    let sent = 0;

    // Window 0: events of v1, the schema the stream started with.
    const v1 = await connectProducer(topology, V1);
    await v1.send(windowEvents(generator, 0, false));
    sent += PER_WINDOW;

    // Window 1: the service moves to v2; the registry accepts it as the subject's next version.
    const evolved = await registry.registerVersion(subject, V2);
    expect(evolved).toMatchObject({ version: 2, created: true });
    const v2 = await connectProducer(topology, V2);
    expect(v2.schemaId).toBe(evolved.id);
    expect(v2.schemaId).not.toBe(v1.schemaId);
    await v2.send(windowEvents(generator, 1, true));
    sent += PER_WINDOW;

    // An incompatible v3 is refused with the registry's reason, so no event of it can reach the topic.
    await expect(registry.registerVersion(subject, V3)).rejects.toMatchObject({
      code: 'DW_SCHEMA_INCOMPATIBLE',
      details: { reason: expect.stringMatching(/incompatible/i) },
    });
    await expect(connectProducer(topology, V3)).rejects.toMatchObject({ code: 'DW_REGISTRY' });
    expect(await registry.latest(subject)).toMatchObject({ version: 2, id: evolved.id });

    // Window 2: v2 events, with a v1 producer that has not upgraded yet still writing into the same window.
    const mixed = windowEvents(generator, 2, true);
    await v2.send(mixed.slice(0, PER_WINDOW / 2));
    await v1.send(windowEvents(generator, 2, false).slice(PER_WINDOW / 2));
    sent += PER_WINDOW;

    // Window 3: its events move the watermark past window 2, so windows 0-2 close (no wall-clock close here, which
    // would make these historical event times late).
    await v2.send(windowEvents(generator, 3, true));
    sent += PER_WINDOW;

    await until(
      'windows 0-2 and every event read',
      () => windows.length === 3 && engine.counters().consumed === sent,
    );
    expect(windows.map((w) => [(w.start - BASE) / MINUTE, w.rows])).toEqual([
      [0, PER_WINDOW],
      [1, PER_WINDOW],
      [2, PER_WINDOW],
    ]);
    expect(engine.counters()).toMatchObject({ consumed: sent, processed: sent, late: 0, deadLettered: 0 });
    expect(await topicSize(topology.outputs.deadLetterTopic)).toBe(0);

    // Still running: a later window's events close window 3, which is evaluated like the others.
    await v2.send(windowEvents(generator, 4, true));
    sent += PER_WINDOW;
    await until('window 3', () => windows.length === 4 && engine.counters().consumed === sent);
    expect(windows[3]!.rows).toBe(PER_WINDOW);
    expect(engine.counters()).toMatchObject({ consumed: sent, processed: sent, late: 0, deadLettered: 0 });
    expect(settled()).toBe(false);
  });
});
