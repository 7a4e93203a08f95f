import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import type { DriftTestName, Severity, ThresholdSpec } from '../../topology/topology-types.ts';
import { numpySum } from '../stats/bucket-edges.ts';

/**
 * How a level is compared with a test's result (see ThresholdSpec in topology-types.ts):
 * - `value-above`: fires when the statistic's value >= level (distances; and every calibrated level).
 * - `p-below`: fires when the (corrected) p-value < level (ks, chi2 with fixed levels); a critical p-level is
 *   therefore the smaller one.
 */
export type LevelRule = 'value-above' | 'p-below';

/** Concrete levels and the rule to apply them with. A null level never fires. */
export interface Levels {
  readonly rule: LevelRule;
  readonly warning: number | null;
  readonly critical: number | null;
}

/** Levels calibrated on reference-chunk statistics, with the summary they came from (for reports). */
export interface CalibratedLevels {
  readonly warning: number | null;
  readonly critical: number | null;
  /** numpy.mean of the finite chunk statistics. */
  readonly mean: number;
  /** numpy.std (ddof = 0) of the finite chunk statistics. */
  readonly std: number;
  /** How many finite chunk statistics the levels were calibrated on (at least 2). */
  readonly chunks: number;
}

/** What resolveLevels returns: the levels to judge with, plus the calibration when the spec was calibrated. */
export interface ResolvedLevels extends Levels {
  readonly calibration: CalibratedLevels | null;
}

/** Fixed-level defaults of one test, in the test's own rule. */
export interface DefaultLevels {
  readonly warning: number;
  readonly critical: number;
}

/**
 * Default fixed levels per test (field practice). For the p-value tests, critical < warning.
 */
export const DEFAULT_LEVELS: Readonly<Record<DriftTestName, DefaultLevels>> = {
  // The credit-scoring rule of thumb: PSI < 0.1 no real shift, 0.1–0.2 moderate (investigate), >= 0.2 significant.
  psi: { warning: 0.1, critical: 0.2 },
  // 0.1 is Evidently's default drift threshold for the normalised Wasserstein distance (W1 / reference std, i.e.
  // the distributions moved by a tenth of a standard deviation); twice that is critical.
  wasserstein_norm: { warning: 0.1, critical: 0.2 },
  // 0.1 is Evidently's default drift threshold for the Jensen-Shannon distance (base 2, in [0, 1]); twice is critical.
  js: { warning: 0.1, critical: 0.2 },
  // Stricter than the textbook 0.05: a stream runs a test every window, and large windows make tiny shifts
  // "significant", so 0.05 would alert on noise every day. 0.01 warns, 0.001 is critical.
  ks: { warning: 0.01, critical: 0.001 },
  // Same reasoning as ks.
  chi2: { warning: 0.01, critical: 0.001 },
  // Relative change of a category's share: a class predicted 20% more (or less) often warns, 40% is critical.
  share_change: { warning: 0.2, critical: 0.4 },
};

/**
 * The range a fixed level of each test must lie in, exclusive at both ends: a level at or below the low end would
 * always (distance) or never (p-value) fire. Distances are non-negative (psi and wasserstein_norm unbounded; js base 2
 * is at most 1); p-values lie in [0, 1]. The upper bounds match the topology schema's `exclusiveMaximum: 1`.
 */
export const LEVEL_RANGE: Readonly<
  Record<DriftTestName, { readonly above: number; readonly below: number }>
> = {
  psi: { above: 0, below: Number.POSITIVE_INFINITY },
  wasserstein_norm: { above: 0, below: Number.POSITIVE_INFINITY },
  js: { above: 0, below: 1 },
  ks: { above: 0, below: 1 },
  chi2: { above: 0, below: 1 },
  share_change: { above: 0, below: Number.POSITIVE_INFINITY },
};

/** The rule of a test's fixed levels: distances fire on their value, ks and chi2 on their p-value. */
export function testRule(test: DriftTestName): LevelRule {
  switch (test) {
    case 'psi':
    case 'wasserstein_norm':
    case 'js':
    case 'share_change':
      return 'value-above';
    case 'ks':
    case 'chi2':
      return 'p-below';
    default:
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `unknown drift test "${String(test)}"`, { test });
  }
}

/**
 * Checks a test's fixed levels (either may be null = not checked). Returns a message for the first problem, or null.
 * Each level must be a finite number inside LEVEL_RANGE[test]. Ordering, so severity only grows with drift:
 * value-above tests need warning <= critical; p-below tests need warning >= critical (critical is the smaller
 * p-level). Equal levels are allowed (the level is then critical at once).
 */
