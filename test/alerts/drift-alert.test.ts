import { createHash } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { alertId, alertsFor } from '../../src/alerts/drift-alert.ts';
import { evaluateFeature, type FeatureStatistic } from '../../src/core/drift/feature-drift.ts';
import { DRIFT_ALERT_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import type { WindowResult } from '../../src/topology/drift-topology.ts';

const ALERT_TYPE = avro.Type.forSchema(readShippedSchema(DRIFT_ALERT_SCHEMA_FILE) as avro.Schema);
const START = Date.UTC(2026, 0, 1, 12, 0);

/** A PSI feature over edges 0, 1, 2 whose reference splits evenly between [0, 1) and [1, 2). */
function psiFeature(name: string, current: Float64Array): FeatureStatistic {
  return evaluateFeature(
    {
      name,
      kind: 'numeric',
      test: 'psi',
      threshold: 0.2,
      edges: Float64Array.of(0, 1, 2),
      referenceCounts: Float64Array.of(0, 0, 0, 50, 50, 0, 0),
      referenceSummary: null,
    },
    current,
  );
}

const psiDrift = psiFeature('amount', Float64Array.of(3, 0, 1, 10, 80, 2, 0));
const psiQuiet = psiFeature('age', Float64Array.of(0, 0, 0, 48, 52, 0, 0));
const chi2Drift = evaluateFeature(
  {
    name: 'country',
    kind: 'categorical',
    test: 'chi2',
    threshold: 0.001,
    categories: ['DE', 'FR'],
    referenceCounts: Float64Array.of(50, 50, 0, 0),
  },
  Float64Array.of(90, 5, 3, 2),
);

function result(
  statistics: readonly FeatureStatistic[],
  overrides: Partial<WindowResult> = {},
): WindowResult {
  return {
    monitor: 'credit-risk',
    windowKey: `credit-risk/${START}`,
    start: START,
    end: START + 60_000,
    rows: 100,
    models: [
      { name: 'credit-risk', version: '1.4.0', rows: 70 },
      { name: 'other', version: '9', rows: 20 },
      { name: 'credit-risk', version: '1.5.0', rows: 10 },
    ],
    baselineVersion: 'credit-risk@06d1163955de',
    statistics,
    ...overrides,
  };
}

describe('alertId', () => {
  it('is the first 32 hex characters of sha256 over monitor, feature, window start and statistic', () => {
    const expected = createHash('sha256')
      .update(`credit-risk\u0000amount\u0000${START}\u0000psi`)
      .digest('hex')
      .slice(0, 32);
    expect(alertId('credit-risk', 'amount', START, 'psi')).toBe(expected);
    expect(alertId('credit-risk', 'amount', START, 'psi')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is deterministic', () => {
    expect(alertId('m', 'f', 1, 'js')).toBe(alertId('m', 'f', 1, 'js'));
  });

  it('differs when any part differs', () => {
    const ids = new Set([
      alertId('credit-risk', 'amount', START, 'psi'),
      alertId('credit-risk-2', 'amount', START, 'psi'),
      alertId('credit-risk', 'age', START, 'psi'),
      alertId('credit-risk', 'amount', START + 60_000, 'psi'),
      alertId('credit-risk', 'amount', START, 'js'),
      // Separators keep parts apart: shifting characters between parts changes the id.
      alertId('credit-riska', 'mount', START, 'psi'),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('alertsFor', () => {
  it('makes one alert per drifted feature only', () => {
    expect(psiDrift.drift).toBe(true);
    expect(psiQuiet.drift).toBe(false);
    expect(chi2Drift.drift).toBe(true);
    const alerts = alertsFor(result([psiDrift, psiQuiet, chi2Drift]), 1_767_225_700_000);
    expect(alerts.map((a) => a.feature)).toEqual(['amount', 'country']);
    expect(alertsFor(result([psiQuiet]), 0)).toEqual([]);
  });

  it('fills the alert from the window and the statistic', () => {
    const [alert] = alertsFor(result([psiDrift]), 1_767_225_700_000);
    expect(alert).toEqual({
      alert_id: alertId('credit-risk', 'amount', START, 'psi'),
      monitor: 'credit-risk',
      model_name: 'credit-risk',
      model_versions: ['1.4.0', '1.5.0'],
      feature: 'amount',
      feature_kind: 'NUMERIC',
      window_start: START,
      window_end: START + 60_000,
      statistic: 'psi',
      value: psiDrift.value,
      threshold: 0.2,
      p_value: null,
      reference_size: 100,
      current_size: 96,
      missing: 3,
      out_of_reference: 3,
      baseline_version: 'credit-risk@06d1163955de',
      conventions: psiDrift.conventions,
      detected_at: 1_767_225_700_000,
    });
    const [, chi2] = alertsFor(result([psiDrift, chi2Drift]), 0);
    expect(chi2!.feature_kind).toBe('CATEGORICAL');
    expect(chi2!.statistic).toBe('chi2');
    expect(chi2!.p_value).toBe(chi2Drift.pValue);
    expect(chi2!.out_of_reference).toBe(3);
    expect(chi2!.missing).toBe(2);
  });

  it('gives distinct ids to the alerts of one window, and the same ids on a replay', () => {
    const first = alertsFor(result([psiDrift, chi2Drift]), 1);
    const replay = alertsFor(result([psiDrift, chi2Drift]), 2);
    expect(new Set(first.map((a) => a.alert_id)).size).toBe(2);
    expect(replay.map((a) => a.alert_id)).toEqual(first.map((a) => a.alert_id));
    const next = alertsFor(result([psiDrift], { start: START + 60_000, end: START + 120_000 }), 3);
    expect(next[0]!.alert_id).not.toBe(first[0]!.alert_id);
  });

  it('copies the conventions rather than sharing them', () => {
    const [alert] = alertsFor(result([psiDrift]), 0);
    expect(alert!.conventions).not.toBe(psiDrift.conventions);
  });

  it('handles a window without model rows', () => {
    const [alert] = alertsFor(result([psiDrift], { models: [] }), 0);
    expect(alert!.model_name).toBe('');
    expect(alert!.model_versions).toEqual([]);
  });

  it('produces records valid for schemas/drift-alert.avsc that round-trip through Avro', () => {
    const alerts = alertsFor(result([psiDrift, psiQuiet, chi2Drift]), 1_767_225_700_000);
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) {
      const errors: string[] = [];
      const valid = ALERT_TYPE.isValid(alert, { errorHook: (path) => errors.push(path.join('.')) });
      expect(errors).toEqual([]);
      expect(valid).toBe(true);
      expect(ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(alert))).toEqual(alert);
    }
  });

  it('the schema check is not vacuous: a broken alert is invalid', () => {
    const [alert] = alertsFor(result([psiDrift]), 0);
    expect(ALERT_TYPE.isValid({ ...alert, feature_kind: 'numeric' })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...alert, p_value: 'x' })).toBe(false);
    const { detected_at: _, ...withoutTime } = alert!;
    expect(ALERT_TYPE.isValid(withoutTime)).toBe(false);
  });
});
