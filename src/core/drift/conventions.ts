import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import type { EdgeStrategy } from '../stats/bucket-edges.ts';
import type { HellingerForm } from '../stats/hellinger.ts';
import { DEFAULT_PSI_EPSILON, type ZeroRule } from '../stats/psi.ts';
import type { ZPValueMethod } from '../stats/two-proportion-z.ts';

/**
 * Convention presets: how driftwatch and the reference tools (Evidently 0.7, NannyML 0.13, TFDV) compute each drift
 * statistic — binning, zero handling, log base, distance or divergence, p-value method, default threshold and drift
 * rule. Pure data plus lookups; no I/O. Every tool entry names the source it was read from (paths inside the tool's
 * repository) and is pinned by golden values from the real tools in test/fixtures/peers/golden-peers.json
 * (test/core/drift/conventions.test.ts reproduces the count-based ones with our kernels and these parameters).
 */

export type ConventionName = 'driftwatch' | 'evidently' | 'nannyml' | 'tfdv';

export const CONVENTION_NAMES: readonly ConventionName[] = ['driftwatch', 'evidently', 'nannyml', 'tfdv'];

export type TestName =
  | 'psi'
  | 'kl'
  | 'js'
  | 'hellinger'
  | 'wasserstein'
  | 'wasserstein_norm'
  | 'ks'
  | 'cvm'
  | 'ad'
  | 'energy'
  | 'chi2'
  | 'z'
  | 'linf'
  /** TFDV's normalized_abs_difference: L-infinity of both count vectors divided by their combined total. */
  | 'normalized_abs_difference';

export const TEST_NAMES: readonly TestName[] = [
  'psi',
  'kl',
  'js',
  'hellinger',
  'wasserstein',
  'wasserstein_norm',
  'ks',
  'cvm',
  'ad',
  'energy',
  'chi2',
  'z',
  'linf',
  'normalized_abs_difference',
];

export type FeatureKind = 'numeric' | 'categorical';

/** What a missing (null / NaN) value does. */
export type MissingHandling = 'own bucket' | 'dropped';

/**
 * Numeric buckets from fitted edges (src/core/stats/bucket-edges.ts).
 * - `fitOn`: `reference` (fit once on the baseline; driftwatch, NannyML), `reference+current` (the two samples
 *   concatenated, refitted for every comparison; Evidently's get_binned_data), `distinct(reference+current)` (the
 *   distinct values of both samples; Evidently's numeric Hellinger), `each side` (TFDV: each side's own histogram,
 *   re-bucketed onto the union of both sides' boundaries assuming uniform mass within a bucket).
 * - `distinctValuesUpTo`: when the reference has at most this many distinct values, use one bucket per distinct value
 *   of reference ∪ current instead (Evidently: 20).
 * - `integerRule`: an integer-typed column gets numpy's integer rule (bin width at least 1).
 * - `outside`: where current values outside the edges go: driftwatch's underflow/overflow buckets; NannyML's single
 *   "leftover" bucket with reference mass 0; nowhere when the edges cover both samples.
 */
export interface EdgeBinning {
  readonly type: 'edges';
  readonly edges: EdgeStrategy;
  readonly fitOn: 'reference' | 'reference+current' | 'distinct(reference+current)' | 'each side';
  readonly distinctValuesUpTo: number | null;
  readonly integerRule: boolean;
  readonly outside: 'underflow/overflow buckets' | 'leftover bucket' | 'none (edges cover both samples)';
  readonly missing: MissingHandling;
  /** ±Infinity: buckets of their own, dropped with the missing values, or an error. */
  readonly nonFinite: string;
}

/** One bucket per distinct value (Evidently's chi-squared and Z tests on numeric columns). */
export interface DistinctValueBinning {
  readonly type: 'distinct-values';
  readonly fitOn: 'reference+current';
  readonly missing: MissingHandling;
  readonly nonFinite: string;
}

/**
 * Categorical buckets: `reference+unseen` is the reference's categories plus ONE bucket for every category the
 * reference lacks (driftwatch's layout; NannyML's "leftover" for JS and Hellinger). `union` is one bucket per category
 * of reference ∪ current (what Evidently, NannyML's chi2 / l_infinity and TFDV's rank histograms use). The two agree
 * for JS and Hellinger (a bucket with reference mass 0 contributes linearly), but not for PSI, KL, L-infinity or
 * chi-squared's dof when the current sample has two or more new categories.
 */
export interface CategoryBinning {
  readonly type: 'categories';
  readonly categories: 'reference+unseen' | 'union';
  readonly missing: MissingHandling;
  /** TFDV: rank histograms keep the top 1000 values per side by default (StatsOptions.num_rank_histogram_buckets). */
  readonly limit: number | null;
}

/** A sample-based test on the raw values (src/core/stats/kolmogorov-*.ts, wasserstein.ts, ...). */
export interface SampleInput {
  readonly type: 'samples';
  readonly missing: MissingHandling;
  /** When the tool stops using the exact samples, and what it uses instead. */
  readonly approximation: string | null;
}

export type Binning = EdgeBinning | DistinctValueBinning | CategoryBinning | SampleInput;

/**
 * How a p-value is obtained.
 * - `ks-auto`: scipy.stats.ks_2samp(method='auto'): exact when max(n, m) ≤ 10,000, else kstwo.sf(D, round(nm/(n+m))).
 * - `cvm-auto`: exact when max(n, m) ≤ 20, else the asymptotic limiting distribution (scipy's cramervonmises_2samp;
 *   Evidently ships a copy, cramer_von_mises_stattest.py::_cvm_2samp).
 * - `ad-interpolated`: scipy.stats.anderson_ksamp (midrank): interpolated from tabulated critical values, floored at
 *   0.001 and capped at 0.25.
 * - `chi2-sf`: chi-squared survival function at the statistic.
 * - `normal-sf`: two-sided 2·sf(|z|) = erfc(|z|/√2). `normal-one-minus-cdf`: 2·(1 − Φ(|z|)) (Evidently; no digits below
 *   ~1e-16).
 */
