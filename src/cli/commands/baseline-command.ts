import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import type { Kafka } from 'kafkajs';
import {
  DEFAULT_BASELINE_TOPIC,
  publishBaseline,
  readLatestBaseline,
} from '../../baseline/baseline-topic.ts';
import type { Baseline, BaselinePerformance, BaselineSource } from '../../baseline/baseline-types.ts';
import { buildBaseline, type ReferenceRows } from '../../baseline/build-baseline.ts';
import { type EmbeddingColumn, fileEmbeddingColumns } from '../../baseline/embedding-reference.ts';
import { categoricalColumnNames, fileReferenceRows } from '../../baseline/file-reference.ts';
import { loadBaseline } from '../../baseline/load-baseline.ts';
import { filePerformanceReference } from '../../baseline/model-reference.ts';
import { planChunks } from '../../baseline/reference-chunks.ts';
import { parseTimeText } from '../../baseline/time-value.ts';
import { readTopicReference } from '../../baseline/topic-reference.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { readDataFile } from '../../io/read-data-file.ts';
import { createKafka } from '../../kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../../kafka/schema-registry-client.ts';
import { silentLogger } from '../../logging/logger.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { integerOption, parseCommandArgs } from '../cli-args.ts';
import { defaultBrokers, defaultRegistryUrl } from '../connection-defaults.ts';
import { ProgressBar } from '../progress-bar.ts';

export const BASELINE_HELP = `driftwatch baseline build --topology <topology.yaml> --input <training file> [options]
driftwatch baseline build --topology <topology.yaml> --from-topic [topic] [--from <time>] [--to <time>] [options]
driftwatch baseline show (--file <baseline.json> | [--topology <t.yaml>] [--topic <topic>] [--name <name>])

build: writes a versioned baseline for the features a topology monitors, with the same kernels that count live
windows, from training data (CSV, NDJSON, Parquet, Arrow) or from the events of a topic's time range. A feature
is read from the column (or event field) named like the feature, its field path, or the path's last segment
(features.amount -> amount). A boolean feature takes true/false (or 1/0) and becomes categories "true" and "false".

With a model section, the baseline also holds the model's metrics on the labelled rows (columns named like the
model's class, score and label fields, or their last segments; rows without a label are skipped) and, per embedding,
a summary of its vectors (a column of vectors of the embedding's dimension: JSON-array text in a CSV cell, an array
in NDJSON, a list column in Parquet or Arrow).
Without a label column there is no performance reference; events of a topic carry no labels, only embeddings.

For calibrated thresholds the baseline also holds every test's statistic over chunks of the reference the size of a
window: by event time in windows of the topology's size when the input has the event-time column (epoch ms or ISO
8601), else chunks of --chunk-rows rows (default: a tenth of the rows). Chunks with fewer than half the rows of a
typical chunk are left out.

Options:
  --output <file>       where to write the baseline (default: the baseline path the topology names)
  --bins <n>            quantile buckets for numeric features (default 10)
  --chunk-rows <n>      calibration chunks of n rows, even when the input has event times (needed for session windows)
  --from-topic [topic]  read the reference from a topic (default: the topology's source topic)
  --from <time>         with --from-topic: events at or after this event time (ISO 8601 or epoch ms; default: all)
  --to <time>           with --from-topic: events before this event time (default: up to the current end)
  --publish [topic]     also publish the baseline to a compacted topic under the topology's baseline name (default
                        topic: the topology's baseline.topic, else ${DEFAULT_BASELINE_TOPIC})
  --brokers <list>      Kafka bootstrap brokers, comma-separated (env DRIFTWATCH_BROKERS; default 127.0.0.1:9092)
  --registry <url>      Confluent-compatible registry API (env DRIFTWATCH_REGISTRY_URL;
                        default http://127.0.0.1:8081/apis/ccompat/v7)

show: prints a baseline's version, source, rows, features, model metrics and embeddings, from a file or the latest published under a name
(default topic and name: the topology's, else ${DEFAULT_BASELINE_TOPIC} and --name).
`;

/** Options that take a value which may be left out (`--publish` alone means the default topic). */
const OPTIONAL_VALUES = ['--publish', '--from-topic'];

export async function baselineCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'build') return build(withOptionalValues(rest));
  if (sub === 'show') return show(rest);
  throw new DriftwatchError(
    ErrorCodes.CLI_USAGE,
    `unknown baseline command "${sub ?? ''}"; use: baseline build, baseline show`,
  );
}

/** `--publish` followed by nothing or by another option becomes `--publish=` (empty: the default). */
function withOptionalValues(args: readonly string[]): string[] {
  return args.map((arg, i) =>
    OPTIONAL_VALUES.includes(arg) && (i + 1 === args.length || args[i + 1]!.startsWith('-'))
      ? `${arg}=`
      : arg,
  );
}

