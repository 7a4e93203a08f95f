import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS, LEVEL_RANGE, testRule } from '../../src/core/drift/thresholds.ts';
import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import { DriftwatchError, ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import {
  CORRECTIONS,
  DRIFT_TESTS,
  loadTopologyFile,
  MAX_PANES_PER_WINDOW,
  parseTopology,
} from '../../src/topology/load-topology.ts';
import type {
  FeatureTestSpec,
  ThresholdSpec,
  Topology,
  TopologyIssue,
} from '../../src/topology/topology-types.ts';

const FILE = 'topologies/test.yaml';
const FIXTURES = 'test/fixtures/topologies';

/** Lines joined with newlines, so that line numbers in tests can be read off the array index (+1). */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

const MINIMAL = [
  'apiVersion: driftwatch/v1',
  'name: credit-risk',
  'source:',
  '  topic: predictions.credit-risk',
  '  eventTime: event_time',
  'baseline: baselines/credit-risk.baseline.json',
  'window:',
  '  type: tumbling',
  '  size: 1m',
  'features:',
  '  - name: amount',
  '    kind: numeric',
  '  - name: country',
  '    kind: categorical',
];

function caught(run: () => unknown): DriftwatchError {
  try {
    run();
  } catch (error) {
    if (isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)) return error;
    throw error;
  }
  throw new Error('expected a TOPOLOGY_INVALID error');
}

function issuesOf(text: string): TopologyIssue[] {
  return caught(() => parseTopology(text, FILE)).details.issues as TopologyIssue[];
}

/** The single issue of `text`, as `line:column path: message`. */
function onlyIssue(text: string): string {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  const [issue] = issues;
  return `${issue!.line}:${issue!.column} ${issue!.path}: ${issue!.message}`;
}

/** MINIMAL with the lines from `index` on replaced (`remove` of them). */
function edit(index: number, remove: number, ...insert: string[]): string {
  const lines = [...MINIMAL];
  lines.splice(index, remove, ...insert);
  return yaml(...lines);
}

/** MINIMAL with its window (lines 7-9) replaced by a window of the given lines, which start on line 8. */
const withWindow = (...lines: string[]): string => edit(6, 3, 'window:', ...lines.map((line) => `  ${line}`));

/** MINIMAL with its features (lines 10-14) replaced by the given lines, which start on line 10. */
const withFeatures = (...lines: string[]): string => edit(9, 5, ...lines);

/** MINIMAL followed by the given lines, which start on line 15. */
const plus = (...lines: string[]): string => yaml(...MINIMAL, ...lines);

const fixed = (warning: number | null, critical: number | null): ThresholdSpec => ({
  kind: 'fixed',
  warning,
  critical,
});
const calibrated = (
  method: 'std' | 'quantile',
  warning: number | null,
  critical: number | null,
): ThresholdSpec => ({ kind: 'calibrated', method, warning, critical });
const test = (name: FeatureTestSpec['test'], thresholds: ThresholdSpec): FeatureTestSpec => ({
  test: name,
  thresholds,
});
/** The default levels of each test. */
const PSI = test('psi', fixed(0.1, 0.2));
const KS = test('ks', fixed(0.01, 0.001));
const WASSERSTEIN = test('wasserstein_norm', fixed(0.1, 0.2));
const JS = test('js', fixed(0.1, 0.2));
const CHI2 = test('chi2', fixed(0.01, 0.001));
const LATE_DROP = { policy: 'drop', retentionMs: 0 } as const;
const NO_OUTPUTS = { windowStatisticsTopic: null, lateEventsTopic: null } as const;

