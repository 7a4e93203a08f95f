/**
 * The model-quality engine on the real broker and registry: delayed labels arriving late, out of order and before
 * their predictions, unmatched predictions and labels; keyed training-serving skew with a known fraction of
 * mismatching entities; a worse shadow version producing one rollback recommendation; a latency regression; a bad
 * event dead-lettered with its reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadBaseline } from '../../src/baseline/load-baseline.ts';
import { PredictionProducer } from '../../src/client/prediction-producer.ts';
import { DEAD_LETTER_HEADERS } from '../../src/engine/dead-letter.ts';
import { ModelEngine } from '../../src/engine/model-engine.ts';
import { ROLLBACK_RECOMMENDATION_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { ensureTopics } from '../../src/kafka/kafka-connection.ts';
import { createLogger, silentLogger } from '../../src/logging/logger.ts';
import type { ModelMonitorOutput } from '../../src/model/model-monitor.ts';
import type { ModelFinding, ModelWindowReport } from '../../src/model/model-results.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';
import {
  brokers,
  readTopic,
  registryUrl,
  testKafka,
  uniqueName,
  waitFor,
} from '../support/kafka-test-kit.ts';

const MINUTE = 60_000;
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / MINUTE) * MINUTE;
const DEMO_BASELINE = fileURLToPath(
  new URL('../../topologies/baselines/credit-risk.baseline.json', import.meta.url),
);
const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/model/${name}`, import.meta.url), 'utf8')) as object;
const dir = mkdtempSync(join(tmpdir(), 'dw-model-'));
const engines: ModelEngine[] = [];
afterEach(async () => {
  await Promise.allSettled(engines.splice(0).map((e) => e.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Collected {
  readonly reports: ModelWindowReport[];
  readonly findings: ModelFinding[];
  readonly rollbacks: ModelMonitorOutput['rollbacks'][number][];
}

async function startEngine(
  yaml: string,
): Promise<{ engine: ModelEngine; out: Collected; failed: () => Error | undefined }> {
  const file = join(dir, `${uniqueName('model')}.yaml`);
  writeFileSync(file, yaml);
  const topology = await loadTopologyFile(file);
  const out: Collected = { reports: [], findings: [], rollbacks: [] };
  const engine = await ModelEngine.start({
    topology,
    baseline: await loadBaseline(DEMO_BASELINE),
    brokers,
    registryUrl,
    groupId: uniqueName('it.model-group'),
    tickMs: 100,
    logger: process.env.DRIFTWATCH_TEST_LOG ? createLogger('info') : silentLogger,
    onOutput: (o) => {
      out.reports.push(...o.reports);
      out.findings.push(...o.findings);
      out.rollbacks.push(...o.rollbacks);
    },
  });
  engines.push(engine);
  let failure: Error | undefined;
  engine.done.catch((error: Error) => {
    failure = error;
  });
  return { engine, out, failed: () => failure };
}

async function producerFor(topic: string, file: string, key: string): Promise<PredictionProducer> {
  return PredictionProducer.connect({
    brokers,
    registryUrl,
    topic,
    schema: schema(file),
    key: (event) => String(event[key]),
  });
}

/** A fixed permutation of 0..n-1 (multiplicative stride, coprime with n), so label arrival order is scrambled. */
function scrambled(n: number, stride: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * stride) % n);
}

function request(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: `r${i}`,
    event_time: BASE + i * 500,
    model_name: 'scorer',
    model_version: 'v1',
    role: 'live',
    customer_id: `c${i}`,
    amount: 100 + i,
    score: i % 2 === 0 ? 0.8 : 0.2,
    label: i % 2 === 0 ? '1' : '0',
    latency_ms: null,
    ...overrides,
  };
}

