import { DriftwatchError, ErrorCodes, statisticInputError } from '../../errors.ts';
import type { FeatureKind, Severity } from '../../topology/topology-types.ts';

/**
 * Data-quality guardrails of one feature over one window, checked before the drift statistics and reported beside
 * them:
 * - `type_mismatch`: share of the window's rows where the feature's value had the wrong type (a string where a number
 *   is expected); such a value is counted as missing by the statistics, but not by `null_rate`;
 * - `null_rate`: share of the window's rows where the feature was null or NaN in the event;
 * - `out_of_range`: share of the non-missing numeric values outside what the baseline saw (below its minimum, above
 *   its maximum, or ±inf);
 * - `unseen_share`: share of the non-missing categorical values that are categories the baseline never saw.
 *
 * Each is judged on its *excess* over the baseline's own rate (a feature that was 3% null in training is not a
 * problem at 3%): a level fires when rate − baseline rate >= level. Training data has no type mismatches, so the
 * baseline rate of `type_mismatch` is 0. Below `minRows` rows the check is not judged.
 */
export type QualityCheckName = 'type_mismatch' | 'null_rate' | 'out_of_range' | 'unseen_share';

/**
 * What the engine does with an event whose feature value has the wrong type: `count` treats the value as missing,
 * counts it as a type mismatch of that feature and keeps the event (its other features still count); `dead-letter`
 * sends the whole event to the dead-letter topic.
 */
export type TypeMismatchPolicy = 'count' | 'dead-letter';

export const TYPE_MISMATCH_POLICIES: readonly TypeMismatchPolicy[] = ['count', 'dead-letter'];

export interface QualityLevels {
  readonly warning: number | null;
  readonly critical: number | null;
}

export interface QualitySpec {
  readonly nullRate: QualityLevels;
  readonly outOfRange: QualityLevels;
  readonly unseenShare: QualityLevels;
  readonly typeMismatch: QualityLevels;
  /** Windows with fewer rows are reported but not judged. */
  readonly minRows: number;
}

/**
 * Defaults: 5 points more nulls than in training warn and 20 critical (a join or an upstream field broke); 1% of
 * values outside the training range or unseen categories warn, 5% are critical (a unit change, a new category
 * rolled out), and so do 1% and 5% of values of the wrong type (a producer or a schema change broke a field).
 * Type mismatches are counted, not dead-lettered, by default. Tune per feature family.
 */
export const DEFAULT_QUALITY: QualitySpec & { readonly onTypeMismatch: TypeMismatchPolicy } = {
  nullRate: { warning: 0.05, critical: 0.2 },
  outOfRange: { warning: 0.01, critical: 0.05 },
  unseenShare: { warning: 0.01, critical: 0.05 },
  typeMismatch: { warning: 0.01, critical: 0.05 },
  onTypeMismatch: 'count',
  minRows: 100,
};

export interface QualityCheck {
  readonly feature: string;
  readonly featureKind: FeatureKind;
  readonly check: QualityCheckName;
  /** The window's rate. */
  readonly value: number;
  readonly baselineRate: number;
  /** max(0, value − baselineRate): what the levels are compared with. */
  readonly excess: number;
  /** Rows the rate is over (all rows for type_mismatch and null_rate, non-missing ones otherwise). */
  readonly rows: number;
  readonly count: number;
  readonly severity: Severity | null;
  /** The level that fired, or the warning level (else critical) when none did. */
  readonly threshold: number | null;
  readonly judged: boolean;
}

/** One feature's window facts, in the bucket layouts of src/core/stats (numeric or categorical). */
export interface QualityInput {
  readonly feature: string;
  /** As the topology declares it; boolean features are counted in the categorical layout. */
  readonly featureKind: FeatureKind;
  readonly referenceCounts: Float64Array;
  readonly currentCounts: Float64Array;
  /**
   * Rows of the window where the value had the wrong type (default 0). They are in the missing bucket of
   * `currentCounts`, since the statistics treat them as missing; the null rate leaves them out.
   */
  readonly typeMismatches?: number;
}