describe('parseTopology: valid files', () => {
  it('reads a file in the short form: one test and threshold per feature', () => {
    const text = yaml(
      'apiVersion: driftwatch/v1',
      'name: credit-risk',
      'source:',
      '  topic: predictions.credit-risk',
      '  subject: credit-risk-subject',
      '  eventTime: meta.event_time',
      '  modelName: meta.model',
      '  modelVersion: meta.version',
      'baseline: ../baselines/credit-risk.baseline.json',
      'window:',
      '  type: tumbling',
      '  size: 1m',
      '  grace: 2s',
      '  outOfOrderness: 5s',
      '  idleTimeout: 1.5m',
      '  quietClose: 10000',
      'features:',
      '  - name: amount',
      '    field: features.amount',
      '    kind: numeric',
      '    test: psi',
      '    threshold: 0.25',
      '  - name: country',
      '    field: features.country',
      '    kind: categorical',
      '    test: chi2',
      '    threshold: 0.05',
      '  - name: channel',
      '    kind: categorical',
      '    test: js',
      '    threshold: 0.3',
      'outputs:',
      '  alerts: credit.alerts',
      '  deadLetter: credit.dlq',
    );
    const baselinePath = path.resolve('baselines/credit-risk.baseline.json');
    const expected: Topology = {
      name: 'credit-risk',
      file: path.resolve(FILE),
      source: {
        topic: 'predictions.credit-risk',
        subject: 'credit-risk-subject',
        keyField: null,
        timeSemantics: 'event',
        eventTimeField: 'meta.event_time',
        modelNameField: 'meta.model',
        modelVersionField: 'meta.version',
      },
      baseline: { path: baselinePath, topic: null, name: 'credit-risk', previousPeriod: false },
      window: {
        type: 'tumbling',
        sizeMs: 60_000,
        graceMs: 2_000,
        outOfOrdernessMs: 5_000,
        idleTimeoutMs: 90_000,
        quietCloseMs: 10_000,
        late: LATE_DROP,
      },
      // A threshold is the level that alerts: a critical level, with no warning level.
      features: [
        {
          name: 'amount',
          field: 'features.amount',
          kind: 'numeric',
          tests: [test('psi', fixed(null, 0.25))],
        },
        {
          name: 'country',
          field: 'features.country',
          kind: 'categorical',
          tests: [test('chi2', fixed(null, 0.05))],
        },
        { name: 'channel', field: 'channel', kind: 'categorical', tests: [test('js', fixed(null, 0.3))] },
      ],
      correction: 'none',
      dataQuality: DEFAULT_QUALITY,
      segments: null,
      alerting: DEFAULT_ALERTING,
      model: null,
      sinks: [],
      outputs: { alertTopic: 'credit.alerts', deadLetterTopic: 'credit.dlq', ...NO_OUTPUTS },
    };
    expect(parseTopology(text, FILE)).toEqual(expected);
  });

  it('reads a file that uses every section of the format', () => {
    const text = yaml(
      'apiVersion: driftwatch/v1',
      'name: credit-risk',
      'source:',
      '  topic: predictions.credit-risk',
      '  key: request_id',
      '  eventTime: meta.event_time',
      'baseline:',
      '  file: ../baselines/credit-risk.baseline.json',
      '  topic: driftwatch.baselines',
      '  name: credit-risk-v2',
      '  previousPeriod: true',
      'window:',
      '  type: hopping',
      '  size: 10m',
      '  advance: 1m',
      '  grace: 5s',
      '  late:',
      '    policy: update',
      '    retention: 30m',
      'defaults:',
      '  numeric:',
      '    tests: [psi, {test: ks, critical: 0.0001}]',
      '  boolean:',
      '    tests: [chi2]',
      'features:',
      '  - name: amount',
      '    field: features.amount',
      '    kind: numeric',
      '  - name: age',
      '    kind: numeric',
      '    tests:',
      '      - wasserstein_norm',
      '      - test: psi',
      '        calibrate: quantile',
      '  - name: country',
      '    kind: categorical',
      '    tests:',
      '      - test: chi2',
      '        warning: 0.05',
      '        critical: 0.005',
      '      - test: js',
      '        calibrate: std',
      '        warning: 1.5',
      '        critical: 2.5',
      '  - name: approved',
      '    kind: boolean',
      '  - name: channel',
      '    kind: categorical',
      'thresholds:',
      '  correction: holm',
      'segments:',
      '  field: meta.region',
      '  maxValues: 8',
      '  other: rest',
      '  overall: false',
      'outputs:',
      '  alerts: credit.alerts',
      '  windowStatistics: credit.window-statistics',
      '  deadLetter: credit.dlq',
    );
    const baselinePath = path.resolve('baselines/credit-risk.baseline.json');
    const expected: Topology = {
      name: 'credit-risk',
      file: path.resolve(FILE),
      source: {
        topic: 'predictions.credit-risk',
        subject: 'predictions.credit-risk-value',
        keyField: 'request_id',
        timeSemantics: 'event',
        eventTimeField: 'meta.event_time',
        modelNameField: 'model_name',
        modelVersionField: 'model_version',
      },
      baseline: {
        path: baselinePath,
        topic: 'driftwatch.baselines',
        name: 'credit-risk-v2',
        previousPeriod: true,
      },
      window: {
        type: 'hopping',
        sizeMs: 600_000,
        advanceMs: 60_000,
        graceMs: 5_000,
        outOfOrdernessMs: 0,
        idleTimeoutMs: 30_000,
        quietCloseMs: 0,
        late: { policy: 'update', retentionMs: 1_800_000 },
      },
      features: [
        // No tests of its own: the file's numeric defaults.
        {
          name: 'amount',
          field: 'features.amount',
          kind: 'numeric',
          tests: [PSI, test('ks', fixed(null, 0.0001))],
        },
        {
          name: 'age',
          field: 'age',
          kind: 'numeric',
          tests: [WASSERSTEIN, test('psi', calibrated('quantile', 0.95, 0.99))],
        },
        {
          name: 'country',
          field: 'country',
          kind: 'categorical',
          tests: [test('chi2', fixed(0.05, 0.005)), test('js', calibrated('std', 1.5, 2.5))],
        },
        // The file's boolean defaults.
        { name: 'approved', field: 'approved', kind: 'boolean', tests: [CHI2] },
        // No categorical defaults in the file: the built-in one.
        { name: 'channel', field: 'channel', kind: 'categorical', tests: [JS] },
      ],
      correction: 'holm',
      dataQuality: DEFAULT_QUALITY,
      segments: { field: 'meta.region', maxValues: 8, otherLabel: 'rest', overall: false },
      alerting: DEFAULT_ALERTING,
      model: null,
      sinks: [],
      outputs: {
        alertTopic: 'credit.alerts',
        windowStatisticsTopic: 'credit.window-statistics',
        deadLetterTopic: 'credit.dlq',
        lateEventsTopic: null,
      },
    };
    expect(parseTopology(text, FILE)).toEqual(expected);
  });

  it('applies every default to a minimal file and resolves the baseline against the file directory', () => {
    const topology = parseTopology(yaml(...MINIMAL), FILE);
    const baselinePath = path.resolve('topologies/baselines/credit-risk.baseline.json');
    expect(topology).toEqual({
      name: 'credit-risk',
      file: path.resolve(FILE),
      source: {
        topic: 'predictions.credit-risk',
        subject: 'predictions.credit-risk-value',
        keyField: null,
        timeSemantics: 'event',
        eventTimeField: 'event_time',
        modelNameField: 'model_name',
        modelVersionField: 'model_version',
      },
      baseline: { path: baselinePath, topic: null, name: 'credit-risk', previousPeriod: false },
      window: {
        type: 'tumbling',
        sizeMs: 60_000,
        graceMs: 0,
        outOfOrdernessMs: 0,
        idleTimeoutMs: 30_000,
        quietCloseMs: 0,
        late: LATE_DROP,
      },
      features: [
        { name: 'amount', field: 'amount', kind: 'numeric', tests: [PSI] },
        { name: 'country', field: 'country', kind: 'categorical', tests: [JS] },
      ],
      correction: 'none',
      dataQuality: DEFAULT_QUALITY,
      segments: null,
      alerting: DEFAULT_ALERTING,
      model: null,
      sinks: [],
      outputs: { alertTopic: 'driftwatch.alerts', deadLetterTopic: 'driftwatch.dead-letter', ...NO_OUTPUTS },
    } satisfies Topology);
  });

  it('keeps an absolute baseline path and an absolute file path as they are', () => {
    const file = path.resolve('/srv/topologies/a.yaml');
    const baseline = path.resolve('/data/b.baseline.json');
    const topology = parseTopology(edit(5, 1, `baseline: ${baseline}`), file);
    expect(topology.file).toBe(file);
    expect(topology.baseline.path).toBe(baseline);
    expect(topology.baseline.path).toBe(baseline);
  });

  it('treats a key without a value as absent for optional fields', () => {
    const topology = parseTopology(edit(9, 0, '  grace:', '  quietClose: 0'), FILE);
    expect(topology.window.graceMs).toBe(0);
  });

  it("uses the test's default levels when only the test is given (chi2: p-levels 0.01 and 0.001)", () => {
    const topology = parseTopology(edit(14, 0, '    test: chi2'), FILE);
    expect(topology.features[1]!.tests).toEqual([test('chi2', fixed(0.01, 0.001))]);
  });

  it('accepts flow style, comments, anchors and aliases', () => {
    const text = yaml(
      '# a monitor',
      'apiVersion: driftwatch/v1',
      'name: m',
      'source: {topic: &topic t1, eventTime: ts}',
      'baseline: b.json',
      'window: {type: tumbling, size: 60000}',
      'features: [{name: a, kind: numeric, test: psi, threshold: 0.5}]',
      'outputs: {alerts: *topic}',
    );
    const topology = parseTopology(text, FILE);
    expect(topology.outputs.alertTopic).toBe('t1');
    expect(topology.window).toMatchObject({ type: 'tumbling', sizeMs: 60_000 });
    expect(topology.features).toEqual([
      { name: 'a', field: 'a', kind: 'numeric', tests: [test('psi', fixed(null, 0.5))] },
    ]);
  });
});

describe('DRIFT_TESTS', () => {
  it('agrees with the levels the engine judges by (core/drift/thresholds.ts)', () => {
    for (const [name, t] of Object.entries(DRIFT_TESTS) as [
      keyof typeof DRIFT_TESTS,
      (typeof DRIFT_TESTS)['psi'],
    ][]) {
      expect({ name, rule: t.rule, warning: t.warning, critical: t.critical }).toEqual({
        name,
        rule: testRule(name),
        ...DEFAULT_LEVELS[name],
      });
      expect({ name, below: t.below ?? Number.POSITIVE_INFINITY }).toEqual({
        name,
        below: LEVEL_RANGE[name].below,
      });
    }
  });
});

describe('parseTopology: source', () => {
  it('reads the key field', () => {
    expect(parseTopology(edit(4, 0, '  key: meta.request_id'), FILE).source.keyField).toBe('meta.request_id');
  });

  it('uses processing time without an event-time field', () => {
    const topology = parseTopology(edit(4, 1, '  timeSemantics: processing'), FILE);
    expect(topology.source).toMatchObject({ timeSemantics: 'processing', eventTimeField: null });
  });

  it('accepts timeSemantics: event written out', () => {
    const topology = parseTopology(edit(4, 0, '  timeSemantics: event'), FILE);
    expect(topology.source).toMatchObject({ timeSemantics: 'event', eventTimeField: 'event_time' });
  });

  it.each([
    [
      'eventTime missing in event time',
      edit(4, 1),
      '4:3 source.eventTime: required field is missing (or set timeSemantics: processing to use the time events are read)',
    ],
    [
      'eventTime with processing time',
      edit(4, 0, '  timeSemantics: processing'),
      '6:14 source.eventTime: must not be set with timeSemantics: processing',
    ],
    [
      'an unknown time semantics, with a suggestion',
      edit(4, 0, '  timeSemantics: procesing'),
      '5:18 source.timeSemantics: must be one of "event", "processing", got "procesing"; did you mean "processing"?',
    ],
    [
      'an invalid key path',
      edit(4, 0, '  key: a..b'),
      /^5:8 source\.key: "a\.\.b" is not a dotted field path/,
    ],
  ])('rejects %s', (_, text, expected) => {
    if (typeof expected === 'string') expect(onlyIssue(text)).toBe(expected);
    else expect(onlyIssue(text)).toMatch(expected);
  });
});

