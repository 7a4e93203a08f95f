/**
 * `driftwatch backtest`: the proof of issue 4 is a file of demo events with a drift injected from a known minute on;
 * the backtest must report it in the first window from that minute, on the drifted features only, and nothing before.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DriftAlert } from '../../../src/alerts/drift-alert.ts';
import type { WindowStatisticsRecord } from '../../../src/alerts/window-statistics.ts';
import { backtestCommand } from '../../../src/cli/commands/backtest-command.ts';
import {
  type CreditRiskEvent,
  CreditRiskEventGenerator,
  DEMO_DRIFT,
  NO_DRIFT,
} from '../../../src/demo/credit-risk-events.ts';
import { isDriftwatchError } from '../../../src/errors.ts';

const BIN = fileURLToPath(new URL('../../../bin/driftwatch.js', import.meta.url));
const DEMO_BASELINE = fileURLToPath(
  new URL('../../../topologies/baselines/credit-risk.baseline.json', import.meta.url),
);
const MIN = 60_000;
/** A minute boundary: windows start at T0 + k minutes. */
const T0 = Date.UTC(2026, 2, 1, 12, 0);
const WINDOWS = 8;
/** The drift starts here (a window boundary), so the window of minute 5 is the first drifted one. */
const DRIFT_FROM = T0 + 5 * MIN;
const STEP_MS = 30;

const dir = mkdtempSync(join(tmpdir(), 'dw-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo topology's shape, against the committed demo baseline, with fixed thresholds well clear of noise. */
function topologyYaml(source: string): string {
  return `apiVersion: driftwatch/v1
name: credit-risk-backtest
source:
  topic: predictions.credit-risk
${source}
  modelName: model_name
  modelVersion: model_version
baseline: ${JSON.stringify(DEMO_BASELINE)}
window:
  type: tumbling
  size: 1m
  grace: 0s
  outOfOrderness: 5s
  idleTimeout: 30s
  quietClose: 5s
features:
  - { name: amount, field: features.amount, kind: numeric, test: psi, threshold: 0.2 }
  - { name: age, field: features.age, kind: numeric, test: psi, threshold: 0.2 }
  - { name: income, field: features.income, kind: numeric, test: wasserstein_norm, threshold: 0.1 }
  - { name: channel, field: features.channel, kind: categorical, test: js, threshold: 0.1 }
  - { name: country, field: features.country, kind: categorical, test: chi2, threshold: 0.000001 }
dataQuality:
  onTypeMismatch: dead-letter
outputs:
  alerts: driftwatch.alerts
  deadLetter: driftwatch.dead-letter
`;
}

let topology: string;
let events: CreditRiskEvent[];
/** One event placed after the watermark passed its window: late. */
let lateEvent: CreditRiskEvent;

beforeAll(() => {
  topology = join(dir, 'credit-risk.yaml');
  writeFileSync(topology, topologyYaml('  eventTime: event_time'));
  const generator = new CreditRiskEventGenerator(4242);
  events = [];
  for (let t = T0; t < T0 + WINDOWS * MIN; t += STEP_MS) {
    events.push(generator.next(t, t >= DRIFT_FROM ? DEMO_DRIFT : NO_DRIFT));
  }
  lateEvent = generator.next(T0 + 30_000);
});

/** The events as NDJSON lines, with the late event after minute 3 and three bad rows; returns the bad lines too. */
function ndjsonLines(): { lines: string[]; bad: Map<number, RegExp> } {
  const lines = events.map((e) => JSON.stringify(e));
  const afterMinute3 = events.findIndex((e) => e.event_time >= T0 + 3 * MIN);
  lines.splice(afterMinute3, 0, JSON.stringify(lateEvent));
  lines.splice(100, 0, '{"event_time": 1772366400000, "features": {');
  lines.splice(200, 0, JSON.stringify({ ...events[0], event_time: 'last tuesday' }));
  lines.splice(300, 0, JSON.stringify({ ...events[0], features: { ...events[0]!.features, amount: 'abc' } }));
  return {
    lines,
    bad: new Map([
      [101, /not valid JSON/],
      [201, /event time field event_time is "last tuesday"/],
      [301, /numeric feature field features.amount is a string \("abc"\)/],
    ]),
  };
}

let stdout: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
});

async function backtest(...args: string[]): Promise<{ status: number; out: string }> {
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  const status = await backtestCommand(args);
  vi.restoreAllMocks();
  return { status, out: stdout.join('') };
}

function readNdjson<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

const minuteOf = (ms: number) => (ms - T0) / MIN;