export type PValueMethod =
  | 'ks-auto'
  | 'cvm-auto'
  | 'ad-interpolated'
  | 'chi2-sf'
  | 'normal-sf'
  | 'normal-one-minus-cdf';

/**
 * When a value means drift. `source`: `fixed` (a default value), `reference-chunks` (NannyML: the statistic is computed
 * on each reference chunk; upper = mean + 3·std (population std, np.nanstd) of those values, clamped to the method's
 * limit; no lower bound by default), `schema` (TFDV: only checked when the schema sets a threshold; no default), `user`
 * (driftwatch has no scale-free default; the topology must set one).
 */
export interface ThresholdRule {
  readonly on: 'value' | 'p-value';
  readonly compare: '>=' | '>' | '<' | '<=';
  readonly value: number | null;
  readonly source: 'fixed' | 'reference-chunks' | 'schema' | 'user';
  readonly stdMultiplier?: number;
  readonly upperLimit?: number;
}

export interface TestConvention {
  readonly convention: ConventionName;
  readonly test: TestName;
  readonly kind: FeatureKind;
  readonly applies: boolean;
  /** The tool's own name for the test (Evidently's StatTest.name, NannyML's method key, TFDV's comparator field). */
  readonly toolName: string | null;
  readonly statistic: string;
  readonly input: Binning | null;
  readonly zeroRule: ZeroRule | null;
  /** Base of the logarithm (Math.E or 2), null where no logarithm is involved. */
  readonly logBase: number | null;
  readonly form: 'distance' | 'divergence' | 'index' | 'statistic' | null;
  /** What the tool reports as the drift score. */
  readonly reports: 'value' | 'p-value';
  readonly pValue: PValueMethod | null;
  readonly threshold: ThresholdRule | null;
  /** Statistic-specific choices. */
  readonly hellingerForm?: HellingerForm | 'bhattacharyya-density';
  readonly normalization?: 'separate' | 'combined';
  readonly tieBreak?: 'first' | 'last (bytewise key order)';
  readonly chi2Variant?: 'homogeneity' | 'goodness-of-fit';
  readonly yatesCorrection?: 'never' | 'when dof = 1';
  readonly zPValue?: ZPValueMethod;
  readonly zFailure?: string;
  readonly cap?: number;
  readonly mismatchedBuckets?: string;
  readonly wassersteinScale?: 'none' | 'reference population std, at least 0.001';
  /** driftwatch: the one-line reason for the choice; tools: what is surprising or where it only partly applies. */
  readonly note: string;
  /** Where the tool does it (path inside the tool's repository), or driftwatch's kernel. */
  readonly source: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------------------

const DW_NUMERIC: EdgeBinning = {
  type: 'edges',
  edges: { kind: 'quantile', bins: 10 },
  fitOn: 'reference',
  distinctValuesUpTo: null,
  integerRule: false,
  outside: 'underflow/overflow buckets',
  missing: 'own bucket',
  nonFinite: 'own buckets (-inf, +inf)',
};
const DW_CATEGORICAL: CategoryBinning = {
  type: 'categories',
  categories: 'reference+unseen',
  missing: 'own bucket',
  limit: null,
};
const DW_SAMPLES: SampleInput = { type: 'samples', missing: 'dropped', approximation: null };
const DW_ZERO: ZeroRule = { rule: 'replace', epsilon: DEFAULT_PSI_EPSILON };

const EV_NUMERIC: EdgeBinning = {
  type: 'edges',
  edges: { kind: 'sturges' },
  fitOn: 'reference+current',
  distinctValuesUpTo: 20,
  integerRule: true,
  outside: 'none (edges cover both samples)',
  missing: 'dropped',
  nonFinite: 'dropped (±inf become NaN, then NaN rows are dropped)',
};
const EV_CATEGORICAL: CategoryBinning = {
  type: 'categories',
  categories: 'union',
  missing: 'dropped',
  limit: null,
};
const EV_DISTINCT: DistinctValueBinning = {
  type: 'distinct-values',
  fitOn: 'reference+current',
  missing: 'dropped',
  nonFinite: 'dropped (±inf become NaN, then NaN rows are dropped)',
};
const EV_SAMPLES: SampleInput = { type: 'samples', missing: 'dropped', approximation: null };
const EV_STATTESTS = 'src/evidently/legacy/calculations/stattests/';

const NML_NUMERIC: EdgeBinning = {
  type: 'edges',
  edges: { kind: 'doane' },
  fitOn: 'reference',
  distinctValuesUpTo: null,
  integerRule: false,
  outside: 'leftover bucket',
  missing: 'dropped',
  nonFinite:
    'NaN dropped; +-inf in the reference raise (np.histogram_bin_edges), in the current land in leftover',
};
const NML_LEFTOVER: CategoryBinning = {
  type: 'categories',
  categories: 'reference+unseen',
  missing: 'dropped',
  limit: null,
};
const NML_UNION: CategoryBinning = {
  type: 'categories',
  categories: 'union',
  missing: 'dropped',
  limit: null,
};
const NML_METHODS = 'nannyml/drift/univariate/methods.py';
const NML_CHUNKS = (upperLimit?: number): ThresholdRule => ({
  on: 'value',
  compare: '>',
  value: null,
  source: 'reference-chunks',
  stdMultiplier: 3,
  ...(upperLimit === undefined ? {} : { upperLimit }),
});
const NML_BINNED =
  'reference with >= 10,000 rows: 10,000 equal-width bins over the reference range (calculation_method auto)';

const TFDV_RANK: CategoryBinning = {
  type: 'categories',
  categories: 'union',
  missing: 'dropped',
  limit: 1000,
};
const TFDV_SCHEMA: ThresholdRule = { on: 'value', compare: '>', value: null, source: 'schema' };
const TFDV_METRICS = 'tensorflow_data_validation/anomalies/metrics.cc';

type Entry = Omit<TestConvention, 'convention' | 'test' | 'kind'>;
type PerKind = Partial<Record<FeatureKind, Entry>>;

function notApplicable(note: string): Entry {
  return {
    applies: false,
    toolName: null,
    statistic: 'not offered',
    input: null,
    zeroRule: null,
    logBase: null,
    form: null,
    reports: 'value',
    pValue: null,
    threshold: null,
    note,
    source: '',
  };
}

function both(entry: (kind: FeatureKind) => Entry): PerKind {
  return { numeric: entry('numeric'), categorical: entry('categorical') };
}

// ---------------------------------------------------------------------------------------------------------------
// driftwatch
// ---------------------------------------------------------------------------------------------------------------

const DRIFTWATCH: Record<TestName, PerKind> = {
  psi: both((kind) => ({
    applies: true,
    toolName: 'psi',
    statistic: 'sum (ref - cur) * ln(ref / cur) over bucket proportions',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: DW_ZERO,
    logBase: Math.E,
    form: 'index',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.2, source: 'fixed' },
    note:
      'quantile buckets fitted once on the reference merge across partitions by addition; epsilon 1e-4 replace is ' +
      "Evidently's usual fill, pinned so a PSI follows from the counts alone; 0.2 lies inside the 0.1-0.25 'moderate " +
      "shift' band of the usual rule and is the topology default, so one number means the same everywhere",
    source: 'src/core/stats/psi.ts',
  })),
  kl: both((kind) => ({
    applies: true,
    toolName: 'kl',
    statistic:
      'KL(ref || cur) = sum p ln(p / q), both sides renormalised after the zero rule (scipy.stats.entropy)',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: DW_ZERO,
    logBase: Math.E,
    form: 'divergence',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    note: 'same buckets and fill as PSI so the two are comparable; natural log like scipy and Evidently',
    source: 'src/core/stats/kl-divergence.ts',
  })),
  js: both((kind) => ({
    applies: true,
    toolName: 'js',
    statistic: 'Jensen-Shannon distance sqrt((KL(p||m) + KL(q||m)) / 2), m = (p + q) / 2',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: null,
    logBase: 2,
    form: 'distance',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    note: 'base 2 bounds the distance to [0, 1] (as NannyML); no zero fill needed; 0.1 as Evidently and NannyML',
    source: 'src/core/stats/jensen-shannon.ts',
  })),
  hellinger: both((kind) => ({
    applies: true,
    toolName: 'hellinger',
    statistic: 'sqrt(sum (sqrt p - sqrt q)^2) / sqrt 2',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: null,
    logBase: null,
    form: 'distance',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    hellingerForm: 'euclidean',
    note: 'the euclidean form has no 1 - BC cancellation, so small distances stay accurate',
    source: 'src/core/stats/hellinger.ts',
  })),
  wasserstein: {
    numeric: {
      applies: true,
      toolName: 'wasserstein',
      statistic: 'W1 = integral |F_ref - F_cur|, in the feature units',
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: null, source: 'user' },
      wassersteinScale: 'none',
      note: 'in feature units there is no scale-free default, so the topology must set the threshold',
      source: 'src/core/stats/wasserstein.ts',
    },
    categorical: notApplicable('W1 needs an order on the values'),
  },
  wasserstein_norm: {
    numeric: {
      applies: true,
      toolName: 'wasserstein_norm',
      statistic: 'W1 / max(std_pop(ref), 0.001)',
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
      wassersteinScale: 'reference population std, at least 0.001',
      note: "normalised by the reference std (Evidently's form) so one threshold fits every feature",
      source: 'src/core/stats/wasserstein.ts',
    },
    categorical: notApplicable('W1 needs an order on the values'),
  },
  ks: {
    numeric: {
      applies: true,
      toolName: 'ks',
      statistic: 'two-sample Kolmogorov-Smirnov, two-sided',
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'ks-auto',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      note: "exact under 10,000 rows per side else asymptotic, scipy's auto rule; p < 0.05 is the usual level",
      source: 'src/core/stats/kolmogorov-*.ts',
    },
    categorical: notApplicable('KS needs an order on the values'),
  },
  cvm: {
    numeric: {
      applies: true,
      toolName: 'cvm',
      statistic: 'two-sample Cramer-von Mises T',
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'cvm-auto',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      note: "scipy's method choice so p-values match scipy; p < 0.05 like every driftwatch p-value test",
      source: 'src/core/stats/cramer-von-mises.ts',
    },
    categorical: notApplicable('CvM needs an order on the values'),
  },
  ad: {
    numeric: {
      applies: true,
      toolName: 'ad',
      statistic: 'k-sample Anderson-Darling (midrank)',
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'ad-interpolated',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      note: "scipy's interpolated p (capped to [0.001, 0.25], so it cannot rank strong drifts); p < 0.05",
      source: 'src/core/stats/anderson-darling.ts',
    },
    categorical: notApplicable('AD needs an order on the values'),
  },
  energy: {
    numeric: {
      applies: true,
      toolName: 'energy',
      statistic: "energy distance sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|)",
      input: DW_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: null, source: 'user' },
      note: 'in feature units, so no default threshold: the topology sets one',
      source: 'src/core/stats/energy-distance.ts',
    },
    categorical: notApplicable('energy distance needs a metric on the values'),
  },
  chi2: both((kind) => ({
    applies: true,
    toolName: 'chi2',
    statistic: 'Pearson chi-squared homogeneity on the 2 x k table [ref; cur], empty columns dropped',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: null,
    logBase: null,
    form: 'statistic',
    reports: 'p-value',
    pValue: 'chi2-sf',
    threshold: { on: 'p-value', compare: '<', value: 0.01, source: 'fixed' },
    chi2Variant: 'homogeneity',
    yatesCorrection: 'never',
    note:
      'homogeneity treats the reference as a sample too (goodness of fit would not), and a new category stays finite; ' +
      'p < 0.01 (the topology default) because it runs on every window of every feature',
    source: 'src/core/stats/chi-squared.ts',
  })),
  z: {
    numeric: notApplicable('declare binary features categorical'),
    categorical: {
      applies: true,
      toolName: 'z',
      statistic: 'pooled two-proportion z, two-sided',
      input: DW_CATEGORICAL,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'normal-sf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      zPValue: 'survival',
      zFailure: 'the first bucket non-empty on either side',
      note: 'p from erfc keeps digits where 1 - cdf would round to 0',
      source: 'src/core/stats/two-proportion-z.ts',
    },
  },
  linf: both((kind) => ({
    applies: true,
    toolName: 'linf',
    statistic: 'max |p - q| over buckets, with the bucket',
    input: kind === 'numeric' ? DW_NUMERIC : DW_CATEGORICAL,
    zeroRule: null,
    logBase: null,
    form: 'distance',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    normalization: 'separate',
    tieBreak: 'first',
    note: 'a difference of proportions: 0.1 = ten percentage points in one bucket',
    source: 'src/core/stats/l-infinity.ts',
  })),
  normalized_abs_difference: {
    numeric: notApplicable("TFDV's normalized_abs_difference is defined on value counts"),
    categorical: {
      applies: true,
      toolName: 'normalized_abs_difference',
      statistic: 'max |r - c| / (refTotal + curTotal)',
      input: DW_CATEGORICAL,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: null, source: 'user' },
      normalization: 'combined',
      tieBreak: 'first',
      note: 'depends on the two totals, so no default threshold: the topology sets one',
      source: 'src/core/stats/l-infinity.ts',
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Evidently 0.7 (legacy stattests)
// ---------------------------------------------------------------------------------------------------------------

const EV_BINNED_NOTE =
  'numeric: Sturges over ref+cur concatenated (n_bins=30 is ignored; the docstring says reference quantiles), ' +
  'unless the reference has <= 20 distinct values: then one bucket per distinct value of ref+cur';

const EVIDENTLY: Record<TestName, PerKind> = {
  psi: both((kind) => ({
    applies: true,
    toolName: 'psi',
    statistic: 'sum (ref% - cur%) * ln(ref% / cur%)',
    input: kind === 'numeric' ? EV_NUMERIC : EV_CATEGORICAL,
    zeroRule: { rule: 'evidently' },
    logBase: Math.E,
    form: 'index',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    note: `${EV_BINNED_NOTE}; zeros filled per side without renormalising`,
    source: `${EV_STATTESTS}psi.py::_psi, utils.py::get_binned_data`,
  })),
  kl: both((kind) => ({
    applies: true,
    toolName: 'kl_div',
    statistic: 'scipy.stats.entropy(ref%, cur%) = KL(ref || cur)',
    input: kind === 'numeric' ? EV_NUMERIC : EV_CATEGORICAL,
    zeroRule: { rule: 'evidently' },
    logBase: Math.E,
    form: 'divergence',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    note: `${EV_BINNED_NOTE}; the filled proportions are renormalised by entropy() (PSI's are not)`,
    source: `${EV_STATTESTS}kl_div.py::_kl_div, utils.py::get_binned_data`,
  })),
  js: both((kind) => ({
    applies: true,
    toolName: 'jensenshannon',
    statistic: 'scipy.spatial.distance.jensenshannon(ref%, cur%, base=None)',
    input: kind === 'numeric' ? EV_NUMERIC : EV_CATEGORICAL,
    zeroRule: null,
    logBase: Math.E,
    form: 'distance',
    reports: 'value',
    pValue: null,
    threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
    note: `${EV_BINNED_NOTE}; feel_zeroes=False; natural log, so the maximum is sqrt(ln 2) = 0.833`,
    source: `${EV_STATTESTS}jensenshannon.py::_jensenshannon`,
  })),
  hellinger: {
    numeric: {
      applies: true,
      toolName: 'hellinger',
      statistic: 'sqrt(1 - clip(sum sqrt(dens_ref * dens_cur) * nominal bin width, 0, 1))',
      input: {
        type: 'edges',
        edges: { kind: 'sturges' },
        fitOn: 'distinct(reference+current)',
        distinctValuesUpTo: null,
        integerRule: true,
        outside: 'none (edges cover both samples)',
        missing: 'dropped',
        nonFinite: 'dropped (±inf become NaN, then NaN rows are dropped)',
      },
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
      hellingerForm: 'bhattacharyya-density',
      note:
        'Sturges on the DISTINCT values of ref+cur (not on the rows, unlike PSI/KL/JS), always binned; an int 0/1 ' +
        'column gets a single bin (integer width rule), so its Hellinger is always 0',
      source: `${EV_STATTESTS}hellinger_distance.py::_hellinger_distance`,
    },
    categorical: {
      applies: true,
      toolName: 'hellinger',
      statistic: 'sqrt(1 - clip(sum sqrt(p * q), 0, 1)) over the union of categories',
      input: EV_CATEGORICAL,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
      hellingerForm: 'bhattacharyya',
      note: 'Bhattacharyya form: 1 - BC cancels for small distances',
      source: `${EV_STATTESTS}hellinger_distance.py::_hellinger_distance`,
    },
  },
  wasserstein: {
    numeric: notApplicable('Evidently only offers the normalised Wasserstein distance (wasserstein_norm)'),
    categorical: notApplicable('numeric only'),
  },
  wasserstein_norm: {
    numeric: {
      applies: true,
      toolName: 'wasserstein',
      statistic: 'scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)',
      input: EV_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>=', value: 0.1, source: 'fixed' },
      wassersteinScale: 'reference population std, at least 0.001',
      note: 'population std (ddof 0); the Spark engine uses 1000-bin histograms instead',
      source: `${EV_STATTESTS}wasserstein_distance_norm.py::_wasserstein_distance_norm`,
    },
    categorical: notApplicable('numeric only'),
  },
  ks: {
    numeric: {
      applies: true,
      toolName: 'ks',
      statistic: 'scipy.stats.ks_2samp(ref, cur)[1]',
      input: EV_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'ks-auto',
      threshold: { on: 'p-value', compare: '<=', value: 0.05, source: 'fixed' },
      note: 'drift when p <= threshold (most p-value tests use <)',
      source: `${EV_STATTESTS}ks_stattest.py::_ks_stat_test`,
    },
    categorical: notApplicable('numeric only'),
  },
  cvm: {
    numeric: {
      applies: true,
      toolName: 'cramer_von_mises',
      statistic: "Evidently's copy of scipy's two-sample Cramer-von Mises",
      input: EV_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'cvm-auto',
      threshold: { on: 'p-value', compare: '<=', value: 0.1, source: 'fixed' },
      note: 'default threshold 0.1 although it is a p-value; drift when p <= threshold',
      source: `${EV_STATTESTS}cramer_von_mises_stattest.py::_cvm_2samp`,
    },
    categorical: notApplicable('numeric only'),
  },
  ad: {
    numeric: {
      applies: true,
      toolName: 'anderson',
      statistic: 'scipy.stats.anderson_ksamp([ref, cur])[2]',
      input: EV_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'ad-interpolated',
      threshold: { on: 'p-value', compare: '<', value: 0.1, source: 'fixed' },
      note: 'default threshold 0.1 although it is a p-value, and scipy floors p at 0.001 and caps it at 0.25',
      source: `${EV_STATTESTS}anderson_darling_stattest.py::_anderson_darling`,
    },
    categorical: notApplicable('numeric only'),
  },
  energy: {
    numeric: {
      applies: true,
      toolName: 'ed',
      statistic: 'scipy.stats.energy_distance(ref, cur)',
      input: EV_SAMPLES,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: { on: 'value', compare: '>', value: 0.1, source: 'fixed' },
      note: 'strictly greater (the other distances use >=); not normalised, so 0.1 is in feature units',
      source: `${EV_STATTESTS}energy_distance.py::_energy_dist`,
    },
    categorical: notApplicable('numeric only'),
  },
  chi2: {
    numeric: {
      applies: true,
      toolName: 'chisquare',
      statistic: 'scipy.stats.chisquare(f_obs = cur counts, f_exp = ref counts * |cur| / |ref|)',
      input: EV_DISTINCT,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'chi2-sf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      chi2Variant: 'goodness-of-fit',
      yatesCorrection: 'never',
      note:
        'reached on numeric columns only through the automatic choice (<= 1000 rows, 3 to 5 distinct values): the ' +
        'StatTest is registered for categorical columns; a value missing from the reference gives f_exp = 0, so p = 0',
      source: `${EV_STATTESTS}chisquare_stattest.py::_chi_stat_test, registry.py::_get_default_stattest`,
    },
    categorical: {
      applies: true,
      toolName: 'chisquare',
      statistic: 'scipy.stats.chisquare(f_obs = cur counts, f_exp = ref counts * |cur| / |ref|)',
      input: EV_CATEGORICAL,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'chi2-sf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      chi2Variant: 'goodness-of-fit',
      yatesCorrection: 'never',
      note: 'goodness of fit to the reference proportions; a category missing from the reference makes p = 0',
      source: `${EV_STATTESTS}chisquare_stattest.py::_chi_stat_test`,
    },
  },
  z: {
    numeric: {
      applies: true,
      toolName: 'z',
      statistic: 'pooled two-proportion z, two-sided; the smallest value is 0, every other value 1',
      input: EV_DISTINCT,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'normal-one-minus-cdf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      zPValue: 'one-minus-cdf',
      zFailure: 'the smallest value of the sorted union (the first distinct-value bucket)',
      note: 'reached on numeric columns only through the automatic choice (<= 1000 rows, <= 2 distinct values)',
      source: `${EV_STATTESTS}z_stattest.py::_z_stat_test`,
    },
    categorical: {
      applies: true,
      toolName: 'z',
      statistic: 'pooled two-proportion z, two-sided; the smallest category is 0, every other category 1',
      input: EV_CATEGORICAL,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'p-value',
      pValue: 'normal-one-minus-cdf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      zPValue: 'one-minus-cdf',
      zFailure: 'the smallest category in sorted order',
      note: 'p = 2 * (1 - norm.cdf(|z|)): no digits below ~1e-16; p = 1 when both samples hold the same single value',
      source: `${EV_STATTESTS}z_stattest.py::_z_stat_test`,
    },
  },
  linf: {
    numeric: notApplicable('Evidently has no L-infinity test (it has TVD)'),
    categorical: notApplicable('Evidently has no L-infinity test (it has TVD)'),
  },
  normalized_abs_difference: {
    numeric: notApplicable('TFDV only'),
    categorical: notApplicable('TFDV only'),
  },
};

// ---------------------------------------------------------------------------------------------------------------
// NannyML 0.13 (UnivariateDriftCalculator)
// ---------------------------------------------------------------------------------------------------------------

const NANNYML: Record<TestName, PerKind> = {
  psi: both(() => notApplicable('NannyML has no PSI method')),
  kl: both(() => notApplicable('NannyML has no KL method')),
  js: {
    numeric: {
      applies: true,
      toolName: 'jensen_shannon',
      statistic: 'scipy jensenshannon(ref%, cur% + leftover, base=2)',
      input: NML_NUMERIC,
      zeroRule: null,
      logBase: 2,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      note: 'Doane bins fitted on the reference only; current mass outside them goes to one leftover bucket',
      source: `${NML_METHODS}::ContinuousJensenShannonDistance`,
    },
    categorical: {
      applies: true,
      toolName: 'jensen_shannon',
      statistic: 'scipy jensenshannon(ref%, cur% + leftover, base=2)',
      input: NML_LEFTOVER,
      zeroRule: null,
      logBase: 2,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      note: 'reference categories plus one leftover bucket for every unseen category',
      source: `${NML_METHODS}::CategoricalJensenShannonDistance`,
    },
  },
  hellinger: {
    numeric: {
      applies: true,
      toolName: 'hellinger',
      statistic: 'sqrt(sum (sqrt p - sqrt q)^2) / sqrt 2',
      input: NML_NUMERIC,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      hellingerForm: 'euclidean',
      note: "euclidean form (Evidently's Bhattacharyya form is equal but rounds differently); Doane + leftover",
      source: `${NML_METHODS}::ContinuousHellingerDistance`,
    },
    categorical: {
      applies: true,
      toolName: 'hellinger',
      statistic: 'sqrt(sum (sqrt p - sqrt q)^2) / sqrt 2',
      input: NML_LEFTOVER,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      hellingerForm: 'euclidean',
      note: 'reference categories plus one leftover bucket',
      source: `${NML_METHODS}::CategoricalHellingerDistance`,
    },
  },
  wasserstein: {
    numeric: {
      applies: true,
      toolName: 'wasserstein',
      statistic: 'scipy.stats.wasserstein_distance(ref, cur), not normalised',
      input: { type: 'samples', missing: 'dropped', approximation: NML_BINNED },
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      wassersteinScale: 'none',
      note: 'exact below 10,000 reference rows; binned above',
      source: `${NML_METHODS}::WassersteinDistance`,
    },
    categorical: notApplicable('continuous only'),
  },
  wasserstein_norm: both(() => notApplicable('NannyML does not normalise the Wasserstein distance')),
  ks: {
    numeric: {
      applies: true,
      toolName: 'kolmogorov_smirnov',
      statistic: 'the KS statistic D of scipy.stats.ks_2samp (the p-value is not used)',
      input: { type: 'samples', missing: 'dropped', approximation: NML_BINNED },
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(1),
      note: "reports D and thresholds it on reference chunks, despite the docstring's p < 0.05",
      source: `${NML_METHODS}::KolmogorovSmirnovStatistic`,
    },
    categorical: notApplicable('continuous only'),
  },
  cvm: both(() => notApplicable('NannyML has no Cramer-von Mises method')),
  ad: both(() => notApplicable('NannyML has no Anderson-Darling method')),
  energy: both(() => notApplicable('NannyML has no energy distance method')),
  chi2: {
    numeric: notApplicable('categorical only'),
    categorical: {
      applies: true,
      toolName: 'chi2',
      statistic: 'scipy.stats.chi2_contingency on [ref counts, cur counts] per category (correction=True)',
      input: NML_UNION,
      zeroRule: null,
      logBase: null,
      form: 'statistic',
      reports: 'value',
      pValue: 'chi2-sf',
      threshold: { on: 'p-value', compare: '<', value: 0.05, source: 'fixed' },
      chi2Variant: 'homogeneity',
      yatesCorrection: 'when dof = 1',
      note:
        'reports the statistic but alerts on p < 0.05 (hard-coded, custom thresholds ignored); Yates applies to ' +
        'two-category features because chi2_contingency defaults to correction=True',
      source: `${NML_METHODS}::Chi2Statistic`,
    },
  },
  z: both(() => notApplicable('NannyML has no Z test')),
  linf: {
    numeric: notApplicable('categorical only'),
    categorical: {
      applies: true,
      toolName: 'l_infinity',
      statistic: 'max |ref% - cur%| over the union of categories',
      input: NML_UNION,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: NML_CHUNKS(),
      normalization: 'separate',
      tieBreak: 'first',
      note: 'pandas value_counts(normalize=True) per side, subtracted over the union',
      source: `${NML_METHODS}::LInfinityDistance`,
    },
  },
  normalized_abs_difference: both(() => notApplicable('TFDV only')),
};

// ---------------------------------------------------------------------------------------------------------------
// TFDV (drift/skew comparators)
// ---------------------------------------------------------------------------------------------------------------

const TFDV: Record<TestName, PerKind> = {
  psi: both(() => notApplicable('TFDV has no PSI comparator')),
  kl: both(() => notApplicable('TFDV has no KL comparator')),
  js: {
    numeric: {
      applies: true,
      toolName: 'jensen_shannon_divergence',
      statistic: 'min((KL(p||m) + KL(q||m)) / 2 in log2, 1) on aligned STANDARD histograms',
      input: {
        type: 'edges',
        edges: { kind: 'equal-width', bins: 10 },
        fitOn: 'each side',
        distinctValuesUpTo: null,
        integerRule: false,
        outside: 'none (edges cover both samples)',
        missing: 'own bucket',
        nonFinite: 'one infinite-mass bucket per side',
      },
      zeroRule: null,
      logBase: 2,
      form: 'divergence',
      reports: 'value',
      pValue: null,
      threshold: TFDV_SCHEMA,
      cap: 1,
      mismatchedBuckets: 'NaN mass and infinite mass: appended per side, never matched with the other side',
      note:
        'a divergence, not a distance; each side keeps its own 10 buckets (from a quantiles sketch), re-bucketed onto ' +
        'the union of boundaries assuming uniform mass; NaN buckets never match, even when both sides have NaNs',
      source: `${TFDV_METRICS}::JensenShannonDivergence, AlignHistograms`,
    },
    categorical: {
      applies: true,
      toolName: 'jensen_shannon_divergence',
      statistic: 'min((KL(p||m) + KL(q||m)) / 2 in log2, 1) on the string value counts',
      input: TFDV_RANK,
      zeroRule: null,
      logBase: 2,
      form: 'divergence',
      reports: 'value',
      pValue: null,
      threshold: TFDV_SCHEMA,
      cap: 1,
      note: 'string features use the rank histogram (value counts) before any numeric histogram',
      source: `${TFDV_METRICS}::JensenShannonDivergence(std::map)`,
    },
  },
  hellinger: both(() => notApplicable('TFDV has no Hellinger comparator')),
  wasserstein: both(() => notApplicable('TFDV has no Wasserstein comparator')),
  wasserstein_norm: both(() => notApplicable('TFDV has no Wasserstein comparator')),
  ks: both(() => notApplicable('TFDV has no KS comparator')),
  cvm: both(() => notApplicable('TFDV has no CvM comparator')),
  ad: both(() => notApplicable('TFDV has no AD comparator')),
  energy: both(() => notApplicable('TFDV has no energy comparator')),
  chi2: both(() => notApplicable('TFDV has no chi-squared comparator')),
  z: both(() => notApplicable('TFDV has no Z comparator')),
  linf: {
    numeric: notApplicable('infinity_norm only compares string value counts (b/68711199)'),
    categorical: {
      applies: true,
      toolName: 'infinity_norm',
      statistic: 'max |cur% - ref%| over the union of rank-histogram values',
      input: TFDV_RANK,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: TFDV_SCHEMA,
      normalization: 'separate',
      tieBreak: 'last (bytewise key order)',
      note: 'no default threshold (the docs use 0.01); on an anomaly the schema threshold is raised to the value',
      source: `${TFDV_METRICS}::LInftyDistance; feature_util.cc::UpdateInfinityNormComparator`,
    },
  },
  normalized_abs_difference: {
    numeric: notApplicable('string value counts only'),
    categorical: {
      applies: true,
      toolName: 'normalized_abs_difference',
      statistic: 'max |cur - ref| / (|cur| + |ref|) over the union of rank-histogram values',
      input: TFDV_RANK,
      zeroRule: null,
      logBase: null,
      form: 'distance',
      reports: 'value',
      pValue: null,
      threshold: TFDV_SCHEMA,
      normalization: 'combined',
      tieBreak: 'last (bytewise key order)',
      note: 'both count vectors are divided by the COMBINED total, so unequal sample sizes alone make it non-zero',
      source: `${TFDV_METRICS}::NormalizedAbsoluteDifference; feature_util.cc`,
    },
  },
};

const PRESETS: Record<ConventionName, Record<TestName, PerKind>> = {
  driftwatch: DRIFTWATCH,
  evidently: EVIDENTLY,
  nannyml: NANNYML,
  tfdv: TFDV,
};

/** The convention of one tool for one test and feature kind; `applies: false` (with a note) where it has none. */
export function conventionFor(name: ConventionName, test: TestName, kind: FeatureKind): TestConvention {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `unknown convention ${String(name)}`, {
      convention: name,
    });
  }
  const perKind = Object.hasOwn(preset, test) ? preset[test] : undefined;
  if (perKind === undefined || (kind !== 'numeric' && kind !== 'categorical')) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `unknown test ${String(test)} or kind ${String(kind)}`,
      {
        test,
        kind,
      },
    );
  }
  const entry = perKind[kind] ?? notApplicable(`${name} has no ${test} test for ${kind} features`);
  return { convention: name, test, kind, ...entry };
}

