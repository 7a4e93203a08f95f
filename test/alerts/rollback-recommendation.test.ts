import { createHash } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  rollbackReason,
  rollbackRecommendationId,
  rollbackRecommendationRecord,
} from '../../src/alerts/rollback-recommendation.ts';
import { isDriftwatchError } from '../../src/errors.ts';
import { ROLLBACK_RECOMMENDATION_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import type { ModelFinding, RollbackRecommendation } from '../../src/model/model-results.ts';
import { undocumented } from '../support/avro-schema-docs.ts';

const SCHEMA = readShippedSchema(ROLLBACK_RECOMMENDATION_SCHEMA_FILE) as avro.schema.RecordType;
const REC_TYPE = avro.Type.forSchema(SCHEMA as avro.Schema);
const START = Date.UTC(2026, 0, 1, 12, 0);
const CREATED = Date.UTC(2026, 0, 1, 13, 0, 5);

const AGREEMENT: ModelFinding = {
  monitor: 'credit-risk',
  kind: 'shadow',
  severity: 'critical',
  modelName: 'credit-risk',
  modelVersion: 'v2',
  role: 'canary',
  comparedVersion: 'v1',
  subject: 'v2',
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
  message: 'canary v2 agrees with live v1 on 80% of 412 requests, below the critical level 90%',
  evidence: { pairs: '412' },
};

const ACCURACY: ModelFinding = {
  ...AGREEMENT,
  severity: 'warning',
  segment: 'DE',
  metric: 'accuracy',
  value: 0.8123456,
  reference: 0.85,
  threshold: 0.02,
  warningLevel: 0.02,
  criticalLevel: 0.05,
  rows: 120,
  message: 'canary v2 accuracy 0.812 is 4.4% below live 0.85 in segment DE',
  evidence: { labelled: '120' },
};

const REC: RollbackRecommendation = {
  monitor: 'credit-risk',
  modelName: 'credit-risk',
  liveVersion: 'v1',
  candidateVersion: 'v2',
  candidateRole: 'canary',
  windowStart: START,
  windowEnd: START + 3_600_000,
  severity: 'critical',
  findings: [AGREEMENT, ACCURACY],
};

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

interface Walkable {
  fields: { name: string; doc?: string; type: { items?: Walkable } }[];
}

describe('schemas/rollback-recommendation.avsc', () => {
  it('parses, in the namespace of the drift alert', () => {
    expect(REC_TYPE.name).toBe('io.driftwatch.alerts.RollbackRecommendation');
  });

  it('documents every field and named type, the nested finding record included', () => {
    expect(undocumented(SCHEMA, 'RollbackRecommendation')).toEqual([]);
    const stripped = structuredClone(SCHEMA) as unknown as Walkable;
    const findings = stripped.fields.find((f) => f.name === 'findings')!;
    delete findings.type.items!.fields[1]!.doc;
    expect(undocumented(stripped, 'RollbackRecommendation')).toEqual([
      'RollbackRecommendation.findings[].metric',
    ]);
  });

  it('gives nullable fields a null default and the action a default, as field and as enum', () => {
    const findings = SCHEMA.fields.find((f) => f.name === 'findings')!;
    const item = (findings.type as avro.schema.ArrayType).items as avro.schema.RecordType;
    const reference = item.fields.find((f) => f.name === 'reference')!;
    expect(reference.type).toEqual(['null', 'double']);
    expect(reference.default).toBeNull();
    const action = SCHEMA.fields.find((f) => f.name === 'action')!;
    expect(action.default).toBe('rollback');
    expect((action.type as avro.schema.EnumType).default).toBe('rollback');
  });

  it('lets an action added later reach an older reader as rollback, and an older writer a newer reader', () => {
    const grown = structuredClone(SCHEMA) as unknown as {
      fields: { name: string; type: { symbols: string[] } }[];
    };
    grown.fields.find((f) => f.name === 'action')!.type.symbols = ['rollback', 'pause'];
    const newer = avro.Type.forSchema(grown as unknown as avro.Schema);
    const record = { ...rollbackRecommendationRecord(REC, CREATED), action: 'pause' };
    const read = REC_TYPE.fromBuffer(newer.toBuffer(record), REC_TYPE.createResolver(newer)) as typeof record;
    expect(read.action).toBe('rollback');
    expect(read.reason).toBe(record.reason);

    // A writer from before the action field: readers fill in its default.
    const older = structuredClone(SCHEMA) as unknown as { fields: { name: string }[] };
    older.fields = older.fields.filter((f) => f.name !== 'action');
    const olderType = avro.Type.forSchema(older as unknown as avro.Schema);
    const { action: _, ...withoutAction } = rollbackRecommendationRecord(REC, CREATED);
    const filled = REC_TYPE.fromBuffer(olderType.toBuffer(withoutAction), REC_TYPE.createResolver(olderType));
    expect(filled).toEqual(rollbackRecommendationRecord(REC, CREATED));
  });
});

describe('rollbackRecommendationId', () => {
  it('is sha256 over monitor, candidate version and window start, NUL-separated', () => {
    expect(rollbackRecommendationId(REC)).toBe(hash(`credit-risk\u0000v2\u0000${START}`));
  });

  it('is the same for a replay, whatever the findings and severity', () => {
    expect(
      rollbackRecommendationId({ ...REC, severity: 'warning', findings: [ACCURACY], windowEnd: START + 1 }),
    ).toBe(rollbackRecommendationId(REC));
  });

  it('differs when the monitor, the candidate version or the window start differs', () => {
    const ids = new Set([
      rollbackRecommendationId(REC),
      rollbackRecommendationId({ ...REC, monitor: 'credit-risk-eu' }),
      rollbackRecommendationId({ ...REC, candidateVersion: 'v3' }),
      rollbackRecommendationId({ ...REC, windowStart: START + 3_600_000 }),
      rollbackRecommendationId({ ...REC, monitor: 'credit-riskv', candidateVersion: '2' }),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe('rollbackReason', () => {
  it('names both versions and summarises each finding', () => {
    expect(rollbackReason(REC)).toBe(
      'canary v2 is worse than live v1: agreement_rate 0.8 < 0.9 (critical); ' +
        'accuracy in segment DE 0.8123 vs 0.85 (warning, level 0.02)',
    );
  });

  it('states the true relation of a figure to an absolute level', () => {
    const distance: ModelFinding = { ...AGREEMENT, metric: 'score_ks', value: 0.25, threshold: 0.2 };
    const level: ModelFinding = { ...AGREEMENT, metric: 'score_ks', value: 0.2, threshold: 0.2 };
    const nan: ModelFinding = { ...AGREEMENT, value: Number.NaN };
    const reason = rollbackReason({ ...REC, candidateRole: 'shadow', findings: [distance, level, nan] });
    expect(reason).toBe(
      'shadow v2 is worse than live v1: score_ks 0.25 > 0.2 (critical); score_ks 0.2 = 0.2 (critical); ' +
        'agreement_rate NaN vs 0.9 (critical)',
    );
  });
});

describe('rollbackRecommendationRecord', () => {
  it('fills every field from the recommendation', () => {
    expect(rollbackRecommendationRecord(REC, CREATED)).toEqual({
      recommendation_id: rollbackRecommendationId(REC),
      monitor: 'credit-risk',
      model_name: 'credit-risk',
      live_version: 'v1',
      candidate_version: 'v2',
      candidate_role: 'canary',
      window_start: START,
      window_end: START + 3_600_000,
      severity: 'critical',
      action: 'rollback',
      reason: rollbackReason(REC),
      findings: [
        {
          kind: 'shadow',
          metric: 'agreement_rate',
          value: 0.8,
          reference: null,
          threshold: 0.9,
          severity: 'critical',
          rows: 412,
          message: AGREEMENT.message,
          evidence: { pairs: '412' },
        },
        {
          kind: 'shadow',
          metric: 'accuracy',
          value: 0.8123456,
          reference: 0.85,
          threshold: 0.02,
          severity: 'warning',
          rows: 120,
          message: ACCURACY.message,
          evidence: { labelled: '120' },
        },
      ],
      created_at: CREATED,
    });
  });

  it('copies the evidence rather than sharing it', () => {
    const [first] = rollbackRecommendationRecord(REC, CREATED).findings;
    expect(first!.evidence).not.toBe(AGREEMENT.evidence);
  });

  it('round-trips through Avro, shadow and canary, with non-finite doubles kept', () => {
    const nonFinite: ModelFinding = { ...ACCURACY, value: Number.NaN, reference: Number.POSITIVE_INFINITY };
    for (const rec of [
      REC,
      { ...REC, candidateRole: 'shadow' as const, severity: 'warning' as const, findings: [nonFinite] },
    ]) {
      const record = rollbackRecommendationRecord(rec, CREATED);
      const errors: string[] = [];
      expect(REC_TYPE.isValid(record, { errorHook: (path) => errors.push(path.join('.')) })).toBe(true);
      expect(errors).toEqual([]);
      expect(REC_TYPE.fromBuffer(REC_TYPE.toBuffer(record))).toEqual(record);
    }
  });

  it('the schema check is not vacuous: broken records are invalid', () => {
    const record = rollbackRecommendationRecord(REC, CREATED);
    expect(REC_TYPE.isValid({ ...record, candidate_role: 'live' })).toBe(false);
    expect(REC_TYPE.isValid({ ...record, action: 'promote' })).toBe(false);
    expect(REC_TYPE.isValid({ ...record, findings: [{ ...record.findings[0]!, severity: 'info' }] })).toBe(
      false,
    );
  });

  it('refuses a recommendation without findings and a creation time that is not epoch milliseconds', () => {
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(
      isDriftwatchError(
        thrown(() => rollbackRecommendationRecord({ ...REC, findings: [] }, CREATED)),
        'DW_INVALID_OPTION',
      ),
    ).toBe(true);
    expect(
      isDriftwatchError(
        thrown(() => rollbackRecommendationRecord(REC, 1.5)),
        'DW_INVALID_OPTION',
      ),
    ).toBe(true);
  });
});
