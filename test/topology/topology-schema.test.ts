import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../src/alerts/subscriber.ts';
import { PERFORMANCE_METRIC_DIRECTIONS } from '../../src/core/performance/performance-drop.ts';
import { DETECTOR_NAMES, EMBEDDING_TESTS, MODEL_TASKS } from '../../src/topology/load-model-section.ts';
import {
  CORRECTIONS,
  DRIFT_TESTS,
  FEATURE_KINDS,
  parseTopology,
  TOPOLOGY_API_VERSION,
  TOPOLOGY_KEYS,
} from '../../src/topology/load-topology.ts';
import { parseDuration } from '../../src/topology/parse-duration.ts';
import type { FeatureKind, Topology } from '../../src/topology/topology-types.ts';

/** The editor schema and the loader describe the same format; these tests keep them from drifting apart. */

interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly dependentRequired?: Readonly<Record<string, readonly string[]>>;
  readonly additionalProperties?: boolean;
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
  readonly if?: SchemaNode;
  readonly then?: SchemaNode;
  readonly else?: SchemaNode;
  readonly not?: SchemaNode;
}

interface Schema extends SchemaNode {
  readonly $schema: string;
  readonly $defs: Readonly<Record<string, SchemaNode>>;
}

const schema = JSON.parse(readFileSync('topologies/topology.schema.json', 'utf8')) as Schema;

