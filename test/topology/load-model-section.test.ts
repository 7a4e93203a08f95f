import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopologyFile, parseTopology } from '../../src/topology/load-topology.ts';
import type { ModelSpec } from '../../src/topology/model-spec.ts';
import { topologyIssues } from './topology-issues.ts';

const FILE = 'topologies/test.yaml';

/** A topology without a model section; `model:` lines appended to it start on line 17. */
const BASE = [
  'apiVersion: driftwatch/v1',
  'name: credit-risk',
  'source:',
  '  topic: predictions.credit-risk',
  '  eventTime: event_time',
  'baseline: baselines/credit-risk.baseline.json',
  'window:',
  '  type: tumbling',
  '  size: 10m',
  '  grace: 30s',
  'features:',
  '  - name: amount',
  '    field: features.amount',
  '    kind: numeric',
  '  - name: country',
  '    kind: categorical',
];

/** BASE, then `extra` top-level lines, then the model section: its `model:` line is line 17 + extra.length. */
const withModel = (model: readonly string[], extra: readonly string[] = []): string =>
  `${[...BASE, ...extra, 'model:', ...model.map((line) => `  ${line}`)].join('\n')}\n`;

const modelOf = (model: readonly string[], extra: readonly string[] = []): ModelSpec =>
  parseTopology(withModel(model, extra), FILE).model!;

const issuesOf = (text: string): string[] => topologyIssues(text, FILE);

const CLASSIFIER = ['task: binary', 'predictionId: request_id', 'class: prediction.label'];
const LABELS = ['labels:', '  topic: labels.credit-risk', '  label: label', '  labelTime: label_time'];

/** Every default of ModelSpec's shadow section (model-spec.ts). */
const SHADOW_DEFAULTS = {
  maxSkewMs: 60_000,
  minPairs: 100,
  agreement: { warning: 0.95, critical: 0.9 },
  scoreDistance: { warning: 0.1, critical: 0.2 },
  metricDrop: { warning: 0.02, critical: 0.05 },
  rollbackOn: 'critical',
} as const;

describe('model section: a full section', () => {
  it('reads test/fixtures/topologies/model-credit-risk.yaml into the ModelSpec it spells out', async () => {
    const topology = await loadTopologyFile('test/fixtures/topologies/model-credit-risk.yaml');
    const expected: ModelSpec = {
      task: 'binary',
      windowMs: 60_000,
      graceMs: 0,
      fields: {
        predictionIdField: 'request_id',
        classField: 'prediction.label',
        scoreField: 'prediction.score',
        positiveClass: 'decline',
        roleField: 'role',
      },
      labels: {
        topic: 'labels.credit-risk',
        subject: 'labels.credit-risk-value',
        predictionIdField: 'prediction_id',
        labelField: 'label',
        labelTimeField: 'label_time',
        lookbackMs: 7 * 24 * 3_600_000,
        clockSkewMs: 5_000,
        maxPending: 500_000,
      },
      performance: {
        metrics: ['accuracy', 'f1', 'roc_auc'],
        reference: { accuracy: 0.91, roc_auc: 0.88 },
        warning: 0.02,
        critical: 0.05,
        minRows: 200,
      },
      conceptDrift: [
        { detector: 'adwin', options: {} },
        { detector: 'hddm_a', options: { driftConfidence: 0.0005, twoSidedTest: true } },
      ],
      skew: {
        topic: 'features.credit-risk.offline',
        subject: 'features.credit-risk.offline-value',
        onlineKeyField: 'customer_id',
        offlineKeyField: 'customer_id',
        offlineTimeField: 'computed_at',
        features: [
          { name: 'amount', onlineField: 'features.amount', offlineField: 'amount', kind: 'numeric' },
          {
            name: 'country',
            onlineField: 'features.country',
            offlineField: 'country_code',
            kind: 'categorical',
          },
        ],
        absTolerance: 1e-6,
        relTolerance: 1e-4,
        bucketMs: 60_000,
        mismatchRate: { warning: 0.02, critical: 0.1 },
        maxExamples: 5,
        maxPending: 200_000,
      },
      shadow: {
        maxSkewMs: 30_000,
        minPairs: 50,
        agreement: { warning: 0.97, critical: 0.93 },
        scoreDistance: { warning: 0.05, critical: 0.15 },
        metricDrop: { warning: 0.01, critical: 0.03 },
        rollbackOn: 'warning',
      },
      latency: {
        field: 'latency_ms',
        quantile: 0.99,
        warningMs: 150,
        criticalMs: 400,
        minCount: 50,
        relativeAccuracy: 0.02,
      },
      errors: {
        field: 'error',
        segmentField: 'channel',
        ratePoints: { warning: 2, critical: 6 },
        spreadPoints: { warning: 1.5, critical: 4 },
        minRows: 300,
      },
      embeddings: [
        {
          name: 'query_embedding',
          field: 'embeddings.query',
          dimension: 384,
          test: 'projection_ks',
          thresholds: { kind: 'fixed', warning: 0.02, critical: 0.002 },
          projections: 32,
        },
        {
          name: 'doc_embedding',
          field: 'doc_embedding',
          dimension: 64,
          test: 'centroid_cosine',
          thresholds: { kind: 'calibrated', method: 'quantile', warning: 0.9, critical: 0.98 },
          projections: 16,
        },
      ],
      newVersions: {
        windows: 2,
        baselines: {
          // Relative to the topology file's directory, like the topology's own baseline.
          '2.0': path.resolve('test/fixtures/topologies/baselines/credit-risk-v2.baseline.json'),
          v3: path.resolve('test/baselines/credit-risk-v3.baseline.json'),
        },
      },
      outputs: {
        alertTopic: 'credit-risk.model-alerts',
        rollbackTopic: 'credit-risk.rollback',
        statisticsTopic: 'credit-risk.model-statistics',
      },
    };
    expect(topology.model).toEqual(expected);
  });

  it('is null when the file has no model section', () => {
    expect(parseTopology(`${BASE.join('\n')}\n`, FILE).model).toBeNull();
  });
});

