/**
 * The caller's time per `PredictionLogger.log()`: what a service pays in its request path for logging one
 * prediction, beside ceilings that do less and beside awaiting `PredictionProducer.send` per event.
 *
 *   bash scripts/stack.sh start          # needs the local Kafka broker and schema registry; this script starts nothing
 *   npx tsx bench/logger-overhead.ts [--events N] [--rate N] [--burst N] [--producer-events N] [--keep-topics]
 *
 * Events are the wide bench events (schemas/bench-wide-prediction.avsc: 20 numeric and 5 categorical features, about
 * 238 bytes in the wire format), drawn once into a pool before any clock runs. Every row calls its operation in
 * bursts of --burst events (default 100) and yields to the event loop after each burst, as a service handling
 * requests would; the logger row is also paced to --rate events/s (default 10,000) so that its background sends keep up.
 * Each call is timed on its own with performance.now(); the "timer only" row is the cost of that timing itself.
 * bench/README.md explains how to read the output.
 */
import { performance } from 'node:perf_hooks';
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
    'keep-topics': { type: 'boolean', default: false },
  },
});
const EVENTS = positive('events');
const RATE = positive('rate');
const BURST = positive('burst');
const PRODUCER_EVENTS = positive('producer-events');
const POOL = 4_096;

function positive(name: 'events' | 'rate' | 'burst' | 'producer-events'): number {
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
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `op(i)` for i < n in bursts, timing each call; paced to `rate` events/s when given. */
async function measure(n: number, op: (i: number) => unknown, rate?: number): Promise<Float64Array> {
  const out = new Float64Array(n);
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
  const empty = await measure(EVENTS, () => undefined);
  rows.push({ name: 'timer only (empty call)', calls: EVENTS, durationsUs: empty });
  let sink: unknown[] = [];
  rows.push({
    name: 'array push (no-op ceiling)',
    calls: EVENTS,
    durationsUs: await measure(EVENTS, (i) => {
      if (sink.length >= 10_000) sink = [];
      sink.push(eventAt(i));
    }),
  });
  rows.push({
    name: 'avsc toBuffer',
    calls: EVENTS,
    durationsUs: await measure(EVENTS, (i) => type.toBuffer(eventAt(i))),
  });
  rows.push({
    name: 'toBuffer + wire header (encodeWire)',
    calls: EVENTS,
    durationsUs: await measure(EVENTS, (i) => encodeWire(1, type.toBuffer(eventAt(i)))),
  });

  const logger = await PredictionLogger.create({ brokers, registryUrl, topic, schema, logger: quiet });
  const accepted = new Uint8Array(EVENTS);
  const logged = await measure(
    EVENTS,
    (i) => {
      accepted[i] = logger.log(eventAt(i)) ? 1 : 0;
    },
    RATE,
  );
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
  });
  if (stats.dropped > 0) {
    // A dropped call returns before encoding, so it is cheaper; this row shows what an accepted event costs.
    const kept = logged.filter((_, i) => accepted[i] === 1);
    rows.push({
      name: 'PredictionLogger.log, accepted only',
      calls: kept.length,
      durationsUs: kept,
      note: 'the calls that returned true',
    });
  }

  const producer = await PredictionProducer.connect({ brokers, registryUrl, topic, schema });
  const producerDurations = new Float64Array(PRODUCER_EVENTS);
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
  });

  if (!args['keep-topics']) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }

  const base = summary(rows[2]!).mean;
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(9);
  console.log(
    `\nlogger overhead: ${EVENTS.toLocaleString('en-US')} events of ${wireBytes} bytes (wire format), bursts of ${BURST}`,
  );
  console.log(
    `${'per call, microseconds'.padEnd(38)}${'p50'.padStart(9)}${'p99'.padStart(9)}${'p99.9'.padStart(9)}${'mean'.padStart(9)}${'max'.padStart(9)}  mean/toBuffer`,
  );
  for (const row of rows) {
    const s = summary(row);
    console.log(
      `${row.name.padEnd(38)}${fmt(s.p50)}${fmt(s.p99)}${fmt(s.p999)}${fmt(s.mean)}${fmt(s.max)}  ${(s.mean / base).toFixed(2).padStart(8)}` +
        (row.note ? `   (${row.calls.toLocaleString('en-US')} calls, ${row.note})` : ''),
    );
  }
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
