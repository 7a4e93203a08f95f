import { checkCountPair, total } from './count-vectors.ts';
import { chiSquaredSurvival } from './special-functions.ts';

export interface ChiSquaredResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

/**
 * Pearson chi-squared test of homogeneity on the 2×k table [reference; current], without Yates' correction, after
 * dropping the columns empty on both sides (their expected count would be 0): the same as
 * scipy.stats.chi2_contingency([ref, cur], correction=False) on the non-empty columns. Expected counts are
 * rowTotal·columnTotal/N, the order scipy multiplies in.
 *
 * With fewer than two non-empty columns there is nothing to compare (dof = 0): the table is always consistent with
 * homogeneity, so the result is statistic 0, dof 0, p 1 — what scipy returns for one column. (No columns cannot
 * happen: each side must have a positive total.)
 */
export function chiSquaredHomogeneity(reference: Float64Array, current: Float64Array): ChiSquaredResult {
  checkCountPair('chi-squared', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  const grandTotal = refTotal + curTotal;
  let columns = 0;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    const column = r + c;
    if (column === 0) continue;
    columns++;
    const expectedRef = (refTotal * column) / grandTotal;
    const expectedCur = (curTotal * column) / grandTotal;
    const dr = r - expectedRef;
    const dc = c - expectedCur;
    statistic += (dr * dr) / expectedRef + (dc * dc) / expectedCur;
  }
  if (columns < 2) return { statistic: 0, dof: 0, pValue: 1 };
  const dof = columns - 1;
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}