describe('model section: defaults', () => {
  it('resolves every default of a minimal classifier', () => {
    const expected: ModelSpec = {
      task: 'binary',
      windowMs: 600_000,
      graceMs: 30_000,
      fields: {
        predictionIdField: 'request_id',
        classField: 'prediction.label',
        scoreField: null,
        positiveClass: null,
        roleField: null,
      },
      labels: null,
      performance: {
        metrics: ['accuracy', 'precision', 'recall', 'f1'],
        reference: {},
        warning: 0.02,
        critical: 0.05,
        minRows: 100,
      },
      conceptDrift: [],
      skew: null,
      shadow: SHADOW_DEFAULTS,
      latency: null,
      errors: null,
      embeddings: [],
      newVersions: null,
      outputs: {
        alertTopic: 'driftwatch.model-alerts',
        rollbackTopic: 'driftwatch.rollback-recommendations',
        statisticsTopic: null,
      },
    };
    expect(modelOf(CLASSIFIER)).toEqual(expected);
  });

  it('adds roc_auc and log_loss to a scored binary model; multiclass gets accuracy and f1; regression its errors', () => {
    const scored = modelOf([...CLASSIFIER, 'score: p', 'positiveClass: 1']);
    expect(scored.performance.metrics).toEqual([
      'accuracy',
      'precision',
      'recall',
      'f1',
      'roc_auc',
      'log_loss',
    ]);
    // A numeric class label is read as a string: labels and classes are compared as strings.
    expect(scored.fields.positiveClass).toBe('1');
    expect(modelOf(['task: multiclass', 'predictionId: id', 'class: c']).performance.metrics).toEqual([
      'accuracy',
      'f1',
    ]);
    expect(modelOf(['task: regression', 'predictionId: id', 'score: y']).performance.metrics).toEqual([
      'mae',
      'rmse',
      'mape',
    ]);
  });

  it("takes the window's size for hopping and sliding windows, and 1h for session windows", () => {
    const windowed = (window: string) =>
      parseTopology(withModel(CLASSIFIER).replace('  type: tumbling\n  size: 10m', window), FILE).model!;
    expect(windowed('  type: hopping\n  size: 20m\n  advance: 5m')).toMatchObject({
      windowMs: 1_200_000,
      graceMs: 30_000,
    });
    expect(windowed('  type: sliding\n  size: 15m\n  slide: 5m')).toMatchObject({ windowMs: 900_000 });
    expect(windowed('  type: session\n  gap: 5m')).toMatchObject({ windowMs: 3_600_000, graceMs: 30_000 });
  });

  it('labels: subject <topic>-value, the prediction id named like model.predictionId, 7 days, no skew, 1e6 pending', () => {
    const model = modelOf([
      'task: binary',
      'predictionId: meta.request_id',
      'class: c',
      'positiveClass: yes',
      ...LABELS,
    ]);
    expect(model.labels).toEqual({
      topic: 'labels.credit-risk',
      subject: 'labels.credit-risk-value',
      predictionIdField: 'request_id',
      labelField: 'label',
      labelTimeField: 'label_time',
      lookbackMs: 604_800_000,
      clockSkewMs: 0,
      maxPending: 1_000_000,
    });
  });

  it("skew: subject, the source's key, the features' fields and kinds, and the documented levels", () => {
    const text = withModel(
      [
        ...CLASSIFIER,
        'skew:',
        '  topic: offline',
        '  offlineKey: id',
        '  offlineTime: t',
        '  features: [amount, country]',
      ],
      ['segments:', '  field: features.channel'],
    ).replace('  eventTime: event_time', '  key: customer_id\n  eventTime: event_time');
    expect(parseTopology(text, FILE).model!.skew).toEqual({
      topic: 'offline',
      subject: 'offline-value',
      onlineKeyField: 'customer_id',
      offlineKeyField: 'id',
      offlineTimeField: 't',
      features: [
        // The offline field is the last segment of the feature's field; a feature without one is read by its name.
        { name: 'amount', onlineField: 'features.amount', offlineField: 'amount', kind: 'numeric' },
        { name: 'country', onlineField: 'country', offlineField: 'country', kind: 'categorical' },
      ],
      absTolerance: 1e-8,
      relTolerance: 1e-5,
      bucketMs: 1,
      mismatchRate: { warning: 0.01, critical: 0.05 },
      maxExamples: 10,
      maxPending: 1_000_000,
    });
  });

  it('skew: a mapping feature without offline reads the last segment of online; booleans are categorical', () => {
    const text = withModel([
      ...CLASSIFIER,
      'skew:',
      '  topic: offline',
      '  key: customer_id',
      '  offlineKey: id',
      '  offlineTime: t',
      '  features:',
      '    - { name: returning, online: features.is_returning, kind: categorical }',
    ]);
    expect(parseTopology(text, FILE).model!.skew!.features).toEqual([
      {
        name: 'returning',
        onlineField: 'features.is_returning',
        offlineField: 'is_returning',
        kind: 'categorical',
      },
    ]);
  });

  it('shadow: the defaults apply when role is set, also with an empty shadow mapping written out', () => {
    expect(modelOf([...CLASSIFIER, 'role: role']).shadow).toEqual(SHADOW_DEFAULTS);
    expect(modelOf([...CLASSIFIER, 'role: role', 'shadow: {}']).shadow).toEqual(SHADOW_DEFAULTS);
    // One level given: the other keeps its default when the pair is a relative drop, and is not checked otherwise.
    const partial = modelOf([
      ...CLASSIFIER,
      'role: role',
      'shadow: { metricDrop: { warning: 0.01 }, agreement: { critical: 0.8 } }',
    ]).shadow;
    expect(partial.metricDrop).toEqual({ warning: 0.01, critical: 0.05 });
    expect(partial.agreement).toEqual({ warning: null, critical: 0.8 });
  });

  it('performance: a written reference, the default levels and minRows', () => {
    const model = modelOf([
      ...CLASSIFIER,
      'positiveClass: decline',
      ...LABELS,
      'performance: { reference: { precision: 0.8, recall: 0.7 } }',
    ]);
    expect(model.performance).toEqual({
      metrics: ['accuracy', 'precision', 'recall', 'f1'],
      reference: { precision: 0.8, recall: 0.7 },
      warning: 0.02,
      critical: 0.05,
      minRows: 100,
    });
  });
});