describe('model engine on the real broker and registry', () => {
  it('joins delayed labels (late, out of order, before their predictions) and judges the window', async () => {
    const topic = uniqueName('it.scored');
    const labelsTopic = uniqueName('it.labels');
    const names = { alerts: uniqueName('it.model-alerts'), dead: uniqueName('it.dead') };
    await ensureTopics(testKafka(), [{ topic }, { topic: labelsTopic }]);
    const { engine, out, failed } = await startEngine(`apiVersion: driftwatch/v1
name: labels-test
source:
  topic: ${topic}
  eventTime: event_time
baseline: ${DEMO_BASELINE}
window:
  type: tumbling
  size: 1m
  outOfOrderness: 1m
  idleTimeout: 60s
  quietClose: 3s
features:
  - { name: amount, field: amount, kind: numeric, test: psi }
model:
  task: binary
  predictionId: request_id
  class: label
  score: score
  positiveClass: '1'
  labels:
    topic: ${labelsTopic}
    predictionId: prediction_id
    label: label
    labelTime: label_time
    lookback: 5m
  performance:
    metrics: [accuracy, f1]
    reference: { accuracy: 0.95 }
    minRows: 20
  outputs:
    alerts: ${names.alerts}
outputs:
  alerts: driftwatch.alerts
  deadLetter: ${names.dead}
`);
    const predictions = await producerFor(topic, 'scored-request.avsc', 'request_id');
    const labels = await producerFor(labelsTopic, 'label.avsc', 'prediction_id');
    // r0..r79 get labels; every fifth is wrong, so 64 of 80 are right. r80..r99 never get one.
    const truth = (i: number) => {
      const predicted = i % 2 === 0 ? '1' : '0';
      return i % 5 === 0 ? (predicted === '1' ? '0' : '1') : predicted;
    };
    const labelOf = (i: number) => ({
      prediction_id: `r${i}`,
      label: truth(i),
      label_time: BASE + i * 500 + 2 * MINUTE,
    });
    // Ten labels arrive before any prediction; ten labels are for predictions never made.
    await labels.send(Array.from({ length: 10 }, (_, i) => labelOf(i)));
    await waitFor('the first labels', () => engine.counters().labels >= 10, 60_000, failed);
    await predictions.send(Array.from({ length: 100 }, (_, i) => request(i)));
    const rest = scrambled(70, 17).map((j) => labelOf(10 + j));
    await labels.send([
      ...rest,
      ...Array.from({ length: 10 }, (_, i) => ({
        prediction_id: `ghost-${i}`,
        label: '1',
        label_time: BASE + 3 * MINUTE,
      })),
    ]);
    await waitFor(
      'the performance window',
      () => out.reports.some((r) => r.kind === 'performance'),
      90_000,
      failed,
    );

    const report = out.reports.find((r) => r.kind === 'performance')!;
    expect(report).toMatchObject({ modelVersion: 'v1', windowStart: BASE, windowEnd: BASE + MINUTE });
    expect(report.counts).toMatchObject({ labelled: 80, unlabelled: 20 });
    expect(report.figures.accuracy).toBeCloseTo(64 / 80, 12);
    // Positive class '1': predicted positives are the even ids; among r0..r79 the wrong ones are multiples of 5.
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < 80; i++) {
      const predicted = i % 2 === 0 ? '1' : '0';
      const actual = truth(i);
      if (predicted === '1' && actual === '1') tp++;
      else if (predicted === '1') fp++;
      else if (actual === '1') fn++;
    }
    expect(report.figures.f1).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
    const counters = engine.counters();
    expect(counters).toMatchObject({ predictions: 100, labels: 90, labelled: 80, unlabelled: 20 });
    expect(counters.orphanLabels).toBe(10);
    const accuracy = out.findings.filter((f) => f.kind === 'performance' && f.metric === 'accuracy');
    expect(accuracy).toHaveLength(1);
    expect(accuracy[0]).toMatchObject({ severity: 'critical', reference: 0.95 });
    expect(accuracy[0]!.value).toBeCloseTo(0.8, 12);
    const produced = await readTopic(names.alerts, 1, 20_000);
    expect(produced.length).toBeGreaterThanOrEqual(1);

    // A label for r85 after its window was published: counted late, and the published window is not revised.
    const lateBefore = engine.counters().late;
    await labels.send([labelOf(85)]);
    await waitFor('the late label', () => engine.counters().late > lateBefore, 60_000, failed);
    expect(engine.counters()).toMatchObject({ labels: 91, labelled: 80 });
    expect(out.reports.filter((r) => r.kind === 'performance')).toHaveLength(1);
  });

  it('measures keyed skew, recommends one rollback per worse shadow or canary, flags a latency regression', async () => {
    const topic = uniqueName('it.scored');
    const offlineTopic = uniqueName('it.offline');
    const names = {
      alerts: uniqueName('it.model-alerts'),
      rollback: uniqueName('it.rollback'),
      dead: uniqueName('it.dead'),
    };
    await ensureTopics(testKafka(), [{ topic }, { topic: offlineTopic }]);
    const { engine, out, failed } = await startEngine(`apiVersion: driftwatch/v1
name: serving-test
source:
  topic: ${topic}
  eventTime: event_time
  key: customer_id
baseline: ${DEMO_BASELINE}
window:
  type: tumbling
  size: 1m
  outOfOrderness: 5s
  idleTimeout: 60s
  quietClose: 3s
features:
  - { name: amount, field: amount, kind: numeric, test: psi }
model:
  task: binary
  predictionId: request_id
  class: label
  score: score
  positiveClass: '1'
  role: role
  skew:
    topic: ${offlineTopic}
    offlineKey: customer_id
    offlineTime: computed_at
    features: [amount]
    bucket: 1m
  shadow:
    minPairs: 50
  latency: latency_ms
  outputs:
    alerts: ${names.alerts}
    rollback: ${names.rollback}
outputs:
  alerts: driftwatch.alerts
  deadLetter: ${names.dead}
`);
    const predictions = await producerFor(topic, 'scored-request.avsc', 'request_id');
    const offline = await producerFor(offlineTopic, 'offline-features.avsc', 'customer_id');
    const skewed = new Set([3, 14, 25, 41, 58, 77, 96]);
    const events: Record<string, unknown>[] = [];
    for (let w = 0; w < 2; w++) {
      for (let i = 0; i < 100; i++) {
        const id = w * 100 + i;
        const time = BASE + w * MINUTE + i * 500;
        // Latency: 20..60 ms in the first window, 200..290 ms in the second.
        const latency = w === 0 ? 20 + (i % 41) : 200 + (i % 91);
        const live = request(id, { event_time: time, customer_id: `c${id}`, latency_ms: latency });
        events.push(live);
        // The shadow disagrees on 30 of 100 requests in both windows.
        const flip = i % 10 < 3;
        events.push({
          ...live,
          model_version: 'v2',
          role: 'shadow',
          label: flip ? (live.label === '1' ? '0' : '1') : live.label,
          latency_ms: null,
        });
      }
    }
    // Canary v3 serves its own requests, with scores far from live's: 60 per window.
    for (let w = 0; w < 2; w++) {
      for (let i = 0; i < 60; i++) {
        events.push(
          request(10_000 + w * 100 + i, {
            event_time: BASE + w * MINUTE + i * 800,
            model_version: 'v3',
            role: 'canary',
            customer_id: `k${w * 100 + i}`,
            score: 0.95,
            label: '1',
          }),
        );
      }
    }
    events.push(request(999, { role: 'banana', event_time: BASE + 30_000 }));
    await predictions.send(events);
    await offline.send(
      Array.from({ length: 100 }, (_, i) => ({
        customer_id: `c${i}`,
        amount: skewed.has(i) ? 100 + i + 50 : 100 + i + 1e-9,
        computed_at: BASE + i * 500 + 1_000,
      })),
    );
    await waitFor(
      'both windows of every monitor',
      () =>
        out.reports.filter((r) => r.kind === 'latency').length >= 2 &&
        out.reports.filter((r) => r.kind === 'shadow').length >= 2 &&
        out.reports.filter((r) => r.kind === 'skew').length >= 2,
      90_000,
      failed,
    );

    const skew = out.reports.find((r) => r.kind === 'skew' && r.windowStart === BASE)!;
    expect(skew.subject).toBe('amount');
    expect(skew.figures.mismatch_rate).toBeCloseTo(0.07, 12);
    expect(skew.counts).toMatchObject({ mismatches: 7, matches: 93 });
    const skewFinding = out.findings.find((f) => f.kind === 'skew' && f.windowStart === BASE)!;
    expect(skewFinding.severity).toBe('critical');
    const evidence = Object.values(skewFinding.evidence).join(' ');
    for (const i of [3, 14, 25]) expect(evidence).toContain(`c${i}`);
    const second = out.reports.find((r) => r.kind === 'skew' && r.windowStart === BASE + MINUTE)!;
    expect(second.counts.online_only).toBe(100);

    for (const w of [0, 1]) {
      const shadow = out.reports.find((r) => r.kind === 'shadow' && r.windowStart === BASE + w * MINUTE)!;
      expect(shadow.subject).toBe('v2');
      expect(shadow.figures.agreement_rate).toBeCloseTo(0.7, 12);
    }
    const canary = out.reports.filter((r) => r.kind === 'shadow' && r.subject === 'v3');
    expect(canary).toHaveLength(2);
    // Live scores are 0.8 and 0.2, every canary score 0.95: the score distributions do not overlap.
    for (const report of canary) expect(report.figures.score_ks).toBe(1);
    // One recommendation per worse candidate, although both were bad in two windows.
    const byCandidate = out.rollbacks.map((r) => `${r.candidateRole}:${r.candidateVersion}`).sort();
    expect(byCandidate).toEqual(['canary:v3', 'shadow:v2']);
    for (const rec of out.rollbacks) expect(rec).toMatchObject({ liveVersion: 'v1', windowStart: BASE });
    const rollbackType = avro.Type.forSchema(
      readShippedSchema(ROLLBACK_RECOMMENDATION_SCHEMA_FILE) as avro.Schema,
    );
    const produced = await readTopic(names.rollback, 2, 20_000);
    expect(produced).toHaveLength(2);
    const records = produced.map(
      (m) =>
        rollbackType.fromBuffer(m.value!.subarray(5)) as Record<string, unknown> & { findings: unknown[] },
    );
    const shadowRecord = records.find((r) => r.candidate_version === 'v2')!;
    expect(shadowRecord).toMatchObject({
      live_version: 'v1',
      candidate_role: 'shadow',
      severity: 'critical',
    });
    expect(shadowRecord.findings.length).toBeGreaterThanOrEqual(1);
    expect(String(shadowRecord.reason)).toContain('v2');
    expect(records.find((r) => r.candidate_version === 'v3')).toMatchObject({ candidate_role: 'canary' });

    const latency = out.findings.filter((f) => f.kind === 'latency');
    expect(latency).toHaveLength(1);
    expect(latency[0]).toMatchObject({ modelVersion: 'v1', windowStart: BASE + MINUTE, severity: 'warning' });
    const exactP95 = [...Array(100).keys()].map((i) => 200 + (i % 91)).sort((a, b) => a - b)[94]!;
    expect(Math.abs(latency[0]!.value - exactP95)).toBeLessThanOrEqual(0.01 * exactP95 + 1e-9);

    expect(engine.counters().deadLettered).toBe(1);
    const dead = await readTopic(names.dead, 1, 20_000);
    expect(dead).toHaveLength(1);
    expect(String(dead[0]!.headers[DEAD_LETTER_HEADERS.reason])).toContain('banana');
  });
});
