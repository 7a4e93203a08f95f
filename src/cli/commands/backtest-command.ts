import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DriftAlert } from '../../alerts/drift-alert.ts';
import { windowStatisticsRecord } from '../../alerts/window-statistics.ts';
import type { Baseline } from '../../baseline/baseline-types.ts';
import { loadBaseline } from '../../baseline/load-baseline.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { type EventField, type EventReader, openEvents } from '../../io/read-events.ts';
import { TopologyTestDriver } from '../../testing/topology-test-driver.ts';
import type { DriftTaskRunner } from '../../topology/drift-topology.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { DriftWorkerPool } from '../../worker/drift-worker-pool.ts';
import { integerOption, parseCommandArgs } from '../cli-args.ts';
import { ProgressBar } from '../progress-bar.ts';
import { renderTable } from '../text-table.ts';

export const BACKTEST_HELP = `driftwatch backtest <topology.yaml> --input <events file> [options]

Replays historical events from a file (NDJSON, CSV, Parquet, Arrow) through a topology, in this process and without
Kafka, with the same windows, watermarks, statistics and thresholds as the engine, and prints the alerts it would
have raised. Use it to tune thresholds before going live.

Events are read in file order as one partition, in batches of 1024. The watermark moves between batches as it moves
between fetched batches live: an event further than outOfOrderness behind the events of earlier batches is late.
When the file ends, every window closes. The topology must use event time; its baseline is read from its baseline
file (not its topic) unless --baseline names another.

NDJSON records are read as they are (nested). In CSV, Parquet and Arrow files a field is read from the column named
like its path (features.amount), like the feature, or like the path's last segment (amount). Event times are epoch
milliseconds or ISO-8601 strings (UTC unless they name a zone). A row that cannot be read, or lacks what the
topology needs, is counted as rejected with its line or row (the engine would dead-letter it), and the run goes on.

Alerts are the records the engine would produce, with the same ids. Their detected_at (and the emitted_at of window
statistics) is the window's end rather than the wall clock, so a rerun writes the same files.

Options:
  --input <file>          the events (required): .ndjson/.jsonl, .csv, .parquet, .arrow/.feather/.ipc
  --output <file>         also write the alerts as NDJSON, one alert record per line
  --statistics <file>     also write every window's statistics as NDJSON, one window-statistics record per line
  --baseline <file>       use this baseline file instead of the topology's
  --format table|json     output format (default table)
  --threads <n>           count windows in n worker threads (default 0: in this thread). Parsing the file stays
                          on the main thread and usually dominates; workers take about a second to start and pay
                          off only on large files with cores to spare.

Exit status: 0 when the run completed (with or without alerts); 1 for bad input, a file without a usable event
included; 2 for usage errors.
`;

/**
 * Events per batch piped into the topology. The watermark moves between batches (as the engine's moves between
 * fetched batches), so this is also the granularity at which lateness is judged; 1024 keeps it fine while the
 * per-batch cost stays negligible next to parsing.
 */
const BATCH_EVENTS = 1024;

/** How many rejected rows are quoted in the summary. */
const REJECTED_SHOWN = 5;

export interface BacktestSummary {
  readonly topology: string;
  readonly input: string;
  readonly events: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly firstRejected: readonly string[];
  readonly late: number;
  readonly windows: number;
  readonly alerts: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}