describe('model section: shorthands', () => {
  it('latency: a field path stands for the field with every default', () => {
    expect(modelOf([...CLASSIFIER, 'latency: serving.latency_ms']).latency).toEqual({
      field: 'serving.latency_ms',
      quantile: 0.95,
      warningMs: 100,
      criticalMs: 300,
      minCount: 20,
      relativeAccuracy: 0.01,
    });
  });

  it("errors: a field path stands for the field with every default; the segment is the topology's segment field", () => {
    expect(
      modelOf([...CLASSIFIER, 'errors: error'], ['segments:', '  field: features.country']).errors,
    ).toEqual({
      field: 'error',
      segmentField: 'features.country',
      ratePoints: { warning: 1, critical: 5 },
      spreadPoints: { warning: 1, critical: 3 },
      minRows: 100,
    });
    expect(modelOf([...CLASSIFIER, 'errors: error']).errors!.segmentField).toBeNull();
  });

  it('conceptDrift: a detector name stands for the detector with its published defaults', () => {
    const model = modelOf([
      ...CLASSIFIER,
      'positiveClass: x',
      ...LABELS,
      'conceptDrift: [ddm, eddm, page_hinkley]',
    ]);
    expect(model.conceptDrift).toEqual([
      { detector: 'ddm', options: {} },
      { detector: 'eddm', options: {} },
      { detector: 'page_hinkley', options: {} },
    ]);
  });

  it('embeddings: the field defaults to the name, the test to mmd at p-levels 0.01 / 0.001', () => {
    const model = modelOf([...CLASSIFIER, 'embeddings:', '  - { name: e, dimension: 8 }']);
    expect(model.embeddings).toEqual([
      {
        name: 'e',
        field: 'e',
        dimension: 8,
        test: 'mmd',
        thresholds: { kind: 'fixed', warning: 0.01, critical: 0.001 },
        projections: 16,
      },
    ]);
  });

  it('embeddings: a bare threshold is a critical level; centroid_cosine defaults to 0.05 / 0.10; calibrated defaults', () => {
    const model = modelOf([
      ...CLASSIFIER,
      'embeddings:',
      '  - { name: a, dimension: 8, threshold: 0.005 }',
      '  - { name: b, dimension: 8, test: centroid_cosine }',
      '  - { name: c, dimension: 8, test: centroid_cosine, threshold: { calibrate: std } }',
      '  - { name: d, dimension: 8, test: projection_ks, threshold: { warning: 0.05 } }',
    ]);
    expect(model.embeddings.map((e) => e.thresholds)).toEqual([
      { kind: 'fixed', warning: null, critical: 0.005 },
      { kind: 'fixed', warning: 0.05, critical: 0.1 },
      { kind: 'calibrated', method: 'std', warning: 2, critical: 3 },
      { kind: 'fixed', warning: 0.05, critical: null },
    ]);
  });
});

