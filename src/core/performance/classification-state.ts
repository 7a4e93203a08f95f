import { optionError, statisticInputError } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';
import { checkColumn } from '../stats/column-checks.ts';

/**
 * Mergeable, serializable state of a classifier's labelled predictions over a window: (true label, predicted class,
 * score) triples, to be combined later across partitions, workers and instances. Metrics are computed from it by
 * classification-metrics.ts.
 *
 * Classes are strings (the values of a dictionary-encoded column). Each state keeps its own dictionary of the classes
 * it has seen, in order of first use; batches and merges map their codes into it. Metrics never depend on that order
 * (they sort classes by name), so states merged in any order give the same metrics.
 *
 * What is kept, and how it merges:
 * - Confusion counts, k x k (true class x predicted class), exact, merged by addition. Rows whose label or prediction
 *   is null are counted apart (`unlabelledRows`, `unpredictedRows`) and enter no metric.
 * - Scores, for ROC AUC and log loss. Task `binary`: one score per row, the probability of `positiveClass` (every
 *   other class is "negative"). Task `multiclass`: a probability per class per row (a batch's columns name their
 *   classes; a class without a column in a batch has probability 0 in that batch's rows, so rows always carry a value
 *   for every class the state knows). A row is scored when its score (binary) or every probability of the row
 *   (multiclass) is a number in [0, 1]; other rows still count in the confusion matrix (`unscoredRows`).
 * - Log loss: the compensated (Neumaier) sum of -ln(clip(p)) over scored rows, where p is the probability the model
 *   gave the true class (binary: the score for positive rows, 1 - score for the others, computed before clipping, as
 *   scikit-learn builds the column [1 - p, p]) and clip(p) = min(max(p, eps), 1 - eps) with eps = 2^-52 =
 *   np.finfo(np.float64).eps (`LOG_LOSS_EPSILON`). scikit-learn's `log_loss` clips to the eps of the probabilities'
 *   dtype (1.9, as read and pinned by the golden tests; older releases used a fixed 1e-15); our scores are float64, so
 *   it is the float64 eps. The clip bounds one confidently wrong row's loss at -ln(2^-52) = 36.04 instead of infinity. Merge order changes the sum only by rounding (~1e-16
 *   relative); all other state is merge-order independent exactly.
 * - ROC AUC input, per score column (binary: one column; multiclass: one per class, one-vs-rest): while the number of
 *   scored rows is at most `exactLimit` (default 10,000), every scored row's label and scores are kept exactly, so the
 *   AUC is exact (ties included). Beyond it, each column keeps two fixed histograms of its scores over `bins` (default
 *   10,000) equal-width bins on [0, 1] (bin = min(floor(score * bins), bins - 1), monotone in the score): all scored rows,
 *   and the rows whose label is the column's class. Histograms add exactly, so the regime and the counts depend only
 *   on the data, never on batch boundaries or merge order. The histogram AUC counts pairs in the same bin as ties; its
 *   error bound is derived in classification-metrics.ts (at most half the fraction of positive-negative pairs sharing
 *   a bin, reported with every value).
 *
 * Memory: 8 k^2 bytes of confusion counts; exact regime up to exactLimit rows x (4 + 8 columns) bytes; histogram
 * regime 16 x bins bytes per column (160 KB per column at 10,000 bins), allocated only once the limit is passed.
 */

export const CLASSIFICATION_DEFAULT_EXACT_LIMIT = 10_000;
export const CLASSIFICATION_DEFAULT_BINS = 10_000;
export const CLASSIFICATION_DEFAULT_MAX_CLASSES = 64;
export const CLASSIFICATION_MAX_EXACT_LIMIT = 1 << 24;
export const CLASSIFICATION_MAX_BINS = 1 << 20;
export const CLASSIFICATION_MAX_CLASSES = 1024;

/** Probabilities are clipped to [eps, 1 - eps] before the log: np.finfo(np.float64).eps = 2^-52, as scikit-learn. */
export const LOG_LOSS_EPSILON = Number.EPSILON;

/**
 * Kind byte of the serialized state. It is not in byte-codec.ts's SerialKind table yet (this change touches no shared
 * file); 16 is reserved here for it and must be registered there as CLASSIFICATION_STATE: 16.
 */
export const CLASSIFICATION_STATE_SERIAL_KIND = SerialKind.CLASSIFICATION_STATE;

export type ClassificationTask = 'binary' | 'multiclass';