/** Every applicable test of a convention for a feature kind. */
export function testsOf(name: ConventionName, kind: FeatureKind): TestName[] {
  return TEST_NAMES.filter((test) => conventionFor(name, test, kind).applies);
}

/**
 * The tests a tool runs when none is chosen. `referenceRows` is the reference size after dropping missing values;
 * `uniqueCount` the number of distinct non-missing values in reference + current together.
 *
 * - evidently (registry.py::_get_default_stattest): reference ≤ 1000 rows: numeric with > 5 distinct values → KS,
 *   otherwise chi-squared (> 2 distinct) or Z; categorical → chi-squared (> 2 distinct) or Z. Above 1000 rows: numeric
 *   with > 5 distinct values → Wasserstein (normed), otherwise JS; categorical → JS. (Text columns, not modelled here,
 *   get the domain-classifier tests.)
 * - nannyml (drift/univariate/calculator.py): jensen_shannon for both kinds.
 * - tfdv: none — a comparator only runs when the schema sets its threshold.
 * - driftwatch: PSI for numeric features (mergeable quantile counts, a familiar scale), JS distance for categorical
 *   ones (bounded, and finite when new categories appear).
 */
export function defaultTestsFor(
  convention: ConventionName,
  kind: FeatureKind,
  referenceRows: number,
  uniqueCount: number,
): TestName[] {
  switch (convention) {
    case 'evidently':
      if (referenceRows <= 1000) {
        if (kind === 'numeric' && uniqueCount > 5) return ['ks'];
        return [uniqueCount > 2 ? 'chi2' : 'z'];
      }
      if (kind === 'numeric') return [uniqueCount > 5 ? 'wasserstein_norm' : 'js'];
      return ['js'];
    case 'nannyml':
      return ['js'];
    case 'tfdv':
      return [];
    case 'driftwatch':
      return [kind === 'numeric' ? 'psi' : 'js'];
    default: {
      const unknown: never = convention;
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `unknown convention ${String(unknown)}`, {
        convention: unknown,
      });
    }
  }
}

