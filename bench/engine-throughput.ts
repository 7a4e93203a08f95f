/**
 * Engine throughput against a bare-consumer ceiling, in one run.
 *
 * Produces N wide prediction events (schemas/bench-wide-prediction.avsc: 20 numeric and 5 categorical features) to a
 * fresh 4-partition topic on the local broker, then measures, in this one process and one after the other:
 *
 *   (a) the ceiling: a bare kafkajs consumer group that only decodes each message (schema id from the wire-format
 *       header, then the registry's cached avsc type: `type.fromBuffer(value.subarray(5))`, as the engine does);
 *   (b) the engine: DriftEngine from Kafka to window results (decode, columnar extraction, tumbling windows, Arrow
 *       chunks to the drift workers, PSI / Jensen-Shannon per window, alerts produced, offsets committed).
 *
 * It prints events/s of the producer, the ceiling and the engine, the engine/ceiling ratio and the engine's peak RSS
 * (the engine, its worker threads and this harness share the process). The 10 minutes of event time fall into 10
 * one-minute windows; the last two drift on n01 and c1, so a run should report 4 alerts.
 *
 *   bash scripts/stack.sh start          # needs the local Kafka broker and schema registry
 *   npx tsx bench/engine-throughput.ts [--events N]          # default 1,000,000
 *
 * More options: --threads N (drift workers, default cores - 1), --partitions N (4), --batch N and --in-flight N
 * (producer), --max-in-flight N and --chunk-rows N (engine options; the engine's defaults when absent), --keep-topics.
 * bench/README.md explains how to read the output.
 *
 * The baseline is written to bench/.data/ (git-ignored), and so is a JSON copy of the results. The run's topics are
 * deleted at the end unless --keep-topics is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import type avro from 'avsc';
import type { EachBatchPayload, Kafka, Message } from 'kafkajs';
import type { DriftAlert } from '../src/alerts/drift-alert.ts';
import { defaultBrokers, defaultRegistryUrl } from '../src/cli/connection-defaults.ts';
import { DriftEngine } from '../src/engine/drift-engine.ts';
import { readShippedSchema } from '../src/kafka/avro-schemas.ts';
import { createKafka, ensureTopics } from '../src/kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../src/kafka/schema-registry-client.ts';
import { encodeWire, readSchemaId, WIRE_HEADER_LENGTH } from '../src/kafka/wire-format.ts';
import { createLogger, type LogLevel } from '../src/logging/logger.ts';
import type { Topology } from '../src/topology/topology-types.ts';
import { WideEventGenerator, wideBaseline, wideTopology } from './wide-events.ts';

const EVENT_SEED = 20260601;
const BASELINE_SEED = 20260101;
const BASELINE_ROWS = 50_000;
/** Event time covered by the run: 10 tumbling windows of one minute, whatever N is. */
const SPAN_MS = 10 * 60_000;
const WINDOW_MS = 60_000;
/** The last 20% of the events (windows 9 and 10) drift on n01 and c1. */
const DRIFT_FROM = 0.8;
/** Give up when a phase makes no progress for this long. */
const STALL_MS = 120_000;
const MiB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    threads: { type: 'string', default: String(Math.max(1, os.availableParallelism() - 1)) },
    batch: { type: 'string', default: '4000' },
    'in-flight': { type: 'string', default: '6' },
    partitions: { type: 'string', default: '4' },
    'max-in-flight': { type: 'string' },
    'chunk-rows': { type: 'string' },
    'keep-topics': { type: 'boolean', default: false },
  },
});
const N = positiveInt('events', args.events);
const THREADS = positiveInt('threads', args.threads);
const BATCH = positiveInt('batch', args.batch);
const IN_FLIGHT = positiveInt('in-flight', args['in-flight']);
const PARTITIONS = positiveInt('partitions', args.partitions);
/** Engine tuning passed through when given; the engine's defaults otherwise. */
const ENGINE_TUNING = {
  ...(args['max-in-flight'] !== undefined
    ? { maxInFlight: positiveInt('max-in-flight', args['max-in-flight']) }
    : {}),
  ...(args['chunk-rows'] !== undefined ? { chunkRows: positiveInt('chunk-rows', args['chunk-rows']) } : {}),
};

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return n;
}

