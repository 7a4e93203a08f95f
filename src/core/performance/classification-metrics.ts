import { numpySum } from '../stats/bucket-edges.ts';
import {
  type ClassificationState,
  type ClassificationTask,
  LOG_LOSS_EPSILON,
} from './classification-state.ts';

/**
 * Classification metrics of a ClassificationState, defined as scikit-learn 1.9 defines them (reimplemented from the
 * definitions; pinned by test/fixtures/performance/performance-golden.json):
 *
 * - accuracy = trace(C) / rows (`accuracy_score`).
 * - Per class c, from the confusion counts C (true x predicted): tp = C[c][c], support = row sum, predicted = column
 *   sum; precision = tp / predicted, recall = tp / support, F1 = 2 tp / (support + predicted) (scikit-learn's
 *   F-beta from counts, which equals the harmonic mean of precision and recall whenever both are defined).
 * - Zero division: a ratio whose denominator is 0 (precision of a class never predicted, recall of a class never
 *   true, F1 of a class neither) is 0, which is what scikit-learn returns under its default `zero_division="warn"`
 *   (it warns and uses 0). Each such case is listed in `zeroDivision`, our stand-in for the warning.
 * - Binary (`average="binary"`): the positive class's precision, recall and F1, whether or not it occurs (absent, all
 *   its counts are 0 and so are the scores). With more than two classes, it is the positive class against the rest
 *   (scikit-learn's per-class value; scikit-learn's "binary" average would refuse such data).
 * - Macro: the unweighted mean over the classes that occur as a label or a prediction (scikit-learn's default labels
 *   = sorted union of y_true and y_pred). Weighted: the mean weighted by support. Both sum in numpy's pairwise order
 *   over classes sorted by name (Unicode code points, as numpy sorts strings), so they match numpy to the last bit when
 *   the class names sort as scikit-learn sorts the labels (numeric labels sort numerically there, so "10" < "9" here:
 *   the averages then differ only by summation rounding).
 * - ROC AUC, binary: the area under the ROC curve of the positive class's score (`roc_auc_score`), equal to the
 *   Mann-Whitney probability that a positive outscores a negative, ties counting one half. Multiclass: one-vs-rest
 *   (`multi_class="ovr"`) per class present among the scored rows' labels, each class's probability column against
 *   the rest, then the macro mean (scikit-learn's default) and the support-weighted mean. NaN when the scored rows hold
 *   a single class (scikit-learn warns and returns NaN). scikit-learn also insists that multiclass rows sum to 1 and
 *   that every label class has a column; we take the columns as given (a missing column is probability 0).
 * - Log loss: the state's sum of -ln(clip(p_true, eps, 1 - eps)) / scored rows, eps = 2^-52 (see
 *   classification-state.ts).
 *
 * Rows with no label or no prediction enter nothing; ROC AUC and log loss use the scored rows only. With no row at all,
 * every metric is NaN.
 *
 * ROC AUC in the histogram regime, and its error bound. Let P and N be the positive and negative scored rows and
 * p_b, n_b their counts in bin b. The exact AUC is A = (1 / PN) sum over (positive i, negative j) of h(s_i, s_j), with
 * h = 1 if s_i > s_j, 1/2 if equal, 0 if below. Binning is monotone, so for a pair in different bins h is known (1 if
 * the positive's bin is higher, else 0); for a pair in the same bin h is one of 0, 1/2, 1 and the histogram counts
 * 1/2. Hence the estimate  = (1 / PN) sum_b p_b (n_<b + n_b / 2)  satisfies
 *
 *     |Â - A| <= (1 / 2PN) sum_b p_b n_b  =: delta,
 *
 * a deterministic bound on the data at hand (no probability involved), computed from the histograms and reported
 * with every value (`errorBound`; 0 in the exact regime). A priori, sum_b (p_b / P)(n_b / N) <= max_b n_b / N, so delta
 * is at most half the largest share of either class in one bin; if both classes' score densities are at most f on
 * [0, 1], delta <= f / (2 bins) = f x 5e-5 at the default 10,000 bins (5e-5 for uniform scores). It is conservative:
 * genuinely tied scores (h = 1/2 exactly) count in delta too. The multiclass averages' bounds are the same averages of
 * the per-class bounds.
 */

