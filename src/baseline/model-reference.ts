import {
  type ClassificationMetrics,
  classificationMetrics,
} from '../core/performance/classification-metrics.ts';
import { ClassificationState } from '../core/performance/classification-state.ts';
import type { PerformanceMetricName } from '../core/performance/performance-drop.ts';
import { type RegressionMetrics, regressionMetrics } from '../core/performance/regression-metrics.ts';
import { RegressionState } from '../core/performance/regression-state.ts';
import { DriftwatchError, ErrorCodes, isDriftwatchError } from '../errors.ts';
import { type ColumnTable, type DataColumn, numericAsCategories } from '../io/column-table.ts';
import type { ModelSpec } from '../topology/model-spec.ts';
import type { BaselinePerformance } from './baseline-types.ts';

/**
 * The model's metrics on the labelled rows of a training file (Baseline.performance), computed with the states the
 * live performance monitor counts windows with (src/core/performance):
 *
 * - Columns are matched like features' (file-reference.ts): by the field's full dotted name or its last segment. The
 *   predicted class is `fields.classField`, the score `fields.scoreField`, the label `labels.labelField`.
 * - Binary with a positive class: a binary ClassificationState (the score is the positive class's probability);
 *   precision, recall and F1 are the positive class's. Binary without a positive class, and multiclass: a multiclass
 *   state over the classes seen, precision, recall and F1 macro-averaged; the spec gives no per-class probabilities, so
 *   ROC AUC and log loss are undefined there. Regression: a RegressionState of score against label.
 * - Classes and labels are compared as text (a numeric column's values as their shortest decimal strings).
 * - Rows with a missing label are skipped and counted (`unlabelledRows`), as are labelled rows without a prediction.
 * - A metric undefined on the data (NaN: e.g. ROC AUC without scores, or of a single class) is left out and noted;
 *   without a label column, or without the model's output columns, there is no section (not an error), and a note
 *   says why.
 */

export interface PerformanceReference {
  /** Undefined when the data cannot give one (see `notes`). */
  readonly performance: BaselinePerformance | undefined;
  /** Why the section is missing, or which metrics were left out; for the build's output. */
  readonly notes: readonly string[];
  /** Rows whose label is missing: in no metric. */
  readonly unlabelledRows: number;
  /** Labelled rows without a prediction (class, or score for regression): in no metric. */
  readonly unpredictedRows: number;
}

/** Column names a dotted field may be stored under: the full path, then its last segment. */
function fieldCandidates(field: string): string[] {
  return [...new Set([field, field.split('.').at(-1)!])];
}

function findColumn(table: ColumnTable, field: string): string | undefined {
  return fieldCandidates(field).find((c) => table.columns.has(c));
}

/** Columns to read as text: a classifier's label and class columns (a numeric code is still a class). */
export function modelTextColumnNames(spec: ModelSpec): string[] {
  if (spec.task === 'regression') return [];
  const fields = [spec.fields.classField, spec.labels?.labelField ?? null].filter((f) => f !== null);
  return fields.flatMap(fieldCandidates);
}

const absent = (note: string): PerformanceReference => ({
  performance: undefined,
  notes: [note],
  unlabelledRows: 0,
  unpredictedRows: 0,
});

/** The performance section of a baseline built from `table` (see the module comment). */
export function filePerformanceReference(table: ColumnTable, spec: ModelSpec): PerformanceReference {
  const hint = 'performance reference not built; set model.performance.reference or add labels';
  if (spec.labels === null) return absent(`the model has no labels section: ${hint}`);
  const labelField = spec.labels.labelField;
  const labelName = findColumn(table, labelField);
  if (labelName === undefined) return absent(`no label column ${labelField}: ${hint}`);
  const outputField = spec.task === 'regression' ? spec.fields.scoreField : spec.fields.classField;
  const what = spec.task === 'regression' ? 'score' : 'class';
  if (outputField === null) return absent(`the model has no ${what} field: ${hint}`);
  const outputName = findColumn(table, outputField);
  if (outputName === undefined) return absent(`no ${what} column ${outputField}: ${hint}`);
  const label = table.columns.get(labelName)!;
  const output = table.columns.get(outputName)!;
  try {
    if (spec.task === 'regression') {
      return regressionReference(
        spec,
        numericColumn(table, labelName, label),
        numericColumn(table, outputName, output),
      );
    }
    const scoreName = spec.fields.scoreField === null ? undefined : findColumn(table, spec.fields.scoreField);
    const scores =
      scoreName === undefined ? null : numericColumn(table, scoreName, table.columns.get(scoreName)!);
    const notes: string[] = [];
    if (spec.fields.scoreField !== null && scoreName === undefined) {
      notes.push(`no score column ${spec.fields.scoreField}: metrics that need scores are left out`);
    }
    return classificationReference(spec, textColumn(label), textColumn(output), scores, notes);
  } catch (error) {
    if (isDriftwatchError(error, ErrorCodes.STATISTIC_INPUT)) {
      throw new DriftwatchError(
        ErrorCodes.INPUT_FILE,
        `${table.file}: performance reference: ${error.message}`,
        { file: table.file },
        { cause: error },
      );
    }
    throw error;
  }
}

function textColumn(column: DataColumn): readonly (string | null)[] {
  return column.kind === 'categorical' ? column.values : numericAsCategories(column);
}

