import type { DriftTestName } from '../../topology/topology-types.ts';
import { nextUp } from '../stats/bucket-edges.ts';
import { numericInnerBucketCount } from '../stats/numeric-buckets.ts';
import { DEFAULT_PSI_EPSILON } from '../stats/psi.ts';
import type { FeatureLayout } from './feature-drift.ts';

/** One bucket or category of a feature and how much it adds to a statistic: evidence carried by every alert. */
export interface Contributor {
  /** Readable label: a category, "unseen", "missing", or a numeric range such as "[12.5, 40)", "< 3.2", "+inf". */
  readonly bucket: string;
  /** The bucket's share of the reference rows the statistic compares (see CONTRIBUTION_RULES for which rows). */
  readonly referenceShare: number;
  readonly currentShare: number;
  readonly contribution: number;
}

/** How many contributors a measurement lists. */
export const DEFAULT_TOP_CONTRIBUTORS = 5;

/** What a contributor's `contribution` and shares are, per test, as the conventions state it. */
export const CONTRIBUTION_RULES: Readonly<Record<DriftTestName, string>> = {
  psi: "bucket's PSI term (cur - ref) * ln(cur / ref), same epsilon rule; terms sum to the value; shares of all rows",
  js: "bucket's term of the JS divergence (log 2); terms sum to value^2; shares of all rows",
  chi2: "bucket's (O - E)^2 / E over both rows of the table; terms sum to the value; shares of all rows",
  share_change: "bucket's |cur - ref| / max(ref, floor); shares of non-missing rows",
  ks: '|cur share - ref share| per baseline bucket (not a term of the statistic); shares of finite values',
  wasserstein_norm:
    '|cur share - ref share| per baseline bucket (not a term of the statistic); shares of finite values',
};

/**
 * The buckets that take part in `test`, as a half-open index range of the layout (numeric-buckets.ts,
 * categorical-buckets.ts): all of them for the bucket tests; the finite buckets (underflow, inner, overflow) for the
 * sample tests, which leave missing and ±inf out; categories and unseen for share_change, which leaves missing out.
 */
function scopeOf(test: DriftTestName, buckets: number): [number, number] {
  if (test === 'ks' || test === 'wasserstein_norm') return [2, buckets - 1];
  if (test === 'share_change') return [0, buckets - 1];
  return [0, buckets];
}

function sum(counts: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += counts[i]!;
  return s;
}

/**
 * Each bucket's contribution to `test` of `current` against `reference` (count vectors in one feature layout): 0
 * outside the test's buckets and for buckets empty on both sides. For psi, js and chi2 the terms are those the
 * kernels sum (psi.ts, jensen-shannon.ts, chi-squared.ts); the sample tests are not sums over buckets, so they get
 * the absolute share difference. All zeros when a side has no rows in scope. O(buckets), one allocation.
 */
export function bucketContributions(
  test: DriftTestName,
  reference: Float64Array,
  current: Float64Array,
  shareFloor: number,
): Float64Array {
  const n = reference.length;
  const out = new Float64Array(n);
  const [from, to] = scopeOf(test, n);
  const refTotal = sum(reference, from, to);
  const curTotal = sum(current, from, to);
  if (!(refTotal > 0 && curTotal > 0)) return out;
  if (test === 'chi2') {
    let columns = 0;
    for (let i = from; i < to; i++) if (reference[i]! + current[i]! !== 0) columns++;
    // The kernel reports 0 for fewer than two non-empty columns; so do its terms.
    if (columns < 2) return out;
  }
  const grand = refTotal + curTotal;
  for (let i = from; i < to; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    if (r === 0 && c === 0) continue;
    const p = r / refTotal;
    const q = c / curTotal;
    switch (test) {
      case 'psi': {
        const a = r === 0 ? DEFAULT_PSI_EPSILON : p;
        const b = c === 0 ? DEFAULT_PSI_EPSILON : q;
        out[i] = (a - b) * Math.log(a / b);
        break;
      }
      case 'js': {
        const m = (p + q) / 2;
        out[i] = ((p > 0 ? p * Math.log(p / m) : 0) + (q > 0 ? q * Math.log(q / m) : 0)) / Math.LN2 / 2;
        break;
      }
      case 'chi2': {
        const column = r + c;
        const expectedRef = (refTotal * column) / grand;
        const expectedCur = (curTotal * column) / grand;
        const dr = r - expectedRef;
        const dc = c - expectedCur;
        out[i] = (dr * dr) / expectedRef + (dc * dc) / expectedCur;
        break;
      }
      case 'share_change':
        out[i] = Math.abs(q - p) / Math.max(p, shareFloor);
        break;
      default:
        out[i] = Math.abs(q - p);
    }
  }
  return out;
}

