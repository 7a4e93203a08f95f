import { createHash } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { alertId, alertsFor, type DriftAlert } from '../../src/alerts/drift-alert.ts';
import { type FeatureLayout, measureTest } from '../../src/core/drift/feature-drift.ts';
import type { FeatureStatistic } from '../../src/core/drift/feature-statistic.ts';
import { qualityChecks } from '../../src/core/quality/data-quality.ts';
import { DRIFT_ALERT_SCHEMA_FILE, readShippedSchema } from '../../src/kafka/avro-schemas.ts';
import type { WindowResult } from '../../src/topology/drift-topology.ts';
import type { TestPlan } from '../../src/topology/feature-specs.ts';
import { judgeMeasurements, resolvePlanLevels } from '../../src/topology/judge-measurements.ts';
import type {
  CorrectionName,
  DriftTestName,
  FeatureKind,
  ThresholdSpec,
} from '../../src/topology/topology-types.ts';

const ALERT_TYPE = avro.Type.forSchema(readShippedSchema(DRIFT_ALERT_SCHEMA_FILE) as avro.Schema);
const START = Date.UTC(2026, 0, 1, 12, 0);

/** Edges 0, 1, 2; the reference splits evenly between [0, 1) and [1, 2). */
const NUMERIC_REFERENCE = Float64Array.of(0, 0, 0, 50, 50, 0, 0);
const PSI_LEVELS: ThresholdSpec = { kind: 'fixed', warning: 0.1, critical: 0.2 };
const P_LEVELS: ThresholdSpec = { kind: 'fixed', warning: 0.01, critical: 0.001 };

interface Case {
  readonly layout: FeatureLayout;
  readonly featureKind?: FeatureKind;
  readonly test: DriftTestName;
  readonly thresholds: ThresholdSpec;
  readonly reference: Float64Array;
  readonly current: Float64Array;
  readonly referenceChunks?: readonly number[];
}

/**
 * Measures each case against its reference and judges them together, as the topology judges one window: the
 * FeatureStatistics an alert is made from. With `previous`, the same measurements are judged as a comparison with
 * the previous window instead of the baseline.
 */
function judged(
  cases: readonly Case[],
  options: { correction?: CorrectionName; previous?: boolean } = {},
): FeatureStatistic[] {
  const plans: TestPlan[] = cases.map((c) => ({
    feature: c.layout.name,
    featureKind: c.featureKind ?? c.layout.kind,
    test: c.test,
    thresholds: c.thresholds,
    referenceChunks: c.referenceChunks ?? null,
  }));
  const measured = cases.map((c) =>
    measureTest(
      c.test,
      c.layout,
      { counts: c.reference, summary: null },
      { counts: c.current, summary: null },
    ),
  );
  const levels = resolvePlanLevels(plans);
  const statistics = judgeMeasurements(
    plans,
    levels,
    { baseline: measured, previous: options.previous ? measured : null },
    options.correction ?? 'none',
  );
  return options.previous ? statistics.slice(cases.length) : statistics;
}

function psiCase(name: string, current: Float64Array, thresholds = PSI_LEVELS): Case {
  return {
    layout: { name, kind: 'numeric', edges: Float64Array.of(0, 1, 2) },
    test: 'psi',
    thresholds,
    reference: NUMERIC_REFERENCE,
    current,
  };
}

function chi2Case(name: string, current: Float64Array, featureKind: FeatureKind = 'categorical'): Case {
  return {
    layout: { name, kind: 'categorical', categories: ['DE', 'FR'] },
    featureKind,
    test: 'chi2',
    thresholds: P_LEVELS,
    reference: Float64Array.of(50, 50, 0, 0),
    current,
  };
}

const AMOUNT = psiCase('amount', Float64Array.of(3, 0, 1, 10, 80, 2, 0));
const AGE = psiCase('age', Float64Array.of(0, 0, 0, 48, 52, 0, 0));
const COUNTRY = chi2Case('country', Float64Array.of(90, 5, 3, 2));
const [psiDrift, psiQuiet, chi2Drift] = judged([AMOUNT, AGE, COUNTRY]) as [
  FeatureStatistic,
  FeatureStatistic,
  FeatureStatistic,
];

