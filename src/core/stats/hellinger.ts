import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';

/**
 * The two algebraically equal forms the tools use, which differ in rounding:
 *
 * - `euclidean` (NannyML, nannyml/drift/univariate/methods.py, ContinuousHellingerDistance and
 *   CategoricalHellingerDistance): H = sqrt(Σ (√p − √q)²) / √2. No cancellation, accurate for small distances.
 * - `bhattacharyya` (Evidently's categorical branch, src/evidently/legacy/calculations/stattests/hellinger_distance.py):
 *   BC = Σ sqrt(p·q), clipped to [0, 1], H = sqrt(1 − BC). 1 − BC cancels, so distances below ~1e-8 come out as 0 and
 *   small ones lose relative accuracy (about 1e-16 / H²).
 */
export type HellingerForm = 'euclidean' | 'bhattacharyya';

/**
 * Hellinger distance between two count vectors in the same bucket layout, in [0, 1]: the proportions are count / side
 * total, so buckets empty on both sides never matter.
 */
export function hellingerDistance(
  reference: Float64Array,
  current: Float64Array,
  form: HellingerForm = 'euclidean',
): number {
  checkCountPair('hellinger', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  if (form === 'euclidean') {
    let sum = 0;
    for (let i = 0; i < reference.length; i++) {
      const d = Math.sqrt(reference[i]! / refTotal) - Math.sqrt(current[i]! / curTotal);
      sum += d * d;
    }
    return Math.sqrt(sum) / Math.SQRT2;
  }
  if (form !== 'bhattacharyya') {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `hellinger: unknown form ${String(form)}`, {
      form,
    });
  }
  let bc = 0;
  for (let i = 0; i < reference.length; i++)
    bc += Math.sqrt((reference[i]! / refTotal) * (current[i]! / curTotal));
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/**
 * Evidently's Hellinger distance for numeric columns (hellinger_distance.py, numeric branch): it bins with
 * np.histogram(..., density=True) and multiplies each sqrt(density_ref · density_cur) by the NOMINAL bin width
 * (max(edges) − min(edges)) / (len(edges) − 1) rather than by each bin's own width np.diff(edges), then
 * H = sqrt(1 − clip(Σ, 0, 1)). With equal-width edges the two widths agree up to rounding, except at large magnitudes
 * where np.diff of neighbouring edges is coarse: reproducing that needs the edges, so this takes the inner-bucket
 * counts (length edges.length − 1) together with the edges. Evidently fits those edges with Sturges on the DISTINCT
 * values of reference ∪ current (see conventions.ts).
 */
export function evidentlyNumericHellinger(
  reference: Float64Array,
  current: Float64Array,
  edges: Float64Array,
): number {
  if (edges.length < 2 || reference.length !== edges.length - 1) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `hellinger: ${edges.length} edges need ${edges.length - 1} inner-bucket counts, got ${reference.length}`,
      { edges: edges.length, buckets: reference.length },
    );
  }
  checkCountPair('hellinger', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  const nominalWidth = (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1);
  let bc = 0;
  for (let i = 0; i < reference.length; i++) {
    const width = edges[i + 1]! - edges[i]!;
    // numpy's density: n / db / n.sum().
    const d1 = reference[i]! / width / refTotal;
    const d2 = current[i]! / width / curTotal;
    bc += Math.sqrt(d1 * d2) * nominalWidth;
  }
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}