export interface ClassScores {
  readonly className: string;
  /** Rows whose true class is this class. */
  readonly support: number;
  /** Rows predicted as this class. */
  readonly predicted: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface AveragedScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface RocAucResult {
  /** NaN when undefined (no scored row, or a single class among the scored rows' labels). */
  readonly value: number;
  /** True when computed from every score (exact regime); false when from the score histograms. */
  readonly exact: boolean;
  /** |value - exact AUC| <= errorBound; 0 when exact, NaN when the value is. */
  readonly errorBound: number;
  /** The classes averaged (multiclass) or the positive class (binary). */
  readonly classes: readonly string[];
}

export interface ClassificationMetrics {
  readonly task: ClassificationTask;
  /** Rows with a label and a prediction. */
  readonly rows: number;
  /** Rows whose scores entered ROC AUC and log loss. */
  readonly scoredRows: number;
  readonly accuracy: number;
  /** Per class occurring as a label or a prediction, sorted by name (code points). */
  readonly classes: readonly ClassScores[];
  /** Binary task: the positive class's scores; null for multiclass. */
  readonly binary: (AveragedScores & { readonly positiveClass: string }) | null;
  readonly macro: AveragedScores;
  readonly weighted: AveragedScores;
  /** Binary: the positive class's ROC AUC. Multiclass: one-vs-rest, macro mean. */
  readonly rocAuc: RocAucResult;
  /** Multiclass: one-vs-rest, support-weighted mean. Binary: null. */
  readonly rocAucWeighted: RocAucResult | null;
  /** Mean clipped log loss; NaN without scored rows. */
  readonly logLoss: number;
  /** Every ratio that divided by zero and was set to 0, e.g. "precision of class b: never predicted". */
  readonly zeroDivision: readonly string[];
  /** How the numbers were computed, for reports. */
  readonly conventions: Readonly<Record<string, string | number>>;
}

/** Unicode code point order (numpy's order for str arrays); differs from `<` only around surrogate pairs. */
export function compareClassNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/**
 * Exact ROC AUC of scores (Mann-Whitney, ties one half): the fraction of (positive, negative) pairs in which the
 * positive scores higher, plus half the tied pairs. NaN when either side is empty. The count is an integer (twice the
 * pair sum), exact below 2^53, so the result is the correctly rounded AUC whenever P N < 2^52.
 */
export function rocAucFromScores(positive: Float64Array, negative: Float64Array): number {
  const p = positive.length;
  const n = negative.length;
  if (p === 0 || n === 0) return Number.NaN;
  const pos = positive.slice().sort();
  const neg = negative.slice().sort();
  let below = 0; // negatives < the current positive score
  let atMost = 0; // negatives <= the current positive score
  let twice = 0;
  for (let i = 0; i < p; i++) {
    const s = pos[i]!;
    while (below < n && neg[below]! < s) below++;
    if (atMost < below) atMost = below;
    while (atMost < n && neg[atMost]! <= s) atMost++;
    twice += below + atMost;
  }
  return twice / (2 * p * n);
}

/**
 * ROC AUC from per-bin counts of positive and negative scores (bins ordered by score), counting pairs that share a
 * bin as ties, with the bound delta = sum_b p_b n_b / (2 P N) on its distance from the exact AUC of the binned scores
 * (derivation at the top of this file). NaN value and bound when either side is empty.
 */
export function rocAucFromHistograms(
  positive: Float64Array,
  negative: Float64Array,
): { value: number; errorBound: number } {
  let p = 0;
  let n = 0;
  let twice = 0;
  let shared = 0;
  for (let b = 0; b < positive.length; b++) {
    const pb = positive[b]!;
    const nb = negative[b]!;
    twice += pb * (2 * n + nb);
    shared += pb * nb;
    p += pb;
    n += nb;
  }
  if (p === 0 || n === 0) return { value: Number.NaN, errorBound: Number.NaN };
  const pairs = 2 * p * n;
  return { value: twice / pairs, errorBound: shared / pairs };
}

function ratio(numerator: number, denominator: number, note: string, notes: string[]): number {
  if (denominator === 0) {
    notes.push(note);
    return 0;
  }
  return numerator / denominator;
}

/** numpy's mean: pairwise sum / n. */
function mean(values: number[]): number {
  return numpySum(Float64Array.from(values)) / values.length;
}

/** numpy's average with weights: sum(a * w) / sum(w), both pairwise. */
function weightedMean(values: number[], weights: number[]): number {
  const products = Float64Array.from(values, (v, i) => v * weights[i]!);
  return numpySum(products) / numpySum(Float64Array.from(weights));
}

function auc(
  state: ClassificationState,
  className: string,
): { value: number; errorBound: number; positives: number } {
  const distribution = state.scoreDistribution(className);
  if (distribution.exact) {
    return {
      value: rocAucFromScores(distribution.positive, distribution.negative),
      errorBound: distribution.positive.length > 0 && distribution.negative.length > 0 ? 0 : Number.NaN,
      positives: distribution.positive.length,
    };
  }
  let positives = 0;
  for (const c of distribution.positive) positives += c;
  return { ...rocAucFromHistograms(distribution.positive, distribution.negative), positives };
}

export function classificationMetrics(state: ClassificationState): ClassificationMetrics {
  const names = state.classes;
  const k = names.length;
  const confusion = state.confusionMatrix();
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  let rows = 0;
  let correct = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = confusion[t * k + p]!;
      support[t]! += c;
      predicted[p]! += c;
      rows += c;
    }
    correct += confusion[t * k + t]!;
  }
  const order = Array.from({ length: k }, (_, i) => i)
    .filter((i) => support[i]! > 0 || predicted[i]! > 0)
    .sort((a, b) => compareClassNames(names[a]!, names[b]!));

  const notes: string[] = [];
  const scoresOf = (i: number, record: boolean): ClassScores => {
    const sink = record ? notes : [];
    const tp = confusion[i * k + i] ?? 0;
    const name = names[i]!;
    return {
      className: name,
      support: support[i] ?? 0,
      predicted: predicted[i] ?? 0,
      truePositives: tp,
      precision: ratio(tp, predicted[i] ?? 0, `precision of class ${name}: never predicted`, sink),
      recall: ratio(tp, support[i] ?? 0, `recall of class ${name}: never the true class`, sink),
      f1: ratio(
        2 * tp,
        (support[i] ?? 0) + (predicted[i] ?? 0),
        `F1 of class ${name}: neither true nor predicted`,
        sink,
      ),
    };
  };
  const perClass = order.map((i) => scoresOf(i, true));
  const nan: AveragedScores = { precision: Number.NaN, recall: Number.NaN, f1: Number.NaN };
  const average = (weights: number[] | null): AveragedScores => {
    if (perClass.length === 0) return nan;
    const pick = (f: (s: ClassScores) => number) => {
      const values = perClass.map(f);
      return weights === null ? mean(values) : weightedMean(values, weights);
    };
    return { precision: pick((s) => s.precision), recall: pick((s) => s.recall), f1: pick((s) => s.f1) };
  };

  let binary: ClassificationMetrics['binary'] = null;
  const positiveClass = state.positiveClass;
  if (positiveClass !== null) {
    // The positive class is class 0 of a binary state. When it has rows, perClass already noted its zero divisions;
    // when it has none, every count is 0 and its three ratios are noted here.
    const absent = !(support[0]! > 0 || predicted[0]! > 0);
    const s = scoresOf(0, rows > 0 && absent);
    binary =
      rows === 0
        ? { ...nan, positiveClass }
        : { precision: s.precision, recall: s.recall, f1: s.f1, positiveClass };
  }

  const exact = state.isExact;
  let rocAuc: RocAucResult;
  let rocAucWeighted: RocAucResult | null = null;
  if (positiveClass !== null) {
    const r = auc(state, positiveClass);
    rocAuc = { value: r.value, exact, errorBound: r.errorBound, classes: [positiveClass] };
  } else {
    const labelled = order.filter((i) => support[i]! > 0).map((i) => names[i]!);
    const values: number[] = [];
    const bounds: number[] = [];
    const weights: number[] = [];
    const averaged: string[] = [];
    for (const name of labelled) {
      const r = auc(state, name);
      if (r.positives === 0) continue; // labelled only in unscored rows
      values.push(r.value);
      bounds.push(r.errorBound);
      weights.push(r.positives);
      averaged.push(name);
    }
    const undefinedAuc = values.length === 0 || values.some(Number.isNaN);
    rocAuc = {
      value: undefinedAuc ? Number.NaN : mean(values),
      exact,
      errorBound: undefinedAuc ? Number.NaN : mean(bounds),
      classes: averaged,
    };
    rocAucWeighted = {
      value: undefinedAuc ? Number.NaN : weightedMean(values, weights),
      exact,
      errorBound: undefinedAuc ? Number.NaN : weightedMean(bounds, weights),
      classes: averaged,
    };
  }

  const scored = state.scoredRows;
  return {
    task: state.task,
    rows,
    scoredRows: scored,
    accuracy: rows === 0 ? Number.NaN : correct / rows,
    classes: perClass,
    binary,
    macro: average(null),
    weighted: average(perClass.map((s) => s.support)),
    rocAuc,
    rocAucWeighted,
    logLoss: scored === 0 ? Number.NaN : state.logLossSum / scored,
    zeroDivision: notes,
    conventions: {
      reference: 'scikit-learn 1.9 metric definitions',
      zeroDivision: 'ratio with a zero denominator = 0 (scikit-learn zero_division="warn")',
      averages: 'macro and weighted over the classes seen as label or prediction, sorted by code point',
      rocAuc:
        positiveClass !== null
          ? 'binary, positive class score, ties count 1/2'
          : 'one-vs-rest over scored label classes, macro (rocAuc) and support-weighted (rocAucWeighted)',
      rocAucRegime: exact ? 'exact' : `histogram, ${state.bins} equal-width bins on [0, 1]`,
      logLossEpsilon: LOG_LOSS_EPSILON,
      exactLimit: state.exactLimit,
    },
  };
}