describe('model section: newVersions', () => {
  it('defaults to 3 windows and reads baseline files relative to the topology file', () => {
    const model = modelOf([...CLASSIFIER, 'newVersions:', '  baselines:', '    v2: baselines/v2.json']);
    expect(model.newVersions).toEqual({
      windows: 3,
      baselines: { v2: path.resolve('topologies/baselines/v2.json') },
    });
  });

  it('keeps quoted numeric versions as written', () => {
    const model = modelOf([
      ...CLASSIFIER,
      'newVersions: { windows: 1, baselines: { "2.0": v.json, "10": w.json } }',
    ]);
    expect(model.newVersions).toEqual({
      windows: 1,
      baselines: {
        '2.0': path.resolve('topologies/v.json'),
        '10': path.resolve('topologies/w.json'),
      },
    });
  });

  it('reports an unknown key, windows below 1 and an empty baselines map at their lines', () => {
    const text = withModel([...CLASSIFIER, 'newVersions:', '  windows: 0', '  baselines: {}', '  window: 2']);
    expect(issuesOf(text)).toEqual([
      '22:14 model.newVersions.windows: must be an integer >= 1, got 0',
      '23:16 model.newVersions.baselines: must name at least one model version and its baseline file',
      '24:5 model.newVersions.window: unknown key "window"; did you mean "windows"?',
    ]);
  });

  it('refuses a fractional windows, an unquoted numeric version, a version without a file and a missing map', () => {
    const text = withModel([
      ...CLASSIFIER,
      'newVersions:',
      '  windows: 1.5',
      '  baselines:',
      '    2.0: a.json',
      '    v2:',
      '    v3: [a.json]',
    ]);
    expect(issuesOf(text)).toEqual([
      '22:14 model.newVersions.windows: must be an integer >= 1, got 1.5',
      '24:7 model.newVersions.baselines.2.0: a model version must be a non-empty string; quote it, e.g. "2.0"',
      '25:7 model.newVersions.baselines.v2: needs a baseline file',
      '26:11 model.newVersions.baselines.v3: must be a string, got a list',
    ]);
    expect(issuesOf(withModel([...CLASSIFIER, 'newVersions: { windows: 2 }']))).toEqual([
      '21:16 model.newVersions.baselines: required field is missing',
    ]);
  });
});