const brokers = defaultBrokers();
const registryUrl = defaultRegistryUrl();
const runId = Date.now().toString(36);
const dataDir = fileURLToPath(new URL('./.data/', import.meta.url));
const logLevel = (process.env.DRIFTWATCH_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
const logger = createLogger(logLevel);
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Samples process RSS every 100 ms and keeps the peak since the last reset. */
class RssSampler {
  peak = 0;
  readonly #timer: NodeJS.Timeout;
  constructor() {
    this.sample();
    this.#timer = setInterval(() => this.sample(), 100);
  }
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }
  reset(): number {
    this.peak = 0;
    this.sample();
    return this.peak;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

interface ProduceResult {
  readonly seconds: number;
  readonly bytes: number;
  readonly windows: number;
  readonly schemaId: number;
}

/** Generates, encodes once and produces N events in batches, keeping `IN_FLIGHT` sends outstanding. */
async function produce(kafka: Kafka, topology: Topology, base: number): Promise<ProduceResult> {
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const schemaId = await registry.register(
    topology.source.subject,
    readShippedSchema('bench-wide-prediction.avsc'),
  );
  const type = registry.cachedType(schemaId)!;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const generator = new WideEventGenerator(EVENT_SEED);
  const windowStarts = new Set<number>();
  const pending: Promise<unknown>[] = [];
  let bytes = 0;
  let lastReport = performance.now();
  const started = performance.now();
  try {
    for (let sent = 0; sent < N; ) {
      const size = Math.min(BATCH, N - sent);
      const messages: Message[] = new Array(size);
      for (let k = 0; k < size; k++) {
        const i = sent + k;
        const eventTime = base + Math.floor((i * SPAN_MS) / N);
        windowStarts.add(eventTime - (eventTime % WINDOW_MS));
        const value = encodeWire(schemaId, type.toBuffer(generator.next(eventTime, i >= DRIFT_FROM * N)));
        bytes += value.length;
        messages[k] = { value, partition: i % PARTITIONS };
      }
      sent += size;
      pending.push(producer.send({ topic: topology.source.topic, acks: -1, messages }));
      if (pending.length >= IN_FLIGHT) await pending.shift();
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        progress(`produced ${sent.toLocaleString('en-US')} / ${N.toLocaleString('en-US')}`);
      }
    }
    await Promise.all(pending);
  } finally {
    await producer.disconnect();
  }
  return { seconds: (performance.now() - started) / 1000, bytes, windows: windowStarts.size, schemaId };
}

interface CeilingResult {
  readonly seconds: number;
  readonly checksum: number;
}

/**
 * The ceiling: a kafkajs consumer group with the engine's fetch settings that decodes every message the way the
 * engine's EventDecoder does and nothing else (no extraction, windows, workers or commits). Timed from the start of
 * the first batch to the last message decoded.
 */
async function ceiling(kafka: Kafka, topology: Topology): Promise<CeilingResult> {
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const consumer = kafka.consumer({
    groupId: `bench.ceiling.${runId}`,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 4 * 1024 * 1024,
    sessionTimeout: 30_000,
    allowAutoTopicCreation: false,
  });
  let count = 0;
  let checksum = 0;
  let first = 0;
  let last = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topology.source.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async function ceilingBatch({ batch }: EachBatchPayload) {
        if (first === 0) first = performance.now();
        for (const message of batch.messages) {
          const value = message.value!;
          const id = readSchemaId(value);
          const type: avro.Type = registry.cachedType(id) ?? (await registry.typeFor(id));
          const record = type.fromBuffer(value.subarray(WIRE_HEADER_LENGTH)) as { score: number };
          checksum += record.score;
          count++;
        }
        if (count >= N && last === 0) {
          last = performance.now();
          resolveDone();
        }
      },
    });
    await watch('ceiling', () => count, done);
  } finally {
    await consumer.disconnect();
  }
  return { seconds: (last - first) / 1000, checksum };
}

interface EngineResult {
  readonly seconds: number;
  /** Until processed + late + dead-lettered reached N (before the last window closed). */
  readonly countedSeconds: number;
  readonly windows: number;
  readonly windowRows: number;
  readonly alerts: readonly DriftAlert[];
  readonly processed: number;
  readonly late: number;
  readonly deadLettered: number;
  /** Times the engine paused a partition for backpressure. */
  readonly pauses: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
  /** Events already accounted for at the first poll that saw the engine consume; left out of the rates. */
  readonly firstCounted: number;
}

/**
 * The engine from Kafka to window results, timed from the first event consumed (counters polled every 5 ms; the
 * events already counted at that poll are left out of the rate) to the moment every event is accounted for and
 * every window with data has been published. The last window closes by quietClose, so its 2 s are in the time.
 */
