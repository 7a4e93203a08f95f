/**
 * Issue 6 on the real broker and registry: a drift lasting several windows makes one incident that opens, is updated
 * when a second feature starts drifting, and resolves once the stream is clean; a retrain request fires once within
 * its cooldown though its trigger holds for more windows; and a replay of the same input by a second engine (another
 * consumer group) publishes exactly the same alert ids, incident event ids and retrain request ids. The first engine
 * also delivers every one of them to a webhook (a local HTTP server), signed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentEventRecord } from '../../src/alerts/incident-event.ts';
import type { RetrainRequestRecord } from '../../src/alerts/retrain-request.ts';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import {
  type CreditRiskDrift,
  CreditRiskEventGenerator,
  DEMO_DRIFT,
  NO_DRIFT,
} from '../../src/demo/credit-risk-events.ts';
import {
  INCIDENT_SCHEMA_FILE,
  RETRAIN_REQUEST_SCHEMA_FILE,
  readShippedSchema,
} from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { verifyWebhookSignature } from '../../src/sinks/webhook-sink.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';
import { startTestEngine } from '../support/engine-test-kit.ts';
import {
  brokers,
  readTopic,
  registryUrl,
  testKafka,
  topicSize,
  uniqueName,
} from '../support/kafka-test-kit.ts';

const MINUTE = 60_000;
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE;
const BASELINE = fileURLToPath(
  new URL('../../topologies/baselines/credit-risk.baseline.json', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'dw-incidents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AMOUNT_ONLY: CreditRiskDrift = {
  amountFactor: DEMO_DRIFT.amountFactor,
  channelWeights: NO_DRIFT.channelWeights,
};
/** Per one-minute window: clean, amount drifts, amount and channel drift (three windows), clean (three windows). */
const PLAN: readonly CreditRiskDrift[] = [
  NO_DRIFT,
  AMOUNT_ONLY,
  DEMO_DRIFT,
  DEMO_DRIFT,
  DEMO_DRIFT,
  NO_DRIFT,
  NO_DRIFT,
  NO_DRIFT,
];
const PER_WINDOW = 600;

const incidentType = avro.Type.forSchema(readShippedSchema(INCIDENT_SCHEMA_FILE) as avro.Schema);
const retrainType = avro.Type.forSchema(readShippedSchema(RETRAIN_REQUEST_SCHEMA_FILE) as avro.Schema);

interface RunTopics {
  readonly alerts: string;
  readonly incidents: string;
  readonly retrain: string;
}

function topologyFile(name: string, source: string, topics: RunTopics, webhook: string | null): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: driftwatch/v1
name: incidents-test
source:
  topic: ${source}
  eventTime: event_time
baseline:
  file: ${BASELINE}
window:
  type: tumbling
  size: 1m
  outOfOrderness: 5s
  quietClose: 1500ms
features:
  - { name: amount, field: features.amount, kind: numeric, test: psi }
  - { name: channel, field: features.channel, kind: categorical, test: js }
outputs:
  alerts: ${topics.alerts}
  deadLetter: ${uniqueName('it.dead')}
alerting:
  openAfter: 1
  resolveAfter: 2
  incidents: ${topics.incidents}
  retrain:
    topic: ${topics.retrain}
    minCriticalFeatures: 1
    performanceDrop: off
    skewRate: off
    sustained: 1
    cooldown: 1h
