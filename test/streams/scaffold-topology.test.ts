import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import {
  monitorNameFor,
  type ScaffoldOptions,
  scaffoldTopology,
} from '../../src/streams/scaffold-topology.ts';
import { checkSchemaFields } from '../../src/streams/schema-fields.ts';
import { loadTopologyFile } from '../../src/topology/load-topology.ts';

const CREDIT_RISK = readShippedSchema('credit-risk-prediction.avsc');

const OPTIONS: ScaffoldOptions = {
  name: 'loans',
  topic: 'predictions.loans',
  eventTimeField: 'event_time',
  modelNameField: 'model_name',
  modelVersionField: 'model_version',
  baseline: 'baselines/loans.baseline.json',
  schemaRef: '../topologies/topology.schema.json',
  schemaSource: 'credit-risk-prediction.avsc',
};

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeScratch(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'driftwatch-scaffold-test-'));
  scratch.push(dir);
  const file = path.join(dir, 'loans.yaml');
  await writeFile(file, yaml);
  return file;
}

describe('scaffoldTopology', () => {
  it('writes the editor schema header, the source, the window, one feature per monitorable field and the outputs', () => {
    const { yaml, features } = scaffoldTopology(CREDIT_RISK, OPTIONS);
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=../topologies/topology.schema.json');
    expect(features).toHaveLength(7);
    expect(parse(yaml)).toEqual({
      apiVersion: 'driftwatch/v1',
      name: 'loans',
      source: {
        topic: 'predictions.loans',
        eventTime: 'event_time',
        modelName: 'model_name',
        modelVersion: 'model_version',
      },
      baseline: 'baselines/loans.baseline.json',
      window: {
        type: 'tumbling',
        size: '1m',
        grace: '0s',
        outOfOrderness: '5s',
        idleTimeout: '30s',
        quietClose: '5s',
      },
      features: [
        { name: 'amount', field: 'features.amount', kind: 'numeric' },
        { name: 'age', field: 'features.age', kind: 'numeric' },
        { name: 'income', field: 'features.income', kind: 'numeric' },
        { name: 'channel', field: 'features.channel', kind: 'categorical' },
        { name: 'country', field: 'features.country', kind: 'categorical' },
        { name: 'score', field: 'prediction.score', kind: 'numeric' },
        { name: 'label', field: 'prediction.label', kind: 'categorical' },
      ],
      outputs: { alerts: 'driftwatch.alerts', deadLetter: 'driftwatch.dead-letter' },
    });
  });

  it('says in comments which fields it left out and why, and each feature field type', () => {
    const { yaml } = scaffoldTopology(CREDIT_RISK, OPTIONS);
    expect(yaml).toContain('# Not monitored:');
    expect(yaml).toContain(
      '#   request_id (string): looks like an identifier; nearly every value is new, so it would always drift',
    );
    expect(yaml).toContain('#   event_time (long (timestamp-millis)): used as source.eventTime');
    expect(yaml).toContain('    field: features.income  # [null, double]');
  });

  it('writes a subject only when it is not the default, a key when given, and processing time without an event time', () => {
    const defaultSubject = scaffoldTopology(CREDIT_RISK, { ...OPTIONS, subject: 'predictions.loans-value' });
    expect(parse(defaultSubject.yaml).source.subject).toBeUndefined();
    const custom = scaffoldTopology(CREDIT_RISK, {
      ...OPTIONS,
      subject: 'loans-v1',
      keyField: 'request_id',
      eventTimeField: null,
    });
    const source = parse(custom.yaml).source;
    expect(source).toMatchObject({ subject: 'loans-v1', key: 'request_id', timeSemantics: 'processing' });
    expect(source.eventTime).toBeUndefined();
    // Without an event time, event_time is just a timestamp: left out, but as a time rather than as the event time.
    expect(custom.skipped.find((s) => s.field === 'event_time')!.reason).toContain('a time');
    expect(custom.skipped.find((s) => s.field === 'request_id')!.reason).toBe('used as source.key');
  });

  it('quotes values YAML would otherwise read as something else', () => {
    const { yaml } = scaffoldTopology(CREDIT_RISK, { ...OPTIONS, topic: 'true', baseline: '1e3' });
    const parsed = parse(yaml);
    expect(parsed.source.topic).toBe('true');
    expect(parsed.baseline).toBe('1e3');
  });

  it('scaffolds a file the topology loader accepts, whose fields then fit the schema', async () => {
    const { yaml } = scaffoldTopology(CREDIT_RISK, { ...OPTIONS, keyField: 'request_id' });
    const file = await writeScratch(yaml);
    const topology = await loadTopologyFile(file);
    expect(topology.name).toBe('loans');
    expect(topology.source).toMatchObject({
      topic: 'predictions.loans',
      subject: 'predictions.loans-value',
      keyField: 'request_id',
      timeSemantics: 'event',
      eventTimeField: 'event_time',
    });
    expect(topology.baseline.path).toBe(path.join(path.dirname(file), 'baselines/loans.baseline.json'));
    expect(topology.window).toMatchObject({ type: 'tumbling', sizeMs: 60_000, quietCloseMs: 5_000 });
    expect(topology.features.map((f) => [f.name, f.kind, f.tests.length > 0])).toEqual([
      ['amount', 'numeric', true],
      ['age', 'numeric', true],
      ['income', 'numeric', true],
      ['channel', 'categorical', true],
      ['country', 'categorical', true],
      ['score', 'numeric', true],
      ['label', 'categorical', true],
    ]);
    expect(checkSchemaFields(CREDIT_RISK, topology).problems).toEqual([]);
  });

  it('scaffolds a loadable processing-time topology with a boolean feature', async () => {
    const schema = {
      type: 'record',
      name: 'Flags',
      fields: [
        { name: 'model_name', type: 'string' },
        { name: 'model_version', type: 'string' },
        { name: 'approved', type: 'boolean' },
      ],
    };
    const file = await writeScratch(scaffoldTopology(schema, { ...OPTIONS, eventTimeField: null }).yaml);
    const topology = await loadTopologyFile(file);
    expect(topology.source).toMatchObject({ timeSemantics: 'processing', eventTimeField: null });
    expect(topology.features.map((f) => [f.name, f.kind])).toEqual([['approved', 'boolean']]);
  });
});

describe('monitorNameFor', () => {
  it('makes a valid monitor name from a topic name', () => {
    expect(monitorNameFor('predictions.credit-risk')).toBe('predictions-credit-risk');
    expect(monitorNameFor('Fraud_Scores..v2')).toBe('fraud-scores-v2');
    expect(monitorNameFor('2024.events')).toBe('events');
    expect(monitorNameFor('...')).toBe('monitor');
    expect(monitorNameFor(`${'a'.repeat(80)}.b`)).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
  });
});
