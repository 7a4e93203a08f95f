import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DRIFT_TESTS,
  FEATURE_KINDS,
  parseTopology,
  TOPOLOGY_API_VERSION,
  TOPOLOGY_KEYS,
} from '../../src/topology/load-topology.ts';
import { parseDuration } from '../../src/topology/parse-duration.ts';

/** The editor schema and the loader describe the same format; these tests keep them from drifting apart. */

interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: SchemaNode;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
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

const root = schema;
/** A property's own node: where `description` and `default` sit next to a `$ref`. */
const own = (node: SchemaNode, key: string): SchemaNode | undefined => node.properties?.[key];
/** A property's node with references followed. */
const property = (node: SchemaNode, key: string): SchemaNode => deref(own(node, key));
const sections = {
  topology: root,
  source: property(root, 'source'),
  window: property(root, 'window'),
  feature: deref(property(root, 'features').items),
  outputs: property(root, 'outputs'),
};

describe('topologies/topology.schema.json', () => {
  it('is a draft 2020-12 JSON schema', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
  });

  it('accepts exactly the keys of features items that the loader accepts', () => {
    expect(Object.keys(sections.feature.properties ?? {}).sort()).toEqual([...TOPOLOGY_KEYS.feature].sort());
  });

  it.each([
    ['topology', TOPOLOGY_KEYS.topology],
    ['source', TOPOLOGY_KEYS.source],
    ['window', TOPOLOGY_KEYS.window.tumbling],
    ['feature', TOPOLOGY_KEYS.feature],
    ['outputs', TOPOLOGY_KEYS.outputs],
  ] as const)('describes the %s keys the loader accepts, and no others', (name, keys) => {
    const section = sections[name];
    expect(section.additionalProperties).toBe(false);
    expect(Object.keys(section.properties ?? {}).sort()).toEqual([...keys].sort());
    for (const key of keys)
      expect(own(section, key)?.description ?? property(section, key).description).toBeTruthy();
  });

  it('lists the enums the loader accepts', () => {
    expect(property(root, 'apiVersion').const).toBe(TOPOLOGY_API_VERSION);
    expect(property(sections.window, 'type').enum).toEqual(['tumbling']);
    expect(property(sections.feature, 'kind').enum).toEqual(Object.keys(FEATURE_KINDS));
    expect(property(sections.feature, 'test').enum).toEqual(Object.keys(DRIFT_TESTS));
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
    const text = (value: unknown): string => JSON.stringify(value); // JSON is YAML
    expect(() => parseTopology(text(minimal), 'm.yaml')).not.toThrow();

    const cases: [SchemaNode, Record<string, unknown>, (without: Record<string, unknown>) => unknown][] = [
      [root, minimal, (without) => without],
      [sections.source, minimal.source, (without) => ({ ...minimal, source: without })],
      [sections.window, minimal.window, (without) => ({ ...minimal, window: without })],
      [sections.feature, minimal.features[0]!, (without) => ({ ...minimal, features: [without] })],
    ];
    for (const [section, values, place] of cases) {
      for (const key of Object.keys(values)) {
        const { [key]: _, ...without } = values;
        const requiredBySchema = section.required?.includes(key) ?? false;
        const requiredByLoader = throws(() => parseTopology(text(place(without)), 'm.yaml'));
        expect({ key, required: requiredBySchema }).toEqual({ key, required: requiredByLoader });
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
      'features: [{name: f, kind: numeric}, {name: c, kind: categorical}]',
    ].join('\n');
    const topology = parseTopology(minimal, 'm.yaml');
    const defaultOf = (section: SchemaNode, key: string): unknown => own(section, key)?.default;
    const durationDefault = (key: string): number => parseDuration(defaultOf(sections.window, key) as string);

    expect(topology.source.modelNameField).toBe(defaultOf(sections.source, 'modelName'));
    expect(topology.source.modelVersionField).toBe(defaultOf(sections.source, 'modelVersion'));
    expect(topology.window.graceMs).toBe(durationDefault('grace'));
    expect(topology.window.outOfOrdernessMs).toBe(durationDefault('outOfOrderness'));
    expect(topology.window.idleTimeoutMs).toBe(durationDefault('idleTimeout'));
    expect(topology.window.quietCloseMs).toBe(durationDefault('quietClose'));
    expect(topology.outputs.alertTopic).toBe(defaultOf(sections.outputs, 'alerts'));
    expect(topology.outputs.deadLetterTopic).toBe(defaultOf(sections.outputs, 'deadLetter'));
  });
});

function throws(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch {
    return true;
  }
}