${
  webhook === null
    ? ''
    : `sinks:
  - { type: webhook, url: ${webhook}, secretEnv: DW_IT_WEBHOOK_SECRET }
`
}`,
  );
  return file;
}

/** Runs one engine over the whole source topic; returns what it published on its own topics. */
async function runEngine(name: string, source: string, webhook: string | null = null) {
  const topics: RunTopics = {
    alerts: uniqueName('it.alerts'),
    incidents: uniqueName('it.incidents'),
    retrain: uniqueName('it.retrain'),
  };
  const topology = await loadTopologyFile(topologyFile(name, source, topics, webhook));
  const { windows, until, stop } = await startTestEngine(topology);
  try {
    await until('every window published', () => windows.length >= PLAN.length);
  } finally {
    await stop();
  }
  // Everything a window causes is produced (acks all) before the engine reports the window.
  const incidentCount = await topicSize(topics.incidents);
  const alertCount = await topicSize(topics.alerts);
  const retrainCount = await topicSize(topics.retrain);
  const incidents = (await readTopic(topics.incidents, incidentCount)).map(
    (m) => incidentType.fromBuffer(m.value!.subarray(5)) as IncidentEventRecord,
  );
  const alertIds = (await readTopic(topics.alerts, alertCount)).map((m) =>
    m.headers['dw.alert.id']!.toString(),
  );
  const requests = (await readTopic(topics.retrain, retrainCount)).map(
    (m) => retrainType.fromBuffer(m.value!.subarray(5)) as RetrainRequestRecord,
  );
  incidents.sort((a, b) => a.sequence - b.sequence);
  return { windows, incidents, alertIds, requests };
}

const SECRET = 'it-webhook-secret';

/** A local HTTP receiver that checks each delivery's signature and answers 204. */
async function startReceiver(): Promise<{
  url: string;
  received: { kind: string; id: string; signed: boolean }[];
  close: () => Promise<void>;
}> {
  process.env.DW_IT_WEBHOOK_SECRET = SECRET;
  const received: { kind: string; id: string; signed: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({
        kind: String(req.headers['x-driftwatch-event']),
        id: String(req.headers['x-driftwatch-id']),
        signed: verifyWebhookSignature(
          SECRET,
          {
            timestamp: String(req.headers['x-driftwatch-timestamp']),
            signature: String(req.headers['x-driftwatch-signature']),
          },
          body,
        ),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/driftwatch`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('incidents and retrain requests on the real broker and registry', () => {
  it('opens, updates and resolves one incident, asks to retrain once, and a replay publishes the same ids', async () => {
    const source = uniqueName('it.predictions');
    await ensureTopics(testKafka(), [{ topic: source, numPartitions: 1 }]);
    const producer = await PredictionProducer.connect({
      brokers,
      registryUrl,
      topic: source,
      schema: readShippedSchema('credit-risk-prediction.avsc'),
      key: (event) => String(event.request_id),
    });
    try {
      const generator = new CreditRiskEventGenerator(606);
      for (let w = 0; w < PLAN.length; w++) {
        const start = BASE + w * MINUTE;
        const events = Array.from(
          { length: PER_WINDOW },
          (_, j) =>
            generator.next(start + Math.floor((j * MINUTE) / PER_WINDOW), PLAN[w]) as unknown as Record<
              string,
              unknown
            >,
        );
        await producer.send(events);
      }
    } finally {
      await producer.close();
    }

    const hook = await startReceiver();
    let first: Awaited<ReturnType<typeof runEngine>>;
    try {
      first = await runEngine('first', source, hook.url);
    } finally {
      await hook.close();
    }
    const drifted = (start: number, feature: string) =>
      first.windows.find((w) => w.start === start)!.statistics.some((s) => s.feature === feature && s.drift);
    // The input does what the plan says (checked on the windows, independently of the tracker).
    expect(PLAN.map((_, w) => drifted(BASE + w * MINUTE, 'amount'))).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(drifted(BASE + 2 * MINUTE, 'channel')).toBe(true);
    expect(drifted(BASE + MINUTE, 'channel')).toBe(false);

    const { incidents } = first;
    expect(new Set(incidents.map((e) => e.incident_id)).size).toBe(1);
    expect(incidents[0]!.type).toBe('open');
    expect(incidents[0]!.window_start).toBe(BASE + MINUTE);
    expect(incidents.at(-1)!.type).toBe('resolve');
    // Clean from window 5; resolveAfter 2 resolves in window 6.
    expect(incidents.at(-1)!.window_start).toBe(BASE + 6 * MINUTE);
    const updates = incidents.filter((e) => e.type === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    const joined = updates.find((e) => e.subjects.some((s) => s.subject === 'channel' && s.drifting));
    expect(joined?.window_start).toBe(BASE + 2 * MINUTE);
    expect(incidents.map((e) => e.sequence)).toEqual(incidents.map((_, i) => i));
    expect(new Set(incidents.map((e) => e.event_id)).size).toBe(incidents.length);
    expect(incidents.at(-1)!.subjects.every((s) => !s.drifting)).toBe(true);

    // amount is critical in windows 1-4: the trigger holds four times, the one-hour cooldown lets one request out.
    expect(first.requests).toHaveLength(1);
    const request = first.requests[0]!;
    expect(request.triggers).toEqual(['critical_features']);
    expect(request.window_start).toBe(BASE + MINUTE);
    expect(request.training_window_start).toBe(BASE + MINUTE);
    expect(request.training_window_end).toBe(BASE + 2 * MINUTE);
    expect(request.model_name).toBe('credit-risk');
    expect(request.model_version).toBe('1.4.0');

    // The webhook got every event the topics got, each once (the engine stop drains the sink), all signed.
    const byKind = (kind: string) => hook.received.filter((r) => r.kind === kind).map((r) => r.id);
    expect(hook.received.every((r) => r.signed)).toBe(true);
    expect(byKind('drift-alert').sort()).toEqual([...first.alertIds].sort());
    expect(byKind('incident')).toEqual(incidents.map((e) => e.event_id));
    expect(byKind('retrain')).toEqual([request.request_id]);

    const replay = await runEngine('replay', source);
    expect(first.alertIds.length).toBeGreaterThan(0);
    expect(new Set(replay.alertIds)).toEqual(new Set(first.alertIds));
    expect(replay.incidents.map((e) => e.event_id)).toEqual(incidents.map((e) => e.event_id));
    expect(replay.requests.map((r) => r.request_id)).toEqual([request.request_id]);
  });
});