describe('parseTopology: baseline', () => {
  it('as a path: resolved against the file directory, published under the topology name, no previous period', () => {
    const topology = parseTopology(yaml(...MINIMAL), FILE);
    expect(topology.baseline).toEqual({
      path: path.resolve('topologies/baselines/credit-risk.baseline.json'),
      topic: null,
      name: 'credit-risk',
      previousPeriod: false,
    });
  });

  it('as a mapping with only a file: the same defaults', () => {
    const topology = parseTopology(edit(5, 1, 'baseline:', '  file: ../b/credit.json'), FILE);
    expect(topology.baseline).toEqual({
      path: path.resolve('b/credit.json'),
      topic: null,
      name: 'credit-risk',
      previousPeriod: false,
    });
  });

  it('as a full mapping', () => {
    const file = path.resolve('/srv/monitors/credit.yaml');
    const topology = parseTopology(
      edit(5, 1, 'baseline: {file: b.json, topic: baselines, name: Credit_v2, previousPeriod: true}'),
      file,
    );
    expect(topology.baseline).toEqual({
      path: path.resolve('/srv/monitors/b.json'),
      topic: 'baselines',
      name: 'Credit_v2',
      previousPeriod: true,
    });
    expect(topology.baseline.path).toBe(path.resolve('/srv/monitors/b.json'));
  });

  it.each([
    [
      'a mapping without a file',
      edit(5, 1, 'baseline:', '  topic: baselines'),
      '7:3 baseline.file: required field is missing',
    ],
    [
      'an unknown key',
      edit(5, 1, 'baseline:', '  file: b.json', '  path: c'),
      '8:3 baseline.path: unknown key "path"; expected one of: file, topic, name, previousPeriod',
    ],
    [
      'previousPeriod that is not a boolean',
      edit(5, 1, 'baseline: {file: b.json, previousPeriod: "yes"}'),
      '6:42 baseline.previousPeriod: must be true or false, got the string "yes"',
    ],
    [
      'an invalid topic',
      edit(5, 1, 'baseline: {file: b.json, topic: "a b"}'),
      /^6:33 baseline\.topic: "a b" is not a valid Kafka topic name/,
    ],
    [
      'an invalid name',
      edit(5, 1, 'baseline: {file: b.json, name: 1st}'),
      /^6:32 baseline\.name: "1st" is not a valid feature name/,
    ],
    ['a list', edit(5, 1, 'baseline: [b.json]'), '6:11 baseline: must be a string, got a list'],
  ])('rejects %s', (_, text, expected) => {
    if (typeof expected === 'string') expect(onlyIssue(text)).toBe(expected);
    else expect(onlyIssue(text)).toMatch(expected);
  });
});

describe('parseTopology: windows', () => {
  const timingDefaults = {
    graceMs: 0,
    outOfOrdernessMs: 0,
    idleTimeoutMs: 30_000,
    quietCloseMs: 0,
    late: LATE_DROP,
  };

  it.each([
    ['tumbling', ['type: tumbling', 'size: 1m'], { type: 'tumbling', sizeMs: 60_000 }],
    [
      'hopping',
      ['type: hopping', 'size: 10m', 'advance: 1m'],
      { type: 'hopping', sizeMs: 600_000, advanceMs: 60_000 },
    ],
    [
      'sliding',
      ['type: sliding', 'size: 1h', 'slide: 5m'],
      { type: 'sliding', sizeMs: 3_600_000, slideMs: 300_000 },
    ],
    ['session', ['type: session', 'gap: 30s'], { type: 'session', gapMs: 30_000, maxSizeMs: 0 }],
  ])('parses a %s window with its defaults', (_, lines, expected) => {
    expect(parseTopology(withWindow(...lines), FILE).window).toEqual({ ...expected, ...timingDefaults });
  });

  it('reads the timing fields of every window type', () => {
    const timing = [
      'grace: 1s',
      'outOfOrderness: 2s',
      'idleTimeout: 3s',
      'quietClose: 4s',
      'late: side-topic',
    ];
    const expected = {
      graceMs: 1_000,
      outOfOrdernessMs: 2_000,
      idleTimeoutMs: 3_000,
      quietCloseMs: 4_000,
      late: { policy: 'side-topic', retentionMs: 0 },
    };
    for (const lines of [
      ['type: tumbling', 'size: 1m'],
      ['type: hopping', 'size: 1m', 'advance: 10s'],
      ['type: sliding', 'size: 1m', 'slide: 10s'],
      ['type: session', 'gap: 1m', 'maxSize: 1h'],
    ]) {
      expect(parseTopology(withWindow(...lines, ...timing), FILE).window).toMatchObject(expected);
    }
    expect(parseTopology(withWindow('type: session', 'gap: 1m', 'maxSize: 1h'), FILE).window).toMatchObject({
      maxSizeMs: 3_600_000,
    });
  });

  it('accepts an advance or slide equal to the size', () => {
    expect(parseTopology(withWindow('type: hopping', 'size: 1m', 'advance: 1m'), FILE).window).toMatchObject({
      sizeMs: 60_000,
      advanceMs: 60_000,
    });
    expect(parseTopology(withWindow('type: sliding', 'size: 1m', 'slide: 60000'), FILE).window).toMatchObject(
      {
        slideMs: 60_000,
      },
    );
  });

  it.each([
    [
      'an advance larger than the size',
      withWindow('type: hopping', 'size: 1m', 'advance: 2m'),
      '10:12 window.advance: must not exceed the window size (60000 ms), got 120000 ms; use a tumbling window for gaps',
    ],
    [
      'a slide larger than the size',
      withWindow('type: sliding', 'size: 1m', 'slide: 61s'),
      '10:10 window.slide: must not exceed the window size (60000 ms), got 61000 ms; use a tumbling window for gaps',
    ],
    [
      'a hopping window spanning too many panes',
      withWindow('type: hopping', 'size: 1h', 'advance: 7s'),
      '10:12 window.advance: size 3600000 ms and advance 7000 ms share too small a common divisor (1000 ms): a window would span 3600 panes, at most 1024',
    ],
    [
      'a sliding window spanning too many panes',
      withWindow('type: sliding', 'size: 1025s', 'slide: 1s'),
      '10:10 window.slide: size 1025000 ms and slide 1000 ms share too small a common divisor (1000 ms): a window would span 1025 panes, at most 1024',
    ],
    [
      'a hopping window without advance',
      withWindow('type: hopping', 'size: 1m'),
      '8:3 window.advance: required field is missing',
    ],
    [
      'a sliding window without slide',
      withWindow('type: sliding', 'size: 1m'),
      '8:3 window.slide: required field is missing',
    ],
    [
      'a session window without gap',
      withWindow('type: session', 'maxSize: 1h'),
      '8:3 window.gap: required field is missing',
    ],
    [
      'a zero advance',
      withWindow('type: hopping', 'size: 1m', 'advance: 0s'),
      '10:12 window.advance: must be greater than 0, got "0s"',
    ],
    [
      'a key of another window type',
      withWindow('type: tumbling', 'size: 1m', 'advance: 10s'),
      '10:3 window.advance: unknown key "advance"; expected one of: type, size, grace, outOfOrderness, idleTimeout, quietClose, late',
    ],
    [
      'a session maxSize below the gap',
      withWindow('type: session', 'gap: 1m', 'maxSize: 30s'),
      '10:12 window.maxSize: must be 0 (no limit) or at least the gap (60000 ms), got 30000 ms',
    ],
  ])('rejects %s', (_, text, expected) => {
    expect(onlyIssue(text)).toBe(expected);
  });

  it(`accepts a window of exactly ${MAX_PANES_PER_WINDOW} panes`, () => {
    const window = parseTopology(withWindow('type: hopping', 'size: 1024s', 'advance: 1s'), FILE).window;
    expect(window).toMatchObject({ sizeMs: 1_024_000, advanceMs: 1_000 });
    // Panes are gcd-sized: 1m and 45s share 15s, so a window spans 4 of them.
    expect(parseTopology(withWindow('type: sliding', 'size: 1m', 'slide: 45s'), FILE).window).toMatchObject({
      slideMs: 45_000,
    });
  });

  it('reports a session without gap and with a size key as two problems', () => {
    expect(
      issuesOf(withWindow('type: session', 'size: 1m')).map((i) => `${i.line}:${i.column} ${i.path}`),
    ).toEqual(['8:3 window.gap', '9:3 window.size']);
  });
});