async function engine(topology: Topology, expectedWindows: number, rss: RssSampler): Promise<EngineResult> {
  gc();
  const rssBefore = rss.reset();
  const alerts: DriftAlert[] = [];
  let windows = 0;
  let windowRows = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let first = 0;
  let firstCounted = 0;
  let counted = 0;
  let end = 0;
  let instance: DriftEngine | undefined;
  const accounted = () => {
    const c = instance?.counters();
    return c === undefined ? 0 : c.processed + c.late + c.deadLettered;
  };
  const check = () => {
    if (instance === undefined || end !== 0) return;
    const c = instance.counters();
    const now = performance.now();
    if (first === 0 && c.consumed > 0) {
      first = now;
      firstCounted = accounted();
    }
    if (counted === 0 && accounted() >= N) counted = now;
    if (counted !== 0 && windows >= expectedWindows) {
      end = now;
      resolveDone();
    }
  };
  instance = await DriftEngine.start({
    topology,
    baseline: wideBaseline(BASELINE_SEED, BASELINE_ROWS),
    brokers,
    registryUrl,
    groupId: `bench.engine.${runId}`,
    threads: THREADS,
    ...ENGINE_TUNING,
    logger,
    onWindow: (result, windowAlerts) => {
      windows++;
      windowRows += result.rows;
      alerts.push(...windowAlerts);
      check();
    },
  });
  const poll = setInterval(check, 5);
  try {
    await Promise.race([watch('engine', accounted, done), instance.done]);
  } finally {
    clearInterval(poll);
    await instance.stop();
  }
  const c = instance.counters();
  return {
    seconds: (end - first) / 1000,
    countedSeconds: (counted - first) / 1000,
    windows,
    windowRows,
    alerts,
    processed: c.processed,
    late: c.late,
    deadLettered: c.deadLettered,
    pauses: c.pauses,
    rssBefore,
    rssPeak: rss.peak,
    firstCounted,
  };
}

/** Waits for `done`, reporting progress every 2 s and failing after STALL_MS without progress. */
async function watch(phase: string, count: () => number, done: Promise<void>): Promise<void> {
  let last = -1;
  let lastMoved = performance.now();
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    if (finished) break;
    const n = count();
    if (n !== last) {
      last = n;
      lastMoved = performance.now();
    } else if (performance.now() - lastMoved > STALL_MS) {
      throw new Error(`${phase}: no progress for ${STALL_MS / 1000} s at ${n} of ${N} events`);
    }
    progress(`${phase}: ${n.toLocaleString('en-US')} / ${N.toLocaleString('en-US')}`);
  }
}

function rate(events: number, seconds: number): string {
  return Math.round(events / seconds).toLocaleString('en-US');
}

/** 1-minute load average when the run started: the machine may be shared, and the figures are only as good as it was idle. */
let loadAtStart = 0;

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const baselinePath = `${dataDir}bench-wide.baseline.json`;
  const baseline = wideBaseline(BASELINE_SEED, BASELINE_ROWS);
  writeFileSync(baselinePath, `${JSON.stringify(baseline, null, 2)}\n`);
  const topology = wideTopology({ runId, file: fileURLToPath(import.meta.url), baselinePath });
  const kafka = createKafka({ brokers, clientId: `driftwatch-bench-${runId}`, logger });
  await ensureTopics(kafka, [{ topic: topology.source.topic, numPartitions: PARTITIONS }]);
  // One hour in the past, on a minute boundary: 10 full windows, all closable by quietClose.
  const base = Math.floor((Date.now() - 3_600_000) / WINDOW_MS) * WINDOW_MS;
  const rss = new RssSampler();
  loadAtStart = os.loadavg()[0]!;
  try {
    progress(`run ${runId}: producing ${N.toLocaleString('en-US')} events to ${topology.source.topic}`);
    const produced = await produce(kafka, topology, base);
    progress(`produced in ${produced.seconds.toFixed(1)} s; ceiling consumer`);
    const ceil = await ceiling(kafka, topology);
    progress(`ceiling in ${ceil.seconds.toFixed(1)} s; engine with ${THREADS} drift thread(s)`);
    const eng = await engine(topology, produced.windows, rss);
    progress(`engine in ${eng.seconds.toFixed(1)} s`);
    report(topology, produced, ceil, eng);
  } finally {
    rss.stop();
    if (!args['keep-topics']) await deleteTopics(kafka, topology);
  }
}

