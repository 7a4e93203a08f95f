import { checkCountPair, total } from './count-vectors.ts';
import { chiSquaredSurvival } from './special-functions.ts';

export interface ChiSquaredResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

export interface HomogeneityOptions {
  /**
   * Yates' continuity correction when dof = 1 (two non-empty columns), as scipy.stats.chi2_contingency applies by
   * default (correction=True): each observed count moves towards its expected count by min(0.5, |expected −
   * observed|). Off by default (driftwatch's convention); NannyML's chi2 method calls chi2_contingency with the
   * default, so binary features get it there.
   */
  readonly correction?: boolean;
}

/**
 * Pearson chi-squared test of homogeneity on the 2×k table [reference; current], after dropping the columns empty on
 * both sides (their expected count would be 0): the same as scipy.stats.chi2_contingency([ref, cur],
 * correction=options.correction ?? false) on the non-empty columns. Expected counts are rowTotal·columnTotal/N, the
 * order scipy multiplies in.
 *
 * With fewer than two non-empty columns there is nothing to compare (dof = 0): the table is always consistent with
 * homogeneity, so the result is statistic 0, dof 0, p 1 — what scipy returns for one column. (No columns cannot
 * happen: each side must have a positive total.)
 *
 * Merging columns that are empty in the reference (e.g. unseen categories in one bucket) leaves the statistic
 * unchanged (each such column contributes linearly in its count) but lowers dof, so reproducing a tool that keeps one
 * column per category needs one bucket per category.
 */
export function chiSquaredHomogeneity(
  reference: Float64Array,
  current: Float64Array,
  options: HomogeneityOptions = {},
): ChiSquaredResult {
  checkCountPair('chi-squared', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  const grandTotal = refTotal + curTotal;
  let columns = 0;
  for (let i = 0; i < reference.length; i++) if (reference[i]! + current[i]! !== 0) columns++;
  if (columns < 2) return { statistic: 0, dof: 0, pValue: 1 };
  const dof = columns - 1;
  const yates = options.correction === true && dof === 1;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    const column = r + c;
    if (column === 0) continue;
    const expectedRef = (refTotal * column) / grandTotal;
    const expectedCur = (curTotal * column) / grandTotal;
    const dr = (yates ? towards(r, expectedRef) : r) - expectedRef;
    const dc = (yates ? towards(c, expectedCur) : c) - expectedCur;
    statistic += (dr * dr) / expectedRef + (dc * dc) / expectedCur;
  }
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}

/** scipy's Yates step: observed + sign(expected − observed)·min(0.5, |expected − observed|). */
function towards(observed: number, expected: number): number {
  const diff = expected - observed;
  return observed + Math.sign(diff) * Math.min(0.5, Math.abs(diff));
}

/**
 * Chi-squared goodness of fit of the current counts to the reference proportions, the way Evidently does it
 * (src/evidently/legacy/calculations/stattests/chisquare_stattest.py): f_exp = reference count · (current total /
 * reference total), f_obs = current count, statistic Σ (f_obs − f_exp)² / f_exp over the buckets non-empty on at least
 * one side, dof = (that many buckets) − 1, p = chi2.sf (scipy.stats.chisquare). A bucket empty in the reference but
 * not in the current sample (a new category) has f_exp = 0, so the statistic is +Infinity and p = 0, as Evidently
 * reports. The totals are those of the vectors given: zero the missing bucket to drop nulls as Evidently does. With
 * fewer than two such buckets the test is degenerate (scipy returns 0 or NaN); we return dof 0 and p 1.
 */
export function chiSquaredGoodnessOfFit(reference: Float64Array, current: Float64Array): ChiSquaredResult {
  checkCountPair('chi-squared goodness of fit', reference, current);
  const scale = total(current) / total(reference);
  let columns = 0;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const observed = current[i]!;
    if (r === 0 && observed === 0) continue;
    columns++;
    const expected = r * scale;
    const d = observed - expected;
    statistic += expected === 0 ? Number.POSITIVE_INFINITY : (d * d) / expected;
  }
  if (columns < 2) return { statistic, dof: 0, pValue: 1 };
  const dof = columns - 1;
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}
