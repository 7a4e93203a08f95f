import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { retrainRequestRecord } from '../../src/alerts/retrain-request.ts';
import { RetrainPolicy } from '../../src/core/alerting/retrain-policy.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { RETRAIN_REQUEST_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { sig, W } from '../core/alerting/alerting-fixtures.ts';

const TYPE = avro.Type.forSchema(readShippedSchema(RETRAIN_REQUEST_SCHEMA_FILE) as avro.Schema);

describe('retrainRequestRecord', () => {
  const policy = new RetrainPolicy({
    minCriticalFeatures: 1,
    performanceDrop: null,
    skewRate: 0.05,
    sustained: 2,
    cooldownMs: 0,
  });
  const skew = (k: number) =>
    sig(k, 'amount', 'critical', { kind: 'skew', metric: 'mismatch_rate', value: 0.3, modelVersion: '' });
  policy.observe([sig(0, 'amount', 'critical'), skew(0)]);
  const [request] = policy.observe([sig(1, 'amount', 'critical', { evidence: { rows: '500' } }), skew(1)]);

  it('encodes with schemas/retrain-request.avsc and decodes to the same record', () => {
    const record = retrainRequestRecord(request!, 1_700_000_000_000);
    expect(TYPE.isValid(record)).toBe(true);
    expect(JSON.stringify(TYPE.fromBuffer(TYPE.toBuffer(record)))).toBe(JSON.stringify(record));
    expect(record).toMatchObject({
      request_id: request!.requestId,
      model_name: 'fraud',
      model_version: 'v1',
      triggers: ['critical_features', 'skew'],
      window_start: W,
      window_end: 2 * W,
      training_window_start: 0,
      training_window_end: 2 * W,
      sustained_windows: 2,
    });
    expect(record.evidence.map((e) => [e.trigger, e.kind, e.subject, e.value, e.details])).toEqual([
      ['critical_features', 'feature_drift', 'amount', 0.4, { rows: '500' }],
      ['skew', 'skew', 'amount', 0.3, {}],
    ]);
  });

  it('rejects a created time that is not epoch milliseconds and a request without reasons', () => {
    expect(() => retrainRequestRecord(request!, Number.NaN)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
    expect(() => retrainRequestRecord({ ...request!, reasons: [] }, 1)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
  });
});