/** Validates levels: within [0, 1], warning <= critical. */
export function validateQualityLevels(levels: QualityLevels): string | null {
  for (const [name, level] of [
    ['warning', levels.warning],
    ['critical', levels.critical],
  ] as const) {
    if (level !== null && !(level >= 0 && level <= 1))
      return `${name} must be a share in [0, 1], got ${level}`;
  }
  if (levels.warning !== null && levels.critical !== null && levels.warning > levels.critical) {
    return `warning (${levels.warning}) must not exceed critical (${levels.critical})`;
  }
  return null;
}

/**
 * The guardrails of one feature: type_mismatch, null_rate, then out_of_range (numeric) or unseen_share (categorical).
 */
export function qualityChecks(input: QualityInput, spec: QualitySpec = DEFAULT_QUALITY): QualityCheck[] {
  for (const levels of [spec.typeMismatch, spec.nullRate, spec.outOfRange, spec.unseenShare]) {
    const problem = validateQualityLevels(levels);
    if (problem !== null) throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `data quality: ${problem}`);
  }
  const layout = input.featureKind === 'numeric' ? 'numeric' : 'categorical';
  const ref = rates(layout, input.referenceCounts);
  const cur = rates(layout, input.currentCounts);
  const mismatches = input.typeMismatches ?? 0;
  if (!(Number.isInteger(mismatches) && mismatches >= 0 && mismatches <= cur.missing.count)) {
    throw statisticInputError(
      `data quality: feature ${input.feature} has ${mismatches} type mismatches, expected an integer in 0..${cur.missing.count} (its missing values)`,
      { feature: input.feature, typeMismatches: mismatches },
    );
  }
  const judged = cur.rows >= spec.minRows;
  const check = (name: QualityCheckName, levels: QualityLevels, c: Rate, r: Rate): QualityCheck => {
    const value = c.of === 0 ? 0 : c.count / c.of;
    const baselineRate = r.of === 0 ? 0 : r.count / r.of;
    const excess = Math.max(0, value - baselineRate);
    const severity = !judged
      ? null
      : levels.critical !== null && excess >= levels.critical
        ? 'critical'
        : levels.warning !== null && excess >= levels.warning
          ? 'warning'
          : null;
    const threshold =
      severity === 'critical'
        ? levels.critical
        : severity === 'warning'
          ? levels.warning
          : (levels.warning ?? levels.critical);
    return {
      feature: input.feature,
      featureKind: input.featureKind,
      check: name,
      value,
      baselineRate,
      excess,
      rows: c.of,
      count: c.count,
      severity,
      threshold,
      judged,
    };
  };
  // Training data has no type mismatches: the baseline rate is 0, so the level applies to the rate itself.
  return [
    check('type_mismatch', spec.typeMismatch, { count: mismatches, of: cur.rows }, { count: 0, of: 0 }),
    check('null_rate', spec.nullRate, { count: cur.missing.count - mismatches, of: cur.rows }, ref.missing),
    layout === 'numeric'
      ? check('out_of_range', spec.outOfRange, cur.outside, ref.outside)
      : check('unseen_share', spec.unseenShare, cur.outside, ref.outside),
  ];
}

interface Rate {
  readonly count: number;
  readonly of: number;
}

/**
 * Missing and outside counts of a bucket vector. Numeric layout: missing, -inf, underflow, inner..., overflow, +inf;
 * categorical: categories..., unseen, missing.
 */
function rates(
  kind: 'numeric' | 'categorical',
  counts: Float64Array,
): { rows: number; missing: Rate; outside: Rate } {
  let rows = 0;
  for (let i = 0; i < counts.length; i++) rows += counts[i]!;
  const n = counts.length;
  const missing = kind === 'numeric' ? counts[0]! : counts[n - 1]!;
  const outside =
    kind === 'numeric' ? counts[1]! + counts[2]! + counts[n - 2]! + counts[n - 1]! : counts[n - 2]!;
  return { rows, missing: { count: missing, of: rows }, outside: { count: outside, of: rows - missing } };
}
