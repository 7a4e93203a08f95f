import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { modelStatisticsRecord } from '../../src/alerts/model-statistics.ts';
import { isDriftwatchError } from '../../src/errors.ts';
import { MODEL_STATISTICS_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import type { ModelWindowReport } from '../../src/model/model-results.ts';
import { undocumented } from '../support/avro-schema-docs.ts';

const SCHEMA = readShippedSchema(MODEL_STATISTICS_SCHEMA_FILE) as avro.schema.RecordType;
const STATS_TYPE = avro.Type.forSchema(SCHEMA as avro.Schema);
const START = Date.UTC(2026, 0, 1, 12, 0);
const CREATED = Date.UTC(2026, 0, 1, 13, 0, 5);

const REPORT: ModelWindowReport = {
  monitor: 'credit-risk',
  kind: 'performance',
  modelName: 'credit-risk',
  modelVersion: '1.4.0',
  subject: '*',
  windowStart: START,
  windowEnd: START + 3_600_000,
  figures: { accuracy: 0.91, f1: 0.7725, log_loss: 0.3112 },
  counts: { rows: 1_000, labelled: 640, unlabelled: 360 },
};

describe('schemas/model-statistics.avsc', () => {
  it('parses, in the namespace of the window statistics', () => {
    expect(STATS_TYPE.name).toBe('io.driftwatch.windows.ModelWindowStatistics');
  });

  it('documents every field and named type', () => {
    expect(undocumented(SCHEMA, 'ModelWindowStatistics')).toEqual([]);
    const stripped = structuredClone(SCHEMA) as unknown as { fields: { doc?: string }[] };
    delete stripped.fields.at(-1)!.doc;
    expect(undocumented(stripped, 'ModelWindowStatistics')).toEqual(['ModelWindowStatistics.created_at']);
  });

  it('uses the same kind symbols as the model alert', () => {
    const kinds = (schema: avro.schema.RecordType) =>
      (schema.fields.find((f) => f.name === 'kind')!.type as avro.schema.EnumType).symbols;
    const alert = readShippedSchema('model-alert.avsc') as avro.schema.RecordType;
    expect(kinds(SCHEMA)).toEqual(kinds(alert));
    expect(kinds(SCHEMA)).toHaveLength(8);
    // New kinds are appended, so readers of records written before them still decode the ones they know.
    expect(kinds(SCHEMA).at(-1)).toBe('version_skew');
  });
});

describe('modelStatisticsRecord', () => {
  it('fills every field from the report, copying figures and counts', () => {
    const record = modelStatisticsRecord(REPORT, CREATED);
    expect(record).toEqual({
      monitor: 'credit-risk',
      kind: 'performance',
      model_name: 'credit-risk',
      model_version: '1.4.0',
      subject: '*',
      window_start: START,
      window_end: START + 3_600_000,
      figures: { accuracy: 0.91, f1: 0.7725, log_loss: 0.3112 },
      counts: { rows: 1_000, labelled: 640, unlabelled: 360 },
      created_at: CREATED,
    });
    expect(record.figures).not.toBe(REPORT.figures);
    expect(record.counts).not.toBe(REPORT.counts);
  });

  it('leaves out non-finite figures, as the schema promises', () => {
    const record = modelStatisticsRecord(
      { ...REPORT, figures: { accuracy: 0.5, auc: Number.NaN, lift: Number.POSITIVE_INFINITY, zero: 0 } },
      CREATED,
    );
    expect(record.figures).toEqual({ accuracy: 0.5, zero: 0 });
  });

  it('round-trips through Avro, with a report spanning versions, one without figures and a version skew one', () => {
    const skew: ModelWindowReport = {
      ...REPORT,
      kind: 'skew',
      modelVersion: '',
      subject: 'income',
      figures: {},
      counts: { joined: 12_345_678_901, online_only: 3, offline_only: 0 },
    };
    const versionSkew: ModelWindowReport = {
      ...REPORT,
      kind: 'version_skew',
      modelVersion: '2.0',
      subject: 'amount/ks',
      figures: { value: 0.42, p_value: 1e-9, adjusted_p_value: 1e-9 },
      counts: { rows: 400, missing: 2, out_of_reference: 7, reference_rows: 100_000, window_index: 2 },
    };
    for (const report of [REPORT, skew, versionSkew]) {
      const record = modelStatisticsRecord(report, CREATED);
      const errors: string[] = [];
      expect(STATS_TYPE.isValid(record, { errorHook: (path) => errors.push(path.join('.')) })).toBe(true);
      expect(errors).toEqual([]);
      expect(STATS_TYPE.fromBuffer(STATS_TYPE.toBuffer(record))).toEqual(record);
    }
  });

  it('the schema check is not vacuous: broken records are invalid', () => {
    const record = modelStatisticsRecord(REPORT, CREATED);
    expect(STATS_TYPE.isValid({ ...record, kind: 'drift' })).toBe(false);
    expect(STATS_TYPE.isValid({ ...record, counts: { rows: 2.5 } })).toBe(false);
    expect(STATS_TYPE.isValid({ ...record, figures: { accuracy: '0.9' } })).toBe(false);
  });

  it('refuses a creation time that is not epoch milliseconds', () => {
    let thrown: unknown;
    try {
      modelStatisticsRecord(REPORT, Number.NaN);
    } catch (error) {
      thrown = error;
    }
    expect(isDriftwatchError(thrown, 'DW_INVALID_OPTION')).toBe(true);
  });
});