function renderBase(base: number): string {
  if (base === Math.E) return 'e';
  return String(base);
}

function renderZeroRule(rule: ZeroRule): string {
  switch (rule.rule) {
    case 'replace':
      return `replace: a zero proportion becomes ${rule.epsilon} on that side, not renormalised`;
    case 'add':
      return `add: (p + ${rule.epsilon}) / (1 + k * ${rule.epsilon}) over the k non-empty buckets`;
    case 'evidently':
      return 'evidently: per side, zeros become min_nonzero / 1e6 if min_nonzero <= 1e-4 else 1e-4, not renormalised';
  }
}

function renderEdges(edges: EdgeStrategy): string {
  switch (edges.kind) {
    case 'quantile':
      return `${edges.bins} quantile buckets (numpy linear, ties collapsed)`;
    case 'equal-width':
      return `${edges.bins} equal-width buckets`;
    case 'doane':
    case 'sturges':
      return `numpy ${edges.kind} edges`;
    case 'explicit':
      return `explicit edges [${edges.edges.join(', ')}]`;
  }
}

function renderBinning(input: Binning): Record<string, string> {
  switch (input.type) {
    case 'edges':
      return {
        binning: `${renderEdges(input.edges)} fitted on ${input.fitOn}${
          input.distinctValuesUpTo === null
            ? ''
            : `; one bucket per distinct value of reference+current when the reference has <= ${input.distinctValuesUpTo} distinct values`
        }${input.integerRule ? '; integer columns: bin width >= 1' : ''}`,
        outsideValues: input.outside,
        missing: input.missing,
        nonFinite: input.nonFinite,
      };
    case 'distinct-values':
      return {
        binning: `one bucket per distinct value of ${input.fitOn}`,
        missing: input.missing,
        nonFinite: input.nonFinite,
      };
    case 'categories':
      return {
        binning:
          input.categories === 'union'
            ? 'one bucket per category of reference+current'
            : 'reference categories + one bucket for unseen categories',
        ...(input.limit === null ? {} : { categoryLimit: `top ${input.limit} values per side` }),
        missing: input.missing,
      };
    case 'samples':
      return {
        input: 'raw samples',
        missing: input.missing,
        ...(input.approximation === null ? {} : { approximation: input.approximation }),
      };
  }
}