/** Follows a local `#/$defs/...` reference. */
function deref(node: SchemaNode | undefined): SchemaNode {
  if (!node) throw new Error('missing schema node');
  if (!node.$ref) return node;
  const name = node.$ref.replace(/^#\/\$defs\//, '');
  const target = schema.$defs[name];
  if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
  return deref(target);
}

/** The mapping form of a value that may be written as a scalar or as a mapping (an `anyOf` of the two). */
function mappingOf(node: SchemaNode): SchemaNode {
  const forms = (node.anyOf ?? []).map(deref).filter((form) => form.type === 'object');
  if (forms.length !== 1) throw new Error('expected exactly one mapping form');
  return forms[0]!;
}

/** The scalar form of such a value: its enum. */
function scalarEnumOf(node: SchemaNode): readonly unknown[] | undefined {
  return (node.anyOf ?? []).map(deref).find((form) => form.enum !== undefined)?.enum;
}

const root = schema;
/** A property's own node: where `description` and `default` sit next to a `$ref`. */
const own = (node: SchemaNode, key: string): SchemaNode | undefined => node.properties?.[key];
/** A property's node with references followed. */
const property = (node: SchemaNode, key: string): SchemaNode => deref(own(node, key));
const windowVariants = (property(root, 'window').oneOf ?? []).map(deref);
const windowOf = (type: string): SchemaNode => {
  const variant = windowVariants.find((w) => own(w, 'type')?.const === type);
  if (!variant) throw new Error(`no window variant of type ${type}`);
  return variant;
};
const feature = deref(property(root, 'features').items);
const testMapping = mappingOf(deref(property(feature, 'tests').items));
const sections = {
  topology: root,
  source: property(root, 'source'),
  baseline: mappingOf(property(root, 'baseline')),
  tumbling: windowOf('tumbling'),
  hopping: windowOf('hopping'),
  sliding: windowOf('sliding'),
  session: windowOf('session'),
  late: mappingOf(property(windowOf('tumbling'), 'late')),
  defaults: property(root, 'defaults'),
  feature,
  test: testMapping,
  thresholds: property(root, 'thresholds'),
  segments: property(root, 'segments'),
  dataQuality: property(root, 'dataQuality'),
  qualityLevels: property(property(root, 'dataQuality'), 'nullRate'),
  outputs: property(root, 'outputs'),
};

const model = property(root, 'model');
const skew = property(model, 'skew');
const embedding = deref(property(model, 'embeddings').items);
const modelSections = {
  model,
  labels: property(model, 'labels'),
  performance: property(model, 'performance'),
  reference: property(property(model, 'performance'), 'reference'),
  conceptDrift: mappingOf(deref(property(model, 'conceptDrift').items)),
  skew,
  skewFeature: mappingOf(deref(property(skew, 'features').items)),
  tolerance: property(skew, 'tolerance'),
  shadow: property(model, 'shadow'),
  metricDrop: property(property(model, 'shadow'), 'metricDrop'),
  latency: mappingOf(property(model, 'latency')),
  errors: mappingOf(property(model, 'errors')),
  embedding,
  embeddingThreshold: mappingOf(property(embedding, 'threshold')),
  newVersions: property(model, 'newVersions'),
  outputs: property(model, 'outputs'),
};
/** Every level pair of the model section: shares, falling shares and percentage points. */
const levelPairs = {
  'skew.mismatchRate': property(skew, 'mismatchRate'),
  'shadow.agreement': property(modelSections.shadow, 'agreement'),
  'shadow.scoreDistance': property(modelSections.shadow, 'scoreDistance'),
  'errors.rate': property(modelSections.errors, 'rate'),
  'errors.spread': property(modelSections.errors, 'spread'),
};

/** A condition of the limited form the schema uses in `if`: `properties` with `const` / `enum` / `not`, and `required`. */
function matches(condition: SchemaNode, value: Record<string, unknown>): boolean {
  if (condition.required?.some((key) => !(key in value))) return false;
  for (const [key, rule] of Object.entries(condition.properties ?? {})) {
    if (!(key in value)) continue;
    if (!satisfies(rule, value[key])) return false;
  }
  if (condition.not && matches(condition.not, value)) return false;
  return true;
}

function satisfies(rule: SchemaNode, x: unknown): boolean {
  if ('const' in rule && rule.const !== x) return false;
  if (rule.enum && !rule.enum.includes(x)) return false;
  if (rule.not && satisfies(rule.not, x)) return false;
  return true;
}

/**
 * Whether `value` breaks one of the schema's presence rules for this mapping: `required`, `dependentRequired`, and
 * the `required` of whichever branch of an `if` applies (also inside `allOf`).
 */
function lacksRequired(node: SchemaNode, value: Record<string, unknown>): boolean {
  if (node.required?.some((key) => !(key in value))) return true;
  for (const [key, needs] of Object.entries(node.dependentRequired ?? {})) {
    if (key in value && needs.some((need) => !(need in value))) return true;
  }
  if (node.if) {
    const branch = matches(node.if, value) ? node.then : node.else;
    if (branch && lacksRequired(branch, value)) return true;
  }
  return (node.allOf ?? []).some((part) => lacksRequired(part, value));
}

function throws(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch {
    return true;
  }
}

const text = (value: unknown): string => JSON.stringify(value); // JSON is YAML

describe('topologies/topology.schema.json', () => {
  it('is a draft 2020-12 JSON schema', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
  });

  it('finds every section of the format in the schema', () => {
    expect(windowVariants.map((w) => own(w, 'type')?.const)).toEqual(Object.keys(TOPOLOGY_KEYS.window));
  });

  it.each([
    ['topology', TOPOLOGY_KEYS.topology],
    ['source', TOPOLOGY_KEYS.source],
    ['baseline', TOPOLOGY_KEYS.baseline],
    ['tumbling', TOPOLOGY_KEYS.window.tumbling],
    ['hopping', TOPOLOGY_KEYS.window.hopping],
    ['sliding', TOPOLOGY_KEYS.window.sliding],
    ['session', TOPOLOGY_KEYS.window.session],
    ['late', TOPOLOGY_KEYS.late],
    ['defaults', TOPOLOGY_KEYS.defaults],
    ['feature', TOPOLOGY_KEYS.feature],
    ['test', TOPOLOGY_KEYS.test],
    ['thresholds', TOPOLOGY_KEYS.thresholds],
    ['segments', TOPOLOGY_KEYS.segments],
    ['dataQuality', TOPOLOGY_KEYS.dataQuality],
    ['qualityLevels', TOPOLOGY_KEYS.qualityLevels],
    ['outputs', TOPOLOGY_KEYS.outputs],
  ] as const)('describes the %s keys the loader accepts, and no others', (name, keys) => {
    expectSameKeys(sections[name], keys);
  });

  it.each(
    Object.entries(modelSections).map(([name, section]) => [
      name,
      section,
      TOPOLOGY_KEYS.model[name as keyof typeof TOPOLOGY_KEYS.model],
    ]),
  )('describes the model %s keys the loader accepts, and no others', (_name, section, keys) => {
    expectSameKeys(section, keys);
  });

  it.each([
    ['alerting', property(root, 'alerting'), TOPOLOGY_KEYS.alerting.alerting],
    ['retrain', property(property(root, 'alerting'), 'retrain'), TOPOLOGY_KEYS.alerting.retrain],
  ] as const)('describes the %s keys the loader accepts, and no others', (_name, section, keys) => {
    expectSameKeys(section, keys);
  });

  it.each(Object.entries(levelPairs))('describes %s with the level-pair keys', (_name, section) => {
    expectSameKeys(section, TOPOLOGY_KEYS.model.levelPair);
  });

  it('describes the webhook sink keys the loader accepts, its event kinds and its defaults', () => {
    const webhook = deref(property(root, 'sinks').items);
    expectSameKeys(webhook, TOPOLOGY_KEYS.sinks.webhook);
    expect(property(webhook, 'type').const).toBe('webhook');
    expect(property(webhook, 'events').items?.enum).toEqual([...EVENT_KINDS]);
    const sinks = parseTopology(
      text({
        apiVersion: TOPOLOGY_API_VERSION,
        name: 'm',
        source: { topic: 't', eventTime: 'ts' },
        baseline: 'b.json',
        window: { type: 'tumbling', size: '1m' },
        features: [{ name: 'f', kind: 'numeric' }],
        sinks: [{ type: 'webhook', url: 'https://example.com/hook', secretEnv: 'HOOK_SECRET' }],
      }),
      'm.yaml',
    ).sinks;
    expect(sinks[0]!.events).toEqual(own(webhook, 'events')?.default);
    expect(sinks[0]!.maxRetries).toBe(own(webhook, 'maxRetries')?.default);
    expect(sinks[0]!.timeoutMs).toBe(parseDuration(own(webhook, 'timeout')?.default as string));
  });

  function expectSameKeys(section: SchemaNode, keys: readonly string[]): void {
    expect(section.additionalProperties).toBe(false);
    expect(Object.keys(section.properties ?? {}).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(own(section, key)?.description ?? property(section, key).description, key).toBeTruthy();
    }
  }

  it('describes the only key of each kind of defaults, tests', () => {
    for (const kind of TOPOLOGY_KEYS.defaults) {
      const defaults = property(sections.defaults, kind);
      expect(defaults.additionalProperties).toBe(false);
      expect(Object.keys(defaults.properties ?? {})).toEqual(['tests']);
      expect(own(defaults, 'tests')?.description).toBeTruthy();
    }
  });

  it('lists the enums the loader accepts', () => {
    expect(property(root, 'apiVersion').const).toBe(TOPOLOGY_API_VERSION);
    expect(property(property(root, 'window'), 'type').enum).toEqual(Object.keys(TOPOLOGY_KEYS.window));
    expect(property(sections.source, 'timeSemantics').enum).toEqual(['event', 'processing']);
    expect(property(sections.feature, 'kind').enum).toEqual(Object.keys(FEATURE_KINDS));
    expect(property(sections.feature, 'test').enum).toEqual(Object.keys(DRIFT_TESTS));
    expect(property(sections.test, 'test').enum).toEqual(Object.keys(DRIFT_TESTS));
    expect(scalarEnumOf(deref(property(sections.feature, 'tests').items))).toEqual(Object.keys(DRIFT_TESTS));
    expect(property(sections.test, 'calibrate').enum).toEqual(['std', 'quantile']);
    expect(property(sections.thresholds, 'correction').enum).toEqual(CORRECTIONS);
    const policies = ['drop', 'side-topic', 'update'];
    expect(property(sections.late, 'policy').enum).toEqual(policies);
    for (const type of ['tumbling', 'hopping', 'sliding'] as const) {
      expect(scalarEnumOf(property(sections[type], 'late'))).toEqual(policies);
    }
    // Session windows do not offer update.
    const sessionLate = property(sections.session, 'late');
    expect(scalarEnumOf(sessionLate)).toEqual(['drop', 'side-topic']);
    expect(property(mappingOf(sessionLate), 'policy').enum).toEqual(['drop', 'side-topic']);
  });

  it('lists the tests each kind allows, for test, tests and defaults', () => {
    for (const kind of Object.keys(FEATURE_KINDS) as FeatureKind[]) {
      const { tests } = FEATURE_KINDS[kind];
      const rule = sections.feature.allOf?.find((part) => part.if?.properties?.kind?.const === kind);
      expect(rule, kind).toBeDefined();
      expect(rule!.then!.properties!.test!.enum, kind).toEqual(tests);
      const entry = deref(rule!.then!.properties!.tests!.items);
      expect(scalarEnumOf(entry), kind).toEqual(tests);
      expect(entry.anyOf!.find((form) => form.$ref)!.properties!.test!.enum, kind).toEqual(tests);

      const defaultEntry = deref(property(property(sections.defaults, kind), 'tests').items);
      expect(defaultEntry, kind).toEqual(entry);
    }
  });

  it('marks as required the fields whose absence the loader reports', () => {
    const minimal = {
      apiVersion: TOPOLOGY_API_VERSION,
      name: 'm',
      source: { topic: 't', eventTime: 'ts' },
      baseline: 'b.json',
      window: { type: 'tumbling', size: '1m' },
      features: [{ name: 'f', kind: 'numeric' }],
    };
    expect(() => parseTopology(text(minimal), 'm.yaml')).not.toThrow();
    const window = (w: Record<string, unknown>) => ({ ...minimal, window: w });

    const cases: [
      string,
      SchemaNode,
      Record<string, unknown>,
      (without: Record<string, unknown>) => unknown,
    ][] = [
      ['topology', root, minimal, (without) => without],
      ['source', sections.source, minimal.source, (without) => ({ ...minimal, source: without })],
      [
        'source in processing time',
        sections.source,
        { topic: 't', timeSemantics: 'processing' },
        (without) => ({ ...minimal, source: without }),
      ],
      [
        'baseline',
        sections.baseline,
        { file: 'b.json', topic: 'baselines', name: 'b', previousPeriod: true },
        (without) => ({ ...minimal, baseline: without }),
      ],
      ['tumbling', sections.tumbling, minimal.window, window],
      ['hopping', sections.hopping, { type: 'hopping', size: '1m', advance: '10s' }, window],
      ['sliding', sections.sliding, { type: 'sliding', size: '1m', slide: '10s' }, window],
      ['session', sections.session, { type: 'session', gap: '1m', maxSize: '1h' }, window],
      [
        'late',
        sections.late,
        { policy: 'update', retention: '1h' },
        (without) => window({ ...minimal.window, late: without }),
      ],
      [
        'defaults',
        property(sections.defaults, 'numeric'),
        { tests: ['psi'] },
        (without) => ({ ...minimal, defaults: { numeric: without } }),
      ],
      ['feature', sections.feature, minimal.features[0]!, (without) => ({ ...minimal, features: [without] })],
      [
        'feature with test and threshold',
        sections.feature,
        { name: 'f', kind: 'numeric', test: 'psi', threshold: 0.3 },
        (without) => ({ ...minimal, features: [without] }),
      ],
      [
        'test',
        sections.test,
        { test: 'psi', warning: 1, critical: 2, calibrate: 'std' },
        (without) => ({ ...minimal, features: [{ name: 'f', kind: 'numeric', tests: [without] }] }),
      ],
      [
        'thresholds',
        sections.thresholds,
        { correction: 'holm' },
        (without) => ({ ...minimal, thresholds: without }),
      ],
      [
        'segments',
        sections.segments,
        { field: 'r', maxValues: 3, other: 'rest', overall: false },
        (without) => ({ ...minimal, segments: without }),
      ],
      [
        'outputs',
        sections.outputs,
        { alerts: 'a', windowStatistics: 'w', deadLetter: 'd', lateEvents: 'l' },
        (without) => ({ ...minimal, outputs: without }),
      ],
    ];
    for (const [name, section, values, place] of cases) {
      expect(
        throws(() => parseTopology(text(place(values)), 'm.yaml')),
        `${name} as given`,
      ).toBe(false);
      for (const key of Object.keys(values)) {
        const { [key]: _, ...without } = values;
        const rejectedBySchema = lacksRequired(section, without);
        const rejectedByLoader = throws(() => parseTopology(text(place(without)), 'm.yaml'));
        expect({ section: name, key, rejected: rejectedBySchema }).toEqual({
          section: name,
          key,
          rejected: rejectedByLoader,
        });
      }
    }
  });

  it('documents the same defaults the loader applies', () => {
    const minimal = [
      'apiVersion: driftwatch/v1',
      'name: m',
      'source: {topic: t, eventTime: ts}',
      'baseline: b.json',
      'window: {type: tumbling, size: 1m}',
      'features: [{name: f, kind: numeric}, {name: c, kind: categorical}, {name: b, kind: boolean}]',
    ];
    const parse = (...lines: string[]): Topology =>
      parseTopology([...minimal, ...lines].join('\n'), 'm.yaml');
    const topology = parse();
    const defaultOf = (section: SchemaNode, key: string): unknown => own(section, key)?.default;
    const durationDefault = (section: SchemaNode, key: string): number =>
      parseDuration(defaultOf(section, key) as string);

    expect(topology.source.timeSemantics).toBe(defaultOf(sections.source, 'timeSemantics'));
    expect(topology.source.modelNameField).toBe(defaultOf(sections.source, 'modelName'));
    expect(topology.source.modelVersionField).toBe(defaultOf(sections.source, 'modelVersion'));

    // Every window type has the same timing defaults, and drop as its late policy.
    const windows: Record<string, string> = {
      tumbling: '{type: tumbling, size: 1m}',
      hopping: '{type: hopping, size: 1m, advance: 10s}',
      sliding: '{type: sliding, size: 1m, slide: 10s}',
      session: '{type: session, gap: 1m}',
    };
    for (const [type, window] of Object.entries(windows)) {
      const section = sections[type as 'tumbling' | 'hopping' | 'sliding' | 'session'];
      const parsed = parseTopology(
        [...minimal.slice(0, 4), `window: ${window}`, ...minimal.slice(5)].join('\n'),
        'm.yaml',
      ).window;
      expect(parsed.graceMs, type).toBe(durationDefault(section, 'grace'));
      expect(parsed.outOfOrdernessMs, type).toBe(durationDefault(section, 'outOfOrderness'));
      expect(parsed.idleTimeoutMs, type).toBe(durationDefault(section, 'idleTimeout'));
      expect(parsed.quietCloseMs, type).toBe(durationDefault(section, 'quietClose'));
      expect(parsed.late.policy, type).toBe(defaultOf(section, 'late'));
      if (parsed.type === 'session') expect(parsed.maxSizeMs).toBe(durationDefault(section, 'maxSize'));
    }

    const baseline = parse().baseline;
    expect(
      parseTopology(
        [...minimal.slice(0, 3), 'baseline: {file: b.json}', ...minimal.slice(4)].join('\n'),
        'm.yaml',
      ).baseline,
    ).toEqual(baseline);
    expect(baseline.previousPeriod).toBe(defaultOf(sections.baseline, 'previousPeriod'));

    // A feature without tests gets its kind's default tests, at their default levels.
    for (const f of topology.features) {
      const rule = sections.feature.allOf?.find((part) => part.if?.properties?.kind?.const === f.kind);
      expect(
        f.tests.map((t) => t.test),
        f.kind,
      ).toEqual(rule!.then!.properties!.tests!.default);
    }

    expect(topology.correction).toBe(defaultOf(sections.thresholds, 'correction'));
    const segments = parse('segments: {field: r}').segments!;
    expect(segments.maxValues).toBe(defaultOf(sections.segments, 'maxValues'));
    expect(segments.otherLabel).toBe(defaultOf(sections.segments, 'other'));
    expect(segments.overall).toBe(defaultOf(sections.segments, 'overall'));

    expect(topology.outputs.alertTopic).toBe(defaultOf(sections.outputs, 'alerts'));
    expect(topology.outputs.deadLetterTopic).toBe(defaultOf(sections.outputs, 'deadLetter'));
    expect(topology.outputs.windowStatisticsTopic).toBeNull();
    expect(defaultOf(sections.outputs, 'windowStatistics')).toBeUndefined();
    // The late-events topic is only used under the side-topic policy.
    const sideTopic = parseTopology(
      [
        ...minimal.slice(0, 4),
        'window: {type: tumbling, size: 1m, late: side-topic}',
        ...minimal.slice(5),
      ].join('\n'),
      'm.yaml',
    );
    expect(sideTopic.outputs.lateEventsTopic).toBe(defaultOf(sections.outputs, 'lateEvents'));
  });

  describe('the model section', () => {
    const minimal = {
      apiVersion: TOPOLOGY_API_VERSION,
      name: 'm',
      source: { topic: 't', eventTime: 'ts', key: 'k' },
      baseline: 'b.json',
      window: { type: 'tumbling', size: '1m' },
      features: [{ name: 'f', kind: 'numeric' }],
    };
    const withModel = (m: Record<string, unknown>) => ({ ...minimal, model: m });
    const classifier = { task: 'binary', predictionId: 'id', class: 'c' };
    const labels = { topic: 'l', label: 'y', labelTime: 'lt' };

    it('lists the enums the loader accepts', () => {
      expect(property(model, 'task').enum).toEqual(MODEL_TASKS);
      expect(deref(property(modelSections.performance, 'metrics').items).enum).toEqual(
        Object.keys(PERFORMANCE_METRIC_DIRECTIONS),
      );
      expect(property(modelSections.conceptDrift, 'detector').enum).toEqual(DETECTOR_NAMES);
      expect(scalarEnumOf(deref(property(model, 'conceptDrift').items))).toEqual(DETECTOR_NAMES);
      expect(property(embedding, 'test').enum).toEqual(Object.keys(EMBEDDING_TESTS));
      expect(property(modelSections.embeddingThreshold, 'calibrate').enum).toEqual(['std', 'quantile']);
      expect(property(modelSections.skewFeature, 'kind').enum).toEqual(['numeric', 'categorical']);
      expect(property(modelSections.shadow, 'rollbackOn').enum).toEqual(['warning', 'critical']);
    });

    it('marks as required the fields whose absence the loader reports', () => {
      const cases: [string, SchemaNode, Record<string, unknown>, (w: Record<string, unknown>) => unknown][] =
        [
          ['model (binary)', model, { ...classifier, score: 's', positiveClass: 'y' }, withModel],
          ['model (multiclass)', model, { task: 'multiclass', predictionId: 'id', class: 'c' }, withModel],
          ['model (regression)', model, { task: 'regression', predictionId: 'id', score: 's' }, withModel],
          [
            'model with labels, performance, concept drift, role and shadow',
            model,
            {
              ...classifier,
              positiveClass: 'y',
              role: 'r',
              labels,
              performance: { minRows: 5 },
              conceptDrift: ['adwin'],
              shadow: { minPairs: 5 },
            },
            withModel,
          ],
          [
            'labels',
            modelSections.labels,
            { ...labels, subject: 's', predictionId: 'p', lookback: '1d', clockSkew: '1s', maxPending: 5 },
            (w) => withModel({ ...classifier, task: 'multiclass', labels: w }),
          ],
          [
            'skew',
            skew,
            { topic: 'o', key: 'k', offlineKey: 'ok', offlineTime: 'ot', features: ['f'], bucket: '1s' },
            (w) => withModel({ ...classifier, skew: w }),
          ],
          [
            'skew feature',
            modelSections.skewFeature,
            { name: 'g', online: 'a.g', offline: 'g', kind: 'numeric' },
            (w) =>
              withModel({
                ...classifier,
                skew: { topic: 'o', offlineKey: 'k', offlineTime: 't', features: [w] },
              }),
          ],
          [
            'latency',
            modelSections.latency,
            { field: 'l', quantile: 0.9, warning: 10, critical: 200 },
            (w) => withModel({ ...classifier, latency: w }),
          ],
          [
            'errors',
            modelSections.errors,
            { field: 'e', segment: 's', minRows: 5 },
            (w) => withModel({ ...classifier, errors: w }),
          ],
          [
            'embedding',
            embedding,
            { name: 'e', field: 'v', dimension: 4, test: 'projection_ks', projections: 3 },
            (w) => withModel({ ...classifier, embeddings: [w] }),
          ],
          [
            'newVersions',
            modelSections.newVersions,
            { windows: 2, baselines: { v2: 'v2.json' } },
            (w) => withModel({ ...classifier, newVersions: w }),
          ],
        ];
      for (const [name, section, values, place] of cases) {
        expect(
          throws(() => parseTopology(text(place(values)), 'm.yaml')),
          `${name} as given`,
        ).toBe(false);
        for (const key of Object.keys(values)) {
          const { [key]: _, ...without } = values;
          const rejectedBySchema = lacksRequired(section, without);
          const rejectedByLoader = throws(() => parseTopology(text(place(without)), 'm.yaml'));
          expect({ section: name, key, rejected: rejectedBySchema }).toEqual({
            section: name,
            key,
            rejected: rejectedByLoader,
          });
        }
      }
    });

    it('documents the same defaults the loader applies', () => {
      const spec = parseTopology(
        text(
          withModel({
            ...classifier,
            labels,
            positiveClass: 'y',
            role: 'r',
            skew: { topic: 'o', offlineKey: 'k', offlineTime: 't', features: ['f'] },
            latency: { field: 'l' },
            errors: { field: 'e' },
            embeddings: [{ name: 'e', dimension: 4, test: 'projection_ks' }],
          }),
        ),
        'm.yaml',
      ).model!;
      const defaultOf = (section: SchemaNode, key: string): unknown => own(section, key)?.default;
      const durationOf = (section: SchemaNode, key: string): number =>
        parseDuration(defaultOf(section, key) as string);
      const { labels: l, performance: p, skew: k, shadow: h, latency: t, errors: e } = spec;

      expect(l!.lookbackMs).toBe(durationOf(modelSections.labels, 'lookback'));
      expect(l!.clockSkewMs).toBe(durationOf(modelSections.labels, 'clockSkew'));
      expect(l!.maxPending).toBe(defaultOf(modelSections.labels, 'maxPending'));
      expect(p.warning).toBe(defaultOf(modelSections.performance, 'warning'));
      expect(p.critical).toBe(defaultOf(modelSections.performance, 'critical'));
      expect(p.minRows).toBe(defaultOf(modelSections.performance, 'minRows'));
      expect(k!.absTolerance).toBe(defaultOf(modelSections.tolerance, 'abs'));
      expect(k!.relTolerance).toBe(defaultOf(modelSections.tolerance, 'rel'));
      expect(k!.bucketMs).toBe(durationOf(skew, 'bucket'));
      expect(k!.mismatchRate).toEqual(defaultOf(skew, 'mismatchRate'));
      expect(k!.maxExamples).toBe(defaultOf(skew, 'maxExamples'));
      expect(k!.maxPending).toBe(defaultOf(skew, 'maxPending'));
      const shadow = modelSections.shadow;
      expect(h.maxSkewMs).toBe(durationOf(shadow, 'maxSkew'));
      expect(h.minPairs).toBe(defaultOf(shadow, 'minPairs'));
      expect(h.agreement).toEqual(defaultOf(shadow, 'agreement'));
      expect(h.scoreDistance).toEqual(defaultOf(shadow, 'scoreDistance'));
      expect(h.metricDrop).toEqual(defaultOf(shadow, 'metricDrop'));
      expect(h.rollbackOn).toBe(defaultOf(shadow, 'rollbackOn'));
      const latency = modelSections.latency;
      expect(t).toEqual({
        field: 'l',
        quantile: defaultOf(latency, 'quantile'),
        warningMs: defaultOf(latency, 'warning'),
        criticalMs: defaultOf(latency, 'critical'),
        minCount: defaultOf(latency, 'minCount'),
        relativeAccuracy: defaultOf(latency, 'relativeAccuracy'),
      });
      expect(e!.ratePoints).toEqual(defaultOf(modelSections.errors, 'rate'));
      expect(e!.spreadPoints).toEqual(defaultOf(modelSections.errors, 'spread'));
      expect(e!.minRows).toBe(defaultOf(modelSections.errors, 'minRows'));
      expect(spec.embeddings[0]!.projections).toBe(defaultOf(embedding, 'projections'));
      const outputs = modelSections.outputs;
      expect(spec.outputs).toEqual({
        alertTopic: defaultOf(outputs, 'alerts'),
        rollbackTopic: defaultOf(outputs, 'rollback'),
        statisticsTopic: null,
      });
      const mmd = parseTopology(
        text(withModel({ ...classifier, embeddings: [{ name: 'e', dimension: 4 }] })),
        'm.yaml',
      );
      expect(mmd.model!.embeddings[0]!.test).toBe(defaultOf(embedding, 'test'));
      const versions = parseTopology(
        text(withModel({ ...classifier, newVersions: { baselines: { v2: 'v2.json' } } })),
        'm.yaml',
      );
      expect(versions.model!.newVersions!.windows).toBe(defaultOf(modelSections.newVersions, 'windows'));
    });

    it('describes version baselines as a non-empty map of files, windows as an integer >= 1', () => {
      const versions = modelSections.newVersions;
      const baselines = property(versions, 'baselines') as SchemaNode & {
        minProperties?: number;
        additionalProperties?: SchemaNode;
      };
      expect(baselines.minProperties).toBe(1);
      expect(baselines.additionalProperties).toMatchObject({ type: 'string', minLength: 1 });
      expect(property(versions, 'windows')).toMatchObject({ type: 'integer', minimum: 1 });
      const rejects = (newVersions: unknown) =>
        throws(() => parseTopology(text(withModel({ ...classifier, newVersions })), 'm.yaml'));
      expect(rejects({ baselines: {} })).toBe(true);
      expect(rejects({ windows: 0, baselines: { v2: 'v2.json' } })).toBe(true);
      expect(rejects({ windows: 1, baselines: { v2: 'v2.json' } })).toBe(false);
    });
  });
});
