/**
 * Throughput of each drift statistic from 10^4 to 10^7 values, side by side in one run with scipy / numpy and with
 * Evidently's per-column stat tests on the same data.
 *
 *   npx tsx bench/statistics-throughput.ts [--sizes 1e4,1e5,1e6,1e7] [--python <path>]
 *
 * For every size N it generates a seeded reference (N values, standard normal) and current window (N values, normal
 * shifted by 0.05), a categorical column (8 categories, Int32 codes) and a binary one (Int32 0/1) for each side, and
 * writes them to bench/.data/ (git-ignored) as raw little-endian files, so the peers read exactly the same data with
 * numpy.fromfile. One Python subprocess (bench/statistics_peers.py, default interpreter .venv/bin/python,
 * or $DRIFTWATCH_PEERS_PYTHON, or --python) times scipy and Evidently; it times a size while this process waits, then
 * this process times ours on the same size, so the two never compete for the cpus.
 *
 * What "ours" times, per comparison, from raw values (best of --repeats, default 3; 10 below 10^5, 2 at 10^7):
 *   - fixed-bucket statistics (psi, kl, js, hellinger, linf): counting the current window into the 10 quantile buckets
 *     fitted on the reference, plus the statistic. Fitting the edges and counting the reference happen once per
 *     baseline and are timed separately (the "fit" row).
 *   - chi2 and z: counting the current categorical / binary codes into the baseline's layout, plus the test.
 *   - sample statistics (ks, wasserstein, energy, cvm, ad): copying and sorting BOTH samples, plus the test.
 *   - ks via KLL: NumericSummary.add of both sides (exact up to 10,000 values, then a KLL sketch, k = 200), their
 *     weighted samples, and KS on them: the bounded-memory path.
 * Values/s is 2N / time for every row except "fit" (N / time: only the reference is read); ratios are peer time over
 * our time. For every size it also checks that our values agree with the peers' where the conventions are the same.
 *
 * No Kafka broker or schema registry is needed. bench/README.md ("statistics-throughput.ts") explains the output.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { andersonDarlingKSample } from '../src/core/stats/anderson-darling.ts';
import { fitEdges } from '../src/core/stats/bucket-edges.ts';
import { countCategorical } from '../src/core/stats/categorical-buckets.ts';
import { chiSquaredGoodnessOfFit } from '../src/core/stats/chi-squared.ts';
import { cramerVonMisesTwoSample } from '../src/core/stats/cramer-von-mises.ts';
import { energyDistance } from '../src/core/stats/energy-distance.ts';
import { evidentlyNumericHellinger, hellingerDistance } from '../src/core/stats/hellinger.ts';
import { jensenShannonDistance } from '../src/core/stats/jensen-shannon.ts';
import { klDivergence } from '../src/core/stats/kl-divergence.ts';
import { ksTwoSample } from '../src/core/stats/kolmogorov-smirnov.ts';
import { lInfinityDistance } from '../src/core/stats/l-infinity.ts';
import {
  countNumeric,
  fitQuantileEdges,
  NUMERIC_FIRST_INNER_BUCKET,
  numericBucketCount,
  numericInnerBucketCount,
} from '../src/core/stats/numeric-buckets.ts';
import { psi } from '../src/core/stats/psi.ts';
import { twoProportionZFromCounts } from '../src/core/stats/two-proportion-z.ts';
import { populationStd, WASSERSTEIN_MIN_STD, wasserstein1 } from '../src/core/stats/wasserstein.ts';
import { sortedSample } from '../src/core/stats/weighted-sample.ts';
import { NumericSummary } from '../src/core/summary/numeric-summary.ts';

const SEED = 20260714;
const BINS = 10;
const SHIFT = 0.05;
const CATEGORY_WEIGHTS_REF = [0.3, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.02];
const CATEGORY_WEIGHTS_CUR = [0.28, 0.21, 0.15, 0.1, 0.1, 0.08, 0.05, 0.03];
const BINARY_P_REF = 0.3;
const BINARY_P_CUR = 0.305;
/**
 * The peers' interpreter: --python, else DRIFTWATCH_PEERS_PYTHON, else the repository's .venv (git-ignored; create it
 * with `python3 -m venv .venv && .venv/bin/pip install evidently==0.7.23 pandas==2.3.3 numpy==2.4.6 scipy==1.17.1`),
 * else python3 on the PATH.
 */
