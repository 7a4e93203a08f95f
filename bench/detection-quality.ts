/**
 * Detection quality of the concept-drift detectors in src/core/concept-drift, side by side with River's own detectors
 * and two dummy detectors on the same error streams, following the protocol of Poenaru-Olaru, Cruz, van Deursen,
 * Rellermeyer, "Are Concept Drift Detectors Reliable Alarming Systems?" (arXiv 2211.13098) as far as a 2-cpu machine
 * allows in a few minutes.
 *
 *   npx tsx bench/detection-quality.ts [--python <path>] [--seeds 1,2,3,4,5] [--max-delay 5000] [--regenerate]
 *
 * 1. Error streams (once; cached in bench/.data/concept-drift/, git-ignored): bench/detection_quality_peers.py
 *    generates River concept-drift streams (SEA f3->f2 with 0% and 10% label noise, Agrawal f1->f6 and f6->f1; one
 *    drift at --position of --length samples, abrupt (width 1) and gradual (width 5000), every seed) and writes the
 *    prequential 0/1 error stream of a Hoeffding tree on each, one byte per sample. Both sides read these bytes.
 * 2. River: the same script runs River's ADWIN, DDM, EDDM, HDDM_A, PageHinkley (defaults), DummyDriftDetector (fixed
 *    trigger every --dummy-period samples) and NoDrift on every stream from index --warmup on.
 * 3. Ours: the same detectors (defaults) and the same two dummies, in this process, on the same bytes.
 * 4. Metrics per detector over all streams (definitions in bench/README.md, "detection-quality.ts"): mean time to
 *    detection, mean time between false alarms, missed detection rate, precision / recall / F1 of detections within
 *    --max-delay samples after the drift ends, MTR; whether ours and River's drift indices are identical on each
 *    stream; and the time per value on each side.
 *
 * No Kafka broker or schema registry is needed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Adwin } from '../src/core/concept-drift/adwin.ts';
import { Ddm } from '../src/core/concept-drift/ddm.ts';
import type { ConceptDriftDetector, DetectorState } from '../src/core/concept-drift/detector.ts';
import { Eddm } from '../src/core/concept-drift/eddm.ts';
import { HddmA } from '../src/core/concept-drift/hddm-a.ts';
import { PageHinkley } from '../src/core/concept-drift/page-hinkley.ts';

const REPO_VENV_PYTHON = fileURLToPath(new URL('../.venv/bin/python', import.meta.url));
/** --python, else DRIFTWATCH_PEERS_PYTHON, else the repository's .venv (git-ignored), else python3 on the PATH. */
const DEFAULT_PYTHON =
  process.env.DRIFTWATCH_PEERS_PYTHON ?? (existsSync(REPO_VENV_PYTHON) ? REPO_VENV_PYTHON : 'python3');

const { values: args } = parseArgs({
  options: {
    python: { type: 'string' },
    length: { type: 'string', default: '100000' },
    position: { type: 'string', default: '55000' },
    widths: { type: 'string', default: '1,5000' },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    warmup: { type: 'string', default: '30000' },
    'max-delay': { type: 'string', default: '5000' },
    'dummy-period': { type: 'string', default: '4000' },
    regenerate: { type: 'boolean', default: false },
  },
});

