import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStream, checkStream } from '../../src/cli/commands/streams-command.ts';
import { readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { SchemaRegistryClient } from '../../src/kafka/schema-registry-client.ts';
import { registryUrl, uniqueName } from '../support/kafka-test-kit.ts';

/**
 * `driftwatch streams add` and `streams check` against the real registry of the local stack (Apicurio's Confluent
 * API, BACKWARD compatibility). Every test uses its own topic, so its own subject.
 */

const BIN = fileURLToPath(new URL('../../bin/driftwatch.js', import.meta.url));
const V1 = readShippedSchema('credit-risk-prediction.avsc') as AvroRecord;

interface AvroRecord {
  type: 'record';
  name: string;
  fields: { name: string; type: unknown; default?: unknown }[];
}

/** The demo schema with its nested `features` record's fields changed by `edit`. */
function editFeatures(edit: (fields: AvroRecord['fields']) => AvroRecord['fields']): AvroRecord {
  const copy = structuredClone(V1);
  const features = copy.fields.find((f) => f.name === 'features')!.type as AvroRecord;
  features.fields = edit(features.fields);
  return copy;
}

/** v2: an optional field added, with a default, which BACKWARD compatibility allows. */
const V2 = editFeatures((fields) => [
  ...fields,
  { name: 'merchant_category', type: ['null', 'string'], default: null },
]);
/** Incompatible: a required field added without a default (old events could not be read with it). */
const V3_REQUIRED = editFeatures((fields) => [...fields, { name: 'segment', type: 'string' }]);
/** Incompatible: a field the topology does not use changes type. */
const V3_RETYPED = {
  ...structuredClone(V1),
  fields: V1.fields.map((f) => (f.name === 'request_id' ? { ...f, type: 'long' } : f)),
};

let dir: string;
const registry = new SchemaRegistryClient({ url: registryUrl });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'driftwatch-streams-it-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function schemaFile(name: string, schema: object): Promise<string> {
  const file = path.join(dir, `${uniqueName(name)}.avsc`);
  await writeFile(file, JSON.stringify(schema, null, 2));
  return file;
}

/** A topology file over a fresh topic, with the given feature entries (YAML flow mappings). */
async function topologyFile(features: readonly string[]): Promise<{ file: string; subject: string }> {
  const topic = uniqueName('it.streams');
  const file = path.join(dir, `${uniqueName('topology')}.yaml`);
  await writeFile(
    file,
    [
      'apiVersion: driftwatch/v1',
      'name: it-streams',
      'source:',
      `  topic: ${topic}`,
      '  eventTime: event_time',
      'baseline: baselines/none.baseline.json',
      'window: { type: tumbling, size: 1m }',
      'features:',
      ...features.map((f) => `  - ${f}`),
      '',
    ].join('\n'),
  );
  return { file, subject: `${topic}-value` };
}

const DEMO_FEATURES = [
  '{ name: amount, field: features.amount, kind: numeric }',
  '{ name: income, field: features.income, kind: numeric }',
  '{ name: channel, field: features.channel, kind: categorical }',
];