export interface ClassificationStateOptions {
  task: ClassificationTask;
  /** Binary only (required there): the class whose probability `scores` holds. */
  positiveClass?: string;
  /** Most scored rows kept exactly; beyond it, score histograms. 0..2^24, default 10,000. */
  exactLimit?: number;
  /** Histogram bins on [0, 1] once past exactLimit. 1..2^20, default 10,000. */
  bins?: number;
  /** Most distinct classes; a batch or merge that would exceed it throws DW_STATISTIC_INPUT. 2..1024, default 64. */
  maxClasses?: number;
}

/**
 * One batch of rows, as typed-array columns (e.g. an Arrow record batch's dictionary-encoded columns).
 * Row i counts when its label and prediction are both present; validity bitmaps are Arrow's (LSB-first, bit i set =
 * value i present; null = all present), and codes under a cleared bit are never read.
 */
export interface ClassificationBatch {
  readonly length: number;
  /** True classes as codes into `dictionary`. */
  readonly labels: Int32Array;
  readonly labelValidity?: Uint8Array | null;
  /** Predicted classes as codes into `predictionDictionary` (default: `dictionary`). */
  readonly predictions: Int32Array;
  readonly predictionValidity?: Uint8Array | null;
  readonly dictionary: readonly string[];
  readonly predictionDictionary?: readonly string[];
  /** Binary only: the probability of the positive class per row; NaN or a value outside [0, 1] = unscored. */
  readonly scores?: Float64Array | null;
  /**
   * Multiclass only: row-major probabilities, `length x probabilityClasses.length`; row i's probability of
   * `probabilityClasses[j]` is at i * columns + j. Rows are not renormalized (scikit-learn 1.9's log_loss
   * only warns when a row does not sum to 1).
   */
  readonly probabilities?: Float64Array | null;
  readonly probabilityClasses?: readonly string[];
}

/** The scores of one one-vs-rest problem (binary: the positive class against the rest). */
export type ScoreDistribution =
  | {
      readonly exact: true;
      /** Scores of the rows whose label is the class, in no particular order. */
      readonly positive: Float64Array;
      /** Scores of the other rows. */
      readonly negative: Float64Array;
    }
  | {
      readonly exact: false;
      /** Counts per bin of the positive rows' scores (bins equal-width on [0, 1]). */
      readonly positive: Float64Array;
      /** Counts per bin of the negative rows' scores. */
      readonly negative: Float64Array;
    };

function checkInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw optionError(option, `must be an integer in ${min}..${max}`, value);
  }
}

