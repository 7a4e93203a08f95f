import { createHash } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { modelAlertId, modelAlertRecord } from '../../src/alerts/model-alert.ts';
import { isDriftwatchError } from '../../src/errors.ts';
import { MODEL_ALERT_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import type { ModelFinding, ModelMonitorKind } from '../../src/model/model-results.ts';
import { undocumented } from '../support/avro-schema-docs.ts';

const SCHEMA = readShippedSchema(MODEL_ALERT_SCHEMA_FILE) as avro.schema.RecordType;
const ALERT_TYPE = avro.Type.forSchema(SCHEMA as avro.Schema);
const START = Date.UTC(2026, 0, 1, 12, 0);
const CREATED = Date.UTC(2026, 0, 1, 13, 0, 5);

/** Every ModelMonitorKind; `NoKindMissing` fails to compile when a kind is added to the contract and not here. */
const KINDS = [
  'performance',
  'concept_drift',
  'skew',
  'shadow',
  'latency',
  'error_rate',
  'embedding',
  'version_skew',
] as const satisfies readonly ModelMonitorKind[];
const NoKindMissing: [Exclude<ModelMonitorKind, (typeof KINDS)[number]>] extends [never] ? true : false =
  true;

const FINDING: ModelFinding = {
  monitor: 'credit-risk',
  kind: 'shadow',
  severity: 'critical',
  modelName: 'credit-risk',
  modelVersion: '1.5.0',
  role: 'canary',
  comparedVersion: '1.4.0',
  subject: '1.5.0',
  segment: null,
  windowStart: START,
  windowEnd: START + 3_600_000,
  metric: 'agreement_rate',
  value: 0.8,
  reference: null,
  threshold: 0.9,
  warningLevel: 0.95,
  criticalLevel: 0.9,
  rows: 412,
  message: 'canary 1.5.0 agrees with live 1.4.0 on 80% of 412 requests, below the critical level 90%',
  evidence: { pairs: '412', disagreeing: '82' },
};

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

describe('schemas/model-alert.avsc', () => {
  it('parses, in the namespace of the drift alert', () => {
    expect(ALERT_TYPE.name).toBe('io.driftwatch.alerts.ModelAlert');
  });

  it('documents every field and named type', () => {
    expect(undocumented(SCHEMA, 'ModelAlert')).toEqual([]);
    // The walk is not vacuous: it finds a field and an enum stripped of their docs.
    const stripped = structuredClone(SCHEMA) as unknown as {
      fields: { doc?: string; type: { doc?: string } }[];
    };
    delete stripped.fields[0]!.doc;
    delete stripped.fields[2]!.type.doc;
    expect(undocumented(stripped, 'ModelAlert')).toEqual([
      'ModelAlert.alert_id',
      'ModelAlert.kind<ModelMonitorKind>',
    ]);
  });

  it('gives every nullable field a null default', () => {
    const nullable = SCHEMA.fields.filter((f) => Array.isArray(f.type) && f.type[0] === 'null');
    expect(nullable.map((f) => f.name)).toEqual([
      'compared_version',
      'segment',
      'reference',
      'warning_level',
      'critical_level',
    ]);
    for (const field of nullable) expect(field.default).toBeNull();
  });

  it('enumerates exactly the ModelMonitorKind values, severities and roles', () => {
    expect(NoKindMissing).toBe(true);
    const symbols = (name: string) =>
      (
        (SCHEMA.fields.find((f) => f.name === name)!.type as avro.schema.EnumType).symbols as string[]
      ).slice();
    expect(symbols('kind')).toEqual([...KINDS]);
    expect(symbols('severity')).toEqual(['warning', 'critical']);
    expect(symbols('role')).toEqual(['live', 'shadow', 'canary']);
  });
});

describe('modelAlertId', () => {
  it('is sha256 over the NUL-separated parts, segment and compared version tagged when present', () => {
    const base = `credit-risk\u0000shadow\u00001.5.0\u00001.5.0\u0000${START}\u0000agreement_rate`;
    expect(modelAlertId(FINDING)).toBe(hash(`${base}\u0000compared=1.4.0`));
    expect(modelAlertId({ ...FINDING, comparedVersion: null })).toBe(hash(base));
    expect(modelAlertId({ ...FINDING, segment: 'DE' })).toBe(
      hash(`${base}\u0000segment=DE\u0000compared=1.4.0`),
    );
    expect(modelAlertId(FINDING)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same for a replay of the finding, whatever else it carries', () => {
    const replay: ModelFinding = {
      ...FINDING,
      severity: 'warning',
      value: 0.93,
      rows: 500,
      windowEnd: START + 1,
      message: 'other words',
      evidence: {},
    };
    expect(modelAlertId(replay)).toBe(modelAlertId(FINDING));
    expect(modelAlertId({ ...FINDING })).toBe(modelAlertId(FINDING));
  });

  it('differs when any identifying part differs', () => {
    const variants: ModelFinding[] = [
      FINDING,
      { ...FINDING, monitor: 'credit-risk-eu' },
      { ...FINDING, kind: 'performance' },
      { ...FINDING, modelVersion: '1.6.0' },
      { ...FINDING, subject: '1.6.0' },
      { ...FINDING, segment: 'DE' },
      { ...FINDING, segment: 'FR' },
      // A null segment and one named "null" or "" are different segments.
      { ...FINDING, segment: 'null' },
      { ...FINDING, segment: '' },
      { ...FINDING, windowStart: START + 3_600_000 },
      { ...FINDING, metric: 'score_ks' },
      { ...FINDING, comparedVersion: '1.3.0' },
      { ...FINDING, comparedVersion: null },
      // Tags keep the nullable parts apart: the same text as a segment or as a compared version differs.
      { ...FINDING, comparedVersion: null, segment: '1.4.0' },
      // Separators keep parts apart: moving characters between parts changes the id.
      { ...FINDING, monitor: 'credit-risks', kind: 'hadow' as ModelMonitorKind },
    ];
    expect(new Set(variants.map(modelAlertId)).size).toBe(variants.length);
  });
});

describe('modelAlertRecord', () => {
  it('fills every field from the finding', () => {
    expect(modelAlertRecord(FINDING, CREATED)).toEqual({
      alert_id: modelAlertId(FINDING),
      monitor: 'credit-risk',
      kind: 'shadow',
      severity: 'critical',
      model_name: 'credit-risk',
      model_version: '1.5.0',
      role: 'canary',
      compared_version: '1.4.0',
      subject: '1.5.0',
      segment: null,
      window_start: START,
      window_end: START + 3_600_000,
      metric: 'agreement_rate',
      value: 0.8,
      reference: null,
      threshold: 0.9,
      warning_level: 0.95,
      critical_level: 0.9,
      rows: 412,
      message: FINDING.message,
      evidence: { pairs: '412', disagreeing: '82' },
      created_at: CREATED,
    });
  });

  it('copies the evidence rather than sharing it', () => {
    const record = modelAlertRecord(FINDING, CREATED);
    expect(record.evidence).not.toBe(FINDING.evidence);
    expect(record.evidence).toEqual(FINDING.evidence);
  });

  it('round-trips through Avro, for every kind, severity and role', () => {
    const findings: ModelFinding[] = [
      FINDING,
      ...KINDS.map((kind, i) => ({
        ...FINDING,
        kind,
        severity: i % 2 === 0 ? ('warning' as const) : ('critical' as const),
        role: (['live', 'shadow', 'canary'] as const)[i % 3]!,
        comparedVersion: null,
        segment: `segment-${i}`,
        reference: 0.5 + i / 10,
        warningLevel: null,
        criticalLevel: null,
        evidence: {},
      })),
    ];
    for (const finding of findings) {
      const record = modelAlertRecord(finding, CREATED);
      const errors: string[] = [];
      expect(ALERT_TYPE.isValid(record, { errorHook: (path) => errors.push(path.join('.')) })).toBe(true);
      expect(errors).toEqual([]);
      expect(ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(record))).toEqual(record);
    }
  });

  it('keeps non-finite doubles as they are through Avro', () => {
    const record = modelAlertRecord(
      {
        ...FINDING,
        value: Number.NaN,
        reference: Number.POSITIVE_INFINITY,
        threshold: Number.NEGATIVE_INFINITY,
      },
      CREATED,
    );
    expect(record.value).toBeNaN();
    const decoded = ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(record)) as typeof record;
    expect(decoded.value).toBeNaN();
    expect(decoded.reference).toBe(Number.POSITIVE_INFINITY);
    expect(decoded.threshold).toBe(Number.NEGATIVE_INFINITY);
  });

  it('the schema check is not vacuous: broken records are invalid', () => {
    const record = modelAlertRecord(FINDING, CREATED);
    expect(ALERT_TYPE.isValid({ ...record, kind: 'drift' })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...record, role: 'LIVE' })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...record, rows: 1.5 })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...record, evidence: { pairs: 412 } })).toBe(false);
    const { created_at: _, ...withoutTime } = record;
    expect(ALERT_TYPE.isValid(withoutTime)).toBe(false);
  });

  it('refuses a creation time that is not epoch milliseconds', () => {
    for (const bad of [Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
      let thrown: unknown;
      try {
        modelAlertRecord(FINDING, bad);
      } catch (error) {
        thrown = error;
      }
      expect(isDriftwatchError(thrown, 'DW_INVALID_OPTION')).toBe(true);
    }
  });
});