describe('driftwatch streams add on the real registry', () => {
  it('scaffolds a topology from a schema, validates it and registers the schema under its subject', async () => {
    const topic = uniqueName('it.streams');
    const file = path.join(dir, `${uniqueName('scaffold')}.yaml`);
    const v1 = await schemaFile('v1', V1);
    const result = await addStream({ schemaFile: v1, registryUrl, scaffold: { file, topic } });

    expect(result.subject).toBe(`${topic}-value`);
    expect(result.topology.features.map((f) => f.name)).toEqual([
      'amount',
      'age',
      'income',
      'channel',
      'country',
      'score',
      'label',
    ]);
    expect(result.checked).toHaveLength(3 + 7);
    expect(result.registered).toMatchObject({ subject: `${topic}-value`, version: 1, created: true });
    expect(await readFile(file, 'utf8')).toBe(result.scaffolded!.yaml);
    const latest = await registry.latest(`${topic}-value`);
    expect(latest).toMatchObject({ id: result.registered!.id, version: 1 });
    expect(latest!.schema).toEqual(V1);

    // Adding the same schema again with the scaffolded topology changes nothing.
    const again = await addStream({ schemaFile: v1, registryUrl, topologyFile: file });
    expect(again.registered).toMatchObject({ id: result.registered!.id, version: 1, created: false });

    // The scaffold is never overwritten by accident.
    await expect(addStream({ schemaFile: v1, registryUrl, scaffold: { file, topic } })).rejects.toMatchObject(
      {
        code: 'DW_INVALID_OPTION',
        message: expect.stringContaining('pass --force'),
      },
    );
  });

  it('on a dry run, validates the scaffold and asks the registry, but writes and registers nothing', async () => {
    const topic = uniqueName('it.streams');
    const file = path.join(dir, `${uniqueName('dry')}.yaml`);
    const result = await addStream({
      schemaFile: await schemaFile('v1', V1),
      registryUrl,
      scaffold: { file, topic, eventTimeField: null, keyField: 'request_id' },
      dryRun: true,
    });
    expect(result).toMatchObject({ registered: null, compatibility: { compatible: true } });
    expect(result.topology.source).toMatchObject({ timeSemantics: 'processing', keyField: 'request_id' });
    expect(result.scaffolded!.yaml).toContain('timeSemantics: processing');
    expect(existsSync(file)).toBe(false);
    expect(await registry.latest(`${topic}-value`)).toBeNull();
  });

  it('refuses a topology whose fields are missing or of the wrong type, listing each, and registers nothing', async () => {
    const { file, subject } = await topologyFile([
      '{ name: amount, field: features.amout, kind: numeric }',
      '{ name: channel, field: features.channel, kind: numeric }',
      '{ name: country, field: features.country, kind: categorical }',
    ]);
    const error = await addStream({
      schemaFile: await schemaFile('v1', V1),
      registryUrl,
      topologyFile: file,
    }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: { problems: { path: string }[] } },
    );
    expect(error?.code).toBe('DW_SCHEMA_FIELD');
    expect(error!.details.problems.map((p) => p.path)).toEqual(['features.amout', 'features.channel']);
    expect(error!.message).toContain('(2 problems)');
    expect(error!.message).toContain('no field "amout" in record CreditRiskFeatures (at features)');
    expect(error!.message).toContain('but the schema has string');
    expect(await registry.latest(subject)).toBeNull();
  });

  it('evolves a schema: an optional field is a new version, an incompatible schema is refused with the reason', async () => {
    const { file, subject } = await topologyFile(DEMO_FEATURES);
    const first = await addStream({
      schemaFile: await schemaFile('v1', V1),
      registryUrl,
      topologyFile: file,
    });
    expect(first.registered).toMatchObject({ version: 1, created: true });

    const second = await addStream({
      schemaFile: await schemaFile('v2', V2),
      registryUrl,
      topologyFile: file,
    });
    expect(second.registered).toMatchObject({ version: 2, created: true });
    expect(second.registered!.id).not.toBe(first.registered!.id);

    // A dry run asks the registry without registering; Apicurio's compatibility check gives a verdict, no reason.
    await expect(
      addStream({
        schemaFile: await schemaFile('v3', V3_REQUIRED),
        registryUrl,
        topologyFile: file,
        dryRun: true,
      }),
    ).rejects.toMatchObject({ code: 'DW_SCHEMA_INCOMPATIBLE' });
    const dry = await addStream({
      schemaFile: await schemaFile('v2', V2),
      registryUrl,
      topologyFile: file,
      dryRun: true,
    });
    expect(dry).toMatchObject({ registered: null, compatibility: { compatible: true } });

    for (const [schema, detail] of [
      [V3_REQUIRED, /segment/],
      [V3_RETYPED, /LONG.*STRING|STRING.*LONG/i],
    ] as const) {
      const refusal = await addStream({
        schemaFile: await schemaFile('v3', schema),
        registryUrl,
        topologyFile: file,
      }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string; details: { reason: string } },
      );
      expect(refusal?.code).toBe('DW_SCHEMA_INCOMPATIBLE');
      // The registry's own reason, verbatim, without the client library's prefix.
      expect(refusal!.details.reason).toMatch(/incompatible/i);
      expect(refusal!.details.reason).toMatch(detail);
      expect(refusal!.details.reason).not.toContain('Confluent_Schema_Registry');
      expect(refusal!.message).toBe(
        `registry refused the schema for subject ${subject} as incompatible: ${refusal!.details.reason}`,
      );
    }
    expect(await registry.latest(subject)).toMatchObject({ version: 2, id: second.registered!.id });
    expect((await checkStream(file, registryUrl)).registered.version).toBe(2);
  });

  it('streams check compares a topology with the latest registered schema of its subject', async () => {
    const { file, subject } = await topologyFile([
      ...DEMO_FEATURES,
      '{ name: merchant, field: features.merchant_category, kind: categorical }',
    ]);
    await expect(checkStream(file, registryUrl)).rejects.toMatchObject({
      code: 'DW_REGISTRY',
      message: expect.stringContaining(`subject ${subject} of topology ${file} has no schema`),
    });
    // v1 registered by someone else (a producer): it lacks the field the topology wants.
    await registry.registerVersion(subject, V1);
    await expect(checkStream(file, registryUrl)).rejects.toMatchObject({
      code: 'DW_SCHEMA_FIELD',
      message: expect.stringContaining(`schema ${subject} version 1`),
    });
    await registry.registerVersion(subject, V2);
    const checked = await checkStream(file, registryUrl);
    expect(checked.registered.version).toBe(2);
    expect(checked.checked.map((c) => c.path)).toContain('features.merchant_category');
  });

  it('the CLI exits 1 with the registry reason on an incompatible schema, and 0 with what it registered', async () => {
    const { file, subject } = await topologyFile(DEMO_FEATURES);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'streams', 'add', '--registry', registryUrl, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });

    const ok = cli('--schema', await schemaFile('v1', V1), '--topology', file);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('checked 6 fields');
    expect(ok.stdout).toMatch(
      new RegExp(`under subject ${subject.replace(/\./g, '\\.')}: version 1, schema id \\d+`),
    );

    const refused = cli('--schema', await schemaFile('v3', V3_RETYPED), '--topology', file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /registry refused the schema for subject .* as incompatible: .*incompatible/i,
    );
    expect(refused.stderr).toContain('[DW_SCHEMA_INCOMPATIBLE]');

    const usage = cli('--schema', 'x.avsc');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('name exactly one of --topology');
  });
});
