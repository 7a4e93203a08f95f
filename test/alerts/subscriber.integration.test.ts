import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeAlerts } from '../../src/alerts/alert-subscriber.ts';
import type { DriftAlert } from '../../src/alerts/drift-alert.ts';
import type { ModelAlertRecord } from '../../src/alerts/model-alert.ts';
import {
  type SubscribedEvent,
  type Subscription,
  subscribe,
  type UndecodableMessage,
} from '../../src/alerts/subscriber.ts';
import {
  DRIFT_ALERT_SCHEMA_FILE,
  MODEL_ALERT_SCHEMA_FILE,
  readShippedSchema,
} from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { ALERT_T0, driftAlertRecord } from '../support/drift-alert-record.ts';
import { brokers, registryUrl, testKafka, uniqueName, waitFor } from '../support/kafka-test-kit.ts';

const T0 = ALERT_T0;

const DRIFT: DriftAlert = driftAlertRecord({
  alert_id: 'it-drift-1',
  out_of_reference: 3,
  conventions: { bins: '10' },
  detected_at: T0 + 61_000,
  top_contributors: [{ bucket: '[120, 250)', reference_share: 0.1, current_share: 0.3, contribution: 0.22 }],
});

const MODEL: ModelAlertRecord = {
  alert_id: 'it-model-1',
  monitor: 'credit-risk',
  kind: 'performance',
  severity: 'warning',
  model_name: 'credit-risk',
  model_version: '3',
  role: 'live',
  compared_version: null,
  subject: 'accuracy',
  segment: 'DE',
  window_start: T0,
  window_end: T0 + 3_600_000,
  metric: 'accuracy',
  value: 0.84,
  reference: 0.9,
  threshold: 0.05,
  warning_level: 0.05,
  critical_level: 0.1,
  rows: 1200,
  message: 'accuracy 0.84 is 6.7% below its reference 0.9',
  evidence: { labels: '1200' },
  created_at: T0 + 3_601_000,
};

const alertTopic = uniqueName('it-sub.alerts');
const modelTopic = uniqueName('it-sub.model-alerts');

/** Produces the two records with the shipped schemas (registered under <topic>-value) and one undecodable message. */
beforeAll(async () => {
  const kafka = testKafka();
  await ensureTopics(kafka, [{ topic: alertTopic }, { topic: modelTopic }]);
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const encode = async (topic: string, file: string, record: object) => {
    const schema = readShippedSchema(file);
    const id = await registry.register(`${topic}-value`, schema);
    return encodeWire(id, avro.Type.forSchema(schema as avro.Schema).toBuffer(record));
  };
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: alertTopic,
      messages: [
        {
          key: 'credit-risk',
          value: await encode(alertTopic, DRIFT_ALERT_SCHEMA_FILE, DRIFT),
          headers: { trace: 't1' },
        },
        { key: null, value: Buffer.from('not avro') },
      ],
    });
    await producer.send({
      topic: modelTopic,
      messages: [{ key: 'credit-risk', value: await encode(modelTopic, MODEL_ALERT_SCHEMA_FILE, MODEL) }],
    });
  } finally {
    await producer.disconnect();
  }
});

const subscriptions: Subscription[] = [];
afterAll(async () => {
  await Promise.all(subscriptions.map((s) => s.stop()));
});

describe('subscribe', () => {
  it('reads drift and model alerts back typed, with their envelope, and reports what does not decode', async () => {
    const events: SubscribedEvent[] = [];
    const undecodable: UndecodableMessage[] = [];
    subscriptions.push(
      await subscribe({
        brokers,
        registryUrl,
        topics: [alertTopic, modelTopic],
        groupId: uniqueName('it-sub'),
        fromBeginning: true,
        logger: silentLogger,
        onEvent: (event) => {
          events.push(event);
        },
        onUndecodable: (message) => undecodable.push(message),
      }),
    );
    await waitFor(
      'two events and one undecodable message',
      () => events.length >= 2 && undecodable.length >= 1,
    );

    const drift = events.find((e) => e.topic === alertTopic)!;
    expect(drift.kind).toBe('drift-alert');
    if (drift.kind !== 'drift-alert') throw new Error('unreachable');
    expect({ ...drift.record, conventions: { ...drift.record.conventions } }).toEqual(DRIFT);
    expect(drift).toMatchObject({
      partition: 0,
      offset: '0',
      key: 'credit-risk',
      headers: { trace: 't1' },
      recordName: 'io.driftwatch.alerts.DriftAlert',
    });
    expect(Math.abs(drift.timestamp - Date.now())).toBeLessThan(120_000);

    const model = events.find((e) => e.topic === modelTopic)!;
    expect(model.kind).toBe('model-alert');
    if (model.kind !== 'model-alert') throw new Error('unreachable');
    expect({ ...model.record, evidence: { ...model.record.evidence } }).toEqual(MODEL);
    expect(model.recordName).toBe('io.driftwatch.alerts.ModelAlert');

    expect(undecodable).toEqual([
      expect.objectContaining({ topic: alertTopic, partition: 0, offset: '1', code: 'DW_WIRE_FORMAT' }),
    ]);
    expect(events).toHaveLength(2);
  });

  it('keeps subscribeAlerts working on top of it: drift alerts only', async () => {
    const alerts: DriftAlert[] = [];
    const reasons: string[] = [];
    subscriptions.push(
      await subscribeAlerts({
        brokers,
        registryUrl,
        topic: alertTopic,
        groupId: uniqueName('it-sub-alerts'),
        fromBeginning: true,
        onAlert: (alert) => alerts.push(alert),
        onUndecodable: (reason) => reasons.push(reason),
      }),
    );
    await waitFor('one alert and one undecodable message', () => alerts.length >= 1 && reasons.length >= 1);
    expect(alerts.map((a) => a.alert_id)).toEqual(['it-drift-1']);
    expect(reasons[0]).toMatch(/magic byte/);
  });
});