function isSet(validity: Uint8Array | null | undefined, i: number): boolean {
  return validity == null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** Monotone in the score: equal scores share a bin, and a higher score never lands in a lower bin. */
function binOf(score: number, bins: number): number {
  const b = Math.floor(score * bins);
  return b >= bins ? bins - 1 : b;
}

function validProbability(p: number): boolean {
  return p >= 0 && p <= 1;
}

function clipped(p: number): number {
  return p < LOG_LOSS_EPSILON ? LOG_LOSS_EPSILON : p > 1 - LOG_LOSS_EPSILON ? 1 - LOG_LOSS_EPSILON : p;
}

export class ClassificationState {
  readonly #task: ClassificationTask;
  readonly #positiveClass: string | null;
  readonly #exactLimit: number;
  readonly #bins: number;
  readonly #maxClasses: number;
  #classes: string[] = [];
  #classIndex = new Map<string, number>();
  /** Confusion counts: true class t, predicted p at t * #capacity + p. */
  #capacity = 0;
  #confusion = new Float64Array(0);
  #unlabelled = 0;
  #unpredicted = 0;
  #scored = 0;
  #logLossSum = 0;
  #logLossCompensation = 0;
  /** Exact regime: label class of each scored row, and its scores (row-major, `#stride()` per row); null after. */
  #exactLabels: Int32Array | null = new Int32Array(0);
  #exactScores: Float64Array | null = new Float64Array(0);
  /** Histogram regime, per score column: counts of all scored rows, and of those whose label is the column's class. */
  #allHist: Float64Array[] | null = null;
  #posHist: Float64Array[] | null = null;

  private constructor(
    task: ClassificationTask,
    positiveClass: string | null,
    exactLimit: number,
    bins: number,
    maxClasses: number,
  ) {
    this.#task = task;
    this.#positiveClass = positiveClass;
    this.#exactLimit = exactLimit;
    this.#bins = bins;
    this.#maxClasses = maxClasses;
  }

  static create(options: ClassificationStateOptions): ClassificationState {
    if (options === null || typeof options !== 'object') {
      throw optionError('options', 'must be an object with a task', options);
    }
    const { task } = options;
    if (task !== 'binary' && task !== 'multiclass') {
      throw optionError('task', 'must be "binary" or "multiclass"', task);
    }
    const exactLimit = options.exactLimit ?? CLASSIFICATION_DEFAULT_EXACT_LIMIT;
    const bins = options.bins ?? CLASSIFICATION_DEFAULT_BINS;
    const maxClasses = options.maxClasses ?? CLASSIFICATION_DEFAULT_MAX_CLASSES;
    checkInteger('exactLimit', exactLimit, 0, CLASSIFICATION_MAX_EXACT_LIMIT);
    checkInteger('bins', bins, 1, CLASSIFICATION_MAX_BINS);
    checkInteger('maxClasses', maxClasses, 2, CLASSIFICATION_MAX_CLASSES);
    let positiveClass: string | null = null;
    if (task === 'binary') {
      if (typeof options.positiveClass !== 'string') {
        throw optionError('positiveClass', 'must be a string for a binary task', options.positiveClass);
      }
      positiveClass = options.positiveClass;
    } else if (options.positiveClass !== undefined) {
      throw optionError('positiveClass', 'applies to binary tasks only', options.positiveClass);
    }
    const state = new ClassificationState(task, positiveClass, exactLimit, bins, maxClasses);
    // The positive class is always class 0, so the binary score column is column 0 and its positives label 0.
    if (positiveClass !== null) state.#addClasses([positiveClass]);
    return state;
  }

  get task(): ClassificationTask {
    return this.#task;
  }

  /** The binary task's positive class; null for multiclass. */
  get positiveClass(): string | null {
    return this.#positiveClass;
  }

  get exactLimit(): number {
    return this.#exactLimit;
  }

  get bins(): number {
    return this.#bins;
  }

  get maxClasses(): number {
    return this.#maxClasses;
  }

  /** Classes in this state's index order (order of first use; binary: the positive class first). A copy. */
  get classes(): string[] {
    return this.#classes.slice();
  }

  /** Rows with a label and a prediction: the rows every confusion-based metric is computed on. */
  get rows(): number {
    const k = this.#classes.length;
    let total = 0;
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) total += this.#confusion[t * this.#capacity + p]!;
    }
    return total;
  }

  /** Rows whose label was null (no ground truth yet); not in any metric. */
  get unlabelledRows(): number {
    return this.#unlabelled;
  }

  /** Rows with a label but a null prediction; not in any metric. */
  get unpredictedRows(): number {
    return this.#unpredicted;
  }

  /** Rows (with label and prediction) whose scores were all valid probabilities: the ROC AUC and log loss rows. */
  get scoredRows(): number {
    return this.#scored;
  }

  /** rows - scoredRows: no score, or a score outside [0, 1] or NaN. */
  get unscoredRows(): number {
    return this.rows - this.#scored;
  }

  /** Sum of the clipped per-row log losses over scored rows. */
  get logLossSum(): number {
    return this.#logLossSum + this.#logLossCompensation;
  }

  /** True while every scored row is kept exactly (ROC AUC exact). */
  get isExact(): boolean {
    return this.#exactLabels !== null;
  }

  /** Confusion counts in class index order: entry t * k + p counts rows of true class t predicted as p. A copy. */
  confusionMatrix(): Float64Array {
    const k = this.#classes.length;
    const out = new Float64Array(k * k);
    for (let t = 0; t < k; t++) {
      out.set(this.#confusion.subarray(t * this.#capacity, t * this.#capacity + k), t * k);
    }
    return out;
  }

  /**
   * The scores of `className` against the rest. Binary: only the positive class has scores. Multiclass: the class's
   * probability column, positives = rows labelled `className` (a class the state never saw has no positives and
   * every score 0).
   */
  scoreDistribution(className: string): ScoreDistribution {
    let column: number;
    if (this.#task === 'binary') {
      if (className !== this.#positiveClass) {
        throw statisticInputError(
          `binary scores are the positive class's (${this.#positiveClass}), not ${className}'s`,
          {
            className,
          },
        );
      }
      column = 0;
    } else {
      column = this.#classIndex.get(className) ?? -1;
    }
    const labels = this.#exactLabels;
    if (labels !== null) {
      const scores = this.#exactScores!;
      const stride = this.#stride();
      let positives = 0;
      for (let i = 0; i < this.#scored; i++) if (labels[i] === column) positives++;
      const positive = new Float64Array(positives);
      const negative = new Float64Array(this.#scored - positives);
      let a = 0;
      let b = 0;
      for (let i = 0; i < this.#scored; i++) {
        const s = column < 0 ? 0 : scores[i * stride + column]!;
        if (labels[i] === column) positive[a++] = s;
        else negative[b++] = s;
      }
      return { exact: true, positive, negative };
    }
    const positive = new Float64Array(this.#bins);
    const negative = new Float64Array(this.#bins);
    if (column < 0) {
      negative[0] = this.#scored;
    } else {
      const all = this.#allHist![column]!;
      const pos = this.#posHist![column]!;
      positive.set(pos);
      for (let b = 0; b < this.#bins; b++) negative[b] = all[b]! - pos[b]!;
    }
    return { exact: false, positive, negative };
  }

  /** Score columns per row: 1 (binary) or one per class (multiclass). */
  #stride(): number {
    return this.#task === 'binary' ? 1 : this.#classes.length;
  }

  /** Registers new classes (names not yet known, no duplicates); the caller has checked maxClasses. */
  #addClasses(names: readonly string[]): void {
    if (names.length === 0) return;
    const oldK = this.#classes.length;
    const newK = oldK + names.length;
    for (const name of names) {
      this.#classIndex.set(name, this.#classes.length);
      this.#classes.push(name);
    }
    if (newK > this.#capacity) {
      let capacity = Math.max(4, this.#capacity);
      while (capacity < newK) capacity *= 2;
      const grown = new Float64Array(capacity * capacity);
      for (let t = 0; t < oldK; t++) {
        grown.set(this.#confusion.subarray(t * this.#capacity, t * this.#capacity + oldK), t * capacity);
      }
      this.#capacity = capacity;
      this.#confusion = grown;
    }
    if (this.#task === 'binary') return;
    // Multiclass: a new class is a new score column, in which every earlier row has probability 0.
    if (this.#exactScores !== null) {
      // Invariant: #exactScores holds #exactLabels.length rows of #stride() columns.
      const old = this.#exactScores;
      const restrided = new Float64Array(this.#exactLabels!.length * newK);
      for (let i = 0; i < this.#scored; i++) {
        restrided.set(old.subarray(i * oldK, i * oldK + oldK), i * newK);
      }
      this.#exactScores = restrided;
    } else {
      for (let j = oldK; j < newK; j++) {
        const all = new Float64Array(this.#bins);
        all[0] = this.#scored;
        this.#allHist!.push(all);
        this.#posHist!.push(new Float64Array(this.#bins));
      }
    }
  }

  /** Names among `names` this state does not know yet, first use first; throws if they would exceed maxClasses. */
  #unknown(names: Iterable<string>): string[] {
    const fresh: string[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      if (this.#classIndex.has(name) || seen.has(name)) continue;
      seen.add(name);
      fresh.push(name);
    }
    if (this.#classes.length + fresh.length > this.#maxClasses) {
      throw statisticInputError(
        `${this.#classes.length + fresh.length} distinct classes exceed maxClasses ${this.#maxClasses}`,
        { classes: this.#classes.length + fresh.length, maxClasses: this.#maxClasses },
      );
    }
    return fresh;
  }

  /** Room for one more exact row (the caller checked the limit). */
  #reserveExactRow(): void {
    const stride = this.#stride();
    const labels = this.#exactLabels!;
    if (this.#scored < labels.length) return;
    const capacity = Math.min(this.#exactLimit, Math.max(16, 2 * labels.length));
    const grownLabels = new Int32Array(capacity);
    grownLabels.set(labels.subarray(0, this.#scored));
    const grownScores = new Float64Array(capacity * stride);
    grownScores.set(this.#exactScores!.subarray(0, this.#scored * stride));
    this.#exactLabels = grownLabels;
    this.#exactScores = grownScores;
  }

  /** Moves the exact rows into histograms (once the scored count passes exactLimit, or a merge needs it). */
  #toHistograms(): void {
    const labels = this.#exactLabels;
    if (labels === null) return;
    const scores = this.#exactScores!;
    const stride = this.#stride();
    const all: Float64Array[] = [];
    const pos: Float64Array[] = [];
    for (let j = 0; j < stride; j++) {
      all.push(new Float64Array(this.#bins));
      pos.push(new Float64Array(this.#bins));
    }
    for (let i = 0; i < this.#scored; i++) {
      const label = labels[i]!;
      for (let j = 0; j < stride; j++) {
        const b = binOf(scores[i * stride + j]!, this.#bins);
        all[j]![b]!++;
        if (label === j) pos[j]![b]!++;
      }
    }
    this.#allHist = all;
    this.#posHist = pos;
    this.#exactLabels = null;
    this.#exactScores = null;
  }

  /** Adds one scored row: `row` holds its scores in column order (`#stride()` values), `label` its true class. */
  #addScoredRow(label: number, row: Float64Array): void {
    const stride = this.#stride();
    if (this.#exactLabels !== null && this.#scored >= this.#exactLimit) this.#toHistograms();
    if (this.#exactLabels !== null) {
      this.#reserveExactRow();
      this.#exactLabels[this.#scored] = label;
      this.#exactScores!.set(row.subarray(0, stride), this.#scored * stride);
    } else {
      for (let j = 0; j < stride; j++) {
        const b = binOf(row[j]!, this.#bins);
        this.#allHist![j]![b]!++;
        if (label === j) this.#posHist![j]![b]!++;
      }
    }
    this.#scored++;
  }

  #addLoss(loss: number): void {
    const sum = this.#logLossSum;
    const t = sum + loss;
    this.#logLossCompensation += sum >= loss ? sum - t + loss : loss - t + sum;
    this.#logLossSum = t;
  }

  /**
   * Adds a batch. Everything is validated before anything changes, so a batch that throws (DW_STATISTIC_INPUT: a
   * code outside its dictionary, a missing or short column, too many classes) leaves the state as it was.
   */
  add(batch: ClassificationBatch): void {
    const { length, labels, predictions, dictionary } = batch;
    const labelValidity = batch.labelValidity ?? null;
    const predictionValidity = batch.predictionValidity ?? null;
    const predictionDictionary = batch.predictionDictionary ?? dictionary;
    if (!(labels instanceof Int32Array) || !(predictions instanceof Int32Array)) {
      throw statisticInputError('labels and predictions must be Int32Arrays of class codes');
    }
    if (!Array.isArray(dictionary) || !Array.isArray(predictionDictionary)) {
      throw statisticInputError('dictionary and predictionDictionary must be arrays of class names');
    }
    checkColumn(length, labels.length, labelValidity, 'labels');
    checkColumn(length, predictions.length, predictionValidity, 'predictions');
    const binary = this.#task === 'binary';
    const scores = batch.scores ?? null;
    const probabilities = batch.probabilities ?? null;
    const columnNames = batch.probabilityClasses ?? [];
    if (binary && probabilities !== null) {
      throw statisticInputError(
        'a binary state takes `scores` (the positive class probability), not `probabilities`',
      );
    }
    if (!binary && scores !== null) {
      throw statisticInputError(
        'a multiclass state takes `probabilities` with `probabilityClasses`, not `scores`',
      );
    }
    if (scores !== null) {
      if (!(scores instanceof Float64Array)) throw statisticInputError('scores must be a Float64Array');
      checkColumn(length, scores.length, null, 'scores');
    }
    const columns = columnNames.length;
    if (probabilities !== null) {
      if (!(probabilities instanceof Float64Array))
        throw statisticInputError('probabilities must be a Float64Array');
      if (columns === 0)
        throw statisticInputError('probabilities need probabilityClasses naming their columns');
      if (new Set(columnNames).size !== columns)
        throw statisticInputError('probabilityClasses has duplicate classes');
      if (probabilities.length < length * columns) {
        throw statisticInputError(
          `probabilities hold ${probabilities.length} values, need ${length} x ${columns}`,
          {
            length,
            columns,
          },
        );
      }
    }

    // Pass 1: validate codes and collect the classes the batch uses.
    const labelUsed = new Uint8Array(dictionary.length);
    const predictionUsed = new Uint8Array(predictionDictionary.length);
    for (let i = 0; i < length; i++) {
      if (!isSet(labelValidity, i) || !isSet(predictionValidity, i)) continue;
      const t = labels[i]!;
      const p = predictions[i]!;
      if (!(t >= 0 && t < dictionary.length)) {
        throw statisticInputError(
          `label code ${t} at row ${i} is outside the dictionary of ${dictionary.length}`,
          {
            row: i,
            code: t,
          },
        );
      }
      if (!(p >= 0 && p < predictionDictionary.length)) {
        throw statisticInputError(
          `prediction code ${p} at row ${i} is outside the dictionary of ${predictionDictionary.length}`,
          { row: i, code: p },
        );
      }
      labelUsed[t] = 1;
      predictionUsed[p] = 1;
    }
    const used: string[] = [];
    for (let c = 0; c < dictionary.length; c++) if (labelUsed[c] === 1) used.push(String(dictionary[c]));
    for (let c = 0; c < predictionDictionary.length; c++) {
      if (predictionUsed[c] === 1) used.push(String(predictionDictionary[c]));
    }
    if (probabilities !== null) for (const name of columnNames) used.push(String(name));
    this.#addClasses(this.#unknown(used));

    // Pass 2: count.
    const index = this.#classIndex;
    const labelMap = Int32Array.from(dictionary, (name) => index.get(String(name)) ?? -1);
    const predictionMap = Int32Array.from(predictionDictionary, (name) => index.get(String(name)) ?? -1);
    const columnMap = Int32Array.from(columnNames, (name) => index.get(String(name))!);
    const stride = this.#stride();
    const row = new Float64Array(stride);
    const capacity = this.#capacity;
    for (let i = 0; i < length; i++) {
      if (!isSet(labelValidity, i)) {
        this.#unlabelled++;
        continue;
      }
      if (!isSet(predictionValidity, i)) {
        this.#unpredicted++;
        continue;
      }
      const t = labelMap[labels[i]!]!;
      this.#confusion[t * capacity + predictionMap[predictions[i]!]!]!++;
      if (binary) {
        if (scores === null) continue;
        const s = scores[i]!;
        if (!validProbability(s)) continue;
        this.#addLoss(-Math.log(clipped(t === 0 ? s : 1 - s)));
        row[0] = s;
        this.#addScoredRow(t, row);
      } else {
        if (probabilities === null) continue;
        let valid = true;
        row.fill(0);
        for (let j = 0; j < columns; j++) {
          const v = probabilities[i * columns + j]!;
          if (!validProbability(v)) {
            valid = false;
            break;
          }
          row[columnMap[j]!] = v;
        }
        if (!valid) continue;
        this.#addLoss(-Math.log(clipped(row[t]!)));
        this.#addScoredRow(t, row);
      }
    }
  }

  /**
   * Adds `other`'s state into this one; `other` is not modified. Both must have the same task, positive class and
   * bins; exactLimit and maxClasses stay this state's (merge states built with the same options for order-independent
   * results). The result is exact when both are and the scored rows together stay within exactLimit.
   */
  mergeFrom(other: ClassificationState): void {
    if (!(other instanceof ClassificationState)) {
      throw statisticInputError('can only merge another ClassificationState');
    }
    if (other.#task !== this.#task || other.#positiveClass !== this.#positiveClass) {
      throw statisticInputError(
        `cannot merge a ${other.#task} state (positive class ${other.#positiveClass}) into a ${this.#task} state ` +
          `(positive class ${this.#positiveClass})`,
      );
    }
    if (other.#bins !== this.#bins) {
      throw statisticInputError(`cannot merge states with ${other.#bins} and ${this.#bins} bins`, {
        bins: this.#bins,
        otherBins: other.#bins,
      });
    }
    const src = other === this ? this.clone() : other;
    this.#addClasses(this.#unknown(src.#classes));
    const k = src.#classes.length;
    const map = Int32Array.from(src.#classes, (name) => this.#classIndex.get(name)!);
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) {
        this.#confusion[map[t]! * this.#capacity + map[p]!]! += src.#confusion[t * src.#capacity + p]!;
      }
    }
    this.#unlabelled += src.#unlabelled;
    this.#unpredicted += src.#unpredicted;
    const t = this.#logLossSum + src.#logLossSum;
    const c =
      this.#logLossSum >= src.#logLossSum
        ? this.#logLossSum - t + src.#logLossSum
        : src.#logLossSum - t + this.#logLossSum;
    this.#logLossSum = t;
    this.#logLossCompensation += c + src.#logLossCompensation;

    const binary = this.#task === 'binary';
    const stride = this.#stride();
    if (src.#exactLabels !== null) {
      // Row by row: exact rows stay exact while within the limit, and #addScoredRow converts when it is passed.
      const srcStride = src.#stride();
      const row = new Float64Array(stride);
      for (let i = 0; i < src.#scored; i++) {
        row.fill(0);
        for (let j = 0; j < srcStride; j++) row[binary ? j : map[j]!] = src.#exactScores![i * srcStride + j]!;
        this.#addScoredRow(map[src.#exactLabels[i]!]!, row);
      }
      return;
    }
    this.#toHistograms();
    const srcColumns = src.#allHist!.length;
    const covered = new Uint8Array(stride);
    for (let j = 0; j < srcColumns; j++) {
      const to = binary ? j : map[j]!;
      covered[to] = 1;
      const all = this.#allHist![to]!;
      const pos = this.#posHist![to]!;
      const srcAll = src.#allHist![j]!;
      const srcPos = src.#posHist![j]!;
      for (let b = 0; b < this.#bins; b++) {
        all[b]! += srcAll[b]!;
        pos[b]! += srcPos[b]!;
      }
    }
    // Classes `other` never saw: its rows have probability 0 there (and none is labelled with them).
    for (let j = 0; j < stride; j++) if (covered[j] === 0) this.#allHist![j]![0]! += src.#scored;
    this.#scored += src.#scored;
  }

  /**
   * Layout after the frame header: u8 task (0 binary, 1 multiclass), u32 exactLimit, u32 bins, u16 maxClasses,
   * varUint class count and each class name (binary: the positive class first), the k x k confusion counts as
   * varUint (row-major, true x predicted), varUint unlabelled, unpredicted and scored rows, f64 log-loss sum and its
   * compensation, u8 mode; mode 0 (exact): each scored row's label class as varUint, then the scores as f64 (row-major,
   * 1 or k per row); mode 1 (histograms): per score column, the all-rows then the positive-rows histogram, each
   * sparse as varUint non-zero bin count and (varUint gap since the previous non-zero bin, varUint count) pairs.
   */
  serialize(): Uint8Array {
    const k = this.#classes.length;
    const stride = this.#stride();
    const w = new ByteWriter(
      CLASSIFICATION_STATE_SERIAL_KIND,
      64 + k * (k + 16) + (this.#exactLabels !== null ? this.#scored * (3 + 8 * stride) : 0),
    );
    w.u8(this.#task === 'binary' ? 0 : 1);
    w.u32(this.#exactLimit);
    w.u32(this.#bins);
    w.u16(this.#maxClasses);
    w.varUint(k);
    for (const name of this.#classes) w.string(name);
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) w.varUint(this.#confusion[t * this.#capacity + p]!);
    }
    w.varUint(this.#unlabelled);
    w.varUint(this.#unpredicted);
    w.varUint(this.#scored);
    w.f64(this.#logLossSum);
    w.f64(this.#logLossCompensation);
    if (this.#exactLabels !== null) {
      w.u8(0);
      for (let i = 0; i < this.#scored; i++) w.varUint(this.#exactLabels[i]!);
      w.f64Array(this.#exactScores!, 0, this.#scored * stride);
    } else {
      w.u8(1);
      for (let j = 0; j < stride; j++) {
        writeHistogram(w, this.#allHist![j]!);
        writeHistogram(w, this.#posHist![j]!);
      }
    }
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): ClassificationState {
    const r = new ByteReader(bytes, CLASSIFICATION_STATE_SERIAL_KIND);
    const taskByte = r.u8('task');
    if (taskByte > 1) throw r.fail(`unknown task ${taskByte}`);
    const task: ClassificationTask = taskByte === 0 ? 'binary' : 'multiclass';
    const exactLimit = r.u32('exactLimit');
    const bins = r.u32('bins');
    const maxClasses = r.u16('maxClasses');
    if (exactLimit > CLASSIFICATION_MAX_EXACT_LIMIT) throw r.fail(`exactLimit ${exactLimit} is too large`);
    if (bins < 1 || bins > CLASSIFICATION_MAX_BINS)
      throw r.fail(`bins ${bins} is outside 1..${CLASSIFICATION_MAX_BINS}`);
    if (maxClasses < 2 || maxClasses > CLASSIFICATION_MAX_CLASSES)
      throw r.fail(`maxClasses ${maxClasses} is out of range`);
    const k = r.count('class count', 1, maxClasses);
    const names: string[] = [];
    for (let c = 0; c < k; c++) names.push(r.string('class name'));
    if (new Set(names).size !== k) throw r.fail('class names are not distinct');
    if (task === 'binary' && k === 0) throw r.fail('a binary state must hold its positive class');
    const state = new ClassificationState(
      task,
      task === 'binary' ? names[0]! : null,
      exactLimit,
      bins,
      maxClasses,
    );
    // No rows yet, so registering the classes fills no score column.
    state.#addClasses(names);
    let rows = 0;
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) {
        const n = r.varUint('confusion count');
        state.#confusion[t * state.#capacity + p] = n;
        rows += n;
      }
    }
    if (!Number.isSafeInteger(rows)) throw r.fail('confusion counts overflow');
    state.#unlabelled = r.varUint('unlabelled rows');
    state.#unpredicted = r.varUint('unpredicted rows');
    const scored = r.varUint('scored rows');
    if (scored > rows) throw r.fail(`${scored} scored rows exceed the ${rows} counted rows`);
    const lossSum = r.f64('log-loss sum');
    const lossCompensation = r.f64('log-loss compensation');
    const total = lossSum + lossCompensation;
    // Each row's loss lies in [-ln(1 - eps), -ln(eps)] = [2.2e-16, 36.04].
    if (
      !(Number.isFinite(lossSum) && Number.isFinite(lossCompensation) && total >= 0 && total <= scored * 37)
    ) {
      throw r.fail(`log-loss sum ${total} is impossible for ${scored} scored rows`);
    }
    const stride = state.#stride();
    const mode = r.u8('mode');
    if (mode === 0) {
      if (scored > exactLimit) throw r.fail(`${scored} exact rows exceed the exactLimit ${exactLimit}`);
      const labels = new Int32Array(scored);
      for (let i = 0; i < scored; i++) {
        const label = r.varUint('row label');
        if (label >= k) throw r.fail(`row label ${label} is not one of the ${k} classes`);
        labels[i] = label;
      }
      const scores = r.f64Array(scored * stride, 'scores');
      for (let i = 0; i < scores.length; i++) {
        if (!validProbability(scores[i]!)) throw r.fail(`score ${scores[i]} is not a probability`);
      }
      state.#exactLabels = labels;
      state.#exactScores = scores;
    } else if (mode === 1) {
      const all: Float64Array[] = [];
      const pos: Float64Array[] = [];
      let positives = 0;
      for (let j = 0; j < stride; j++) {
        const a = readHistogram(r, bins, 'all-rows histogram');
        const p = readHistogram(r, bins, 'positive-rows histogram');
        let sum = 0;
        for (let b = 0; b < bins; b++) {
          if (p[b]! > a[b]!) throw r.fail(`column ${j} bin ${b} has more positive rows than rows`);
          sum += a[b]!;
          positives += p[b]!;
        }
        if (sum !== scored) throw r.fail(`column ${j} histogram holds ${sum} rows, not ${scored}`);
        all.push(a);
        pos.push(p);
      }
      // Multiclass: every scored row is a positive of exactly one column (its label's).
      if (task === 'multiclass' ? positives !== scored : positives > scored) {
        throw r.fail(`${positives} positive rows are inconsistent with ${scored} scored rows`);
      }
      state.#exactLabels = null;
      state.#exactScores = null;
      state.#allHist = all;
      state.#posHist = pos;
    } else {
      throw r.fail(`unknown mode ${mode}`);
    }
    r.finish();
    state.#scored = scored;
    state.#logLossSum = lossSum;
    state.#logLossCompensation = lossCompensation;
    return state;
  }

  clone(): ClassificationState {
    const copy = new ClassificationState(
      this.#task,
      this.#positiveClass,
      this.#exactLimit,
      this.#bins,
      this.#maxClasses,
    );
    copy.#copyFrom(this);
    return copy;
  }

  #copyFrom(src: ClassificationState): void {
    this.#classes = src.#classes.slice();
    this.#classIndex = new Map(src.#classIndex);
    this.#capacity = src.#capacity;
    this.#confusion = src.#confusion.slice();
    this.#unlabelled = src.#unlabelled;
    this.#unpredicted = src.#unpredicted;
    this.#scored = src.#scored;
    this.#logLossSum = src.#logLossSum;
    this.#logLossCompensation = src.#logLossCompensation;
    this.#exactLabels = src.#exactLabels === null ? null : src.#exactLabels.slice();
    this.#exactScores = src.#exactScores === null ? null : src.#exactScores.slice();
    this.#allHist = src.#allHist === null ? null : src.#allHist.map((h) => h.slice());
    this.#posHist = src.#posHist === null ? null : src.#posHist.map((h) => h.slice());
  }
}

function writeHistogram(w: ByteWriter, h: Float64Array): void {
  let nonZero = 0;
  for (let b = 0; b < h.length; b++) if (h[b] !== 0) nonZero++;
  w.varUint(nonZero);
  let previous = -1;
  for (let b = 0; b < h.length; b++) {
    if (h[b] === 0) continue;
    w.varUint(b - previous - 1);
    w.varUint(h[b]!);
    previous = b;
  }
}

function readHistogram(r: ByteReader, bins: number, field: string): Float64Array {
  const h = new Float64Array(bins);
  const nonZero = r.count(`${field} non-zero bins`, 2, bins);
  let previous = -1;
  for (let i = 0; i < nonZero; i++) {
    const b = previous + 1 + r.varUint(`${field} gap`);
    if (b >= bins) throw r.fail(`${field} bin ${b} is outside 0..${bins - 1}`);
    const count = r.varUint(`${field} count`);
    if (count === 0) throw r.fail(`${field} stores an empty bin`);
    h[b] = count;
    previous = b;
  }
  return h;
}