describe('parseTopology: late events', () => {
  const late = (...lines: string[]) => withWindow('type: tumbling', 'size: 1m', ...lines);

  it('defaults to drop', () => {
    expect(parseTopology(yaml(...MINIMAL), FILE).window.late).toEqual({ policy: 'drop', retentionMs: 0 });
  });

  it.each([
    ['drop', 'late: drop', { policy: 'drop', retentionMs: 0 }],
    ['side-topic', 'late: side-topic', { policy: 'side-topic', retentionMs: 0 }],
    ['update (retention: the window size)', 'late: update', { policy: 'update', retentionMs: 60_000 }],
    ['a mapping with only a policy', 'late: {policy: drop}', { policy: 'drop', retentionMs: 0 }],
    [
      'update with a retention',
      'late: {policy: update, retention: 1h}',
      { policy: 'update', retentionMs: 3_600_000 },
    ],
    ['update without a retention', 'late: {policy: update}', { policy: 'update', retentionMs: 60_000 }],
  ])('reads %s', (_, line, expected) => {
    expect(parseTopology(late(line), FILE).window.late).toEqual(expected);
  });

  it('keeps updated windows for one window size by default, whatever the window type', () => {
    const hopping = withWindow('type: hopping', 'size: 10m', 'advance: 1m', 'late: update');
    expect(parseTopology(hopping, FILE).window.late).toEqual({ policy: 'update', retentionMs: 600_000 });
    const sliding = withWindow('type: sliding', 'size: 1h', 'slide: 1m', 'late:', '  policy: update');
    expect(parseTopology(sliding, FILE).window.late).toEqual({ policy: 'update', retentionMs: 3_600_000 });
  });

  it.each([
    [
      'a retention with drop',
      late('late: {policy: drop, retention: 5m}'),
      '10:35 window.late.retention: only applies to the update policy',
    ],
    [
      'a retention with side-topic',
      late('late:', '  policy: side-topic', '  retention: 5m'),
      '12:16 window.late.retention: only applies to the update policy',
    ],
    [
      'a zero retention',
      late('late: {policy: update, retention: 0s}'),
      '10:37 window.late.retention: must be greater than 0, got "0s"',
    ],
    [
      'a mapping without a policy',
      late('late: {retention: 5m}'),
      '10:9 window.late.policy: required field is missing',
    ],
    [
      'an unknown policy',
      late('late: later'),
      '10:9 window.late: must be one of "drop", "side-topic", "update", got "later"',
    ],
    [
      'an unknown policy in a mapping, once',
      late('late: {policy: later, retention: 5m}'),
      '10:18 window.late.policy: must be one of "drop", "side-topic", "update", got "later"',
    ],
    ['a list', late('late: [drop]'), '10:9 window.late: must be a string, got a list'],
    [
      'update for a session window',
      withWindow('type: session', 'gap: 1m', 'late: update'),
      '10:9 window.late: the update policy is not available for session windows (a late event may merge sessions that were already reported); use drop or side-topic',
    ],
    [
      'update for a session window, as a mapping',
      withWindow('type: session', 'gap: 1m', 'late: {policy: update, retention: 1h}'),
      '10:9 window.late: the update policy is not available for session windows (a late event may merge sessions that were already reported); use drop or side-topic',
    ],
  ])('rejects %s', (_, text, expected) => {
    expect(onlyIssue(text)).toBe(expected);
  });

  it('accepts drop and side-topic for session windows', () => {
    for (const policy of ['drop', 'side-topic']) {
      const window = parseTopology(withWindow('type: session', 'gap: 1m', `late: ${policy}`), FILE).window;
      expect(window.late).toEqual({ policy, retentionMs: 0 });
    }
  });

  it('side-topic produces late events to driftwatch.late-events unless outputs.lateEvents names another topic', () => {
    expect(parseTopology(late('late: side-topic'), FILE).outputs.lateEventsTopic).toBe(
      'driftwatch.late-events',
    );
    const text = yaml(
      ...MINIMAL.slice(0, 9),
      '  late: side-topic',
      ...MINIMAL.slice(9),
      'outputs:',
      '  lateEvents: credit.late',
    );
    expect(parseTopology(text, FILE).outputs.lateEventsTopic).toBe('credit.late');
  });

  it('has no late-events topic under the other policies, even when outputs.lateEvents is set', () => {
    expect(parseTopology(yaml(...MINIMAL), FILE).outputs.lateEventsTopic).toBeNull();
    for (const policy of ['drop', 'update']) {
      const text = yaml(
        ...MINIMAL.slice(0, 9),
        `  late: ${policy}`,
        ...MINIMAL.slice(9),
        'outputs: {lateEvents: l}',
      );
      expect(parseTopology(text, FILE).outputs.lateEventsTopic).toBeNull();
    }
  });
});