function integer(name: string, text: string, min: number): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: ${text} is not an integer >= ${min}`);
  return n;
}
const integers = (name: string, text: string, min: number) =>
  text.split(',').map((t) => integer(name, t.trim(), min));

const LENGTH = integer('length', args.length, 1000);
const POSITION = integer('position', args.position, 1);
const WIDTHS = integers('widths', args.widths, 1);
const SEEDS = integers('seeds', args.seeds, 0);
const WARMUP = integer('warmup', args.warmup, 0);
const MAX_DELAY = integer('max-delay', args['max-delay'], 1);
const DUMMY_PERIOD = integer('dummy-period', args['dummy-period'], 1);
const PYTHON = args.python ?? DEFAULT_PYTHON;
if (POSITION >= LENGTH || WARMUP >= POSITION - Math.max(...WIDTHS) / 2) {
  throw new Error('--warmup must end before the drift starts, and --position must lie inside the stream');
}

const dataDir = fileURLToPath(new URL('./.data/concept-drift/', import.meta.url));
const peersScript = fileURLToPath(new URL('./detection_quality_peers.py', import.meta.url));
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Error streams
// ---------------------------------------------------------------------------------------------------------------

interface StreamInfo {
  readonly id: string;
  readonly file: string;
  readonly scenario: string;
  readonly width: number;
  readonly seed: number;
  readonly length: number;
  readonly position: number;
  readonly riverConceptDriftStream: boolean;
  readonly errors: number;
}

interface Manifest {
  readonly classifier: string;
  readonly versions: Record<string, string>;
  readonly length: number;
  readonly position: number;
  readonly widths: number[];
  readonly seeds: number[];
  readonly seconds: number;
  readonly streams: StreamInfo[];
}

const manifestPath = `${dataDir}manifest.json`;
const sameList = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function readManifest(): Manifest | null {
  if (!existsSync(manifestPath)) return null;
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const fits =
    m.length === LENGTH &&
    m.position === POSITION &&
    sameList(m.widths, WIDTHS) &&
    sameList(m.seeds, SEEDS) &&
    m.streams.every((s) => existsSync(`${dataDir}${s.file}`));
  return fits ? m : null;
}

function runPython(argv: string[], captureStdout: boolean): string {
  const result = spawnSync(PYTHON, [peersScript, ...argv], {
    stdio: ['ignore', captureStdout ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${PYTHON} ${relative(process.cwd(), peersScript)} ${argv[0]} failed (${result.error?.message ?? `exit ${result.status}`}); ` +
        'it needs river and numpy: python3 -m venv .venv && .venv/bin/pip install river==0.26.1 numpy',
    );
  }
  return result.stdout ?? '';
}