async function build(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    topology: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    bins: { type: 'string' },
    'chunk-rows': { type: 'string' },
    'from-topic': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    publish: { type: 'string' },
    brokers: { type: 'string' },
    registry: { type: 'string' },
  });
  const fromTopic = values['from-topic'];
  if (values.topology === undefined || (values.input === undefined) === (fromTopic === undefined)) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      '--topology and one of --input or --from-topic are required',
    );
  }
  if (fromTopic === undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, '--from and --to apply to --from-topic');
  }
  const bins = integerOption('bins', values.bins, 10);
  const chunkRows =
    values['chunk-rows'] === undefined ? undefined : integerOption('chunk-rows', values['chunk-rows'], 1);
  const topology = await loadTopologyFile(values.topology);
  if (topology.window.type === 'session' && chunkRows === undefined) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `topology ${topology.name} uses session windows, which have no fixed size: give the calibration chunk size with --chunk-rows`,
    );
  }
  let kafka: Kafka | undefined;
  const connect = () => {
    kafka ??= createKafka({
      brokers: values.brokers?.split(',').map((b) => b.trim()) ?? defaultBrokers(),
      clientId: 'driftwatch-baseline',
      logger: silentLogger,
    });
    return kafka;
  };

  let reference: ReferenceRows;
  let source: BaselineSource;
  let performance: BaselinePerformance | undefined;
  let embeddings: EmbeddingColumn[] = [];
  const notes: string[] = [];
  const model = topology.model;
  if (values.input !== undefined) {
    const table = await readDataFile(values.input, categoricalColumnNames(topology));
    reference = fileReferenceRows(table, topology);
    source = {
      description: basename(values.input),
      fingerprint: `sha256:${await fileSha256(values.input)}`,
      rows: table.rows,
    };
    if (model !== null) {
      const read = filePerformanceReference(table, model);
      performance = read.performance;
      if (read.unlabelledRows > 0) notes.push(`${read.unlabelledRows} rows without a label skipped`);
      if (read.unpredictedRows > 0)
        notes.push(`${read.unpredictedRows} labelled rows without a prediction skipped`);
      notes.push(...read.notes);
      embeddings = fileEmbeddingColumns(table, model);
    }
  } else {
    const topic = fromTopic === '' || fromTopic === undefined ? topology.source.topic : fromTopic;
    const bar = new ProgressBar({ unit: 'messages', label: `reading ${topic}` });
    const read = await readTopicReference({
      kafka: connect(),
      registry: new SchemaRegistryClient({ url: values.registry ?? defaultRegistryUrl() }),
      topology,
      topic,
      fromMs: timeOption('from', values.from),
      toMs: timeOption('to', values.to),
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    const rejected = [...read.rejected.entries()];
    process.stdout.write(
      `read ${read.messages} messages from ${topic}: ${read.rows} events in the time range, ${read.outOfRange} outside it, ${rejected.reduce((s, [, r]) => s + r.count, 0)} left out\n`,
    );
    for (const [code, { count, example }] of rejected) {
      process.stdout.write(`  ${count} x ${code}, e.g. ${example}\n`);
    }
    for (const p of read.incomplete) {
      process.stderr.write(
        `warning: partition ${p.partition} of ${topic} stopped at offset ${p.next} before its end ${p.end} (nothing more arrived)\n`,
      );
    }
    if (read.rows === 0) {
      throw new DriftwatchError(
        ErrorCodes.BASELINE_INVALID,
        `no events of ${topic} in the time range: ${read.source.description}`,
        {
          topic,
        },
      );
    }
    reference = read;
    source = read.source;
    if (model !== null) {
      notes.push(
        'events of a topic carry no labels: performance reference not built; set model.performance.reference or build from labelled data',
      );
      embeddings = [...read.embeddings];
    }
  }

  const bar = new ProgressBar({ unit: 'values', label: 'counting' });
  const baseline = buildBaseline(reference.columns, {
    name: topology.baseline.name,
    source,
    numericBins: bins,
    chunks: planChunks(topology.window, reference, chunkRows),
    onProgress: (done, total) => bar.update(done, total),
    ...(performance === undefined ? {} : { performance }),
    embeddings,
  });
  bar.finish();
  const output = values.output ?? topology.baseline.path;
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, `${JSON.stringify(baseline, null, 2)}\n`);
  process.stdout.write(
    `wrote ${relative(process.cwd(), output)} (${baseline.version}, ${reference.rows} rows, ${reference.columns.size} features)\n`,
  );
  reportCalibration(baseline);
  process.stdout.write(describeModelSections(baseline));
  for (const note of notes) process.stdout.write(`note: ${note}\n`);

  if (values.publish !== undefined) {
    const topic =
      values.publish === '' ? (topology.baseline.topic ?? DEFAULT_BASELINE_TOPIC) : values.publish;
    const published = await publishBaseline(connect(), topic, baseline, topology.baseline.name);
    process.stdout.write(
      `published ${baseline.version} to ${topic} under "${topology.baseline.name}" (partition ${published.partition}, offset ${published.offset})\n`,
    );
  }
  return 0;
}

