/**
 * The caller's time per `PredictionLogger.log()`: what a service pays in its request path for logging one
 * prediction, beside ceilings that do less and beside awaiting `PredictionProducer.send` per event.
 *
 *   bash scripts/stack.sh start          # needs the local Kafka broker and schema registry; this script starts nothing
 *   npx tsx bench/logger-overhead.ts [--events N] [--rate N] [--burst N] [--producer-events N] [--pace-all]
 *                                    [--batch-size N] [--max-buffer N] [--keep-topics]
 *
 * Events are the wide bench events (schemas/bench-wide-prediction.avsc: 20 numeric and 5 categorical features, about
 * 234 bytes in the wire format), drawn once into a pool before any clock runs. Every row calls its operation in
 * bursts of --burst events (default 100) and yields to the event loop after each burst, as a service handling
 * requests would; the logger row is also paced to --rate events/s (default 10,000) so that its background sends keep
 * up, and with --pace-all the ceilings are paced the same way.
 * Each call is timed on its own with performance.now(); the "timer only" row is the cost of that timing itself.
 * bench/README.md explains how to read the output.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { defaultBrokers, defaultRegistryUrl } from '../src/cli/connection-defaults.ts';
import { PredictionLogger } from '../src/client/prediction-logger.ts';
import { PredictionProducer } from '../src/client/prediction-producer.ts';
import { readShippedSchema } from '../src/kafka/avro-schemas.ts';
import { createKafka, ensureTopics } from '../src/kafka/kafka-connection.ts';
import { encodeWire } from '../src/kafka/wire-format.ts';
import { createLogger } from '../src/logging/logger.ts';
import { WideEventGenerator } from './wide-events.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '10000' },
    burst: { type: 'string', default: '100' },
    'producer-events': { type: 'string', default: '2000' },
    'batch-size': { type: 'string' },
    'max-buffer': { type: 'string' },
    'pace-all': { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
});
const EVENTS = positive('events');
const RATE = positive('rate');
const BURST = positive('burst');
const PRODUCER_EVENTS = positive('producer-events');
const BATCH_SIZE = args['batch-size'] === undefined ? undefined : positive('batch-size');
const MAX_BUFFER = args['max-buffer'] === undefined ? undefined : positive('max-buffer');
/** The ceilings run unpaced unless --pace-all: pacing makes every row slower in its tail (cold after each sleep). */
const CEILING_RATE = args['pace-all'] ? RATE : undefined;
const POOL = 4_096;