describe('model section: errors', () => {
  // The model: line is line 17; its first key is on line 18, column 3.

  it('reports a missing task and prediction id at the model mapping', () => {
    expect(issuesOf(withModel(['class: c']))).toEqual([
      '18:3 model.task: required field is missing',
      '18:3 model.predictionId: required field is missing',
    ]);
  });

  it('suggests the task and key meant', () => {
    expect(issuesOf(withModel(['task: binnary', 'predictionID: id', 'class: c']))).toEqual([
      '18:3 model.predictionId: required field is missing',
      '18:9 model.task: must be one of "binary", "multiclass", "regression", got "binnary"; did you mean "binary"?',
      '19:3 model.predictionID: unknown key "predictionID"; did you mean "predictionId"?',
    ]);
  });

  it('suggests detector, metric and embedding test names', () => {
    const issues = issuesOf(
      withModel([
        ...CLASSIFIER,
        'positiveClass: x',
        ...LABELS,
        'performance: { metrics: [acuracy] }',
        'conceptDrift: [adwn]',
        'embeddings: [{ name: e, dimension: 4, test: mdd }]',
      ]),
    );
    expect(issues).toEqual([
      '26:28 model.performance.metrics[0]: must be one of "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "mae", "rmse", "mape", got "acuracy"; did you mean "accuracy"?',
      '27:18 model.conceptDrift[0]: must be one of "adwin", "ddm", "eddm", "page_hinkley", "hddm_a", got "adwn"; did you mean "adwin"?',
      '28:47 model.embeddings[0].test: must be one of "centroid_cosine", "mmd", "projection_ks", got "mdd"; did you mean "mmd"?',
    ]);
  });

  it('requires class for classifiers and score for regression, and refuses what a task does not use', () => {
    expect(
      issuesOf(withModel(['task: multiclass', 'predictionId: id', 'score: s', 'positiveClass: a'])),
    ).toEqual([
      '18:3 model.class: required field is missing for task multiclass',
      '20:10 model.score: is not used by task multiclass (binary: the positive class probability; regression: the predicted value)',
      '21:18 model.positiveClass: only applies to task binary, not multiclass',
    ]);
    expect(issuesOf(withModel(['task: regression', 'predictionId: id', 'class: c']))).toEqual([
      '18:3 model.score: required field is missing for task regression (the predicted value)',
      '20:10 model.class: is not used by task regression; the prediction is `score`',
    ]);
  });

  it('requires positiveClass for a scored binary model, and for one with labels', () => {
    expect(issuesOf(withModel([...CLASSIFIER, 'score: p']))).toEqual([
      '18:3 model.positiveClass: required field is missing for task binary with a score (the class the score is the probability of)',
    ]);
    expect(issuesOf(withModel([...CLASSIFIER, ...LABELS]))).toEqual([
      '18:3 model.positiveClass: required field is missing for task binary with labels (precision, recall and f1 are those of the positive class)',
    ]);
  });

  it('refuses performance and concept drift without labels', () => {
    expect(
      issuesOf(withModel([...CLASSIFIER, 'performance: { minRows: 10 }', 'conceptDrift: [adwin]'])),
    ).toEqual([
      '21:16 model.performance: performance needs labels: add a labels section',
      '22:17 model.conceptDrift: concept drift needs labels: add a labels section',
    ]);
  });

  it('refuses ddm, eddm and hddm_a for regression, in either form', () => {
    const text = withModel([
      'task: regression',
      'predictionId: id',
      'score: y',
      ...LABELS,
      'conceptDrift:',
      '  - adwin',
      '  - ddm',
      '  - { detector: eddm }',
      '  - hddm_a',
      '  - page_hinkley',
    ]);
    const why =
      'needs a 0/1 error stream, and task regression has absolute errors; use adwin or page_hinkley';
    expect(issuesOf(text)).toEqual([
      `27:7 model.conceptDrift[1]: ddm ${why}`,
      `28:19 model.conceptDrift[2].detector: eddm ${why}`,
      `29:7 model.conceptDrift[3]: hddm_a ${why}`,
    ]);
  });

  it("refuses a detector option the detector does not know or accept, with the detector's message", () => {
    const text = withModel([
      ...CLASSIFIER,
      'positiveClass: x',
      ...LABELS,
      'conceptDrift:',
      '  - { detector: adwin, options: { delt: 0.1 } }',
      '  - { detector: ddm, options: { warmStart: -1 } }',
      '  - { detector: eddm, options: { alpha: [1] } }',
    ]);
    expect(issuesOf(text)).toEqual([
      '27:35 model.conceptDrift[0].options: adwin: unknown option delt; known options: delta, clock, maxBuckets, minWindowLength, gracePeriod',
      '28:33 model.conceptDrift[1].options: ddm: option warmStart must be an integer >= 0, got -1',
      '29:43 model.conceptDrift[2].options.alpha: must be a number, a boolean or a string',
    ]);
  });

  it('refuses shadow without role', () => {
    expect(issuesOf(withModel([...CLASSIFIER, 'shadow: { minPairs: 10 }']))).toEqual([
      '21:11 model.shadow: needs role: the field that tells live from shadow and canary predictions',
    ]);
  });

  it('checks the order of warning and critical levels', () => {
    const text = withModel([
      ...CLASSIFIER,
      'role: role',
      'positiveClass: x',
      ...LABELS,
      'performance: { warning: 0.06 }',
      'shadow:',
      '  agreement: { warning: 0.9, critical: 0.95 }',
      '  scoreDistance: { warning: 0.3, critical: 0.2 }',
      'latency: { field: l, warning: 500 }',
      'errors: { field: e, rate: { warning: 5, critical: 5 } }',
      'skew: { topic: off, key: k, offlineKey: k, offlineTime: t, features: [amount], mismatchRate: { warning: 0.5, critical: 0.1 } }',
      'embeddings: [{ name: e, dimension: 4, threshold: { warning: 0.001, critical: 0.01 } }]',
    ]);
    expect(issuesOf(text)).toEqual([
      '27:27 model.performance.warning: must be below critical (0.05, the default), got 0.06',
      '29:42 model.shadow.agreement.critical: fires below its level, so it must be below warning (0.9), got 0.95',
      '30:46 model.shadow.scoreDistance.critical: must be above warning (0.3), got 0.2',
      '31:33 model.latency.warning: must not exceed critical (300, the default), got 500',
      '32:53 model.errors.rate.critical: must be above warning (5), got 5',
      '33:122 model.skew.mismatchRate.critical: must be above warning (0.5), got 0.1',
      '34:52 model.embeddings[0].threshold: critical: a p-value level: critical (0.01) must not exceed warning (0.001)',
    ]);
  });

  it('refuses duplicate detector, metric, skew feature and embedding names', () => {
    const text = withModel([
      ...CLASSIFIER,
      'positiveClass: x',
      ...LABELS,
      'performance: { metrics: [f1, f1] }',
      'conceptDrift: [adwin, { detector: adwin }]',
      'skew: { topic: off, key: k, offlineKey: k, offlineTime: t, features: [amount, { name: amount, online: a, kind: numeric }] }',
      'embeddings: [{ name: e, dimension: 4 }, { name: e, dimension: 8 }]',
    ]);
    expect(issuesOf(text)).toEqual([
      '26:32 model.performance.metrics[1]: duplicate metric "f1" (first used at model.performance.metrics[0], line 26)',
      '27:37 model.conceptDrift[1].detector: duplicate detector "adwin" (first used at model.conceptDrift[0], line 27)',
      '28:89 model.skew.features[1].name: duplicate name "amount" (first used at model.skew.features[0], line 28)',
      '29:51 model.embeddings[1].name: duplicate name "e" (first used at model.embeddings[0].name, line 29)',
    ]);
  });

  it('refuses a skew feature that is not a topology feature, suggesting the one meant, and a skew without a key', () => {
    const text = withModel([
      ...CLASSIFIER,
      'skew:',
      '  topic: off',
      '  offlineKey: k',
      '  offlineTime: t',
      '  features:',
      '    - amount',
      '    - amuont',
      '    - { name: x, online: a, kind: numerc }',
    ]);
    expect(issuesOf(text)).toEqual([
      '28:37 model.skew.features[2].kind: must be one of "numeric", "categorical", got "numerc"; did you mean "numeric"?',
    ]);
    const fixed = text.replace('kind: numerc', 'kind: numeric');
    expect(issuesOf(fixed)).toEqual([
      '22:5 model.skew.key: required field is missing: the source has no key either; name the entity key of the prediction event',
      '27:9 model.skew.features[1]: "amuont" is not a topology feature; name one, or write {name, online, offline, kind}; did you mean "amount"?',
    ]);
  });

  it('refuses a skew bucket that does not divide the model window, at its line', () => {
    const text = withModel([
      ...CLASSIFIER,
      'skew:',
      '  topic: off',
      '  key: features.amount',
      '  offlineKey: k',
      '  offlineTime: t',
      '  features: [amount]',
      '  bucket: 7s',
    ]);
    expect(issuesOf(text)).toEqual([
      '27:13 model.skew.bucket: must be a whole number of milliseconds that divides the model window (600000 ms), got 7000 ms',
    ]);
    expect(parseTopology(text.replace('bucket: 7s', 'bucket: 6s'), FILE).model!.skew!.bucketMs).toBe(6_000);
  });

  it('refuses model topics that are the source, another output or another model topic', () => {
    const text = withModel(
      [
        ...CLASSIFIER,
        'positiveClass: x',
        'labels:',
        '  topic: predictions.credit-risk',
        '  label: l',
        '  labelTime: t',
        'skew: { topic: labels.x, key: k, offlineKey: k, offlineTime: t, features: [amount] }',
        'outputs:',
        '  alerts: credit-risk.alerts',
        '  rollback: labels.x',
      ],
      ['outputs:', '  alerts: credit-risk.alerts'],
    );
    expect(issuesOf(text)).toEqual([
      '25:12 model.labels.topic: topic "predictions.credit-risk" is already source.topic; use a topic of its own',
      '30:13 model.outputs.alerts: topic "credit-risk.alerts" is already outputs.alerts; use a topic of its own',
      '31:15 model.outputs.rollback: topic "labels.x" is already model.skew.topic; use a topic of its own',
    ]);
  });

  it('checks values: durations, integers, ranges, topic names and the embedding levels', () => {
    const text = withModel([
      'task: regression',
      'predictionId: id',
      'score: y',
      'window: 0s',
      'labels: { topic: "bad topic", label: l, labelTime: t, lookback: 1 week, maxPending: 0.5 }',
      'latency: { field: l, quantile: 1 }',
      'embeddings: [{ name: e, dimension: 0, test: centroid_cosine, threshold: 2, projections: 3 }]',
    ]);
    expect(issuesOf(text)).toEqual([
      '21:11 model.window: must be greater than 0, got "0s"',
      '22:20 model.labels.topic: "bad topic" is not a valid Kafka topic name: 1-249 of A-Z a-z 0-9 . _ - (pattern ^[A-Za-z0-9._-]{1,249}$)',
      '22:67 model.labels.lookback: invalid duration "1 week": expected a number followed by a unit (e.g. "250ms", "5s", "1m", "2h", "1d", or a bare integer of milliseconds)',
      '22:87 model.labels.maxPending: must be an integer >= 1, got 0.5',
      '23:34 model.latency.quantile: must be less than 1, got 1',
      '24:38 model.embeddings[0].dimension: must be an integer in 1..65536, got 0',
      '24:75 model.embeddings[0].threshold: critical: must be less than 2 for test centroid_cosine, got 2',
      '24:91 model.embeddings[0].projections: only applies to test projection_ks, not centroid_cosine',
    ]);
  });
});