describe('parseTopology: feature tests', () => {
  const tests = (kind: string, ...lines: string[]): string =>
    withFeatures(
      'features:',
      '  - name: f',
      `    kind: ${kind}`,
      '    tests:',
      ...lines.map((l) => `      ${l}`),
    );

  it('reads a list of test names (default levels) and mappings', () => {
    const text = tests(
      'numeric',
      '- ks',
      '- test: psi',
      '  warning: 0.15',
      '  critical: 0.3',
      '- {test: wasserstein_norm, critical: 0.5}',
    );
    expect(parseTopology(text, FILE).features[0]!.tests).toEqual([
      KS,
      test('psi', fixed(0.15, 0.3)),
      test('wasserstein_norm', fixed(null, 0.5)),
    ]);
  });

  it('a mapping without levels has the default levels; with one level, only that one is checked', () => {
    const text = tests('categorical', '- {test: chi2}', '- {test: js, warning: 0.15}');
    expect(parseTopology(text, FILE).features[0]!.tests).toEqual([CHI2, test('js', fixed(0.15, null))]);
  });

  it.each([
    ['std', '- {test: psi, calibrate: std}', calibrated('std', 2, 3)],
    ['quantile', '- {test: psi, calibrate: quantile}', calibrated('quantile', 0.95, 0.99)],
    [
      'std with both levels',
      '- {test: psi, calibrate: std, warning: 1.5, critical: 4}',
      calibrated('std', 1.5, 4),
    ],
    ['std with a warning only', '- {test: psi, calibrate: std, warning: 2.5}', calibrated('std', 2.5, null)],
    [
      'quantile with a critical only',
      '- {test: psi, calibrate: quantile, critical: 0.999}',
      calibrated('quantile', null, 0.999),
    ],
    // Calibrated levels apply to the statistic's value, so ks takes multipliers like any other test.
    ['std for ks', '- {test: ks, calibrate: std, warning: 1, critical: 2}', calibrated('std', 1, 2)],
  ])('calibrates with %s (defaults: std 2 and 3, quantile 0.95 and 0.99)', (_, line, thresholds) => {
    const [only] = parseTopology(tests('numeric', line), FILE).features[0]!.tests;
    expect(only!.thresholds).toEqual(thresholds);
  });

  it('allows equal warning and critical levels', () => {
    const text = tests(
      'numeric',
      '- {test: ks, warning: 0.01, critical: 0.01}',
      '- {test: psi, warning: 0.2, critical: 0.2}',
    );
    expect(parseTopology(text, FILE).features[0]!.tests.map((t) => t.thresholds)).toEqual([
      fixed(0.01, 0.01),
      fixed(0.2, 0.2),
    ]);
  });

  it.each([
    [
      'p-value levels with critical above warning (ks)',
      tests('numeric', '- {test: ks, warning: 0.001, critical: 0.01}'),
      '14:46 features[0].tests[0].critical: a p-value level: critical (0.01) must not exceed warning (0.001)',
    ],
    [
      'p-value levels with critical above warning (chi2)',
      tests('categorical', '- {test: chi2, warning: 0.01, critical: 0.05}'),
      '14:47 features[0].tests[0].critical: a p-value level: critical (0.05) must not exceed warning (0.01)',
    ],
    [
      'distance levels with critical below warning',
      tests('numeric', '- {test: psi, warning: 0.3, critical: 0.2}'),
      '14:45 features[0].tests[0].critical: must not be below warning (0.3), got 0.2',
    ],
    [
      'calibrated levels with critical below warning, ks included',
      tests('numeric', '- {test: ks, calibrate: std, warning: 3, critical: 2}'),
      '14:58 features[0].tests[0].critical: must not be below warning (3), got 2',
    ],
    [
      'a quantile of 1',
      tests('numeric', '- {test: psi, calibrate: quantile, warning: 1}'),
      '14:51 features[0].tests[0].warning: a quantile level must be in (0, 1), got 1',
    ],
    [
      'a js level of 1',
      tests('categorical', '- {test: js, critical: 1}'),
      '14:30 features[0].tests[0].critical: must be less than 1 for test js, got 1',
    ],
    [
      'a level of 0',
      tests('numeric', '- {test: psi, warning: 0}'),
      '14:30 features[0].tests[0].warning: must be greater than 0, got 0',
    ],
    [
      'a test not allowed for the kind',
      tests('numeric', '- psi', '- js'),
      '14:7 features[0].tests: test "js" is not allowed for numeric features; use psi or ks or wasserstein_norm',
    ],
    [
      'a mapping of a test not allowed for the kind',
      tests('categorical', '- {test: ks}'),
      '14:7 features[0].tests: test "ks" is not allowed for categorical features; use js or chi2 or share_change',
    ],
    [
      'a mapping without a test',
      tests('numeric', '- {warning: 0.1}'),
      '14:9 features[0].tests[0].test: required field is missing',
    ],
    [
      'an unknown calibration, with a suggestion',
      tests('numeric', '- {test: psi, calibrate: sdt}'),
      '14:32 features[0].tests[0].calibrate: must be one of "std", "quantile", got "sdt"; did you mean "std"?',
    ],
    [
      'an unknown key in a test',
      tests('numeric', '- {test: psi, treshold: 0.1}'),
      '14:21 features[0].tests[0].treshold: unknown key "treshold"; expected one of: test, warning, critical, calibrate',
    ],
    [
      'an unknown test name',
      tests('numeric', '- ttest'),
      '14:9 features[0].tests[0]: must be one of "psi", "ks", "wasserstein_norm", "js", "chi2", "share_change", got "ttest"',
    ],
    [
      'a test named twice',
      tests('numeric', '- psi', '- ks', '- psi'),
      '16:9 features[0].tests[2]: duplicate test "psi" (first used at features[0].tests[0], line 14)',
    ],
    [
      'a test named twice, as a name and as a mapping',
      tests('numeric', '- psi', '- {test: psi, warning: 0.3}'),
      '15:16 features[0].tests[1].test: duplicate test "psi" (first used at features[0].tests[0], line 14)',
    ],
    [
      'a test named twice in mappings',
      tests('numeric', '- {test: ks}', '- {test: ks, critical: 0.0001}'),
      '15:16 features[0].tests[1].test: duplicate test "ks" (first used at features[0].tests[0].test, line 14)',
    ],
    [
      'an empty list',
      withFeatures('features:', '  - name: f', '    kind: numeric', '    tests: []'),
      '13:12 features[0].tests: must list at least one entry',
    ],
    [
      'test and tests together',
      withFeatures('features:', '  - name: f', '    kind: numeric', '    test: psi', '    tests: [ks]'),
      '13:11 features[0].test: use either test/threshold or tests, not both',
    ],
    [
      'threshold and tests together',
      withFeatures('features:', '  - name: f', '    kind: numeric', '    threshold: 0.2', '    tests: [ks]'),
      '13:16 features[0].threshold: use either test/threshold or tests, not both',
    ],
    [
      'a threshold without a test',
      withFeatures('features:', '  - name: f', '    kind: numeric', '    threshold: 0.2'),
      '13:16 features[0].threshold: needs test: name the test the threshold is for',
    ],
    [
      'a threshold whose test is invalid, once',
      withFeatures('features:', '  - name: f', '    kind: numeric', '    test: ttest', '    threshold: 0.2'),
      '13:11 features[0].test: must be one of "psi", "ks", "wasserstein_norm", "js", "chi2", "share_change", got "ttest"',
    ],
  ])('rejects %s', (_, text, expected) => {
    expect(onlyIssue(text)).toBe(expected);
  });

  it('gives boolean features js by default and allows chi2, not the numeric tests', () => {
    const text = withFeatures(
      'features:',
      '  - name: approved',
      '    kind: boolean',
      '  - name: flagged',
      '    kind: boolean',
      '    test: chi2',
    );
    expect(parseTopology(text, FILE).features).toEqual([
      { name: 'approved', field: 'approved', kind: 'boolean', tests: [JS] },
      { name: 'flagged', field: 'flagged', kind: 'boolean', tests: [CHI2] },
    ]);
    expect(onlyIssue(withFeatures('features:', '  - name: f', '    kind: boolean', '    test: psi'))).toBe(
      '13:11 features[0].test: test "psi" is not allowed for boolean features; use js or chi2 or share_change',
    );
  });
});

describe('parseTopology: defaults', () => {
  const features = [
    'features:',
    '  - name: amount',
    '    kind: numeric',
    '  - name: age',
    '    kind: numeric',
    '    test: wasserstein_norm',
    '  - name: income',
    '    kind: numeric',
    '    tests: [psi]',
    '  - name: country',
    '    kind: categorical',
    '  - name: approved',
    '    kind: boolean',
  ];

  it('applies the per-kind tests to the features that name none', () => {
    const text = edit(
      9,
      5,
      'defaults:',
      '  numeric:',
      '    tests: [ks, {test: psi, calibrate: std}]',
      '  categorical:',
      '    tests: [chi2]',
      '  boolean:',
      '    tests: [{test: js, warning: 0.05, critical: 0.15}]',
      ...features,
    );
    expect(parseTopology(text, FILE).features.map((f) => [f.name, f.tests])).toEqual([
      ['amount', [KS, test('psi', calibrated('std', 2, 3))]],
      ['age', [WASSERSTEIN]],
      ['income', [PSI]],
      ['country', [CHI2]],
      ['approved', [test('js', fixed(0.05, 0.15))]],
    ]);
  });

  it('leaves the built-in defaults of the kinds it does not name (psi; js for categorical and boolean)', () => {
    const text = edit(9, 5, 'defaults:', '  numeric:', '    tests: [ks]', ...features);
    expect(parseTopology(text, FILE).features.map((f) => [f.name, f.tests])).toEqual([
      ['amount', [KS]],
      ['age', [WASSERSTEIN]],
      ['income', [PSI]],
      ['country', [JS]],
      ['approved', [JS]],
    ]);
  });

  it.each([
    [
      'a test not allowed for numeric features',
      plus('defaults:', '  numeric:', '    tests: [psi, js]'),
      '17:5 defaults.numeric: test "js" is not allowed for numeric features; use psi or ks or wasserstein_norm',
    ],
    [
      'a test not allowed for boolean features',
      plus('defaults:', '  boolean:', '    tests: [{test: psi}]'),
      '17:5 defaults.boolean: test "psi" is not allowed for boolean features; use js or chi2 or share_change',
    ],
    [
      'an unknown kind',
      plus('defaults:', '  text:', '    tests: [js]'),
      '16:3 defaults.text: unknown key "text"; expected one of: numeric, categorical, boolean',
    ],
    [
      'a kind without tests',
      plus('defaults:', '  numeric: {}'),
      '16:12 defaults.numeric.tests: required field is missing',
    ],
    [
      'an empty list',
      plus('defaults:', '  numeric: {tests: []}'),
      '16:20 defaults.numeric.tests: must list at least one entry',
    ],
    [
      'a test named twice',
      plus('defaults:', '  categorical:', '    tests: [js, js]'),
      '17:17 defaults.categorical.tests[1]: duplicate test "js" (first used at defaults.categorical.tests[0], line 17)',
    ],
  ])('rejects %s', (_, text, expected) => {
    expect(onlyIssue(text)).toBe(expected);
  });
});