function positive(
  name: 'events' | 'rate' | 'burst' | 'producer-events' | 'batch-size' | 'max-buffer',
): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer, got ${args[name]}`);
    process.exit(2);
  }
  return value;
}

interface Row {
  readonly name: string;
  readonly calls: number;
  readonly durationsUs: Float64Array;
  readonly note?: string;
  /** The longest GC pause while the row ran: a call's max includes any pause that fell inside it. */
  readonly gcMaxMs: number;
}

/** Longest GC pause since the last `measure` started. */
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
}).observe({ entryTypes: ['gc'] });

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `op(i)` for i < n in bursts, timing each call; paced to `rate` events/s when given. */
async function measure(n: number, op: (i: number) => unknown, rate?: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  gcMaxMs = 0;
  const start = performance.now();
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + BURST);
    for (; i < end; i++) {
      const t0 = performance.now();
      op(i);
      out[i] = (performance.now() - t0) * 1_000;
    }
    const due = rate === undefined ? 0 : start + (i / rate) * 1_000 - performance.now();
    if (due > 1) await sleep(due);
    else await yieldToLoop();
  }
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(row: Row) {
  const sorted = row.durationsUs.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: sum / sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted[sorted.length - 1]!,
  };
}

async function main(): Promise<void> {
  const brokers = defaultBrokers();
  const registryUrl = defaultRegistryUrl();
  const quiet = createLogger('warn');
  const kafka = createKafka({ brokers, clientId: 'driftwatch-bench-logger', logger: createLogger('silent') });
  const topic = `bench.logger.${Date.now().toString(36)}`;
  try {
    await Promise.race([
      ensureTopics(kafka, [{ topic }]),
      sleep(15_000).then(() => Promise.reject(new Error('no answer in 15 s'))),
    ]);
  } catch (error) {
    console.error(
      `cannot reach the Kafka broker at ${brokers.join(',')} (${(error as Error).message}).\n` +
        'Start the local stack first: bash scripts/stack.sh start',
    );
    process.exit(1);
  }
  const schema = readShippedSchema('bench-wide-prediction.avsc');
  const type = avro.Type.forSchema(schema as avro.Schema);
  const generator = new WideEventGenerator(20260601);
  const now = Date.now();
  const pool = Array.from(
    { length: POOL },
    (_, i) => generator.next(now + i) as unknown as Record<string, unknown>,
  );
  const eventAt = (i: number) => pool[i % POOL]!;
  const wireBytes = encodeWire(1, type.toBuffer(pool[0])).length;

  const rows: Row[] = [];
  const empty = await measure(EVENTS, () => undefined, CEILING_RATE);
  rows.push({ name: 'timer only (empty call)', calls: EVENTS, durationsUs: empty, gcMaxMs });
  let sink: unknown[] = [];
  rows.push({
    name: 'array push (no-op ceiling)',
    calls: EVENTS,
    durationsUs: await measure(
      EVENTS,
      (i) => {
        if (sink.length >= 10_000) sink = [];
        sink.push(eventAt(i));
      },
      CEILING_RATE,
    ),
    gcMaxMs,
  });
  rows.push({
    name: 'avsc toBuffer',
    calls: EVENTS,
    durationsUs: await measure(EVENTS, (i) => type.toBuffer(eventAt(i)), CEILING_RATE),
    gcMaxMs,
  });
  rows.push({
    name: 'toBuffer + wire header (encodeWire)',
    calls: EVENTS,
    durationsUs: await measure(EVENTS, (i) => encodeWire(1, type.toBuffer(eventAt(i))), CEILING_RATE),
    gcMaxMs,
  });

  const logger = await PredictionLogger.create({
    brokers,
    registryUrl,
    topic,
    schema,
    logger: quiet,
    ...(BATCH_SIZE === undefined ? {} : { batchSize: BATCH_SIZE }),
    ...(MAX_BUFFER === undefined ? {} : { maxBuffer: MAX_BUFFER }),
  });
  const accepted = new Uint8Array(EVENTS);
  const logged = await measure(
    EVENTS,
    (i) => {
      accepted[i] = logger.log(eventAt(i)) ? 1 : 0;
    },
    RATE,
  );
  const loggerGcMaxMs = gcMaxMs;
  const flushStart = performance.now();
  const flushed = await logger.flush(120_000);
  const flushMs = performance.now() - flushStart;
  const stats = logger.stats();
  await logger.close();
  rows.push({
    name: 'PredictionLogger.log',
    calls: EVENTS,
    durationsUs: logged,
    note: `paced to ${RATE.toLocaleString('en-US')}/s`,
    gcMaxMs: loggerGcMaxMs,
  });
  if (stats.dropped > 0) {
    // A dropped call returns before encoding, so it is cheaper; this row shows what an accepted event costs.
    const kept = logged.filter((_, i) => accepted[i] === 1);
    rows.push({
      name: 'PredictionLogger.log, accepted only',
      calls: kept.length,
      durationsUs: kept,
      note: 'the calls that returned true',
      gcMaxMs: loggerGcMaxMs,
    });
  }

  const producer = await PredictionProducer.connect({ brokers, registryUrl, topic, schema });
  const producerDurations = new Float64Array(PRODUCER_EVENTS);
  gcMaxMs = 0;
  for (let i = 0; i < PRODUCER_EVENTS; i++) {
    const t0 = performance.now();
    await producer.send([eventAt(i)]);
    producerDurations[i] = (performance.now() - t0) * 1_000;
  }
  await producer.close();
  rows.push({
    name: 'await PredictionProducer.send([e])',
    calls: PRODUCER_EVENTS,
    durationsUs: producerDurations,
    note: 'one event per send, acks=all',
    gcMaxMs,
  });

  if (!args['keep-topics']) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }

  const base = summary(rows[2]!);
  const fmt = (v: number, width = 9) => (v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(width);
  console.log(
    `\nlogger overhead: ${EVENTS.toLocaleString('en-US')} events of ${wireBytes} bytes (wire format), bursts of ${BURST}`,
  );
  const header = ['p50', 'p99', 'p99.9', 'mean', 'max'].map((h) => h.padStart(9)).join('');
  console.log(`${'per call, microseconds'.padEnd(38)}${header}  p50 ratio  mean ratio  GC max ms`);
  for (const row of rows) {
    const r = summary(row);
    console.log(
      `${row.name.padEnd(38)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.p999)}${fmt(r.mean)}${fmt(r.max)}` +
        `${fmt(r.p50 / base.p50, 11)}${fmt(r.mean / base.mean, 12)}${fmt(row.gcMaxMs, 11)}` +
        (row.note ? `   (${row.calls.toLocaleString('en-US')} calls, ${row.note})` : ''),
    );
  }
  console.log('ratios are to avsc toBuffer; GC max is the longest GC pause while the row ran');
  if (stats.dropped > 0) {
    console.log(
      `\nwarning: the logger dropped ${stats.dropped} events (its sends did not keep up with --rate ${RATE} on this ` +
        'machine); compare the "accepted only" row, or run again with a lower --rate',
    );
  }
  console.log(
    `\nlogger after the run: logged ${stats.logged}, sent ${stats.sent}, dropped ${stats.dropped}, invalid ${stats.invalid}, ` +
      `retries ${stats.retries}; flush ${flushed.complete ? 'complete' : `incomplete (${flushed.unsent} unsent)`} in ${flushMs.toFixed(0)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