describe('driftwatch backtest', { timeout: 60_000 }, () => {
  it('reports the injected drift from the first window at the drift time on, on the drifted features, and nothing before', async () => {
    const { lines, bad } = ndjsonLines();
    const input = join(dir, 'events.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const output = join(dir, 'alerts.ndjson');
    const statistics = join(dir, 'windows.ndjson');
    const { status, out } = await backtest(
      topology,
      '--input',
      input,
      '--output',
      output,
      '--statistics',
      statistics,
    );
    expect(status).toBe(0);

    const alerts = readNdjson<DriftAlert>(output);
    const drifted = [5, 6, 7].flatMap((m) => [`${m} amount psi`, `${m} channel js`]);
    expect(alerts.map((a) => `${minuteOf(a.window_start)} ${a.feature} ${a.statistic}`).sort()).toEqual(
      drifted.sort(),
    );
    expect(Math.min(...alerts.map((a) => a.window_start))).toBe(DRIFT_FROM);
    for (const a of alerts) {
      expect(a.monitor).toBe('credit-risk-backtest');
      expect(a.window_end).toBe(a.window_start + MIN);
      expect(a.detected_at).toBe(a.window_end);
      expect(a.value).toBeGreaterThanOrEqual(a.threshold);
      expect(a.alert_id).toMatch(/^[0-9a-f]{32}$/);
    }

    // Every window's statistics, drifted or not; before the drift no statistic has a severity.
    const windows = readNdjson<WindowStatisticsRecord>(statistics);
    expect(windows.map((w) => minuteOf(w.window_start))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const w of windows) {
      expect(w.statistics.map((s) => s.feature).sort()).toEqual([
        'age',
        'amount',
        'channel',
        'country',
        'income',
      ]);
      const severe = w.statistics.filter((s) => s.severity !== null).map((s) => s.feature);
      expect(severe.sort()).toEqual(w.window_start < DRIFT_FROM ? [] : ['amount', 'channel']);
    }
    // Each generated event is in exactly one window; the late one and the rejected rows are in none.
    expect(windows.reduce((sum, w) => sum + w.rows, 0)).toBe(events.length);

    // The table: one line per alert, then the summary with the rejected rows' lines.
    const alertLines = out.split('\n').filter((l) => l.startsWith('2026-03-01T'));
    expect(alertLines).toHaveLength(6);
    expect(alertLines[0]).toMatch(
      /^2026-03-01T12:05:00Z\/12:06:00Z\s+-\s+amount\s+psi\s+[\d.]+\s+>=0\.2\s+(warning|critical)$/,
    );
    expect(out).toContain(`${lines.length} events read, 3 rejected, 1 late, 8 windows, 6 alerts`);
    for (const [line, reason] of bad) {
      const reported = out.split('\n').find((l) => l.includes(`${input}: line ${line}: `));
      expect(reported, `line ${line} reported`).toMatch(reason);
    }
    expect(out).toMatch(/elapsed \d+\.\d\d s \(\d+ events\/s\)/);
  });

  it('reads the same history from CSV with ISO-8601 times and gives the same alerts, with the same ids', async () => {
    const csv = ['event_time,model_name,model_version,amount,age,income,channel,country'];
    for (const e of events) {
      const f = e.features;
      csv.push(
        [
          new Date(e.event_time).toISOString(),
          e.model_name,
          e.model_version,
          f.amount,
          f.age,
          f.income ?? '',
          f.channel,
          f.country,
        ].join(','),
      );
    }
    const input = join(dir, 'events.csv');
    writeFileSync(input, `${csv.join('\n')}\n`);
    const fromCsv = await backtest(topology, '--input', input, '--format', 'json');
    expect(fromCsv.status).toBe(0);
    const json = JSON.parse(fromCsv.out) as { alerts: DriftAlert[]; summary: Record<string, unknown> };
    expect(json.summary).toMatchObject({
      events: events.length,
      rejected: 0,
      late: 0,
      windows: 8,
      alerts: 6,
    });

    const ndjson = join(dir, 'clean.ndjson');
    writeFileSync(ndjson, events.map((e) => JSON.stringify(e)).join('\n'));
    const output = join(dir, 'clean-alerts.ndjson');
    expect((await backtest(topology, '--input', ndjson, '--output', output)).status).toBe(0);
    const fromNdjson = readNdjson<DriftAlert>(output);
    expect(json.alerts.map((a) => a.alert_id)).toEqual(fromNdjson.map((a) => a.alert_id));
    expect(json.alerts.map((a) => a.value)).toEqual(fromNdjson.map((a) => a.value));
  });

  it('gives the same alerts when windows are counted in worker threads', async () => {
    const input = join(dir, 'clean.ndjson');
    const inThread = await backtest(topology, '--input', input, '--format', 'json');
    const pooled = await backtest(topology, '--input', input, '--format', 'json', '--threads', '2');
    expect(pooled.status).toBe(0);
    const alerts = (out: string) => (JSON.parse(out) as { alerts: DriftAlert[] }).alerts;
    expect(alerts(pooled.out)).toEqual(alerts(inThread.out));
    expect(alerts(pooled.out)).toHaveLength(6);
  });

  it('refuses a processing-time topology: a backtest needs event time', async () => {
    const file = join(dir, 'processing.yaml');
    writeFileSync(file, topologyYaml('  timeSemantics: processing'));
    const failure = await backtestCommand([file, '--input', join(dir, 'clean.ndjson')]).catch(
      (e: unknown) => e,
    );
    expect(isDriftwatchError(failure, 'DW_TOPOLOGY_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('a backtest needs event time');
    expect((failure as Error).message).toContain('processing.yaml');
  });

  it('exits 1 naming a missing input file, and 2 for usage errors, through the CLI', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'backtest', ...args], {
        encoding: 'utf8',
        env: { ...process.env, CI: '1' },
      });
    const missing = join(dir, 'no-such-file.ndjson');
    const r = run(topology, '--input', missing);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${missing}: file not found [DW_INPUT_FILE]`);
    expect(r.stdout).toBe('');
    const usage = run(topology);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--input is required');
    expect(usage.stderr).toContain('driftwatch backtest <topology.yaml> --input <events file>');
  });

  it('exits 1 when no row of the file is usable, after reporting why', async () => {
    const input = join(dir, 'wrong-time.ndjson');
    writeFileSync(
      input,
      events
        .slice(0, 50)
        .map((e) => JSON.stringify({ ...e, event_time: 'n/a' }))
        .join('\n'),
    );
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const { status, out } = await backtest(topology, '--input', input);
    expect(status).toBe(1);
    expect(out).toContain('50 events read, 50 rejected');
    expect(out).toContain(`${input}: line 1: event time field event_time is "n/a"`);
    expect(stderr.join('')).toContain(`${input}: no usable events`);
  });
});
