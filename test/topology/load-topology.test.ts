import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DriftwatchError, ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { loadTopologyFile, parseTopology } from '../../src/topology/load-topology.ts';
import type { Topology, TopologyIssue } from '../../src/topology/topology-types.ts';

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

describe('parseTopology: valid files', () => {
  it('reads a full file', () => {
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
    const expected: Topology = {
      name: 'credit-risk',
      file: path.resolve(FILE),
      source: {
        topic: 'predictions.credit-risk',
        subject: 'credit-risk-subject',
        eventTimeField: 'meta.event_time',
        modelNameField: 'meta.model',
        modelVersionField: 'meta.version',
      },
      baselinePath: path.resolve('baselines/credit-risk.baseline.json'),
      window: {
        type: 'tumbling',
        sizeMs: 60_000,
        graceMs: 2_000,
        outOfOrdernessMs: 5_000,
        idleTimeoutMs: 90_000,
        quietCloseMs: 10_000,
      },
      features: [
        { name: 'amount', field: 'features.amount', kind: 'numeric', test: 'psi', threshold: 0.25 },
        { name: 'country', field: 'features.country', kind: 'categorical', test: 'chi2', threshold: 0.05 },
        { name: 'channel', field: 'channel', kind: 'categorical', test: 'js', threshold: 0.3 },
      ],
      outputs: { alertTopic: 'credit.alerts', deadLetterTopic: 'credit.dlq' },
    };
    expect(parseTopology(text, FILE)).toEqual(expected);
  });

  it('applies every default to a minimal file and resolves the baseline against the file directory', () => {
    const topology = parseTopology(yaml(...MINIMAL), FILE);
    expect(topology).toEqual({
      name: 'credit-risk',
      file: path.resolve(FILE),
      source: {
        topic: 'predictions.credit-risk',
        subject: 'predictions.credit-risk-value',
        eventTimeField: 'event_time',
        modelNameField: 'model_name',
        modelVersionField: 'model_version',
      },
      baselinePath: path.resolve('topologies/baselines/credit-risk.baseline.json'),
      window: {
        type: 'tumbling',
        sizeMs: 60_000,
        graceMs: 0,
        outOfOrdernessMs: 0,
        idleTimeoutMs: 30_000,
        quietCloseMs: 0,
      },
      features: [
        { name: 'amount', field: 'amount', kind: 'numeric', test: 'psi', threshold: 0.2 },
        { name: 'country', field: 'country', kind: 'categorical', test: 'js', threshold: 0.1 },
      ],
      outputs: { alertTopic: 'driftwatch.alerts', deadLetterTopic: 'driftwatch.dead-letter' },
    } satisfies Topology);
  });

  it('keeps an absolute baseline path and an absolute file path as they are', () => {
    const file = path.resolve('/srv/topologies/a.yaml');
    const baseline = path.resolve('/data/b.baseline.json');
    const topology = parseTopology(edit(5, 1, `baseline: ${baseline}`), file);
    expect(topology.file).toBe(file);
    expect(topology.baselinePath).toBe(baseline);
  });

  it('treats a key without a value as absent for optional fields', () => {
    const topology = parseTopology(edit(9, 0, '  grace:', '  quietClose: 0'), FILE);
    expect(topology.window.graceMs).toBe(0);
  });

  it('uses the chi2 default threshold (a p-value) when only the test is given', () => {
    const topology = parseTopology(edit(14, 0, '    test: chi2'), FILE);
    expect(topology.features[1]).toMatchObject({ test: 'chi2', threshold: 0.01 });
  });

  it('accepts flow style, comments, anchors and aliases', () => {
    const text = yaml(
      '# a monitor',
      'apiVersion: driftwatch/v1',
      'name: m',
      'source: {topic: &topic t1, eventTime: ts}',
      'baseline: b.json',
      'window: {type: tumbling, size: 60000}',
      'features: [{name: a, kind: numeric, threshold: 0.5}]',
      'outputs: {alerts: *topic}',
    );
    const topology = parseTopology(text, FILE);
    expect(topology.outputs.alertTopic).toBe('t1');
    expect(topology.window.sizeMs).toBe(60_000);
    expect(topology.features).toEqual([
      { name: 'a', field: 'a', kind: 'numeric', test: 'psi', threshold: 0.5 },
    ]);
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
        'topologies/test.yaml:4:3: source.eventTime: required field is missing',
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
        '16:3 outputs.metrics: unknown key "metrics"; expected one of: alerts, deadLetter',
      );
    });
  });

  describe('missing required fields point at the parent mapping', () => {
    it.each([
      ['apiVersion', edit(0, 1), '1:1 apiVersion: required field is missing'],
      ['a field of source', edit(3, 1), '4:3 source.topic: required field is missing'],
      ['the window type', edit(7, 1), '8:3 window.type: required field is missing (one of "tumbling")'],
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
        '12:11 features[0].kind: must be one of "numeric", "categorical", got "numerci"; did you mean "numeric"?',
      ],
      [
        'a test name',
        edit(12, 0, '    test: ttest'),
        '13:11 features[0].test: must be one of "psi", "ks", "wasserstein_norm", "js", "chi2", got "ttest"',
      ],
      [
        'a window type, with a suggestion',
        edit(7, 1, '  type: tumbing'),
        '8:9 window.type: must be one of "tumbling", got "tumbing"; did you mean "tumbling"?',
      ],
    ])('%s', (_, text, expected) => {
      if (typeof expected === 'string') expect(onlyIssue(text)).toBe(expected);
      else expect(onlyIssue(text)).toMatch(expected);
    });

    it.each(['hopping', 'sliding', 'session'])('rejects %s windows as not supported yet', (type) => {
      expect(onlyIssue(edit(7, 1, `  type: ${type}`, '  advance: 10s'))).toBe(
        `8:9 window.type: window type "${type}" is not supported yet; supported: "tumbling"`,
      );
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
        '15:11 features[1].test: test "psi" is not allowed for categorical features; use js or chi2',
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
      expect(parseTopology(edit(12, 0, '    threshold: 1.5'), FILE).features[0]!.threshold).toBe(1.5);
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
    expect(topology.baselinePath).toBe(path.resolve(FIXTURES, 'baselines/credit-risk.baseline.json'));
    expect(topology.window).toEqual({
      type: 'tumbling',
      sizeMs: 60_000,
      graceMs: 2_000,
      outOfOrdernessMs: 5_000,
      idleTimeoutMs: 30_000,
      quietCloseMs: 10_000,
    });
    expect(topology.features.map((feature) => [feature.name, feature.test, feature.threshold])).toEqual([
      ['amount', 'psi', 0.25],
      ['country', 'chi2', 0.05],
    ]);
    expect(topology.source.modelNameField).toBe('model.name');
    expect(topology.outputs).toEqual({
      alertTopic: 'credit-risk.alerts',
      deadLetterTopic: 'credit-risk.dead-letter',
    });
  });

  const shipped = readdirSync('topologies').filter((name) => name.endsWith('.yaml'));
  it.skipIf(shipped.length === 0).each(shipped)('loads the shipped topologies/%s', async (name) => {
    const topology = await loadTopologyFile(`topologies/${name}`);
    expect(topology.baselinePath.startsWith(path.resolve('topologies'))).toBe(true);
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
