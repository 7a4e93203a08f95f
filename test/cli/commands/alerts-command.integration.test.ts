import avro from 'avsc';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { alertsCommand } from '../../../src/cli/commands/alerts-command.ts';
import {
  DRIFT_ALERT_SCHEMA_FILE,
  MODEL_ALERT_SCHEMA_FILE,
  readShippedSchema,
} from '../../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../../src/kafka/schema-registry-client.ts';
import { encodeWire } from '../../../src/kafka/wire-format.ts';
import { captureOutput } from '../../support/capture-output.ts';
import { ALERT_T0, driftAlertRecord } from '../../support/drift-alert-record.ts';
import { brokers, registryUrl, testKafka, uniqueName } from '../../support/kafka-test-kit.ts';

const T0 = ALERT_T0;
const alertTopic = uniqueName('it-tail.alerts');
const modelTopic = uniqueName('it-tail.model-alerts');

const drift = driftAlertRecord({
  alert_id: 'tail-drift-1',
  top_contributors: [{ bucket: '> 900', reference_share: 0.02, current_share: 0.2, contribution: 0.41 }],
});

const model = {
  alert_id: 'tail-model-1',
  monitor: 'credit-risk',
  kind: 'latency',
  severity: 'critical',
  model_name: 'credit-risk',
  model_version: '3',
  role: 'live',
  compared_version: null,
  subject: 'p99',
  segment: null,
  window_start: T0,
  window_end: T0 + 60_000,
  metric: 'latency_p99_ms',
  value: 412.5,
  reference: null,
  threshold: 250,
  warning_level: 100,
  critical_level: 250,
  rows: 600,
  message: 'p99 latency 412.5 ms',
  evidence: {},
  created_at: T0 + 61_000,
};

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
        { key: null, value: Buffer.from([0, 0, 0]) },
        { key: 'credit-risk', value: await encode(alertTopic, DRIFT_ALERT_SCHEMA_FILE, drift) },
      ],
    });
    await producer.send({
      topic: modelTopic,
      messages: [{ key: 'credit-risk', value: await encode(modelTopic, MODEL_ALERT_SCHEMA_FILE, model) }],
    });
  } finally {
    await producer.disconnect();
  }
});

afterEach(() => vi.restoreAllMocks());

describe('driftwatch alerts tail', () => {
  it('prints --max events as JSON lines, typed and with ISO times, and reports an undecodable message', async () => {
    const out = captureOutput(process.stdout);
    const err = captureOutput(process.stderr);
    const code = await alertsCommand([
      'tail',
      '--topic',
      alertTopic,
      '--topic',
      modelTopic,
      '--from-beginning',
      '--json',
      '--max',
      '2',
      '--brokers',
      brokers.join(','),
      '--registry',
      registryUrl,
    ]);
    expect(code).toBe(0);
    const lines = out().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const events = lines.map((line) => JSON.parse(line)).sort((a, b) => a.kind.localeCompare(b.kind));
    expect(events.map((e) => [e.kind, e.name, e.id, e.topic, e.key])).toEqual([
      ['drift-alert', 'io.driftwatch.alerts.DriftAlert', 'tail-drift-1', alertTopic, 'credit-risk'],
      ['model-alert', 'io.driftwatch.alerts.ModelAlert', 'tail-model-1', modelTopic, 'credit-risk'],
    ]);
    expect(events[0].offset).toBe('1');
    expect(events[0].record).toEqual({
      ...drift,
      window_start: '2026-11-22T06:40:00.000Z',
      window_end: '2026-11-22T06:41:00.000Z',
      detected_at: '2026-11-22T06:41:00.000Z',
    });
    expect(events[1].record).toEqual({
      ...model,
      window_start: '2026-11-22T06:40:00.000Z',
      window_end: '2026-11-22T06:41:00.000Z',
      created_at: '2026-11-22T06:41:01.000Z',
    });
    expect(err()).toContain(`driftwatch alerts tail: ${alertTopic}/0@0: `);
    expect(err()).toContain('[DW_WIRE_FORMAT]');
  });

  it('prints one readable line per event without --json', async () => {
    const out = captureOutput(process.stdout);
    captureOutput(process.stderr);
    const code = await alertsCommand(['tail', '--topic', modelTopic, '--from-beginning', '--max', '1']);
    expect(code).toBe(0);
    expect(out()).toBe(
      '2026-11-22T06:41:01Z CRITICAL credit-risk v3 latency p99 latency_p99_ms=412.5 threshold 250 window 06:40–06:41 rows 600\n',
    );
  });
});