export async function backtestCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    input: { type: 'string' },
    output: { type: 'string' },
    statistics: { type: 'string' },
    baseline: { type: 'string' },
    format: { type: 'string' },
    threads: { type: 'string' },
  });
  if (positionals.length !== 1) {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      positionals.length === 0 ? 'a topology file is required' : 'one topology file at a time',
    );
  }
  if (values.input === undefined) throw new DriftwatchError(ErrorCodes.CLI_USAGE, '--input is required');
  const format = values.format ?? 'table';
  if (format !== 'json' && format !== 'table') {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--format must be json or table, got ${format}`);
  }
  const threads = integerOption('threads', values.threads, 0, 0);
  if (threads > 64)
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--threads must be at most 64, got ${threads}`);

  const topology = await loadTopologyFile(positionals[0]!);
  if (topology.source.eventTimeField === null) {
    throw new DriftwatchError(
      ErrorCodes.TOPOLOGY_INVALID,
      `${topology.file}: a backtest needs event time, but the topology uses processing time (source.timeSemantics: processing); name the event-time field in source.eventTime`,
      { file: topology.file, path: 'source.timeSemantics' },
    );
  }
  const baseline = values.baseline === undefined ? undefined : await loadBaseline(values.baseline);
  const reader = await openEvents(values.input, {
    fields: eventFields(topology, topology.source.eventTimeField),
    eventTimeField: topology.source.eventTimeField,
    batchSize: BATCH_EVENTS,
  });
  const outputs: FileHandle[] = [];
  try {
    const alertsOut = values.output === undefined ? null : await openOutput('output', values.output);
    if (alertsOut !== null) outputs.push(alertsOut);
    const statisticsOut =
      values.statistics === undefined ? null : await openOutput('statistics', values.statistics);
    if (statisticsOut !== null) outputs.push(statisticsOut);
    const { alerts, summary } = await runBacktest({
      topology,
      baseline,
      reader,
      threads,
      alertsOut,
      statisticsOut,
    });
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify({ alerts, summary }, jsonNumbers, 2)}\n`
        : `${alertTable(alerts)}${summaryText(summary)}`,
    );
    if (summary.accepted === 0) {
      process.stderr.write(
        `driftwatch backtest: ${reader.file}: no usable events${summary.events === 0 ? ' in the file' : ''} [${ErrorCodes.INPUT_FILE}]\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    reader.close();
    for (const handle of outputs) await handle.close();
  }
}

/** What the topology reads from each event; flat files must have a column for each required one. */
function eventFields(topology: Topology, eventTimeField: string): EventField[] {
  const fields: EventField[] = [{ path: eventTimeField, required: true, label: 'the event time' }];
  for (const f of topology.features) {
    fields.push({ path: f.field, aliases: [f.name], required: true, label: `feature "${f.name}"` });
  }
  fields.push({ path: topology.source.modelNameField }, { path: topology.source.modelVersionField });
  if (topology.segments !== null) {
    fields.push({ path: topology.segments.field, required: true, label: 'the segment field' });
  }
  return fields;
}

async function openOutput(option: string, file: string): Promise<FileHandle> {
  try {
    return await open(file, 'w');
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `--${option}: cannot write ${file} (${(error as Error).message})`,
      { file },
      { cause: error },
    );
  }
}

interface BacktestRun {
  readonly topology: Topology;
  readonly baseline: Baseline | undefined;
  readonly reader: EventReader;
  /** 0: drift tasks run in this thread. */
  readonly threads: number;
  readonly alertsOut: FileHandle | null;
  readonly statisticsOut: FileHandle | null;
}

/**
 * Pipes the file's records through a TopologyTestDriver (the engine's topology with a manual clock that never
 * moves, so the watermark follows event time only and a gap in the history never closes windows early), then ends
 * the input so every window closes. Results, alerts and rejections are taken out of the driver after every batch, so
 * memory stays flat over a long history; only the alerts are kept, for printing.
 */