describe('parseTopology: thresholds', () => {
  it('defaults to no multiple-testing correction', () => {
    expect(parseTopology(yaml(...MINIMAL), FILE).correction).toBe('none');
    expect(parseTopology(plus('thresholds: {}'), FILE).correction).toBe('none');
  });

  it.each(CORRECTIONS)('reads correction %s', (correction) => {
    expect(parseTopology(plus('thresholds:', `  correction: ${correction}`), FILE).correction).toBe(
      correction,
    );
  });

  it.each([
    [
      'an unknown correction, with a suggestion',
      plus('thresholds:', '  correction: bonferoni'),
      '16:15 thresholds.correction: must be one of "none", "bonferroni", "holm", "benjamini-hochberg", got "bonferoni"; did you mean "bonferroni"?',
    ],
    [
      'an unknown key',
      plus('thresholds:', '  level: 0.1'),
      '16:3 thresholds.level: unknown key "level"; expected one of: correction',
    ],
  ])('rejects %s', (_, text, expected) => {
    expect(onlyIssue(text)).toBe(expected);
  });
});

describe('parseTopology: segments', () => {
  it('defaults to none', () => {
    expect(parseTopology(yaml(...MINIMAL), FILE).segments).toBeNull();
  });

  it('defaults maxValues to 20, other to "other" and overall to true', () => {
    expect(parseTopology(plus('segments:', '  field: meta.region'), FILE).segments).toEqual({
      field: 'meta.region',
      maxValues: 20,
      otherLabel: 'other',
      overall: true,
    });
  });

  it('reads every field', () => {
    const text = plus('segments: {field: region, maxValues: 10000, other: rest, overall: false}');
    expect(parseTopology(text, FILE).segments).toEqual({
      field: 'region',
      maxValues: 10_000,
      otherLabel: 'rest',
      overall: false,
    });
  });

  it.each([
    [
      'other "*", the label of the whole stream',
      'segments: {field: r, other: "*"}',
      '15:29 segments.other: "*" is the label of the whole stream',
    ],
    [
      'maxValues 0',
      'segments: {field: r, maxValues: 0}',
      '15:33 segments.maxValues: must be greater than 0, got 0',
    ],
    [
      'maxValues 1.5',
      'segments: {field: r, maxValues: 1.5}',
      '15:33 segments.maxValues: must be an integer in 1..10000, got 1.5',
    ],
    [
      'maxValues 10001',
      'segments: {field: r, maxValues: 10001}',
      '15:33 segments.maxValues: must be an integer in 1..10000, got 10001',
    ],
    ['a missing field', 'segments: {maxValues: 3}', '15:11 segments.field: required field is missing'],
    [
      'overall that is not a boolean',
      'segments: {field: r, overall: "yes"}',
      '15:31 segments.overall: must be true or false, got the string "yes"',
    ],
    ['an empty other', 'segments: {field: r, other: ""}', '15:29 segments.other: must not be empty'],
  ])('rejects %s', (_, line, expected) => {
    expect(onlyIssue(plus(line))).toBe(expected);
  });
});

describe('parseTopology: dataQuality', () => {
  it('defaults type mismatches to counted, warning at 1% and critical at 5%', () => {
    const { dataQuality } = parseTopology(yaml(...MINIMAL), FILE);
    expect(dataQuality.onTypeMismatch).toBe('count');
    expect(dataQuality.typeMismatch).toEqual({ warning: 0.01, critical: 0.05 });
    expect(parseTopology(plus('dataQuality: {minRows: 10}'), FILE).dataQuality).toEqual({
      ...DEFAULT_QUALITY,
      minRows: 10,
    });
  });

  it('reads typeMismatch levels and the onTypeMismatch policy', () => {
    const text = plus('dataQuality:', '  typeMismatch: { warning: 0.002 }', '  onTypeMismatch: dead-letter');
    expect(parseTopology(text, FILE).dataQuality).toEqual({
      ...DEFAULT_QUALITY,
      typeMismatch: { warning: 0.002, critical: null },
      onTypeMismatch: 'dead-letter',
    });
  });

  it.each([
    [
      'an unknown policy',
      'dataQuality: {onTypeMismatch: drop}',
      '15:31 dataQuality.onTypeMismatch: must be one of "count", "dead-letter", got "drop"',
    ],
    [
      'a level above 1',
      'dataQuality: {typeMismatch: {critical: 5}}',
      '15:40 dataQuality.typeMismatch.critical: must be a share in [0, 1], got 5',
    ],
    [
      'critical below warning',
      'dataQuality: {typeMismatch: {warning: 0.1, critical: 0.05}}',
      '15:54 dataQuality.typeMismatch.critical: must not be below warning (0.1), got 0.05',
    ],
  ])('rejects %s', (_, line, expected) => {
    expect(onlyIssue(plus(line))).toBe(expected);
  });
});

describe('parseTopology: outputs', () => {
  it('writes window statistics only to a topic that is named', () => {
    expect(parseTopology(yaml(...MINIMAL), FILE).outputs.windowStatisticsTopic).toBeNull();
    expect(parseTopology(plus('outputs: {windowStatistics: stats}'), FILE).outputs).toEqual({
      alertTopic: 'driftwatch.alerts',
      windowStatisticsTopic: 'stats',
      deadLetterTopic: 'driftwatch.dead-letter',
      lateEventsTopic: null,
    });
  });
});

