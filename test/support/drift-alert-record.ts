import type { DriftAlert } from '../../src/alerts/drift-alert.ts';

/** 2026-11-22T06:40:00.000Z, the window start of driftAlertRecord(). */
export const ALERT_T0 = Date.UTC(2026, 10, 22, 6, 40);

/**
 * A critical PSI alert on feature `amount` of credit-risk version 3 for the minute window at ALERT_T0, against the
 * baseline, without top contributors; `fields` replace values (keys keep this order, the schema's).
 */
export function driftAlertRecord(fields: Partial<DriftAlert> & Pick<DriftAlert, 'alert_id'>): DriftAlert {
  const { alert_id, ...rest } = fields;
  return {
    alert_id,
    monitor: 'credit-risk',
    model_name: 'credit-risk',
    model_versions: ['3'],
    feature: 'amount',
    feature_kind: 'NUMERIC',
    window_start: ALERT_T0,
    window_end: ALERT_T0 + 60_000,
    statistic: 'psi',
    value: 0.31,
    threshold: 0.2,
    p_value: null,
    reference_size: 10_000,
    current_size: 600,
    missing: 0,
    out_of_reference: 0,
    baseline_version: 'b1',
    conventions: {},
    detected_at: ALERT_T0 + 60_000,
    severity: 'critical',
    segment: null,
    reference: 'baseline',
    revision: 0,
    adjusted_p_value: null,
    warning_level: 0.1,
    critical_level: 0.2,
    levels_source: 'fixed',
    ...rest,
  };
}