const REPO_VENV_PYTHON = fileURLToPath(new URL('../.venv/bin/python', import.meta.url));
const DEFAULT_PYTHON =
  process.env.DRIFTWATCH_PEERS_PYTHON ?? (existsSync(REPO_VENV_PYTHON) ? REPO_VENV_PYTHON : 'python3');

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1e4,1e5,1e6,1e7' },
    python: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    'peer-budget': { type: 'string', default: '120' },
    'keep-data': { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map((text) => {
  const n = Number(text.trim().replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 100) throw new Error(`--sizes: ${text} is not an integer >= 100`);
  return n;
});
const REPEATS = Number(args.repeats);
if (!Number.isInteger(REPEATS) || REPEATS < 1) throw new Error(`--repeats must be a positive integer`);
const PEER_BUDGET = Number(args['peer-budget']);
const PYTHON = args.python ?? process.env.DRIFTWATCH_PEERS_PYTHON ?? DEFAULT_PYTHON;
const dataDir = fileURLToPath(new URL('./.data/', import.meta.url));
const peersScript = fileURLToPath(new URL('./statistics_peers.py', import.meta.url));
const runId = Date.now().toString(36);
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Repeats for a size: at least 10 below 10^5 values (a call takes milliseconds there, and V8 needs a few calls to
 * optimise a kernel), fewer at 10^7, where one call of some peers takes tens of seconds.
 */
const oursRepeats = (n: number) =>
  n >= 10_000_000 ? Math.min(REPEATS, 2) : n < 100_000 ? Math.max(REPEATS, 10) : REPEATS;
const peerRepeats = (n: number) => (n >= 10_000_000 ? 1 : n < 100_000 ? Math.max(REPEATS, 10) : REPEATS);

// ---------------------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------------------

/** mulberry32; two draws make one 53-bit uniform in [0, 1), so 2·10^7 normals have no ties from the generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  const next32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

function normals(n: number, mean: number, seed: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    out[i] = mean + r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(theta);
  }
  return out;
}

function codes(n: number, weights: readonly number[], seed: number): Int32Array {
  const u = rng(seed);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum);
  }
  const total = cumulative[cumulative.length - 1]!;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = u() * total;
    let k = 0;
    while (k < cumulative.length - 1 && x >= cumulative[k]!) k++;
    out[i] = k;
  }
  return out;
}

interface Data {
  readonly n: number;
  readonly ref: Float64Array;
  readonly cur: Float64Array;
  readonly catRef: Int32Array;
  readonly catCur: Int32Array;
  readonly binRef: Int32Array;
  readonly binCur: Int32Array;
}

function generate(n: number): Data {
  return {
    n,
    ref: normals(n, 0, SEED + 1),
    cur: normals(n, SHIFT, SEED + 2),
    catRef: codes(n, CATEGORY_WEIGHTS_REF, SEED + 3),
    catCur: codes(n, CATEGORY_WEIGHTS_CUR, SEED + 4),
    binRef: codes(n, [1 - BINARY_P_REF, BINARY_P_REF], SEED + 5),
    binCur: codes(n, [1 - BINARY_P_CUR, BINARY_P_CUR], SEED + 6),
  };
}

const dataFiles = (n: number) => ({
  ref: `${dataDir}stats-${n}-${SEED}-ref.f64`,
  cur: `${dataDir}stats-${n}-${SEED}-cur.f64`,
  catRef: `${dataDir}stats-${n}-${SEED}-cat-ref.i32`,
  catCur: `${dataDir}stats-${n}-${SEED}-cat-cur.i32`,
  binRef: `${dataDir}stats-${n}-${SEED}-bin-ref.i32`,
  binCur: `${dataDir}stats-${n}-${SEED}-bin-cur.i32`,
});

/** Raw little-endian files (this machine's order; checked in main), as numpy.fromfile('<f8' / '<i4') reads them. */
function writeData(d: Data): void {
  const files = dataFiles(d.n);
  for (const key of ['ref', 'cur', 'catRef', 'catCur', 'binRef', 'binCur'] as const) {
    const a = d[key];
    writeFileSync(files[key], new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Ours
// ---------------------------------------------------------------------------------------------------------------

type Values = Record<string, number>;

interface Timing {
  readonly seconds: number;
  readonly runs: number;
  readonly value: Values;
}

function bestOf(repeats: number, fn: () => Values): Timing {
  let best = Number.POSITIVE_INFINITY;
  let value: Values = {};
  for (let r = 0; r < repeats; r++) {
    gc();
    const start = performance.now();
    value = fn();
    const seconds = (performance.now() - start) / 1000;
    if (seconds < best) best = seconds;
  }
  return { seconds: best, runs: repeats, value };
}

/** The rows, in table order. `fixed` marks the fixed-bucket statistics the 50x target is about. */
const ROWS = [
  { key: 'fit', label: 'fit: edges + ref counts (1x)', fixed: false },
  { key: 'psi', label: 'psi', fixed: true },
  { key: 'kl', label: 'kl', fixed: true },
  { key: 'js', label: 'js', fixed: true },
  { key: 'hellinger', label: 'hellinger', fixed: true },
  { key: 'linf', label: 'linf', fixed: true },
  { key: 'chi2', label: 'chi2 (8 categories)', fixed: false },
  { key: 'z', label: 'z (binary)', fixed: false },
  { key: 'ks', label: 'ks', fixed: false },
  { key: 'wasserstein', label: 'wasserstein', fixed: false },
  { key: 'energy', label: 'energy', fixed: false },
  { key: 'cvm', label: 'cvm', fixed: false },
  { key: 'ad', label: 'ad', fixed: false },
  { key: 'kll', label: 'ks via KLL summaries', fixed: false },
] as const;
type RowKey = (typeof ROWS)[number]['key'];

/** Identity map from codes 0..k-1 to the baseline's buckets (the window dictionary equals the baseline's). */
const identity = (k: number) => Int32Array.from({ length: k }, (_, i) => i);

interface OursResult {
  readonly timings: Record<RowKey, Timing>;
  /** Our kernels run with Evidently's binning and zero rule (outside the timed path), for the agreement check. */
  readonly evidentlyConvention: Values;
  readonly edges: Float64Array;
  /** The z test's p-value formed as Evidently forms it, 2·(1 − Φ(|z|)). */
  readonly zOneMinusCdf: number;
  readonly kllRankError: number;
}

function measureOurs(d: Data): OursResult {
  const { n, ref, cur } = d;
  const repeats = oursRepeats(n);
  const timings = {} as Record<RowKey, Timing>;
  const time = (key: RowKey, fn: () => Values) => {
    timings[key] = bestOf(repeats, fn);
    progress(`n=${n.toExponential(0)} ours ${key.padEnd(11)} ${timings[key].seconds.toFixed(4)} s`);
  };

  // The baseline: fitted once.
  let edges: Float64Array = new Float64Array(0);
  let refCounts: Float64Array = new Float64Array(0);
  time('fit', () => {
    edges = fitQuantileEdges(ref, BINS);
    refCounts = new Float64Array(numericBucketCount(edges));
    countNumeric(ref, null, n, edges, refCounts);
    return { edges: edges.length };
  });
  const countCurrent = () => {
    const out = new Float64Array(refCounts.length);
    countNumeric(cur, null, n, edges, out);
    return out;
  };
  time('psi', () => ({ value: psi(refCounts, countCurrent()) }));
  time('kl', () => ({ value: klDivergence(refCounts, countCurrent()) }));
  time('js', () => ({ value: jensenShannonDistance(refCounts, countCurrent(), 2) }));
  time('hellinger', () => ({ value: hellingerDistance(refCounts, countCurrent()) }));
  time('linf', () => ({ value: lInfinityDistance(refCounts, countCurrent()).value }));

  const k = CATEGORY_WEIGHTS_REF.length;
  const catMap = identity(k);
  const catRefCounts = new Float64Array(k + 2);
  countCategorical(d.catRef, null, n, catMap, catRefCounts);
  time('chi2', () => {
    const out = new Float64Array(k + 2);
    countCategorical(d.catCur, null, n, catMap, out);
    const r = chiSquaredGoodnessOfFit(catRefCounts, out);
    return { statistic: r.statistic, p: r.pValue };
  });
  const binMap = identity(2);
  const binRefCounts = new Float64Array(4);
  countCategorical(d.binRef, null, n, binMap, binRefCounts);
  const countBinary = () => {
    const out = new Float64Array(4);
    countCategorical(d.binCur, null, n, binMap, out);
    return out;
  };
  time('z', () => {
    const r = twoProportionZFromCounts(binRefCounts, countBinary());
    return { statistic: r.statistic, p: r.pValue };
  });
  const zOneMinusCdf = twoProportionZFromCounts(binRefCounts, countBinary(), {
    pValue: 'one-minus-cdf',
  }).pValue;

  time('ks', () => {
    const r = ksTwoSample(sortedSample(ref), sortedSample(cur));
    return { statistic: r.statistic, p: r.pValue };
  });
  time('wasserstein', () => {
    const a = sortedSample(ref);
    const w1 = wasserstein1(a, sortedSample(cur));
    return { w1, normalized: w1 / Math.max(populationStd(a), WASSERSTEIN_MIN_STD) };
  });
  time('energy', () => ({ value: energyDistance(sortedSample(ref), sortedSample(cur)) }));
  time('cvm', () => {
    const r = cramerVonMisesTwoSample(sortedSample(ref), sortedSample(cur));
    return { statistic: r.statistic, p: r.pValue };
  });
  time('ad', () => {
    const r = andersonDarlingKSample([sortedSample(ref), sortedSample(cur)]);
    return { statistic: r.statistic, p: r.pValue };
  });
  let kllRankError = 0;
  time('kll', () => {
    const a = NumericSummary.create();
    const b = NumericSummary.create();
    a.add(ref, null, n);
    b.add(cur, null, n);
    const sa = a.sample();
    const sb = b.sample();
    kllRankError = Math.max(sa.rankError, sb.rankError);
    const r = ksTwoSample(sa, sb, { n: a.count, m: b.count });
    return { statistic: r.statistic, p: r.pValue };
  });

  return {
    timings,
    evidentlyConvention: evidentlyConventionValues(ref, cur),
    edges,
    zOneMinusCdf,
    kllRankError,
  };
}

/**
 * Our kernels on Evidently's binning (get_binned_data: Sturges edges on reference ∪ current, inner buckets only,
 * Evidently's zero fill; JS in base e without the fill; numeric Hellinger on Sturges edges of the distinct values with
 * the nominal bin width), so Evidently's drift scores can be checked although its binning differs from ours.
 */
function evidentlyConventionValues(ref: Float64Array, cur: Float64Array): Values {
  const pooled = new Float64Array(ref.length + cur.length);
  pooled.set(ref);
  pooled.set(cur, ref.length);
  const inner = (edges: Float64Array) => {
    const m = numericInnerBucketCount(edges);
    const r = new Float64Array(m + 5);
    const c = new Float64Array(m + 5);
    countNumeric(ref, null, ref.length, edges, r);
    countNumeric(cur, null, cur.length, edges, c);
    return {
      r: r.subarray(NUMERIC_FIRST_INNER_BUCKET, NUMERIC_FIRST_INNER_BUCKET + m),
      c: c.subarray(NUMERIC_FIRST_INNER_BUCKET, NUMERIC_FIRST_INNER_BUCKET + m),
    };
  };
  const { r, c } = inner(fitEdges(pooled, { kind: 'sturges' }));
  const sorted = sortedSample(pooled).values;
  let distinct = 1;
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]! > sorted[distinct - 1]!) sorted[distinct++] = sorted[i]!;
  const hellingerEdges = fitEdges(sorted.subarray(0, distinct), { kind: 'sturges' });
  const h = inner(hellingerEdges);
  return {
    psi: psi(r, c, { rule: 'evidently' }),
    kl: klDivergence(r, c, { zero: { rule: 'evidently' } }),
    js: jensenShannonDistance(r, c, Math.E),
    hellinger: evidentlyNumericHellinger(h.r, h.c, hellingerEdges),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Peers (one Python subprocess)
// ---------------------------------------------------------------------------------------------------------------

type PeerValue = number | string | Record<string, number | string>;
type PeerCell = { seconds: number; runs: number; value: PeerValue } | { skipped: string } | { error: string };
type PeerSizeResult = Record<string, { scipy?: PeerCell; evidently?: PeerCell }>;

interface Hello {
  python: string;
  executable: string;
  numpy: string | null;
  scipy: string | null;
  pandas: string | null;
  evidently: string | null;
  missing: Record<string, string>;
}

class Peers {
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | null) => void)[] = [];
  #closed = false;
  #child: ReturnType<typeof spawn> | undefined;
  #stderrTail: string[] = [];

  constructor(python: string) {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(python, [peersScript, '--data-dir', dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      this.#stderrTail.push((error as Error).message);
      this.#close();
      return;
    }
    this.#child = child;
    child.on('error', (error) => {
      this.#stderrTail.push(error.message);
      this.#close();
    });
    child.on('exit', () => this.#close());
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > 20) this.#stderrTail.shift();
    });
  }

  get why(): string {
    return this.#stderrTail.slice(-3).join(' | ') || 'the Python process ended';
  }

  #close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter(null);
  }

  /** The next stdout line, or null when the process has ended or `timeoutMs` passed. */
  next(timeoutMs: number): Promise<string | null> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(done);
        if (i >= 0) this.#waiting.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      const done = (l: string | null) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.#waiting.push(done);
    });
  }

  send(request: object): boolean {
    if (this.#closed || this.#child?.stdin === null || this.#child === undefined) return false;
    this.#child.stdin!.write(`${JSON.stringify(request)}\n`);
    return true;
  }

  stop(): void {
    if (this.#child !== undefined && !this.#closed) this.#child.stdin!.end('\n');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

const toNumber = (v: number | string | undefined): number => (typeof v === 'string' ? Number(v) : (v ?? NaN));

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function rate(values: number): string {
  if (!Number.isFinite(values)) return '-';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) {
    if (values >= scale) return `${(values / scale).toPrecision(3)} ${unit}`;
  }
  return values.toPrecision(3);
}

function ratio(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}

function diff(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  return x === 0 ? '0' : x.toExponential(1);
}

interface Cell {
  readonly seconds?: number;
  readonly note?: string;
  readonly value?: PeerValue;
}

function cell(c: PeerCell | undefined): Cell {
  if (c === undefined) return { note: 'not run' };
  if ('seconds' in c) return { seconds: c.seconds, value: c.value };
  if ('skipped' in c) return { note: `skipped: ${c.skipped}` };
  return { note: `error: ${c.error}` };
}

interface Row {
  readonly key: RowKey;
  readonly label: string;
  readonly fixed: boolean;
  readonly ours: number;
  readonly scipy: Cell;
  readonly evidently: Cell;
  readonly agreeScipy: string;
  readonly agreeEvidently: string;
}

/**
 * How far our values are from the peer's, over the quantities both compute the same way: the relative difference of
 * statistics and distances, the absolute difference of p-values (a p-value near 0 is the tail of a distribution that
 * each side evaluates its own way, and 1 − cdf cancels; on [0, 1] the absolute error is what a threshold sees).
 * Returns the largest, as a string for the table.
 */
function agreement(key: RowKey, ours: OursResult, side: 'scipy' | 'evidently', peer: Cell): string {
  if (peer.value === undefined) return '';
  const v = ours.timings[key].value;
  const pv = peer.value;
  const field = (name: string) => toNumber((pv as Record<string, number | string>)[name]);
  const scalar = () => toNumber(pv as number | string);
  const absDiff = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b));
  const max = (...xs: number[]) => diff(xs.some(Number.isNaN) ? NaN : Math.max(...xs));
  switch (key) {
    case 'fit': {
      // numpy.quantile edges, which fitQuantileEdges reproduces bit for bit.
      const edges = (pv as unknown as (number | string)[]).map(toNumber);
      if (edges.length !== ours.edges.length) return `${edges.length} vs ${ours.edges.length} edges`;
      return max(...edges.map((e, i) => relDiff(ours.edges[i]!, e)));
    }
    case 'psi':
    case 'kl':
    case 'js':
    case 'hellinger':
      return side === 'scipy'
        ? max(relDiff(v.value!, scalar()))
        : `${max(relDiff(ours.evidentlyConvention[key]!, scalar()))}*`;
    case 'linf':
    case 'energy':
      return max(relDiff(v.value!, scalar()));
    case 'wasserstein':
      return max(relDiff(side === 'scipy' ? v.w1! : v.normalized!, scalar()));
    case 'ks':
    case 'cvm':
    case 'ad':
    case 'chi2':
      // Evidently reports the p-value only.
      return side === 'scipy'
        ? max(relDiff(v.statistic!, field('statistic')), absDiff(v.p!, field('p')))
        : max(absDiff(v.p!, scalar()));
    case 'z':
      return side === 'scipy'
        ? max(relDiff(v.statistic!, field('statistic')), absDiff(v.p!, field('p')))
        : max(absDiff(ours.zOneMinusCdf, scalar()));
    default:
      return '';
  }
}