describe('parseTopology: errors', () => {
  it('throws one TOPOLOGY_INVALID listing every problem as file:line:column: path: message', () => {
    const text = yaml(
      'apiVersion: driftwatch/v2',
      'name: Credit',
      'source:',
      '  topic: predictions.credit-risk',
      'window:',
      '  type: tumbling',
      '  size: 0s',
      'features:',
      '  - name: amount',
      '    kind: numeric',
      '    treshold: 0.3',
    );
    const error = caught(() => parseTopology(text, FILE));
    expect(error).toBeInstanceOf(DriftwatchError);
    expect(error.code).toBe(ErrorCodes.TOPOLOGY_INVALID);
    expect(error.message).toBe(
      [
        'Invalid topology file topologies/test.yaml (6 problems):',
        'topologies/test.yaml:1:1: baseline: required field is missing',
        'topologies/test.yaml:1:13: apiVersion: must be "driftwatch/v1", got "driftwatch/v2"',
        'topologies/test.yaml:2:7: name: "Credit" is not a valid monitor name: lowercase letters, digits and dashes, ' +
          'starting with a letter, at most 63 characters (pattern ^[a-z][a-z0-9-]{0,62}$)',
        'topologies/test.yaml:4:3: source.eventTime: required field is missing (or set timeSemantics: processing to use the time events are read)',
        'topologies/test.yaml:7:9: window.size: must be greater than 0, got "0s"',
        'topologies/test.yaml:11:5: features[0].treshold: unknown key "treshold"; did you mean "threshold"?',
      ].join('\n'),
    );
    expect(error.details.file).toBe(FILE);
    expect(error.details.issues).toEqual([
      { file: FILE, line: 1, column: 1, path: 'baseline', message: 'required field is missing' },
      expect.objectContaining({ line: 1, column: 13, path: 'apiVersion' }),
      expect.objectContaining({ line: 2, column: 7, path: 'name' }),
      expect.objectContaining({ line: 4, column: 3, path: 'source.eventTime' }),
      expect.objectContaining({ line: 7, column: 9, path: 'window.size' }),
      expect.objectContaining({ line: 11, column: 5, path: 'features[0].treshold' }),
    ]);
  });

  it('says "1 problem" for a single issue', () => {
    expect(caught(() => parseTopology(edit(1, 1, 'name: 1x'), FILE)).message).toMatch(
      /^Invalid topology file topologies\/test\.yaml \(1 problem\):\ntopologies\/test\.yaml:2:7: name: /,
    );
  });

  describe('YAML syntax', () => {
    it('reports syntax errors with their position and nothing else', () => {
      const text = yaml('apiVersion: driftwatch/v1', 'name: [credit', 'sorce: x');
      expect(issuesOf(text)).toEqual([
        {
          file: FILE,
          line: 3,
          column: 1,
          path: '',
          message: expect.stringMatching(/^YAML syntax error: Flow sequence in block collection/),
        },
      ]);
    });

    it('reports duplicate keys', () => {
      expect(onlyIssue(edit(2, 0, 'name: other'))).toBe('3:1 : YAML syntax error: Map keys must be unique');
    });

    it('reports several documents in one file', () => {
      expect(onlyIssue(`${yaml(...MINIMAL)}---\nname: b\n`)).toMatch(
        /^15:1 : YAML syntax error: Source contains multiple/,
      );
    });

    it('reports tabs used as indentation', () => {
      const [first] = issuesOf(edit(3, 1, '\ttopic: t'));
      expect(first).toMatchObject({
        line: 4,
        column: 1,
        message: 'YAML syntax error: Tabs are not allowed as indentation',
      });
    });

    it('reports an empty file', () => {
      expect(onlyIssue('# nothing here\n')).toBe(
        '1:1 : the file is empty; expected a topology mapping (apiVersion, name, ...)',
      );
    });

    it('reports a file that is not a mapping', () => {
      expect(onlyIssue(yaml('- name: a'))).toBe(
        '1:1 : the top level of the file must be a mapping, got a list',
      );
    });

    it('reports an alias to an unknown anchor', () => {
      expect(onlyIssue(edit(1, 1, 'name: *nope'))).toBe('2:7 name: unknown alias *nope');
    });
  });

  describe('unknown keys', () => {
    it.each([
      ['at the top level', edit(2, 0, 'sorce: x'), '3:1 sorce: unknown key "sorce"; did you mean "source"?'],
      ['in source', edit(4, 0, '  tpoic: x'), '5:3 source.tpoic: unknown key "tpoic"; did you mean "topic"?'],
      [
        'in source, written in snake case',
        edit(4, 0, '  event_time: ts'),
        '5:3 source.event_time: unknown key "event_time"; did you mean "eventTime"?',
      ],
      ['in window', edit(9, 0, '  grce: 1s'), '10:3 window.grce: unknown key "grce"; did you mean "grace"?'],
      [
        'in a feature',
        edit(14, 0, '    threshhold: 0.1'),
        '15:5 features[1].threshhold: unknown key "threshhold"; did you mean "threshold"?',
      ],
      [
        'in outputs',
        yaml(...MINIMAL, 'outputs:', '  deadleter: dlq'),
        '16:3 outputs.deadleter: unknown key "deadleter"; did you mean "deadLetter"?',
      ],
    ])('%s, with a suggestion', (_, text, expected) => {
      expect(onlyIssue(text)).toBe(expected);
    });

    it('lists the accepted keys when no known key is close', () => {
      expect(onlyIssue(yaml(...MINIMAL, 'outputs:', '  metrics: m'))).toBe(
        '16:3 outputs.metrics: unknown key "metrics"; expected one of: alerts, windowStatistics, deadLetter, lateEvents',
      );
    });
  });

  describe('missing required fields point at the parent mapping', () => {
    it.each([
      ['apiVersion', edit(0, 1), '1:1 apiVersion: required field is missing'],
      ['a field of source', edit(3, 1), '4:3 source.topic: required field is missing'],
      [
        'the window type',
        edit(7, 1),
        '8:3 window.type: required field is missing (one of "tumbling", "hopping", "sliding", "session")',
      ],
      ['the window size', edit(8, 1), '8:3 window.size: required field is missing'],
      ['the kind of a feature', edit(13, 1), '13:5 features[1].kind: required field is missing'],
      [
        'the name of a feature',
        edit(10, 2, '  - kind: numeric'),
        '11:5 features[0].name: required field is missing',
      ],
    ])('%s', (_, text, expected) => {
      expect(onlyIssue(text)).toBe(expected);
    });

    it('points at the parent of a whole missing section (the first key of the file, after comments)', () => {
      const text = yaml('# comment', '', ...MINIMAL.slice(0, 2), ...MINIMAL.slice(5));
      expect(onlyIssue(text)).toBe('3:1 source: required field is missing');
    });

    it('points at the key of a required field written without a value', () => {
      expect(onlyIssue(edit(5, 1, 'baseline:'))).toBe('6:1 baseline: required field has no value');
    });
  });

  describe('wrong types', () => {
    it.each([
      ['a number for a string', edit(1, 1, 'name: 42'), '2:7 name: must be a string, got the number 42'],
      [
        'a string for a mapping',
        edit(2, 3, 'source: t'),
        '3:9 source: must be a mapping, got the string "t"',
      ],
      [
        'a mapping for a list',
        edit(9, 5, 'features: {a: 1}'),
        '10:11 features: must be a list, got a mapping',
      ],
      [
        'a list for a scalar',
        edit(11, 1, '    kind: [numeric]'),
        '12:11 features[0].kind: must be a string, got a list',
      ],
      [
        'a quoted number for a threshold',
        edit(12, 0, '    threshold: "0.2"'),
        '13:16 features[0].threshold: must be a number, got the string "0.2"',
      ],
      [
        'a boolean for a duration',
        edit(9, 0, '  grace: true'),
        '10:10 window.grace: must be a duration such as "5s" or a number of milliseconds, got boolean',
      ],
      ['an empty string', edit(5, 1, 'baseline: ""'), '6:11 baseline: must not be empty'],
      [
        'a feature that is not a mapping',
        yaml(...MINIMAL, '  - amount'),
        '15:5 features[2]: must be a mapping, got the string "amount"',
      ],
      ['an empty feature entry', yaml(...MINIMAL, '  -'), '15:4 features[2]: list entry is empty'],
      ['an empty feature list', edit(9, 5, 'features: []'), '10:11 features: must list at least one entry'],
    ])('%s', (_, text, expected) => {
      expect(onlyIssue(text)).toBe(expected);
    });
  });

  describe('values', () => {
    it.each([
      ['apiVersion', edit(0, 1, 'apiVersion: v1'), '1:13 apiVersion: must be "driftwatch/v1", got "v1"'],
      [
        'a monitor name that is too long',
        edit(1, 1, `name: a${'b'.repeat(63)}`),
        /^2:7 name: "ab+" is not a valid monitor name: .*at most 63 characters/,
      ],
      [
        'a topic with a space',
        edit(3, 1, '  topic: a b'),
        /^4:10 source.topic: "a b" is not a valid Kafka topic name/,
      ],
      [
        'a topic named ..',
        edit(3, 1, '  topic: ..'),
        '4:10 source.topic: ".." is not a valid Kafka topic name',
      ],
      [
        'an output topic',
        yaml(...MINIMAL, 'outputs: {alerts: "a/b"}'),
        /^15:19 outputs.alerts: "a\/b" is not a valid Kafka/,
      ],
      [
        'a field path',
        edit(4, 1, '  eventTime: meta..ts'),
        /^5:14 source.eventTime: "meta..ts" is not a dotted field path/,
      ],
      [
        'a feature name',
        edit(10, 1, '  - name: 1st'),
        /^11:11 features\[0\].name: "1st" is not a valid feature name/,
      ],
      [
        'a feature kind, with a suggestion',
        edit(11, 1, '    kind: numerci'),
        '12:11 features[0].kind: must be one of "numeric", "categorical", "boolean", got "numerci"; did you mean "numeric"?',
      ],
      [
        'a test name',
        edit(12, 0, '    test: ttest'),
        '13:11 features[0].test: must be one of "psi", "ks", "wasserstein_norm", "js", "chi2", "share_change", got "ttest"',
      ],
      [
        'a window type, with a suggestion',
        edit(7, 1, '  type: tumbing'),
        '8:9 window.type: must be one of "tumbling", "hopping", "sliding", "session", got "tumbing"; did you mean "tumbling"?',
      ],
    ])('%s', (_, text, expected) => {
      if (typeof expected === 'string') expect(onlyIssue(text)).toBe(expected);
      else expect(onlyIssue(text)).toMatch(expected);
    });

    it('reports duplicate feature names at the later one', () => {
      const text = yaml(...MINIMAL, '  - name: amount', '    kind: categorical');
      expect(onlyIssue(text)).toBe(
        '15:11 features[2].name: duplicate name "amount" (first used at features[0].name, line 11)',
      );
    });

    it.each([
      [
        'js for a numeric feature',
        edit(12, 0, '    test: js'),
        '13:11 features[0].test: test "js" is not allowed for numeric features; use psi or ks or wasserstein_norm',
      ],
      [
        'psi for a categorical feature',
        yaml(...MINIMAL, '    test: psi'),
        '15:11 features[1].test: test "psi" is not allowed for categorical features; use js or chi2 or share_change',
      ],
    ])('rejects %s', (_, text, expected) => {
      expect(onlyIssue(text)).toBe(expected);
    });

    it.each([
      ['0', 'psi', 'must be greater than 0, got 0'],
      ['-0.1', 'psi', 'must be greater than 0, got -0.1'],
      ['.inf', 'psi', 'must be a finite number, got Infinity'],
      ['.nan', 'psi', 'must be a finite number, got NaN'],
      ['1', 'js', 'must be less than 1 for test js, got 1'],
      ['1.5', 'chi2', 'must be less than 1 for test chi2, got 1.5'],
    ])('rejects threshold %s for %s', (threshold, test, message) => {
      const kind = test === 'psi' ? 'numeric' : 'categorical';
      const feature = [
        '  - name: f',
        `    kind: ${kind}`,
        `    test: ${test}`,
        `    threshold: ${threshold}`,
      ];
      expect(onlyIssue(yaml(...MINIMAL, ...feature))).toBe(`18:16 features[2].threshold: ${message}`);
    });

    it('accepts psi thresholds of 1 and above', () => {
      expect(
        parseTopology(edit(12, 0, '    test: psi', '    threshold: 1.5'), FILE).features[0]!.tests,
      ).toEqual([test('psi', fixed(null, 1.5))]);
    });

    it.each([
      ['size', '0s', 'must be greater than 0, got "0s"'],
      ['size', '0', 'must be greater than 0, got "0"'],
      ['size', '1 minute', 'invalid duration "1 minute": expected a number followed by a unit'],
      ['grace', '1x', 'invalid duration "1x": unknown unit "x"; use one of ms, s, m, h, d'],
      ['idleTimeout', '-5s', 'duration "-5s" is negative; durations must be >= 0'],
      ['quietClose', '1.5', 'invalid duration 1.5: a bare number means milliseconds and must be an integer'],
      ['outOfOrderness', '-1', 'duration -1 is negative; durations must be >= 0'],
    ])('rejects window.%s: %s', (key, value, message) => {
      const text = key === 'size' ? edit(8, 1, `  size: ${value}`) : edit(9, 0, `  ${key}: ${value}`);
      const line = key === 'size' ? 9 : 10;
      const expected = `${line}:${key.length + 5} window.${key}: ${message}`;
      expect(onlyIssue(text).slice(0, expected.length)).toBe(expected);
    });
  });
});