function renderThreshold(rule: ThresholdRule | null): Record<string, string> {
  if (rule === null) return { threshold: 'none' };
  const subject = rule.on === 'value' ? 'value' : 'p-value';
  switch (rule.source) {
    case 'fixed':
      return { threshold: String(rule.value), driftRule: `${subject} ${rule.compare} threshold` };
    case 'reference-chunks':
      return {
        threshold: `mean + ${rule.stdMultiplier ?? 3} * std (population) of the statistic over reference chunks${
          rule.upperLimit === undefined ? '' : `, at most ${rule.upperLimit}`
        }`,
        driftRule: `${subject} ${rule.compare} upper threshold`,
      };
    case 'schema':
      return { threshold: 'from the schema (no default)', driftRule: `${subject} ${rule.compare} threshold` };
    case 'user':
      return {
        threshold: 'set by the topology (no default)',
        driftRule: `${subject} ${rule.compare} threshold`,
      };
  }
}

/**
 * The convention as flat strings, reported with every result so a value can be reproduced (and compared with the
 * tool it follows) from the result alone.
 */
export function conventionsRecord(conv: TestConvention): Record<string, string> {
  const record: Record<string, string> = {
    convention: conv.convention,
    test: conv.test,
    kind: conv.kind,
    applies: String(conv.applies),
  };
  if (!conv.applies) {
    record.note = conv.note;
    return record;
  }
  if (conv.toolName !== null) record.toolName = conv.toolName;
  record.statistic = conv.statistic;
  if (conv.input !== null) Object.assign(record, renderBinning(conv.input));
  if (conv.zeroRule !== null) record.zeroRule = renderZeroRule(conv.zeroRule);
  if (conv.logBase !== null) record.logBase = renderBase(conv.logBase);
  if (conv.form !== null) record.form = conv.form;
  record.reports = conv.reports;
  if (conv.pValue !== null) record.pValue = conv.pValue;
  Object.assign(record, renderThreshold(conv.threshold));
  const extras: [string, string | number | undefined][] = [
    ['hellingerForm', conv.hellingerForm],
    ['normalization', conv.normalization],
    ['tieBreak', conv.tieBreak],
    ['chi2Variant', conv.chi2Variant],
    ['yatesCorrection', conv.yatesCorrection],
    ['zPValue', conv.zPValue],
    ['zFailure', conv.zFailure],
    ['cap', conv.cap],
    ['mismatchedBuckets', conv.mismatchedBuckets],
    ['wassersteinScale', conv.wassersteinScale],
  ];
  for (const [key, value] of extras) if (value !== undefined) record[key] = String(value);
  record.note = conv.note;
  if (conv.source !== '') record.source = conv.source;
  return record;
}