export async function runBacktest(
  run: BacktestRun,
): Promise<{ alerts: DriftAlert[]; summary: BacktestSummary }> {
  const started = performance.now();
  const pool = run.threads > 0 ? new DriftWorkerPool({ threads: run.threads }) : null;
  const runner: DriftTaskRunner | undefined = pool ?? undefined;
  const driver = await TopologyTestDriver.create({
    topology: run.topology,
    ...(run.baseline !== undefined ? { baseline: run.baseline } : {}),
    ...(runner !== undefined ? { runner } : {}),
  });
  const { reader } = run;
  const bar = new ProgressBar({ unit: reader.progressUnit, total: reader.progressTotal, label: 'backtest' });
  const alerts: DriftAlert[] = [];
  const firstRejected: string[] = [];
  let events = 0;
  let rejected = 0;
  let windows = 0;
  let piped = 0;
  const reject = (location: number, reason: string) => {
    rejected++;
    if (firstRejected.length < REJECTED_SHOWN) {
      firstRejected.push(`${reader.file}: ${reader.locationUnit} ${location}: ${reason}`);
    }
  };
  const drain = async () => {
    let alertLines = '';
    let statisticsLines = '';
    const drained = driver.drain();
    for (const result of drained.results) {
      windows++;
      if (run.statisticsOut !== null) {
        statisticsLines += `${JSON.stringify(windowStatisticsRecord(result, result.end), jsonNumbers)}\n`;
      }
    }
    for (const alert of drained.alerts) {
      // The driver's clock stands still; the window's end makes detected_at meaningful and reruns identical.
      const stamped = { ...alert, detected_at: alert.window_end };
      alerts.push(stamped);
      if (run.alertsOut !== null) alertLines += `${JSON.stringify(stamped, jsonNumbers)}\n`;
    }
    if (alertLines !== '') await run.alertsOut!.write(alertLines);
    if (statisticsLines !== '') await run.statisticsOut!.write(statisticsLines);
  };
  try {
    for await (const batch of reader) {
      events += batch.records.length + batch.rejected.length;
      for (const r of batch.rejected) reject(r.location, r.reason);
      if (batch.records.length > 0) {
        const first = piped;
        driver.pipe(batch.records, { partition: 0 });
        piped += batch.records.length;
        for (const r of driver.rejected.splice(0)) reject(batch.locations[r.offset - first]!, r.reason);
      }
      if (pool === null) {
        // In this thread chunks are counted as they seal; settling only lets the window results through.
        await driver.settle();
      } else {
        // Flow control: keep the workers fed but the queue of chunks (and their bytes) short. Settling here would
        // wait for every chunk in flight and leave the workers idle.
        while (pool.queueSize > 2 * run.threads) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await drain();
      bar.update(batch.progress);
    }
    await driver.end();
    await drain();
  } finally {
    bar.finish();
    await pool?.close();
  }
  const elapsedMs = performance.now() - started;
  return {
    alerts,
    summary: {
      topology: run.topology.name,
      input: reader.file,
      events,
      accepted: events - rejected,
      rejected,
      firstRejected,
      late: driver.counters.late,
      windows,
      alerts: alerts.length,
      elapsedMs: Math.round(elapsedMs),
      eventsPerSecond: Math.round(events / (Math.max(elapsedMs, 1) / 1000)),
    },
  };
}

function alertTable(alerts: readonly DriftAlert[]): string {
  if (alerts.length === 0) return 'no alerts\n';
  const rows = [['window', 'segment', 'feature', 'statistic', 'value', 'threshold', 'severity']];
  for (const a of alerts) {
    const pTest = a.p_value !== null;
    rows.push([
      `${windowText(a.window_start, a.window_end)}${a.revision > 0 ? ` (revision ${a.revision})` : ''}`,
      a.segment ?? '-',
      a.feature,
      a.reference === 'baseline' ? a.statistic : `${a.statistic} vs ${a.reference}`,
      pTest ? `${fmt(a.value)} (p=${fmt(a.adjusted_p_value ?? a.p_value)})` : fmt(a.value),
      // p-value tests fire below their level, distances at or above it (levels_source tells calibrated levels apart).
      pTest && a.levels_source === 'fixed' ? `p<${fmt(a.threshold)}` : `>=${fmt(a.threshold)}`,
      a.severity,
    ]);
  }
  return renderTable(rows);
}

function summaryText(s: BacktestSummary): string {
  const lines = [
    '',
    `backtest of ${s.topology} over ${basename(s.input)}: ${s.events} events read, ${s.rejected} rejected, ${s.late} late, ${s.windows} windows, ${s.alerts} alerts`,
    `elapsed ${(s.elapsedMs / 1000).toFixed(2)} s (${s.eventsPerSecond} events/s)`,
  ];
  if (s.rejected > 0) {
    lines.push(`first rejected events${s.rejected > s.firstRejected.length ? ` (of ${s.rejected})` : ''}:`);
    for (const r of s.firstRejected) lines.push(`  ${r}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An ISO-8601 interval, the end shortened to its time when it falls on the start's day. */
function windowText(start: number, end: number): string {
  const a = iso(start);
  const b = iso(end);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}/${b.slice(11)}` : `${a}/${b}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4).replace(/\.?0+$/, '');
}

/** NaN and infinities as strings: JSON has no literal for them and would write null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