export function validateFixedLevels(
  test: DriftTestName,
  warning: number | null,
  critical: number | null,
): string | null {
  const range = LEVEL_RANGE[test];
  const rule = testRule(test);
  const noun = rule === 'p-below' ? 'p-level' : 'level';
  for (const [name, level] of [
    ['warning', warning],
    ['critical', critical],
  ] as const) {
    if (level === null) continue;
    if (typeof level !== 'number' || !Number.isFinite(level)) {
      return `${test}: ${name} ${noun} must be a finite number, got ${level}`;
    }
    if (!(level > range.above && level < range.below)) {
      const upper = range.below === Number.POSITIVE_INFINITY ? '' : ` and below ${range.below}`;
      return `${test}: ${name} ${noun} must be above ${range.above}${upper}, got ${level}`;
    }
  }
  if (warning !== null && critical !== null) {
    if (rule === 'value-above' && !(warning <= critical)) {
      return `${test}: warning level (${warning}) must not exceed critical level (${critical}); the test fires when its value >= level`;
    }
    if (rule === 'p-below' && !(warning >= critical)) {
      return `${test}: critical p-level (${critical}) must not exceed warning p-level (${warning}); the test fires when p < level, so critical is the smaller one`;
    }
  }
  return null;
}

/**
 * Checks a calibrated spec's parameters (either may be null = not checked). Returns a message for the first problem,
 * or null. `std`: each k must be finite and >= 0 (NannyML rejects negative multipliers; k = 0 puts the level at the
 * mean). `quantile`: each q must lie in [0, 1] (numpy.quantile's domain). Both methods apply `value-above`, so
 * warning <= critical (levels grow with k and with q).
 */
export function validateCalibratedLevels(
  method: 'std' | 'quantile',
  warning: number | null,
  critical: number | null,
): string | null {
  for (const [name, x] of [
    ['warning', warning],
    ['critical', critical],
  ] as const) {
    if (x === null) continue;
    if (method === 'std' && !(typeof x === 'number' && x >= 0 && Number.isFinite(x))) {
      return `calibrated std: ${name} multiplier k must be a finite number >= 0, got ${x}`;
    }
    if (method === 'quantile' && !(typeof x === 'number' && x >= 0 && x <= 1)) {
      return `calibrated quantile: ${name} q must be in [0, 1], got ${x}`;
    }
  }
  if (warning !== null && critical !== null && !(warning <= critical)) {
    const what = method === 'std' ? 'multiplier k' : 'q';
    return `calibrated ${method}: warning ${what} (${warning}) must not exceed critical ${what} (${critical})`;
  }
  return null;
}

/** Checks any ThresholdSpec of a test (fixed or calibrated); a message for the first problem, or null. */
export function validateThresholdSpec(test: DriftTestName, spec: ThresholdSpec): string | null {
  return spec.kind === 'fixed'
    ? validateFixedLevels(test, spec.warning, spec.critical)
    : validateCalibratedLevels(spec.method, spec.warning, spec.critical);
}

/**
 * numpy.quantile(values, q) with the default `linear` method, on values already sorted ascending (finite, at least
 * one): virtual index h = (n − 1)·q, then numpy's _lerp between the neighbours, which computes from the upper
 * neighbour when the fraction is >= 0.5. Same operations as numpy, so the same bits.
 */
