import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import type { CorrectionName, DriftTestName, Severity } from '../../topology/topology-types.ts';
import { adjustPValues } from './multiple-testing.ts';
import { type LevelRule, type Levels, severityOf } from './thresholds.ts';

/** One statistic measured on one window and segment. */
export interface MeasuredStatistic {
  readonly feature: string;
  readonly test: DriftTestName;
  readonly value: number;
  /** The raw p-value for tests that have one (ks, chi2), else null. NaN marks one that could not be computed. */
  readonly pValue: number | null;
}

/** The verdict on one statistic. */
export interface StatisticJudgement {
  /**
   * The corrected p-value when the statistic is in the correction's family (see judgeWindow); with correction
   * `none` that is the raw p-value. Null otherwise: no p-value, or judged on its value.
   */
  readonly adjustedPValue: number | null;
  readonly severity: Severity | null;
  /**
   * The level that fired; when none fired, the warning level (or the critical one when there is no warning level),
   * so a report can say what the result was compared with. Null when the statistic has no levels at all.
   */
  readonly level: number | null;
  readonly rule: LevelRule;
}

/**
 * Judges every statistic of one window and segment. `levels[i]` are the resolved levels of `statistics[i]`
 * (resolveLevels); the arrays must have the same length.
 *
 * The correction's family is every statistic of this window and segment that has a p-value (non-null and not NaN)
 * AND is judged by a `p-below` rule, i.e. the hypothesis tests that actually decide on their p-value. Statistics
 * judged on their value (distances, and calibrated ks / chi2 levels) take no part and do not enlarge the family; nor
 * does a NaN p-value (adjustPValues leaves NaN out), which then never fires. Members are judged on their corrected
 * p-value; everything else on its value. The family is per window and segment, never across windows, so a result
 * does not depend on what else was evaluated before it.
 *
 * Pure; output order is input order.
 */
export function judgeWindow(
  statistics: readonly MeasuredStatistic[],
  levels: readonly Levels[],
  correction: CorrectionName,
): StatisticJudgement[] {
  if (statistics.length !== levels.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `judgeWindow: ${statistics.length} statistics but ${levels.length} level sets; they must pair up by index`,
      { statistics: statistics.length, levels: levels.length },
    );
  }
  const n = statistics.length;
  // Positions of the family members, and their raw p-values in the same order.
  const members = new Int32Array(n).fill(-1);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const p = statistics[i]!.pValue;
    if (levels[i]!.rule === 'p-below' && p !== null && !Number.isNaN(p)) members[i] = m++;
  }
  const raw = new Float64Array(m);
  for (let i = 0; i < n; i++) if (members[i]! >= 0) raw[members[i]!] = statistics[i]!.pValue!;
  const adjusted = adjustPValues(raw, correction);

  const out: StatisticJudgement[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = statistics[i]!;
    const l = levels[i]!;
    const adjustedPValue = members[i]! >= 0 ? adjusted[members[i]!]! : null;
    const severity = severityOf(l, s.value, adjustedPValue);
    const level =
      severity === 'critical' ? l.critical : severity === 'warning' ? l.warning : (l.warning ?? l.critical);
    out[i] = { adjustedPValue, severity, level, rule: l.rule };
  }
  return out;
}