interface NumericValues {
  readonly values: Float64Array;
  /** LSB-first bitmap, bit set = present. */
  readonly validity: Uint8Array;
}

function numericColumn(table: ColumnTable, name: string, column: DataColumn): NumericValues {
  if (column.kind !== 'numeric') {
    throw new DriftwatchError(
      ErrorCodes.INPUT_FILE,
      `${table.file}: column "${name}" must hold numbers for the performance reference, but holds text`,
      { file: table.file, column: name },
    );
  }
  return { values: column.values, validity: bytesToBitmap(column.valid) };
}

function bytesToBitmap(valid: Uint8Array): Uint8Array {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}

/** Dictionary codes of a text column, with a validity bitmap; `dictionary` is shared by label and class columns. */
function encode(
  values: readonly (string | null)[],
  dictionary: string[],
  index: Map<string, number>,
): { codes: Int32Array; validity: Uint8Array } {
  const codes = new Int32Array(values.length);
  const validity = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(v);
      index.set(v, code);
    }
    codes[i] = code;
    validity[i >> 3]! |= 1 << (i & 7);
  }
  return { codes, validity };
}

function classificationReference(
  spec: ModelSpec,
  labels: readonly (string | null)[],
  classes: readonly (string | null)[],
  scores: NumericValues | null,
  notes: string[],
): PerformanceReference {
  const positiveClass = spec.task === 'binary' ? spec.fields.positiveClass : null;
  const state =
    positiveClass === null
      ? ClassificationState.create({ task: 'multiclass' })
      : ClassificationState.create({ task: 'binary', positiveClass });
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const label = encode(labels, dictionary, index);
  const prediction = encode(classes, dictionary, index);
  let scoreValues: Float64Array | null = null;
  if (positiveClass !== null && scores !== null) {
    // A missing score is NaN, which the state counts as unscored.
    scoreValues = scores.values.slice();
    for (let i = 0; i < scoreValues.length; i++) {
      if (((scores.validity[i >> 3]! >> (i & 7)) & 1) === 0) scoreValues[i] = Number.NaN;
    }
  }
  state.add({
    length: labels.length,
    labels: label.codes,
    labelValidity: label.validity,
    predictions: prediction.codes,
    predictionValidity: prediction.validity,
    dictionary,
    scores: scoreValues,
  });
  const metrics = classificationMetrics(state);
  return reference(spec, metrics.rows, (m) => classificationMetricValue(metrics, m), notes, {
    unlabelledRows: state.unlabelledRows,
    unpredictedRows: state.unpredictedRows,
  });
}

function regressionReference(
  spec: ModelSpec,
  labels: NumericValues,
  scores: NumericValues,
): PerformanceReference {
  const state = RegressionState.create();
  state.add({
    length: labels.values.length,
    labels: labels.values,
    labelValidity: labels.validity,
    predictions: scores.values,
    predictionValidity: scores.validity,
  });
  const metrics = regressionMetrics(state);
  const notes: string[] = [];
  if (state.invalidRows > 0)
    notes.push(`${state.invalidRows} rows with a non-finite label or score left out`);
  return reference(spec, metrics.rows, (m) => regressionMetricValue(metrics, m), notes, {
    unlabelledRows: state.unlabelledRows,
    unpredictedRows: state.unpredictedRows,
  });
}

function reference(
  spec: ModelSpec,
  rows: number,
  metricValue: (metric: PerformanceMetricName) => number,
  notes: string[],
  counts: { unlabelledRows: number; unpredictedRows: number },
): PerformanceReference {
  if (rows === 0) {
    return {
      performance: undefined,
      notes: [...notes, 'no row has both a label and a prediction: performance reference not built'],
      ...counts,
    };
  }
  const metrics: Partial<Record<PerformanceMetricName, number>> = {};
  const undefinedMetrics: string[] = [];
  for (const metric of spec.performance.metrics) {
    const value = metricValue(metric);
    if (Number.isFinite(value)) metrics[metric] = value;
    else undefinedMetrics.push(metric);
  }
  if (undefinedMetrics.length > 0) {
    notes.push(`${undefinedMetrics.join(', ')} undefined on the reference rows: left out of the baseline`);
  }
  return { performance: { task: spec.task, rows, metrics }, notes, ...counts };
}

/**
 * A performance metric's value from classification metrics: precision, recall and F1 of the positive class for a
 * binary state, macro averages otherwise; NaN for a regression metric.
 */
export function classificationMetricValue(m: ClassificationMetrics, metric: PerformanceMetricName): number {
  const scores = m.binary ?? m.macro;
  switch (metric) {
    case 'accuracy':
      return m.accuracy;
    case 'precision':
      return scores.precision;
    case 'recall':
      return scores.recall;
    case 'f1':
      return scores.f1;
    case 'roc_auc':
      return m.rocAuc.value;
    case 'log_loss':
      return m.logLoss;
    default:
      return Number.NaN;
  }
}

/** A performance metric's value from regression metrics; NaN for a classification metric. */
export function regressionMetricValue(m: RegressionMetrics, metric: PerformanceMetricName): number {
  switch (metric) {
    case 'mae':
      return m.mae;
    case 'rmse':
      return m.rmse;
    case 'mape':
      return m.mape;
    default:
      return Number.NaN;
  }
}