function result(
  statistics: readonly FeatureStatistic[],
  overrides: Partial<WindowResult> = {},
): WindowResult {
  return {
    monitor: 'credit-risk',
    windowKey: `credit-risk/${START}`,
    segment: null,
    start: START,
    end: START + 60_000,
    revision: 0,
    rows: 100,
    models: [
      { name: 'credit-risk', version: '1.4.0', rows: 70 },
      { name: 'other', version: '9', rows: 20 },
      { name: 'credit-risk', version: '1.5.0', rows: 10 },
    ],
    quality: [],
    baselineVersion: 'credit-risk@06d1163955de',
    statistics,
    releases: [],
    ...overrides,
  };
}

/** An expected psi contributor: shares as reported, the term from the shares the kernel uses (`r` after epsilon). */
function contributor(bucket: string, referenceShare: number, currentShare: number, r: number) {
  return {
    bucket,
    reference_share: referenceShare,
    current_share: currentShare,
    contribution: expect.closeTo((currentShare - r) * Math.log(currentShare / r), 14),
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

  it('is unchanged by the default segment, reference and revision, so unsegmented ids stay as they were', () => {
    const plain = alertId('credit-risk', 'amount', START, 'psi');
    expect(alertId('credit-risk', 'amount', START, 'psi', {})).toBe(plain);
    expect(
      alertId('credit-risk', 'amount', START, 'psi', { segment: null, reference: 'baseline', revision: 0 }),
    ).toBe(plain);
  });

  it('adds the segment, a non-baseline reference and a revision when given', () => {
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
    const base = `credit-risk\u0000amount\u0000${START}\u0000psi`;
    expect(alertId('credit-risk', 'amount', START, 'psi', { segment: 'DE' })).toBe(
      hash(`${base}\u0000segment=DE`),
    );
    expect(
      alertId('credit-risk', 'amount', START, 'psi', { segment: '*', reference: 'previous', revision: 2 }),
    ).toBe(hash(`${base}\u0000segment=*\u0000reference=previous\u0000revision=2`));
    const ids = new Set([
      alertId('credit-risk', 'amount', START, 'psi'),
      alertId('credit-risk', 'amount', START, 'psi', { segment: 'DE' }),
      alertId('credit-risk', 'amount', START, 'psi', { segment: 'FR' }),
      alertId('credit-risk', 'amount', START, 'psi', { segment: '*' }),
      alertId('credit-risk', 'amount', START, 'psi', { reference: 'previous' }),
      alertId('credit-risk', 'amount', START, 'psi', { revision: 1 }),
      alertId('credit-risk', 'amount', START, 'psi', { revision: 2 }),
    ]);
    expect(ids.size).toBe(7);
  });
});