function report(topology: Topology, produced: ProduceResult, ceil: CeilingResult, eng: EngineResult): void {
  const engineEvents = N - eng.firstCounted;
  const engineRate = engineEvents / eng.seconds;
  const ceilingRate = N / ceil.seconds;
  const cpus = os.cpus();
  const byFeature = new Map<string, number>();
  for (const a of eng.alerts)
    byFeature.set(`${a.feature} ${a.statistic}`, (byFeature.get(`${a.feature} ${a.statistic}`) ?? 0) + 1);
  const alertSummary = [...byFeature].map(([k, n]) => `${k} x${n}`).join(', ');
  const rows: [string, string][] = [
    ['events', N.toLocaleString('en-US')],
    ['event size (wire format, avg bytes)', (produced.bytes / N).toFixed(1)],
    ['producer events/s (generate+encode+send, acks=all)', rate(N, produced.seconds)],
    ['ceiling events/s (bare consumer, decode only)', rate(N, ceil.seconds)],
    ['engine events/s (Kafka -> window results)', Math.round(engineRate).toLocaleString('en-US')],
    ['ratio engine / ceiling', (engineRate / ceilingRate).toFixed(2)],
    ['engine events/s until all events counted', rate(engineEvents, eng.countedSeconds)],
    ['engine RSS before start MiB', (eng.rssBefore / MiB).toFixed(0)],
    ['engine peak RSS MiB (same process, incl. workers)', (eng.rssPeak / MiB).toFixed(0)],
    ['windows (published / with data)', `${eng.windows} / ${produced.windows}`],
    ['rows in windows', eng.windowRows.toLocaleString('en-US')],
    ['processed / late / dead-lettered', `${eng.processed} / ${eng.late} / ${eng.deadLettered}`],
    ['engine partition pauses (backpressure)', String(eng.pauses)],
    ['alerts', `${eng.alerts.length}${alertSummary ? ` (${alertSummary})` : ''}`],
    ['drift threads', String(THREADS)],
    [
      'engine tuning',
      `maxInFlight ${ENGINE_TUNING.maxInFlight ?? '16 (default)'}, chunkRows ${ENGINE_TUNING.chunkRows ?? '16384 (default)'}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    '',
    `driftwatch engine throughput, run ${runId}`,
    `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}`,
    `load average (1 min): ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end (on ${cpus.length} cpus; Kafka and the registry run on this machine too)`,
    `topic ${topology.source.topic} (${PARTITIONS} partitions) on ${brokers.join(',')}; producer batch ${BATCH}, ${IN_FLIGHT} in flight`,
    'the ceiling and the engine run in this same process, one after the other, on the same topic',
    '',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v.padStart(14)}`),
    '',
    ...(eng.late > 0
      ? [
          `WARNING: ${eng.late} events were counted late (dropped by the engine), so the engine did less work than`,
          '         a run without late events; see bench/README.md, "Late events".',
        ]
      : []),
    `times: produce ${produced.seconds.toFixed(2)} s, ceiling ${ceil.seconds.toFixed(2)} s, engine ${eng.seconds.toFixed(2)} s (all counted after ${eng.countedSeconds.toFixed(2)} s; the rest is quietClose + publishing the last window)`,
  ];
  console.log(lines.join('\n'));
  const out = `${dataDir}engine-throughput-${runId}.json`;
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        runId,
        events: N,
        threads: THREADS,
        machine: {
          cpus: cpus.length,
          model: cpus[0]?.model,
          node: process.version,
          loadAtStart,
          loadAtEnd: os.loadavg()[0],
        },
        producer: { seconds: produced.seconds, eventsPerSecond: N / produced.seconds, bytes: produced.bytes },
        ceiling: { seconds: ceil.seconds, eventsPerSecond: ceilingRate },
        engine: {
          seconds: eng.seconds,
          countedSeconds: eng.countedSeconds,
          eventsPerSecond: engineRate,
          ratio: engineRate / ceilingRate,
          rssBefore: eng.rssBefore,
          rssPeak: eng.rssPeak,
          windows: eng.windows,
          processed: eng.processed,
          late: eng.late,
          deadLettered: eng.deadLettered,
          pauses: eng.pauses,
          alerts: eng.alerts.map((a) => ({ feature: a.feature, window: a.window_start, value: a.value })),
        },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${relative(process.cwd(), out)}`);
}

async function deleteTopics(kafka: Kafka, topology: Topology): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [topology.source.topic, topology.outputs.alertTopic, topology.outputs.deadLetterTopic];
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) });
  } catch (error) {
    progress(`could not delete the run's topics: ${(error as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
