/**
 * Throughput of the model-quality monitor (src/model/) with every part on, against the cost of decoding the same
 * events from Avro: the work the model engine cannot avoid per message. Both run in this process, one after the
 * other, on the same events.
 *
 *   npx tsx bench/model-monitor-throughput.ts [--requests 200000] [--batch 1000]
 *
 * The stream: `--requests` requests over one-minute windows (10,000 per window), each predicted by live v1 and
 * shadow v2 (the shadow disagrees on 10%), with a latency, an error flag on 1%, a segment and an entity whose
 * amount and country the offline pipeline recomputes as of the serving time (2% mismatch). 90% of predictions get a label two minutes
 * later. Per request: 2 predictions, 0.9 label, 1 offline record. Records are fed in batches of `--batch` per topic,
 * in time order, with `advance()` after every batch, as the engine does.
 *
 * "ours" times extraction (ModelEventExtractor on the decoded objects) + the monitor + advance, per event
 * (predictions, labels and offline records all count). The ceiling times avsc `fromBuffer` of the same events.
 * No broker or registry is needed. bench/README.md ("model-monitor-throughput.ts") explains the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { loadBaseline } from '../src/baseline/load-baseline.ts';
import { SeededRandom } from '../src/core/random/seeded-random.ts';
import { ManualClock } from '../src/core/time/clock.ts';
import { ModelEventExtractor } from '../src/model/model-event-extractor.ts';
import { ModelMonitor } from '../src/model/model-monitor.ts';
import { loadTopologyFile } from '../src/topology/load-topology.ts';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '200000' }, batch: { type: 'string', default: '1000' } },
});
const REQUESTS = Number(values.requests);
const BATCH = Number(values.batch);
const PER_WINDOW = 10_000;
const MINUTE = 60_000;
const BASE = Date.UTC(2026, 0, 1);

const PREDICTION_SCHEMA = {
  type: 'record',
  name: 'BenchPrediction',
  fields: [
    { name: 'request_id', type: 'string' },
    { name: 'event_time', type: 'long' },
    { name: 'model_name', type: 'string' },
    { name: 'model_version', type: 'string' },
    { name: 'role', type: 'string' },
    { name: 'customer_id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'country', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'label', type: 'string' },
    { name: 'latency_ms', type: 'double' },
    { name: 'error', type: 'boolean' },
  ],
} as const;
const LABEL_SCHEMA = {
  type: 'record',
  name: 'BenchLabel',
  fields: [
    { name: 'prediction_id', type: 'string' },
    { name: 'label', type: 'string' },
    { name: 'label_time', type: 'long' },
  ],
} as const;
const OFFLINE_SCHEMA = {
  type: 'record',
  name: 'BenchOffline',
  fields: [
    { name: 'customer_id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'country', type: 'string' },
    { name: 'computed_at', type: 'long' },
  ],
} as const;

const TOPOLOGY = `apiVersion: driftwatch/v1
name: bench-model
source:
  topic: bench.predictions
  eventTime: event_time
  key: customer_id
baseline: ${fileURLToPath(new URL('../topologies/baselines/credit-risk.baseline.json', import.meta.url))}
window:
  type: tumbling
  size: 1m
  outOfOrderness: 5s
  quietClose: 0s
features:
  - { name: amount, field: amount, kind: numeric, test: psi }
segments:
  field: country
model:
  task: binary
  predictionId: request_id
  class: label
  score: score
  positiveClass: '1'
  role: role
  labels:
    topic: bench.labels
    predictionId: prediction_id
    label: label
    labelTime: label_time
    lookback: 5m
  performance:
    metrics: [accuracy, f1, roc_auc, log_loss]
    reference: { accuracy: 0.9, f1: 0.9, roc_auc: 0.95, log_loss: 0.3 }
  conceptDrift: [adwin, ddm]
  skew:
    topic: bench.offline
    offlineKey: customer_id
    offlineTime: computed_at
    features:
      - { name: amount, online: amount, offline: amount, kind: numeric }
      - { name: country, online: country, offline: country, kind: categorical }
  latency: latency_ms
  errors: error
outputs:
  alerts: bench.alerts
  deadLetter: bench.dead
`;

function generate(): {
  predictions: Record<string, unknown>[];
  labels: Record<string, unknown>[];
  offline: Record<string, unknown>[];
} {
  const random = new SeededRandom(11);
  const countries = ['DE', 'FR', 'NL', 'ES'];
  const predictions: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  const offline: Record<string, unknown>[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const time =
      BASE + Math.floor(i / PER_WINDOW) * MINUTE + Math.floor(((i % PER_WINDOW) * MINUTE) / PER_WINDOW);
    const score = random.next();
    const label = score >= 0.5 ? '1' : '0';
    const country = countries[i % 4]!;
    const amount = Math.round(random.next() * 10_000) / 100;
    const live = {
      request_id: `r${i}`,
      event_time: time,
      model_name: 'bench',
      model_version: 'v1',
      role: 'live',
      customer_id: `c${i}`,
      amount,
      country,
      score,
      label,
      latency_ms: 20 + random.next() * 60,
      error: random.next() < 0.01,
    };
    predictions.push(live);
    const flip = random.next() < 0.1;
    predictions.push({
      ...live,
      model_version: 'v2',
      role: 'shadow',
      label: flip ? (label === '1' ? '0' : '1') : label,
    });
    if (random.next() < 0.9) {
      const truth = random.next() < 0.9 ? label : label === '1' ? '0' : '1';
      labels.push({ prediction_id: `r${i}`, label: truth, label_time: time + 2 * MINUTE });
    }
    offline.push({
      customer_id: `c${i}`,
      amount: random.next() < 0.02 ? amount + 1 : amount,
      country,
      computed_at: time,
    });
  }
  return { predictions, labels, offline };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-model-'));
  try {
    const file = join(dir, 'bench-model.yaml');
    writeFileSync(file, TOPOLOGY);
    const topology = await loadTopologyFile(file);
    const baseline = await loadBaseline(topology.baseline.path);
    const { predictions, labels, offline } = generate();
    const events = predictions.length + labels.length + offline.length;

    // Ceiling: decoding the same events from Avro.
    const types = [PREDICTION_SCHEMA, LABEL_SCHEMA, OFFLINE_SCHEMA].map((s) =>
      avro.Type.forSchema(s as unknown as avro.Schema),
    );
    const buffers = [predictions, labels, offline].map((list, t) => list.map((e) => types[t]!.toBuffer(e)));
    let sink = 0;
    const decodeStart = performance.now();
    for (let t = 0; t < 3; t++) {
      const type = types[t]!;
      for (const buffer of buffers[t]!) sink += (type.fromBuffer(buffer) as { amount?: number }).amount ?? 1;
    }
    const decodeMs = performance.now() - decodeStart;

    const clock = new ManualClock(BASE);
    const monitor = new ModelMonitor({ topology, baseline, clock });
    const extractor = new ModelEventExtractor(topology, clock);
    monitor.assign('predictions', [0]);
    monitor.assign('labels', [0]);
    monitor.assign('offline', [0]);
    let reports = 0;
    let findings = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const start = performance.now();
    let p = 0;
    let l = 0;
    let o = 0;
    while (p < predictions.length || l < labels.length || o < offline.length) {
      for (const end = Math.min(p + BATCH, predictions.length); p < end; p++) {
        const r = extractor.prediction(predictions[p]!, 0, p);
        if (typeof r === 'string') throw new Error(r);
        monitor.prediction(r);
      }
      // Labels and offline records follow their predictions' time, as they would arrive.
      const horizon = (predictions[Math.max(0, p - 1)]!.event_time as number) + 2 * MINUTE;
      for (
        let n = 0;
        n < BATCH && l < labels.length && (labels[l]!.label_time as number) <= horizon;
        n++, l++
      ) {
        const r = extractor.label(labels[l]!, 0, l);
        if (typeof r === 'string') throw new Error(r);
        monitor.label(r);
      }
      if (p >= predictions.length) {
        for (const end = Math.min(l + BATCH, labels.length); l < end; l++) {
          const r = extractor.label(labels[l]!, 0, l);
          if (typeof r === 'string') throw new Error(r);
          monitor.label(r);
        }
      }
      for (let n = 0; n < BATCH / 2 && o < offline.length; n++, o++) {
        const r = extractor.offline(offline[o]!, 0, o);
        if (typeof r === 'string') throw new Error(r);
        monitor.offline(r);
      }
      const out = monitor.advance();
      reports += out.reports.length;
      findings += out.findings.length;
      const heap = process.memoryUsage().heapUsed;
      if (heap > heapPeak) heapPeak = heap;
    }
    const last = monitor.flush();
    reports += last.reports.length;
    findings += last.findings.length;
    const oursMs = performance.now() - start;

    const counters = monitor.counters();
    const rate = (ms: number) => Math.round((events / ms) * 1000);
    console.log(
      `model monitor, every part on: ${REQUESTS} requests, ${events} events (2 predictions, ~0.9 label, 1 offline per request)`,
    );
    console.log(`node ${process.version}, batch ${BATCH}`);
    console.log('');
    console.log('| path | time (ms) | events/s | µs/event |');
    console.log('|---|---|---|---|');
    console.log(
      `| avsc decode (ceiling) | ${decodeMs.toFixed(0)} | ${rate(decodeMs).toLocaleString('en')} | ${((decodeMs * 1000) / events).toFixed(2)} |`,
    );
    console.log(
      `| extract + monitor + advance (ours) | ${oursMs.toFixed(0)} | ${rate(oursMs).toLocaleString('en')} | ${((oursMs * 1000) / events).toFixed(2)} |`,
    );
    console.log('');
    console.log(`ratio ours / ceiling (events/s): ${(decodeMs / oursMs).toFixed(2)}`);
    console.log(
      `heap growth peak: ${((heapPeak - heapBefore) / 2 ** 20).toFixed(0)} MiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `window reports ${reports}, findings ${findings}, labelled ${counters.labelled}, unlabelled ${counters.unlabelled}, skew joined ${counters.skewJoined}, shadow pairs ${counters.shadowPairs}, late ${counters.late}`,
    );
    if (sink === 0) console.log('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