export function linearQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1]!;
  if (h < 0) return sorted[0]!;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Levels calibrated on the reference-chunk statistics of one test (the statistic of each window-sized chunk of the
 * reference against the whole reference):
 * - `std`: level = mean + std · k, with numpy's mean and population std (ddof = 0), as NannyML's
 *   StandardDeviationThreshold (np.nanmean, np.nanstd) computes its upper threshold. ddof = 0 because that is what
 *   NannyML does; the chunk statistics are the whole population of reference chunks, not a sample of them.
 * - `quantile`: level = numpy.quantile(chunk statistics, q) (linear).
 * Both are bit-identical to numpy (numpy's pairwise summation is reproduced by numpySum).
 *
 * Non-finite chunk statistics (a chunk the statistic could not be computed on) are left out. Fewer than 2 finite
 * ones cannot give a spread and throws DW_BASELINE_INVALID; `what` (e.g. "feature amount, test psi") goes into the
 * message. An invalid spec (see validateCalibratedLevels) throws DW_INVALID_OPTION.
 */
export function calibrateLevels(
  statistics: Float64Array | readonly number[],
  spec: ThresholdSpec & { kind: 'calibrated' },
  what?: string,
): CalibratedLevels {
  const problem = validateCalibratedLevels(spec.method, spec.warning, spec.critical);
  if (problem !== null) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      what === undefined ? problem : `${what}: ${problem}`,
      {
        method: spec.method,
        warning: spec.warning,
        critical: spec.critical,
      },
    );
  }
  const finite = new Float64Array(statistics.length);
  let n = 0;
  for (let i = 0; i < statistics.length; i++) {
    const v = statistics[i]!;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  if (n < 2) {
    const prefix = what === undefined ? '' : `${what}: `;
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${prefix}calibrated levels need the statistic of at least 2 reference chunks, but the baseline has ${n} ` +
        `usable chunk statistic${n === 1 ? '' : 's'} (of ${statistics.length}); rebuild the baseline with more ` +
        'reference rows or smaller chunks',
      { chunks: n, statistics: statistics.length, method: spec.method },
    );
  }
  const values = finite.subarray(0, n);
  // numpy.mean / numpy.std(ddof=0): sum / n, then sqrt(sum((x − mean)²) / n), each sum numpy's pairwise one.
  const mean = numpySum(values) / n;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares[i] = d * d;
  }
  const std = Math.sqrt(numpySum(squares) / n);
  let level: (x: number) => number;
  if (spec.method === 'std') {
    level = (k) => mean + std * k;
  } else {
    const sorted = Float64Array.from(values).sort();
    level = (q) => linearQuantile(sorted, q);
  }
  return {
    warning: spec.warning === null ? null : level(spec.warning),
    critical: spec.critical === null ? null : level(spec.critical),
    mean,
    std,
    chunks: n,
  };
}

/**
 * Turns a test's ThresholdSpec into levels to judge with. Fixed: the spec's levels under the test's own rule (p-below
 * for ks and chi2, compared with the corrected p-value). Calibrated: levels from calibrateLevels on `chunkStatistics`
 * (required; the baseline's reference-chunk statistics of this test), under `value-above` for every test (a
 * calibrated ks or chi2 level applies to the statistic itself, not its p-value). Invalid fixed levels throw
 * DW_INVALID_OPTION with validateFixedLevels' message; a calibrated spec without chunk statistics throws
 * DW_BASELINE_INVALID.
 */
export function resolveLevels(
  test: DriftTestName,
  spec: ThresholdSpec,
  chunkStatistics: Float64Array | readonly number[] | null = null,
  what?: string,
): ResolvedLevels {
  const prefix = what === undefined ? '' : `${what}: `;
  if (spec.kind === 'fixed') {
    const problem = validateFixedLevels(test, spec.warning, spec.critical);
    if (problem !== null) {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `${prefix}${problem}`, {
        test,
        warning: spec.warning,
        critical: spec.critical,
      });
    }
    return { rule: testRule(test), warning: spec.warning, critical: spec.critical, calibration: null };
  }
  if (chunkStatistics === null) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${prefix}calibrated ${test} levels need the baseline's reference-chunk statistics of ${test}, and it has ` +
        'none; rebuild the baseline so it stores them',
      { test, method: spec.method },
    );
  }
  const calibration = calibrateLevels(chunkStatistics, spec, what);
  return { rule: 'value-above', warning: calibration.warning, critical: calibration.critical, calibration };
}

/** Whether one level fires. A null level, a NaN value or p-value, and a missing p-value never fire. */
export function levelFires(
  rule: LevelRule,
  level: number | null,
  value: number,
  pValue: number | null,
): boolean {
  if (level === null) return false;
  // Comparisons with NaN are false, so NaN never fires.
  return rule === 'value-above' ? value >= level : pValue !== null && pValue < level;
}

/**
 * The severity of one result: critical if the critical level fires, else warning if the warning level fires, else
 * null. value-above compares `value`; p-below compares `pValue` (pass the corrected one). With ordered levels
 * (validateFixedLevels) severity is monotone: it never drops as the value grows or the p-value shrinks.
 */
export function severityOf(levels: Levels, value: number, pValue: number | null): Severity | null {
  if (levelFires(levels.rule, levels.critical, value, pValue)) return 'critical';
  if (levelFires(levels.rule, levels.warning, value, pValue)) return 'warning';
  return null;
}
