import { describe, expect, it } from 'vitest';
import type { IncidentEventRecord } from '../../src/alerts/incident-event.ts';
import type { RollbackRecommendationRecord } from '../../src/alerts/rollback-recommendation.ts';
import type { SubscribedEvent } from '../../src/alerts/subscriber.ts';
import { eventId, eventJson, eventObject } from '../../src/sinks/event-json.ts';
import { ALERT_T0, driftAlertRecord } from '../support/drift-alert-record.ts';

const T0 = ALERT_T0;

const drift = driftAlertRecord({
  alert_id: 'f00d',
  statistic: 'null_rate',
  value: 0.12,
  threshold: Number.NaN,
  reference_size: 0,
  missing: 72,
  conventions: { check: 'data quality guardrail' },
  detected_at: T0 + 61_500,
  severity: 'warning',
  warning_level: null,
  critical_level: null,
  levels_source: 'data-quality',
});

describe('eventJson', () => {
  it('writes the envelope in a fixed order, times as ISO strings and NaN as a string', () => {
    const event: SubscribedEvent = {
      kind: 'drift-alert',
      record: drift,
      topic: 'driftwatch.alerts',
      partition: 2,
      offset: '41',
      key: 'credit-risk',
      headers: { trace: 'x' },
      timestamp: T0 + 62_000,
      recordName: 'io.driftwatch.alerts.DriftAlert',
      schemaId: 7,
    };
    const json = JSON.parse(eventJson(event));
    expect(Object.keys(json)).toEqual([
      'kind',
      'name',
      'id',
      'topic',
      'partition',
      'offset',
      'key',
      'timestamp',
      'headers',
      'record',
    ]);
    expect(json).toMatchObject({
      kind: 'drift-alert',
      name: 'io.driftwatch.alerts.DriftAlert',
      id: 'f00d',
      topic: 'driftwatch.alerts',
      partition: 2,
      offset: '41',
      key: 'credit-risk',
      timestamp: '2026-11-22T06:41:02.000Z',
      headers: { trace: 'x' },
    });
    expect(Object.keys(json.record)).toEqual(Object.keys(drift));
    expect(json.record.window_start).toBe('2026-11-22T06:40:00.000Z');
    expect(json.record.window_end).toBe('2026-11-22T06:41:00.000Z');
    expect(json.record.detected_at).toBe('2026-11-22T06:41:01.500Z');
    expect(json.record.threshold).toBe('NaN');
    expect(json.record.missing).toBe(72);
    expect(json.record.p_value).toBeNull();
  });

  it('uses the rollback recommendation id and converts its times, not its other numbers', () => {
    const rec: RollbackRecommendationRecord = {
      recommendation_id: 'r-1',
      monitor: 'credit-risk',
      model_name: 'credit-risk',
      live_version: '2',
      candidate_version: '3',
      candidate_role: 'canary',
      window_start: T0,
      window_end: T0 + 60_000,
      severity: 'critical',
      action: 'rollback',
      reason: 'accuracy fell',
      findings: [
        {
          kind: 'performance',
          metric: 'accuracy',
          value: 0.8,
          reference: 0.9,
          threshold: 0.05,
          severity: 'critical',
          rows: 500,
          message: 'm',
          evidence: {},
        },
      ],
      created_at: T0 + 90_000,
    };
    const json = eventObject({ kind: 'rollback', record: rec }) as {
      id: string;
      record: Record<string, unknown>;
    };
    expect(json.id).toBe('r-1');
    expect(json.record.created_at).toBe('2026-11-22T06:41:30.000Z');
    expect(json.record.findings).toEqual([{ ...rec.findings[0] }]);
  });

  it('keeps an incident event id, and hashes records that carry none, deterministically', () => {
    // event_id wins over a first field named *_id: an incident's events share its incident_id.
    const incident = { incident_id: 'inc', event_id: 'ev-2' } as unknown as IncidentEventRecord;
    expect(eventId({ kind: 'incident', record: incident })).toBe('ev-2');
    const other = { kind: 'other' as const, name: 'com.example.Thing', record: { count: 1 } };
    const id = eventId(other);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(eventId({ ...other, record: { count: 1 } })).toBe(id);
    expect(eventId({ ...other, record: { count: 2 } })).not.toBe(id);
    expect(eventId({ ...other, name: 'com.example.Other' })).not.toBe(id);
  });

  it('writes int64 beyond 2^53 as strings, bytes as base64, and leaves unknown records untouched otherwise', () => {
    const json = eventObject({
      kind: 'other',
      name: 'com.example.Thing',
      record: {
        big: 2n ** 60n,
        small: 42n,
        raw: Buffer.from([1, 2, 3]),
        at: T0,
        inf: Number.NEGATIVE_INFINITY,
      },
    });
    expect(json.record).toEqual({
      big: '1152921504606846976',
      small: 42,
      raw: 'AQID',
      at: T0,
      inf: '-Infinity',
    });
  });
});