describe('alertsFor', () => {
  it('makes one alert per drifted feature only', () => {
    expect(psiDrift.severity).toBe('critical');
    expect(psiDrift.drift).toBe(true);
    expect(psiQuiet.severity).toBeNull();
    expect(psiQuiet.drift).toBe(false);
    expect(chi2Drift.severity).toBe('critical');
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
      severity: 'critical',
      segment: null,
      reference: 'baseline',
      revision: 0,
      adjusted_p_value: null,
      warning_level: 0.1,
      critical_level: 0.2,
      levels_source: 'fixed',
      // Reference 50 / 50 in [0, 1) and [1, 2] (100 rows); window 3 missing, 1 below, 10, 80, 2 above (96 rows).
      // Each term is (c - r) ln(c / r), an empty reference bucket taking epsilon = 1e-4.
      top_contributors: [
        contributor('[0, 1)', 0.5, 10 / 96, 0.5),
        contributor('missing', 0, 3 / 96, 1e-4),
        contributor('[1, 2]', 0.5, 80 / 96, 0.5),
        contributor('> 2', 0, 2 / 96, 1e-4),
        contributor('< 0', 0, 1 / 96, 1e-4),
      ],
    });
    const [, chi2] = alertsFor(result([psiDrift, chi2Drift]), 0);
    expect(chi2!.feature_kind).toBe('CATEGORICAL');
    expect(chi2!.statistic).toBe('chi2');
    expect(chi2!.p_value).toBe(chi2Drift.pValue);
    expect(chi2!.out_of_reference).toBe(3);
    expect(chi2!.missing).toBe(2);
    // A p-value test alerts on its adjusted p-value; its threshold is the p-level that fired.
    expect(chi2!.adjusted_p_value).toBe(chi2Drift.pValue);
    expect(chi2!.threshold).toBe(0.001);
    expect(chi2!.severity).toBe('critical');
    expect(chi2!.warning_level).toBe(0.01);
    expect(chi2!.critical_level).toBe(0.001);
  });

  it('reports a warning with the warning level as its threshold', () => {
    // ref (0.5, 0.5), cur (0.33, 0.67): 0.17 ln(0.5 / 0.33) + 0.17 ln(0.67 / 0.5), about 0.120: between the levels.
    const [warning] = judged([psiCase('amount', Float64Array.of(0, 0, 0, 33, 67, 0, 0))]);
    expect(warning!.value).toBeGreaterThanOrEqual(0.1);
    expect(warning!.value).toBeLessThan(0.2);
    const [alert] = alertsFor(result([warning!]), 0);
    expect(alert).toMatchObject({
      severity: 'warning',
      threshold: 0.1,
      warning_level: 0.1,
      critical_level: 0.2,
    });
  });

  it('carries the segment and revision of the window into the alert and its id', () => {
    const window = result([psiDrift], { segment: 'DE', revision: 2 });
    const [alert] = alertsFor(window, 0);
    expect(alert).toMatchObject({ segment: 'DE', revision: 2, reference: 'baseline' });
    expect(alert!.alert_id).toBe(
      alertId('credit-risk', 'amount', START, 'psi', { segment: 'DE', revision: 2 }),
    );
    expect(alert!.alert_id).not.toBe(alertsFor(result([psiDrift]), 0)[0]!.alert_id);
    const [overall] = alertsFor(result([psiDrift], { segment: '*' }), 0);
    expect(overall!.segment).toBe('*');
    expect(overall!.alert_id).not.toBe(alert!.alert_id);
  });

  it('tells an alert against the previous window from one against the baseline', () => {
    const [previous] = judged([AMOUNT], { previous: true });
    expect(previous!.reference).toBe('previous');
    const alerts = alertsFor(result([psiDrift, previous!]), 0);
    expect(alerts.map((a) => a.reference)).toEqual(['baseline', 'previous']);
    expect(alerts[1]!.alert_id).toBe(
      alertId('credit-risk', 'amount', START, 'psi', { reference: 'previous' }),
    );
    expect(alerts[1]!.alert_id).not.toBe(alerts[0]!.alert_id);
  });

  it('reports the corrected p-value, which decides the severity', () => {
    // Two chi2 tests in one window with Bonferroni: each p-value is doubled before it is compared with the levels.
    const stats = judged([COUNTRY, chi2Case('region', Float64Array.of(60, 40, 0, 0))], {
      correction: 'bonferroni',
    });
    const [country] = alertsFor(result(stats), 0);
    expect(country!.feature).toBe('country');
    expect(country!.p_value).toBe(chi2Drift.pValue);
    expect(country!.adjusted_p_value).toBe(2 * chi2Drift.pValue!);
  });

  it('names boolean features BOOLEAN', () => {
    const [flag] = judged([chi2Case('flag', Float64Array.of(90, 10, 0, 0), 'boolean')]);
    expect(flag!.featureKind).toBe('boolean');
    const [alert] = alertsFor(result([flag!]), 0);
    expect(alert!.feature_kind).toBe('BOOLEAN');
    expect(ALERT_TYPE.isValid(alert)).toBe(true);
  });

  it('names where calibrated levels came from', () => {
    const calibrated: ThresholdSpec = { kind: 'calibrated', method: 'std', warning: 2, critical: 3 };
    // Chunk statistics 0.01, 0.02, 0.03, 0.04: mean 0.025, population std sqrt(0.000125).
    const [s] = judged([{ ...AMOUNT, thresholds: calibrated, referenceChunks: [0.01, 0.02, 0.03, 0.04] }]);
    const [alert] = alertsFor(result([s!]), 0);
    const std = Math.sqrt(0.000125);
    expect(alert!.levels_source).toBe('calibrated:std');
    expect(alert!.severity).toBe('critical');
    expect(alert!.warning_level).toBeCloseTo(0.025 + 2 * std, 12);
    expect(alert!.critical_level).toBeCloseTo(0.025 + 3 * std, 12);
    expect(alert!.threshold).toBe(alert!.critical_level);
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

  it('carries top_contributors through Avro, and reads alerts written before the field as []', () => {
    const [alert] = alertsFor(result([chi2Drift]), 0);
    // Reference DE / FR 50 / 50; window 90 DE, 5 FR, 3 unseen, 2 missing: every bucket moved.
    expect(alert!.top_contributors!.map((c) => c.bucket)).toEqual(['FR', 'DE', 'unseen', 'missing']);
    const decoded = ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(alert)) as DriftAlert;
    expect(decoded.top_contributors).toEqual(alert!.top_contributors);
    // The version before this field: the same schema without it, as the registry holds it.
    const schema = readShippedSchema(DRIFT_ALERT_SCHEMA_FILE) as { fields: { name: string }[] };
    const fields = schema.fields.filter((f) => f.name !== 'top_contributors');
    expect(fields).toHaveLength(schema.fields.length - 1);
    const oldType = avro.Type.forSchema({ ...schema, fields } as avro.Schema);
    const { top_contributors: _, ...oldAlert } = alert!;
    const old = ALERT_TYPE.fromBuffer(oldType.toBuffer(oldAlert), ALERT_TYPE.createResolver(oldType));
    expect(old).toEqual({ ...oldAlert, top_contributors: [] });
    // And an alert built without the field encodes with the default.
    expect(ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(oldAlert)).top_contributors).toEqual([]);
  });

  it('puts failed guardrails first, type_mismatch before null_rate, with their counts where they belong', () => {
    // 1000 rows of amount: 30 of the wrong type and 80 nulls share the missing bucket; 20 present values outside.
    const quality = qualityChecks({
      feature: 'amount',
      featureKind: 'numeric',
      referenceCounts: Float64Array.of(0, 0, 0, 500, 500, 0, 0),
      currentCounts: Float64Array.of(110, 0, 10, 440, 430, 10, 0),
      typeMismatches: 30,
    });
    const alerts = alertsFor(result([psiDrift], { quality, rows: 1000 }), 1_767_225_700_000);
    expect(alerts.map((a) => [a.statistic, a.severity, a.levels_source])).toEqual([
      ['type_mismatch', 'warning', 'data-quality'],
      ['null_rate', 'warning', 'data-quality'],
      ['out_of_range', 'warning', 'data-quality'],
      ['psi', 'critical', 'fixed'],
    ]);
    const [mismatch, nulls, range] = alerts;
    expect(mismatch).toMatchObject({
      feature: 'amount',
      feature_kind: 'NUMERIC',
      value: 0.03,
      threshold: 0.01,
      current_size: 1000,
      missing: 30,
      out_of_reference: 0,
      p_value: null,
    });
    expect(mismatch!.conventions.rate).toBe('values of the wrong type (kept as missing) / rows');
    expect(mismatch!.conventions.baselineRate).toBe('0');
    expect(nulls).toMatchObject({ value: 0.08, current_size: 1000, missing: 80, out_of_reference: 0 });
    expect(range).toMatchObject({ current_size: 890, missing: 0, out_of_reference: 20 });
    // A rate guardrail names its bucket with the two rates and the excess; the others name none.
    expect(nulls!.top_contributors).toEqual([
      { bucket: 'missing', reference_share: 0, current_share: 0.08, contribution: 0.08 },
    ]);
    expect(mismatch!.top_contributors).toEqual([]);
    expect(range!.top_contributors).toEqual([]);
    expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(4);
    expect(mismatch!.alert_id).toBe(alertId('credit-risk', 'amount', START, 'type_mismatch'));
    for (const alert of alerts) expect(ALERT_TYPE.isValid(alert)).toBe(true);
    expect(ALERT_TYPE.fromBuffer(ALERT_TYPE.toBuffer(mismatch))).toEqual(mismatch);
  });

  it('names the unseen bucket in an unseen_share alert', () => {
    // Reference 2% unseen of 1000 rows; window 80 of 400 present rows unseen (20%), 100 missing.
    const quality = qualityChecks({
      feature: 'country',
      featureKind: 'categorical',
      referenceCounts: Float64Array.of(490, 490, 20, 0),
      currentCounts: Float64Array.of(160, 160, 80, 100),
    });
    const unseen = alertsFor(result([], { quality, rows: 500 }), 0).find(
      (a) => a.statistic === 'unseen_share',
    );
    expect(unseen!.top_contributors).toEqual([
      { bucket: 'unseen', reference_share: 0.02, current_share: 0.2, contribution: expect.closeTo(0.18, 15) },
    ]);
    expect(ALERT_TYPE.isValid(unseen)).toBe(true);
  });

  it('the schema check is not vacuous: a broken alert is invalid', () => {
    const [alert] = alertsFor(result([psiDrift]), 0);
    expect(ALERT_TYPE.isValid({ ...alert, feature_kind: 'numeric' })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...alert, p_value: 'x' })).toBe(false);
    expect(ALERT_TYPE.isValid({ ...alert, top_contributors: [{ bucket: '< 0', contribution: 1 }] })).toBe(
      false,
    );
    const { detected_at: _, ...withoutTime } = alert!;
    expect(ALERT_TYPE.isValid(withoutTime)).toBe(false);
  });
});