/**
 * The `limit` buckets contributing most to `test`, largest first, ties in bucket order; buckets that contribute
 * nothing are left out. Selection keeps a sorted list of at most `limit` indices: O(buckets · limit), no sort of the
 * whole layout.
 */
export function topContributors(
  test: DriftTestName,
  layout: FeatureLayout,
  reference: Float64Array,
  current: Float64Array,
  shareFloor: number,
  limit = DEFAULT_TOP_CONTRIBUTORS,
): Contributor[] {
  const terms = bucketContributions(test, reference, current, shareFloor);
  const top: number[] = [];
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i]!;
    if (!(t > 0)) continue;
    if (top.length === limit && !(t > terms[top[limit - 1]!]!)) continue;
    let at = top.length;
    // Strictly greater moves ahead, so an equal term stays behind the earlier bucket.
    while (at > 0 && t > terms[top[at - 1]!]!) at--;
    top.splice(at, 0, i);
    if (top.length > limit) top.pop();
  }
  if (top.length === 0) return [];
  const [from, to] = scopeOf(test, terms.length);
  const refTotal = sum(reference, from, to);
  const curTotal = sum(current, from, to);
  return top.map((i) => ({
    bucket: bucketLabel(layout, i),
    referenceShare: reference[i]! / refTotal,
    currentShare: current[i]! / curTotal,
    contribution: terms[i]!,
  }));
}

/**
 * A readable label for bucket `index` of `layout`. Numeric inner buckets read "[lo, hi)", the last one "[lo, hi]"
 * (it is closed), a bucket holding one value "[v, v]" (a single edge, or the distinct-value layout's last bucket
 * [d, nextUp(d)]); underflow "< first edge", overflow "> last edge" (values equal to it are in the closed last bucket).
 * An edge prints with 6 significant digits, more when needed to tell it from its neighbours. The unseen and missing
 * buckets of a categorical layout read "(unseen)" / "(missing)" when a baseline category already has that name.
 */
export function bucketLabel(layout: FeatureLayout, index: number): string {
  if (layout.kind === 'categorical') {
    const k = layout.categories.length;
    if (index < k) return layout.categories[index]!;
    const name = index === k ? 'unseen' : 'missing';
    return layout.categories.includes(name) ? `(${name})` : name;
  }
  const edges = layout.edges;
  const last = edges.length - 1;
  const m = numericInnerBucketCount(edges);
  if (index === 0) return 'missing';
  if (index === 1) return '-inf';
  if (index === 2) return `< ${edgeText(edges, 0)}`;
  if (index === m + 3) return `> ${edgeText(edges, closesPoint(edges, last) ? last - 1 : last)}`;
  if (index === m + 4) return '+inf';
  const i = index - 3;
  if (last === 0 || closesPoint(edges, i + 1)) {
    const v = edgeText(edges, i);
    return `[${v}, ${v}]`;
  }
  return `[${edgeText(edges, i)}, ${edgeText(edges, i + 1)}${i === m - 1 ? ']' : ')'}`;
}

/** Whether edge j is the next double above the one before it, closing a last bucket that holds one value. */
function closesPoint(edges: Float64Array, j: number): boolean {
  return j > 0 && j === edges.length - 1 && edges[j] === nextUp(edges[j - 1]!);
}

/** Edge j with the fewest significant digits (at least 6) that tell it from its neighbours. */
function edgeText(edges: Float64Array, j: number): string {
  const x = edges[j]!;
  const before = j > 0 ? edges[j - 1]! : null;
  const after = j + 1 < edges.length && !closesPoint(edges, j + 1) ? edges[j + 1]! : null;
  for (let digits = 6; digits < 17; digits++) {
    const text = formatEdge(x, digits);
    if (
      (before === null || formatEdge(before, digits) !== text) &&
      (after === null || formatEdge(after, digits) !== text)
    )
      return text;
  }
  return formatEdge(x, 17);
}

/** `x` rounded to `digits` significant digits, printed without trailing zeros. */
function formatEdge(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}