describe('loadTopologyFile', () => {
  it('loads a file and resolves the baseline relative to its directory', async () => {
    const file = `${FIXTURES}/credit-risk.yaml`;
    const topology = await loadTopologyFile(file);
    expect(topology.file).toBe(path.resolve(file));
    expect(topology.baseline.path).toBe(path.resolve(FIXTURES, 'baselines/credit-risk.baseline.json'));
    expect(topology.baseline).toEqual({
      path: topology.baseline.path,
      topic: null,
      name: 'credit-risk',
      previousPeriod: false,
    });
    expect(topology.window).toEqual({
      type: 'tumbling',
      sizeMs: 60_000,
      graceMs: 2_000,
      outOfOrdernessMs: 5_000,
      idleTimeoutMs: 30_000,
      quietCloseMs: 10_000,
      late: LATE_DROP,
    });
    expect(topology.features.map((feature) => [feature.name, feature.tests])).toEqual([
      ['amount', [test('psi', fixed(null, 0.25))]],
      ['country', [test('chi2', fixed(null, 0.05))]],
    ]);
    expect(topology.source.modelNameField).toBe('model.name');
    expect(topology.outputs).toEqual({
      alertTopic: 'credit-risk.alerts',
      deadLetterTopic: 'credit-risk.dead-letter',
      ...NO_OUTPUTS,
    });
  });

  const shipped = readdirSync('topologies').filter((name) => name.endsWith('.yaml'));
  it.skipIf(shipped.length === 0).each(shipped)('loads the shipped topologies/%s', async (name) => {
    const topology = await loadTopologyFile(`topologies/${name}`);
    expect(topology.baseline.path.startsWith(path.resolve('topologies'))).toBe(true);
  });

  it('loads the demo topology in the short form: each threshold is a critical level with no warning level', async () => {
    const topology = await loadTopologyFile('topologies/credit-risk.yaml');
    expect(topology.features.map((feature) => [feature.name, feature.kind, feature.tests])).toEqual([
      ['amount', 'numeric', [test('psi', fixed(null, 0.2))]],
      ['age', 'numeric', [test('ks', fixed(null, 0.001))]],
      ['income', 'numeric', [test('wasserstein_norm', fixed(null, 0.1))]],
      ['channel', 'categorical', [test('js', fixed(null, 0.1))]],
      ['country', 'categorical', [test('chi2', fixed(null, 0.001))]],
    ]);
    expect(topology.window).toMatchObject({ type: 'tumbling', sizeMs: 60_000, late: LATE_DROP });
    expect(topology.source).toMatchObject({ timeSemantics: 'event', eventTimeField: 'event_time' });
    expect(topology.correction).toBe('none');
    expect(topology.segments).toBeNull();
    expect(topology.baseline.path).toBe(path.resolve('topologies/baselines/credit-risk.baseline.json'));
  });

  it('reports the problems of an invalid file with the path as given', async () => {
    const file = `${FIXTURES}/invalid.yaml`;
    const error = await loadTopologyFile(file).then(
      () => {
        throw new Error('expected a TOPOLOGY_INVALID error');
      },
      (thrown: unknown) => thrown,
    );
    expect(isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)).toBe(true);
    expect((error as DriftwatchError).message.split('\n')).toEqual([
      `Invalid topology file ${file} (4 problems):`,
      `${file}:5:3: source.tpoic: unknown key "tpoic"; did you mean "topic"?`,
      `${file}:5:3: source.topic: required field is missing`,
      `${file}:10:9: window.size: invalid duration "1 minute": expected a number followed by a unit ` +
        '(e.g. "250ms", "5s", "1m", "2h", "1d", or a bare integer of milliseconds)',
      `${file}:14:16: features[0].threshold: must be greater than 0, got 0`,
    ]);
  });

  it('reports a missing file as TOPOLOGY_INVALID naming the file', async () => {
    const file = `${FIXTURES}/does-not-exist.yaml`;
    const error = await loadTopologyFile(file).catch((thrown: unknown) => thrown);
    expect(isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)).toBe(true);
    const { message, details } = error as DriftwatchError;
    expect(message).toBe(`Invalid topology file ${file} (1 problem):\n${file}: file not found`);
    expect(details.issues).toEqual([{ file, line: 0, column: 0, path: '', message: 'file not found' }]);
    expect((error as DriftwatchError).cause).toMatchObject({ code: 'ENOENT' });
  });

  it('reports a directory as TOPOLOGY_INVALID', async () => {
    const error = await loadTopologyFile(FIXTURES).catch((thrown: unknown) => thrown);
    expect(isDriftwatchError(error, ErrorCodes.TOPOLOGY_INVALID)).toBe(true);
    expect((error as DriftwatchError).message).toContain(`${FIXTURES}: is a directory, not a file`);
  });
});
