import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { categoricalColumnNames } from '../../src/baseline/file-reference.ts';
import { filePerformanceReference } from '../../src/baseline/model-reference.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import { parseCsv } from '../../src/io/read-csv.ts';
import { modelBaselineTopology, modelSpec } from './model-baseline-topology.ts';

const FIXTURE = new URL('../fixtures/baseline-model/', import.meta.url);
const CSV = readFileSync(new URL('training.csv', FIXTURE), 'utf8');
/** scikit-learn's values (generate_baseline_model_fixture.py). */
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', FIXTURE), 'utf8')) as Record<
  'binary' | 'multiclass' | 'regression',
  { rows: number; unlabelled: number; metrics: Record<string, number> }
>;

function table(spec = modelSpec()) {
  return parseCsv(CSV, 'training.csv', categoricalColumnNames(modelBaselineTopology(spec)));
}

function expectMetrics(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [metric, value] of Object.entries(expected)) {
    expect(actual[metric], metric).toBeCloseTo(value, 12);
  }
}

describe('filePerformanceReference', () => {
  it("computes a binary model's metrics over the labelled rows as scikit-learn does", () => {
    const r = filePerformanceReference(table(), modelSpec());
    expect(r.performance?.task).toBe('binary');
    expect(r.performance?.rows).toBe(EXPECTED.binary.rows);
    expect(r.unlabelledRows).toBe(EXPECTED.binary.unlabelled);
    expect(r.unpredictedRows).toBe(0);
    expectMetrics(r.performance!.metrics, EXPECTED.binary.metrics);
    expect(r.notes).toEqual([]);
  });

  it('computes a multiclass model with macro averages, leaving out the metrics that need probabilities', () => {
    const spec = modelSpec({
      task: 'multiclass',
      fields: { ...modelSpec().fields, classField: 'class3', scoreField: null, positiveClass: null },
      labels: { ...modelSpec().labels!, labelField: 'outcome.label3' },
      performance: {
        ...modelSpec().performance,
        metrics: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'],
      },
    });
    const r = filePerformanceReference(table(spec), spec);
    expect(r.performance?.rows).toBe(EXPECTED.multiclass.rows);
    expect(r.unlabelledRows).toBe(EXPECTED.multiclass.unlabelled);
    expectMetrics(r.performance!.metrics, EXPECTED.multiclass.metrics);
    expect(r.notes).toEqual(['roc_auc undefined on the reference rows: left out of the baseline']);
  });

  it('computes a regression model from its score and numeric label', () => {
    const spec = modelSpec({
      task: 'regression',
      fields: { ...modelSpec().fields, classField: null, scoreField: 'y_hat', positiveClass: null },
      labels: { ...modelSpec().labels!, labelField: 'y' },
      performance: { ...modelSpec().performance, metrics: ['mae', 'rmse', 'mape'] },
    });
    const r = filePerformanceReference(table(spec), spec);
    expect(r.performance).toMatchObject({ task: 'regression', rows: EXPECTED.regression.rows });
    expect(r.unlabelledRows).toBe(EXPECTED.regression.unlabelled);
    expectMetrics(r.performance!.metrics, EXPECTED.regression.metrics);
  });

  it('builds no section without a label column, and says how to get one', () => {
    const spec = modelSpec({ labels: { ...modelSpec().labels!, labelField: 'outcome.truth' } });
    const r = filePerformanceReference(table(spec), spec);
    expect(r.performance).toBeUndefined();
    expect(r.notes).toEqual([
      'no label column outcome.truth: performance reference not built; set model.performance.reference or add labels',
    ]);
    const unlabelled = modelSpec({ labels: null });
    expect(filePerformanceReference(table(unlabelled), unlabelled).performance).toBeUndefined();
  });

  it('builds no section without the class column, and leaves out score metrics without a score column', () => {
    const noClass = modelSpec({ fields: { ...modelSpec().fields, classField: 'verdict' } });
    const a = filePerformanceReference(table(noClass), noClass);
    expect(a.performance).toBeUndefined();
    expect(a.notes[0]).toMatch(/^no class column verdict: performance reference not built/);
    const noScore = modelSpec({ fields: { ...modelSpec().fields, scoreField: 'p_decline' } });
    const b = filePerformanceReference(table(noScore), noScore);
    expect(Object.keys(b.performance!.metrics).sort()).toEqual(['accuracy', 'f1', 'precision', 'recall']);
    expect(b.performance!.metrics.accuracy).toBeCloseTo(EXPECTED.binary.metrics.accuracy!, 12);
    expect(b.notes).toEqual([
      'no score column p_decline: metrics that need scores are left out',
      'roc_auc, log_loss undefined on the reference rows: left out of the baseline',
    ]);
  });

  it('reads numeric class codes as text and counts the rows without a label or prediction', () => {
    // Rows: (label, class, score); 4 labelled and predicted, 1 unlabelled, 1 without a prediction.
    const csv = 'y,cls,p\n1,1,0.9\n0,1,0.6\n1,0,0.4\n0,0,0.1\n,1,0.8\n1,,0.7\n';
    const spec = modelSpec({
      fields: { ...modelSpec().fields, classField: 'cls', scoreField: 'p', positiveClass: '1' },
      labels: { ...modelSpec().labels!, labelField: 'y' },
    });
    const r = filePerformanceReference(
      parseCsv(csv, 'small.csv', categoricalColumnNames(modelBaselineTopology(spec))),
      spec,
    );
    expect(r.unlabelledRows).toBe(1);
    expect(r.unpredictedRows).toBe(1);
    // By hand: tp 1, fp 1, fn 1, tn 1; positives score 0.9 and 0.4, negatives 0.6 and 0.1: 3 of 4 pairs ordered.
    expect(r.performance).toMatchObject({
      rows: 4,
      metrics: { accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5, roc_auc: 0.75 },
    });
    const logLoss = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.9)) / 4;
    expect(r.performance!.metrics.log_loss).toBeCloseTo(logLoss, 14);
  });

  it('rejects a text column where a regression model needs numbers', () => {
    const spec = modelSpec({
      task: 'regression',
      fields: { ...modelSpec().fields, classField: null, scoreField: 'y_hat', positiveClass: null },
      labels: { ...modelSpec().labels!, labelField: 'label' },
      performance: { ...modelSpec().performance, metrics: ['mae'] },
    });
    let error: unknown;
    try {
      filePerformanceReference(table(spec), spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DriftwatchError);
    expect((error as DriftwatchError).code).toBe(ErrorCodes.INPUT_FILE);
    expect((error as Error).message).toContain('column "label" must hold numbers');
  });
});
