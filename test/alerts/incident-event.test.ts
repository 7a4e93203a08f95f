import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { incidentEventRecord } from '../../src/alerts/incident-event.ts';
import { IncidentTracker } from '../../src/core/alerting/incident-tracker.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { INCIDENT_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import { sig, W } from '../core/alerting/alerting-fixtures.ts';

const TYPE = avro.Type.forSchema(readShippedSchema(INCIDENT_SCHEMA_FILE) as avro.Schema);

describe('incidentEventRecord', () => {
  it('encodes with schemas/incident.avsc and decodes to the same record', () => {
    const tracker = new IncidentTracker({ resolveAfter: 1 });
    const [open] = tracker.observe([sig(0, 'amount', 'critical', { segment: 'DE' })]);
    const [resolve] = tracker.observe([
      sig(1, 'amount', null, { segment: 'DE', threshold: null, value: Number.NaN }),
    ]);
    for (const event of [open!, resolve!]) {
      const record = incidentEventRecord(event, 1_700_000_000_000);
      const decoded = TYPE.fromBuffer(TYPE.toBuffer(record));
      expect(TYPE.isValid(record)).toBe(true);
      expect(JSON.stringify(decoded)).toBe(JSON.stringify(record));
    }
    const record = incidentEventRecord(resolve!, 5);
    expect(record).toMatchObject({
      type: 'resolve',
      sequence: 1,
      segment: 'DE',
      kind: 'drift',
      severity: 'critical',
      model_versions: ['v1'],
      opened_window_start: 0,
      window_start: W,
      created_at: 5,
    });
    expect(record.subjects).toEqual([
      {
        subject: 'amount',
        kind: 'feature_drift',
        metric: 'psi',
        severity: null,
        value: Number.NaN,
        threshold: null,
        drifting: false,
        drifting_windows: 1,
        since: 0,
      },
    ]);
  });

  it('rejects a created time that is not epoch milliseconds', () => {
    const [open] = new IncidentTracker().observe([sig(0, 'amount', 'warning')]);
    expect(() => incidentEventRecord(open!, 1.5)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
  });

  it('gives optional fields defaults and evolvable enums defaults', () => {
    const schema = readShippedSchema(INCIDENT_SCHEMA_FILE) as {
      fields: { name: string; default?: unknown; type: unknown }[];
    };
    const byName = new Map(schema.fields.map((f) => [f.name, f]));
    expect(byName.get('segment')!.default).toBeNull();
    expect(byName.get('model_versions')!.default).toEqual([]);
    expect((byName.get('type')!.type as { default: string }).default).toBe('update');
    expect((byName.get('severity')!.type as { default: string }).default).toBe('warning');
    for (const field of schema.fields) expect((field as { doc?: string }).doc, field.name).toBeTruthy();
  });
});