function buildRows(ours: OursResult, peers: PeerSizeResult | undefined): Row[] {
  return ROWS.map(({ key, label, fixed }) => {
    // The KLL row answers the KS question, so it is set against the exact KS peers.
    const peerKey = key === 'kll' ? 'ks' : key;
    const scipy = cell(peers?.[peerKey]?.scipy);
    const evidently = key === 'fit' || key === 'linf' ? { note: 'none' } : cell(peers?.[peerKey]?.evidently);
    let agreeScipy = agreement(key, ours, 'scipy', scipy);
    if (key === 'kll') {
      const d = Math.abs(ours.timings.kll.value.statistic! - ours.timings.ks.value.statistic!);
      agreeScipy = `|dD| ${diff(d)}`;
    }
    return {
      key,
      label,
      fixed,
      ours: ours.timings[key].seconds,
      scipy,
      evidently,
      agreeScipy,
      agreeEvidently: key === 'kll' ? '' : agreement(key, ours, 'evidently', evidently),
    };
  });
}

function table(n: number, rows: Row[], ours: OursResult, peersNote: string | null): string[] {
  const values = (key: RowKey) => (key === 'fit' ? n : 2 * n);
  const header = [
    'statistic',
    'ours v/s',
    'scipy v/s',
    'Evidently v/s',
    'ours/scipy',
    'ours/Evid.',
    'diff scipy',
    'diff Evid.',
  ];
  const body = rows.map((r) => {
    const perSecond = (s: number | undefined) => (s === undefined ? '-' : rate(values(r.key) / s));
    return [
      r.label,
      rate(values(r.key) / r.ours),
      perSecond(r.scipy.seconds),
      perSecond(r.evidently.seconds),
      r.scipy.seconds === undefined ? '-' : ratio(r.scipy.seconds / r.ours),
      r.evidently.seconds === undefined ? '-' : ratio(r.evidently.seconds / r.ours),
      r.agreeScipy || '-',
      r.agreeEvidently || '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  const repeats = oursRepeats(n);
  const out = [
    '',
    `N = ${n.toLocaleString('en-US')} values per side; v/s = 2N / best time (both samples of one comparison; the fit row: N / time); ratios = peer time / our time`,
    `best of ${repeats} (ours), ${peerRepeats(n)} (peers); ${rows.length} rows`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  const notes: string[] = [];
  const kll = ours.timings.kll.value;
  notes.push(
    `ks via KLL: D ${kll.statistic!.toPrecision(4)} vs exact ${ours.timings.ks.value.statistic!.toPrecision(4)}; ` +
      `KLL rank-error bound per side ${ours.kllRankError === 0 ? '0 (still exact)' : ours.kllRankError.toPrecision(3)}`,
  );
  for (const r of rows) {
    for (const [side, c] of [
      ['scipy', r.scipy],
      ['Evidently', r.evidently],
    ] as const) {
      if (c.note !== undefined && /^(skipped|error)/.test(c.note) && r.key !== 'kll')
        notes.push(`${r.label} ${side}: ${c.note}`);
    }
  }
  if (peersNote !== null) notes.push(peersNote);
  out.push(...notes.map((note) => `  note: ${note}`));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (os.endianness() !== 'LE')
    throw new Error('the .f64 files are written in native byte order, which must be LE');
  mkdirSync(dataDir, { recursive: true });
  const loadAtStart = os.loadavg();
  const cpus = os.cpus();

  progress(`starting the peers: ${PYTHON} ${relative(process.cwd(), peersScript)}`);
  let peers: Peers | null = null;
  let hello: Hello | null = null;
  let peersSkipped: string | null = null;
  if (!existsSync(PYTHON) && PYTHON.includes('/')) {
    peersSkipped = `peers skipped: ${PYTHON} does not exist (use --python <path>)`;
  } else {
    peers = new Peers(PYTHON);
    const line = await peers.next(180_000);
    if (line === null) {
      peersSkipped = `peers skipped: ${PYTHON} did not start (${peers.why})`;
      peers = null;
    } else {
      hello = JSON.parse(line) as Hello;
      if (hello.numpy === null || hello.scipy === null) {
        peersSkipped = `peers skipped: numpy / scipy missing in ${hello.executable} (${Object.keys(hello.missing).join(', ')})`;
        peers = null;
      } else if (hello.evidently === null) {
        peersSkipped = `Evidently skipped: not importable in ${hello.executable} (${hello.missing.evidently ?? ''})`;
      }
    }
  }
  if (peersSkipped !== null) progress(peersSkipped);

  const results: {
    n: number;
    rows: Row[];
    ours: OursResult;
    peers: PeerSizeResult | undefined;
    note: string | null;
  }[] = [];
  const lines: string[] = [];
  try {
    for (const n of SIZES) {
      progress(
        `n=${n.toExponential(0)}: generating and writing ${((n * 8 * 2 + n * 4 * 4) / 2 ** 20).toFixed(0)} MiB`,
      );
      const data = generate(n);
      writeData(data);
      let peerResult: PeerSizeResult | undefined;
      let note: string | null = peersSkipped;
      if (peers !== null) {
        peers.send({ n, seed: SEED, repeats: peerRepeats(n), budget: PEER_BUDGET });
        const line = await peers.next(3_600_000);
        if (line === null) {
          note = `peers skipped from here: the Python process ended (${peers.why})`;
          peersSkipped = note;
          peers = null;
        } else {
          const parsed = JSON.parse(line) as { n: number; results?: PeerSizeResult; error?: string };
          if (parsed.error !== undefined) note = `peers failed at this size: ${parsed.error}`;
          peerResult = parsed.results;
        }
      }
      const ours = measureOurs(data);
      const rows = buildRows(ours, peerResult);
      results.push({ n, rows, ours, peers: peerResult, note });
      const printed = table(n, rows, ours, note);
      console.log(printed.join('\n'));
      lines.push(...printed);
      if (!args['keep-data']) for (const f of Object.values(dataFiles(n))) rmSync(f, { force: true });
    }
  } finally {
    peers?.stop();
  }

  const summary: string[] = [''];
  const at = results.find((r) => r.n === 1_000_000);
  if (at === undefined) {
    summary.push('fixed-bucket statistics at 1e6: not measured (add 1e6 to --sizes)');
  } else {
    const fixed = at.rows.filter((r) => r.fixed && r.evidently.seconds !== undefined);
    if (fixed.length === 0) {
      summary.push('fixed-bucket statistics at 1e6: min ratio vs Evidently = n/a (Evidently not measured)');
    } else {
      const min = Math.min(...fixed.map((r) => r.evidently.seconds! / r.ours));
      const which = fixed.find((r) => r.evidently.seconds! / r.ours === min)!.label;
      const fit = at.ours.timings.fit.seconds;
      const minRefit = Math.min(...fixed.map((r) => r.evidently.seconds! / (r.ours + fit)));
      summary.push(
        `fixed-bucket statistics at 1e6: min ratio vs Evidently = ${ratio(min)} (${which}; target >= 50) -> ${min >= 50 ? 'MET' : 'NOT MET'}`,
        `  (${fixed.map((r) => r.label).join(', ')}; linf has no Evidently test. Refitting the baseline on every comparison, ` +
          `as Evidently does, would give a min ratio of ${ratio(minRefit)})`,
      );
    }
  }
  const loadAtEnd = os.loadavg();
  const machine = [
    '',
    `driftwatch statistics throughput, run ${runId}`,
    `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}`,
    `node ${process.version}; python ${hello === null ? 'n/a' : `${hello.python} (${hello.executable}): numpy ${hello.numpy ?? 'missing'}, scipy ${hello.scipy ?? 'missing'}, pandas ${hello.pandas ?? 'missing'}, evidently ${hello.evidently ?? 'missing'}`}`,
    `load average (1/5/15 min): ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')} at end (on ${cpus.length} cpus)`,
    'no Kafka broker or schema registry is needed: everything runs in this process and one Python subprocess, one at a time',
    'data: reference N(0,1), current N(0.05,1); categorical 8 codes, binary p 0.30 vs 0.305 (Int32); same files for both sides',
    'ours: fixed-bucket = count current into 10 reference quantile buckets + statistic (fit row: edges + reference counts, once per baseline);',
    '      chi2 / z = count current codes + test; ks..ad = copy + sort both samples + test; KLL = NumericSummary.add both + KS',
    'scipy: fixed-bucket = np.histogram on the same reference edges + formula (scipy entropy / jensenshannon); chi2 / z = bincount + test',
    'Evidently: legacy.calculations.stattests.<test>(ref Series, cur Series, column type, None) — its whole per-column work',
    "diff: how far our values are from the peer's where both compute the same thing: the larger of the relative difference of",
    '      the statistic and the absolute difference of the p-value (Evidently reports only the p-value of ks, cvm, ad, chi2, z);',
    "      * = Evidently's drift score against our kernels run with Evidently's binning (Sturges on ref+cur), outside the timing",
    '      fit: relative difference of the edges from numpy.quantile; ks via KLL: |D(KLL) - D(exact)|, bounded by the KLL rank error',
  ];
  console.log([...machine, ...summary].join('\n'));

  const out = `${dataDir}statistics-throughput-${runId}.json`;
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        runId,
        machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version, loadAtStart, loadAtEnd },
        python: hello,
        peersSkipped,
        sizes: results.map((r) => ({
          n: r.n,
          note: r.note,
          rows: r.rows.map((row) => ({ ...row, oursValue: r.ours.timings[row.key].value })),
          evidentlyConvention: r.ours.evidentlyConvention,
          peers: r.peers,
        })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${relative(process.cwd(), out)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