function timeOption(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const t = parseTimeText(value);
  if (Number.isNaN(t)) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `--${name} must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return t;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One line on how the calibration chunks came out, or a warning naming the features that have none. */
function reportCalibration(baseline: Baseline): void {
  const features = Object.entries(baseline.features);
  const calibrated = features.find(([, f]) => f.calibration !== undefined)?.[1].calibration;
  const missing = features.filter(([, f]) => f.calibration === undefined).map(([name]) => name);
  if (calibrated !== undefined) {
    const size =
      calibrated.chunkBy === 'time'
        ? `${calibrated.chunkSize} ms of event time`
        : `${calibrated.chunkSize} rows`;
    const sampled =
      calibrated.sampledFrom === undefined ? '' : `, an even sample of ${calibrated.sampledFrom}`;
    process.stdout.write(
      `calibration: ${calibrated.chunks} chunks of ${size}${sampled} (${calibrated.smallChunks} small chunks left out)\n`,
    );
  }
  if (missing.length > 0) {
    process.stderr.write(
      `warning: no calibration for ${missing.join(', ')}: fewer than 2 reference chunks; calibrated thresholds need a longer reference or smaller --chunk-rows\n`,
    );
  }
}

async function show(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    file: { type: 'string' },
    topology: { type: 'string' },
    topic: { type: 'string' },
    name: { type: 'string' },
    brokers: { type: 'string' },
  });
  let baseline: Baseline | undefined;
  let where: string;
  if (values.file !== undefined) {
    baseline = await loadBaseline(values.file);
    where = values.file;
  } else {
    const topology: Topology | undefined =
      values.topology === undefined ? undefined : await loadTopologyFile(values.topology);
    const topic = values.topic ?? topology?.baseline.topic ?? DEFAULT_BASELINE_TOPIC;
    const name = values.name ?? topology?.baseline.name;
    if (name === undefined) {
      throw new DriftwatchError(
        ErrorCodes.CLI_USAGE,
        'give --file, or --name (or --topology) to read from a topic',
      );
    }
    const kafka = createKafka({
      brokers: values.brokers?.split(',').map((b) => b.trim()) ?? defaultBrokers(),
      clientId: 'driftwatch-baseline',
      logger: silentLogger,
    });
    baseline = await readLatestBaseline(kafka, topic, name);
    where = `topic ${topic}, name "${name}"`;
    if (baseline === undefined) {
      process.stderr.write(`no baseline published in ${where}\n`);
      return 1;
    }
  }
  process.stdout.write(describeBaseline(baseline, where));
  return 0;
}

export function describeBaseline(baseline: Baseline, where: string): string {
  const lines = [
    `baseline ${baseline.version} (${where})`,
    `  created ${baseline.createdAt}`,
    `  source  ${baseline.source.description}`,
    `          ${baseline.source.rows} rows, ${baseline.source.fingerprint}`,
    '  features:',
  ];
  const width = Math.max(...Object.keys(baseline.features).map((n) => n.length), 4);
  for (const [name, f] of Object.entries(baseline.features)) {
    const layout =
      f.kind === 'numeric' ? `${f.counts.length - 5} buckets` : `${f.categories.length} categories`;
    const calibration =
      f.calibration === undefined
        ? 'no calibration'
        : `calibration over ${f.calibration.chunks} ${f.calibration.chunkBy} chunks (${Object.keys(f.calibration.statistics).join(', ')})`;
    lines.push(`    ${name.padEnd(width)}  ${f.kind.padEnd(11)}  ${layout.padEnd(14)}  ${calibration}`);
  }
  return `${lines.join('\n')}\n${describeModelSections(baseline)}`;
}

/** The performance and embeddings sections, one line per metric set and per embedding; '' without them. */
export function describeModelSections(baseline: Baseline): string {
  const lines: string[] = [];
  const p = baseline.performance;
  if (p !== undefined) {
    const metrics = Object.entries(p.metrics).map(([m, v]) => `${m} ${formatNumber(v)}`);
    lines.push(
      `  performance (${p.task}, ${p.rows} labelled rows): ${metrics.length === 0 ? 'no metric' : metrics.join(', ')}`,
    );
  }
  const embeddings = Object.entries(baseline.embeddings ?? {});
  if (embeddings.length > 0) {
    lines.push('  embeddings:');
    const width = Math.max(...embeddings.map(([n]) => n.length), 4);
    for (const [name, e] of embeddings) {
      const calibration =
        e.calibration === undefined
          ? 'no calibration'
          : `calibration over ${e.calibration.chunks} chunks (${Object.keys(e.calibration.statistics).join(', ')})`;
      lines.push(
        `    ${name.padEnd(width)}  dimension ${e.dimension}, ${e.count} vectors, bandwidth ${formatNumber(e.bandwidth)}, ${calibration}`,
      );
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function formatNumber(value: number): string {
  return Number(value.toPrecision(6)).toString();
}