function ensureStreams(): Manifest {
  const existing = args.regenerate ? null : readManifest();
  if (existing) {
    progress(`reusing ${existing.streams.length} error streams in ${relative(process.cwd(), dataDir)}`);
    return existing;
  }
  mkdirSync(dataDir, { recursive: true });
  progress(`generating error streams with ${PYTHON} (once; a few minutes on 2 cpus)`);
  runPython(
    [
      'generate',
      '--dir',
      dataDir,
      '--length',
      String(LENGTH),
      '--position',
      String(POSITION),
      '--widths',
      WIDTHS.join(','),
      '--seeds',
      SEEDS.join(','),
    ],
    false,
  );
  const m = readManifest();
  if (!m) throw new Error('the generator did not write a matching manifest');
  return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Detectors
// ---------------------------------------------------------------------------------------------------------------

/** Alarms every `period` values (River's DummyDriftDetector with trigger_method="fixed", t_0 = period, w = 0). */
class PeriodicDummy implements ConceptDriftDetector {
  readonly name = 'dummy-periodic';
  #n = 0;
  #drift = false;
  constructor(readonly period: number) {}
  get driftDetected(): boolean {
    return this.#drift;
  }
  get warningDetected(): boolean {
    return false;
  }
  reset(): void {
    this.#n = 0;
    this.#drift = false;
  }
  update(_x: number): DetectorState {
    this.#n += 1;
    this.#drift = this.#n >= this.period;
    if (this.#drift) this.#n = 0;
    return this.#drift ? 'drift' : 'none';
  }
}

/** Never alarms (River's NoDrift). */
class NeverDummy implements ConceptDriftDetector {
  readonly name = 'dummy-never';
  get driftDetected(): boolean {
    return false;
  }
  get warningDetected(): boolean {
    return false;
  }
  reset(): void {}
  update(_x: number): DetectorState {
    return 'none';
  }
}

const DETECTORS: Record<string, () => ConceptDriftDetector> = {
  adwin: () => new Adwin(),
  ddm: () => new Ddm(),
  eddm: () => new Eddm(),
  'hddm-a': () => new HddmA(),
  'page-hinkley': () => new PageHinkley(),
  'dummy-periodic': () => new PeriodicDummy(DUMMY_PERIOD),
  'dummy-never': () => new NeverDummy(),
};
const NAMES = Object.keys(DETECTORS);

interface Run {
  readonly drifts: number[];
  readonly seconds: number;
}
type Runs = Record<string, Record<string, Run>>; // stream id -> detector -> run

function runOurs(manifest: Manifest, streams: Map<string, Uint8Array>): Runs {
  const out: Runs = {};
  // One untimed pass over the first stream lets V8 optimise every detector's update before the clock runs.
  const first = streams.get(manifest.streams[0]!.id)!;
  for (const make of Object.values(DETECTORS)) {
    const d = make();
    for (let i = WARMUP; i < first.length; i++) d.update(first[i]!);
  }
  for (const s of manifest.streams) {
    const values = streams.get(s.id)!;
    const per: Record<string, Run> = {};
    for (const [name, make] of Object.entries(DETECTORS)) {
      const d = make();
      const drifts: number[] = [];
      const started = performance.now();
      for (let i = WARMUP; i < values.length; i++) if (d.update(values[i]!) === 'drift') drifts.push(i);
      per[name] = { drifts, seconds: (performance.now() - started) / 1000 };
    }
    out[s.id] = per;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------------------

/**
 * Where the drift is, in 0-based stream indices. ConceptDriftStream draws sample t (1-based) from the new concept
 * with probability 1 / (1 + e^(-4 (t - position) / width)), which is 1/2 at t = position, i.e. index position - 1;
 * the transition is taken to span width samples around it (probability 0.12 to 0.88).
 */
function driftWindow(s: StreamInfo): { start: number; end: number } {
  const centre = s.position - 1;
  const half = Math.floor(s.width / 2);
  return { start: centre - half, end: centre + half };
}

interface Metrics {
  readonly streams: number;
  readonly alarms: number;
  readonly detected: number;
  readonly falseAlarms: number;
  readonly noDriftSamples: number;
  readonly delays: number[];
}

function emptyMetrics(): Metrics {
  return { streams: 0, alarms: 0, detected: 0, falseAlarms: 0, noDriftSamples: 0, delays: [] };
}

/** Adds one stream's alarms: the first in [start, end + maxDelay] detects the drift; alarms outside it are false. */
function addStream(m: Metrics, s: StreamInfo, drifts: readonly number[]): Metrics {
  const { start, end } = driftWindow(s);
  const last = end + MAX_DELAY;
  const inWindow = drifts.filter((i) => i >= start && i <= last);
  const falseAlarms = drifts.filter((i) => i < start || i > last).length;
  const noDrift = Math.max(0, start - WARMUP) + Math.max(0, s.length - 1 - last);
  return {
    streams: m.streams + 1,
    alarms: m.alarms + drifts.length,
    detected: m.detected + (inWindow.length > 0 ? 1 : 0),
    falseAlarms: m.falseAlarms + falseAlarms,
    noDriftSamples: m.noDriftSamples + noDrift,
    delays: inWindow.length > 0 ? [...m.delays, inWindow[0]! - start] : m.delays,
  };
}

interface Summary {
  readonly mtd: number;
  readonly mtfa: number;
  readonly mdr: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly mtr: number;
}

function summarise(m: Metrics): Summary {
  const mtd = m.delays.length > 0 ? m.delays.reduce((a, b) => a + b, 0) / m.delays.length : Number.NaN;
  const mtfa = m.falseAlarms > 0 ? m.noDriftSamples / m.falseAlarms : Number.POSITIVE_INFINITY;
  const mdr = 1 - m.detected / m.streams;
  const precision = m.detected + m.falseAlarms > 0 ? m.detected / (m.detected + m.falseAlarms) : 0;
  const recall = m.detected / m.streams;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const mtr = m.delays.length > 0 ? (mtfa / mtd) * (1 - mdr) : Number.NaN;
  return { mtd, mtfa, mdr, precision, recall, f1, mtr };
}

// ---------------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------------

function fmt(x: number, digits = 0): string {
  if (Number.isNaN(x)) return '-';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [line(header), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map(line)];
}

function metricsOf(
  manifest: Manifest,
  runs: Runs,
  name: string,
  keep: (s: StreamInfo) => boolean,
): Summary & Metrics {
  let m = emptyMetrics();
  for (const s of manifest.streams) if (keep(s)) m = addStream(m, s, runs[s.id]![name]!.drifts);
  return { ...m, ...summarise(m) };
}

function main(): void {
  const started = performance.now();
  progress(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}, ${os.cpus().length} cpus`,
  );
  const manifest = ensureStreams();
  const streams = new Map<string, Uint8Array>();
  for (const s of manifest.streams) streams.set(s.id, new Uint8Array(readFileSync(`${dataDir}${s.file}`)));

  progress("running River's detectors");
  const riverStarted = performance.now();
  const river = JSON.parse(
    runPython(
      ['detect', '--dir', dataDir, '--warmup', String(WARMUP), '--dummy-period', String(DUMMY_PERIOD)],
      true,
    ),
  ) as { versions: Record<string, string>; results: Runs };
  const riverSeconds = (performance.now() - riverStarted) / 1000;

  progress('running ours');
  const ours = runOurs(manifest, streams);

  const all = () => true;
  const monitored = manifest.streams.reduce((n, s) => n + s.length - WARMUP, 0);
  const out: string[] = [];
  out.push('');
  out.push(
    `Detection quality on ${manifest.streams.length} error streams (${manifest.classifier}; River ${river.versions.river})`,
  );
  out.push(
    `  ${LENGTH.toLocaleString('en-US')} samples each, drift at ${POSITION.toLocaleString('en-US')}, widths ${WIDTHS.join(', ')}, ` +
      `seeds ${SEEDS.join(', ')}; detectors fed from index ${WARMUP.toLocaleString('en-US')}; ` +
      `a detection counts within [drift start, drift end + ${MAX_DELAY.toLocaleString('en-US')}]`,
  );
  out.push('');

  const header = [
    'detector',
    'impl',
    'alarms',
    'FA',
    'MTFA',
    'MTD',
    'MDR',
    'prec',
    'recall',
    'F1',
    'MTR',
    'same idx',
  ];
  const rows: string[][] = [];
  let agreeTotal = 0;
  let compared = 0;
  const disagreements: string[] = [];
  for (const name of NAMES) {
    let agree = 0;
    for (const s of manifest.streams) {
      const a = ours[s.id]![name]!.drifts;
      const b = river.results[s.id]?.[name]?.drifts;
      if (b !== undefined && sameList(a, b)) agree++;
      else disagreements.push(`${name} on ${s.id}: ours ${JSON.stringify(a)} River ${JSON.stringify(b)}`);
    }
    agreeTotal += agree;
    compared += manifest.streams.length;
    for (const [impl, runs] of [
      ['ours', ours],
      ['River', river.results],
    ] as const) {
      const m = metricsOf(manifest, runs, name, all);
      rows.push([
        impl === 'ours' ? name : '',
        impl,
        fmt(m.alarms),
        fmt(m.falseAlarms),
        fmt(m.mtfa),
        fmt(m.mtd),
        fmt(m.mdr, 2),
        fmt(m.precision, 3),
        fmt(m.recall, 3),
        fmt(m.f1, 3),
        fmt(m.mtr, 1),
        impl === 'ours' ? `${agree}/${manifest.streams.length}` : '',
      ]);
    }
  }
  out.push(...table(header, rows));
  out.push('');
  out.push(`  identical drift indices, ours vs River: ${agreeTotal}/${compared} (detector, stream) pairs`);
  for (const d of disagreements.slice(0, 10)) out.push(`    differs: ${d}`);
  out.push('');

  // Per scenario: F1 and MTD of ours (identical to River's where the indices agree).
  const groups: { label: string; keep: (s: StreamInfo) => boolean }[] = [];
  for (const scenario of [...new Set(manifest.streams.map((s) => s.scenario))]) {
    for (const width of WIDTHS) {
      groups.push({
        label: `${scenario} ${width === 1 ? 'abrupt' : `w${width}`}`,
        keep: (s) => s.scenario === scenario && s.width === width,
      });
    }
  }
  out.push('Per scenario (ours): F1 / MTD / false alarms, over the seeds');
  out.push(
    ...table(
      ['scenario', 'err% before', 'err% after', ...NAMES.filter((n) => n !== 'dummy-never')],
      groups.map((g) => {
        const { before, after } = errorRates(manifest, streams, g.keep);
        return [
          g.label,
          fmt(100 * before, 1),
          fmt(100 * after, 1),
          ...NAMES.filter((n) => n !== 'dummy-never').map((n) => {
            const m = metricsOf(manifest, ours, n, g.keep);
            return `${fmt(m.f1, 2)} / ${fmt(m.mtd)} / ${m.falseAlarms}`;
          }),
        ];
      }),
    ),
  );
  out.push('');

  out.push('Time per value (all streams, from the warm-up on)');
  out.push(
    ...table(
      ['detector', 'ours ns/value', 'River ns/value', 'River / ours'],
      NAMES.map((n) => {
        const sum = (runs: Runs) => manifest.streams.reduce((t, s) => t + (runs[s.id]?.[n]?.seconds ?? 0), 0);
        const o = (sum(ours) / monitored) * 1e9;
        const r = (sum(river.results) / monitored) * 1e9;
        return [n, fmt(o, 1), fmt(r, 1), fmt(r / o, 1)];
      }),
    ),
  );
  out.push('');
  out.push(
    `  error streams generated in ${fmt(manifest.seconds)} s (cached); River's detectors took ${fmt(riverSeconds)} s ` +
      `including start-up; whole run ${fmt((performance.now() - started) / 1000)} s; load average ` +
      os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
  );
  process.stdout.write(`${out.join('\n')}\n`);

  const runId = Date.now().toString(36);
  const jsonPath = fileURLToPath(new URL(`./.data/detection-quality-${runId}.json`, import.meta.url));
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        options: { LENGTH, POSITION, WIDTHS, SEEDS, WARMUP, MAX_DELAY, DUMMY_PERIOD },
        manifest,
        river: river.versions,
        ours,
        riverRuns: river.results,
      },
      null,
      1,
    ),
  );
  progress(`results written to ${relative(process.cwd(), jsonPath)}`);
}

/** Mean error rate of the streams kept, over [warmup, drift start) and over (drift end, end of stream]. */
function errorRates(
  manifest: Manifest,
  streams: Map<string, Uint8Array>,
  keep: (s: StreamInfo) => boolean,
): { before: number; after: number } {
  let eb = 0;
  let nb = 0;
  let ea = 0;
  let na = 0;
  for (const s of manifest.streams) {
    if (!keep(s)) continue;
    const v = streams.get(s.id)!;
    const { start, end } = driftWindow(s);
    for (let i = WARMUP; i < start; i++) eb += v[i]!;
    nb += start - WARMUP;
    for (let i = end + 1; i < v.length; i++) ea += v[i]!;
    na += v.length - end - 1;
  }
  return { before: eb / nb, after: ea / na };
}

main();
