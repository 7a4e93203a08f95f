import { describe, expect, it } from 'vitest';
import { BASELINE_FORMAT, type Baseline, type BaselineFeature } from '../../src/baseline/baseline-types.ts';
import { type FeatureLayout, type FeatureState, measureTest } from '../../src/core/drift/feature-drift.ts';
import { DEFAULT_PSI_EPSILON } from '../../src/core/stats/psi.ts';
import { NumericSummary } from '../../src/core/summary/numeric-summary.ts';
import { ManualClock } from '../../src/core/time/clock.ts';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { ModelMonitor } from '../../src/model/model-monitor.ts';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import type { ModelFinding, ModelWindowReport } from '../../src/model/model-results.ts';
import { VersionSkewMonitor } from '../../src/model/version-skew-monitor.ts';
import type { ModelRole } from '../../src/topology/model-spec.ts';
import type {
  DriftTestName,
  FeatureSpec,
  ThresholdSpec,
  Topology,
} from '../../src/topology/topology-types.ts';
import { predictionRecord, watermarks as watermark } from './model-test-records.ts';
import { modelTestBaseline, modelTestTopology } from './model-test-topology.ts';

const W = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const fixed = (warning: number, critical: number): ThresholdSpec => ({ kind: 'fixed', warning, critical });

const FEATURES: FeatureSpec[] = [
  {
    name: 'amount',
    field: 'features.amount',
    kind: 'numeric',
    tests: [
      { test: 'psi', thresholds: fixed(0.1, 0.2) },
      { test: 'ks', thresholds: fixed(0.01, 0.001) },
    ],
  },
  {
    name: 'country',
    field: 'features.country',
    kind: 'categorical',
    tests: [
      { test: 'chi2', thresholds: fixed(0.01, 0.001) },
      { test: 'js', thresholds: fixed(0.1, 0.2) },
    ],
  },
];

function topologyOf(features: FeatureSpec[] = FEATURES, windows = 3): Topology {
  return {
    ...modelTestTopology({
      newVersions: { windows, baselines: { v2: '/virtual/v2.json', v3: '/virtual/v3.json' } },
    }),
    features,
  };
}

/** Amounts `offset + 0.5 + (i mod 40)`: ten per bucket of edges offset + [0, 10, 20, 30, 40] per 40 values. */
function amounts(n: number, offset: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => offset + 0.5 + (i % 40));
}

function summaryOf(values: Float64Array): NumericSummary {
  const s = NumericSummary.create();
  s.add(values, null, values.length);
  return s;
}

function numericFeature(offset: number, calibration?: readonly number[]): BaselineFeature {
  const edges = [0, 10, 20, 30, 40].map((e) => e + offset);
  const summary = Buffer.from(summaryOf(amounts(1000, offset)).serialize()).toString('base64');
  return {
    kind: 'numeric',
    binning: 'quantile',
    maxBins: 4,
    edges,
    // missing, -inf, underflow, 4 inner buckets, overflow, +inf
    counts: [0, 0, 0, 250, 250, 250, 250, 0, 0],
    summary,
    ...(calibration === undefined
      ? {}
      : {
          calibration: {
            chunkBy: 'rows' as const,
            chunkSize: 100,
            chunks: calibration.length,
            rows: calibration.map(() => 100),
            smallChunks: 0,
            statistics: { psi: [...calibration] },
            pValues: {},
          },
        }),
  };
}

/** v2 was trained on amounts in [0, 40) and countries DE : FR : US = 5 : 3 : 2; v3 on [100, 140) and JP, KR. */
function baselineOf(version: 'v2' | 'v3', calibration?: readonly number[]): Baseline {
  const v2 = version === 'v2';
  return {
    format: BASELINE_FORMAT,
    name: 'model-test',
    version: `model-test-${version}@000000000000`,
    createdAt: '2026-01-01T00:00:00.000Z',
    source: { description: `${version} training data`, fingerprint: `sha256:${'1'.repeat(64)}`, rows: 1000 },
    features: {
      amount: numericFeature(v2 ? 0 : 100, calibration),
      country: v2
        ? { kind: 'categorical', categories: ['DE', 'FR', 'US'], counts: [500, 300, 200, 0, 0] }
        : { kind: 'categorical', categories: ['JP', 'KR'], counts: [600, 400, 0, 0] },
    },
  };
}

const BASELINES = new Map([
  ['v2', baselineOf('v2')],
  ['v3', baselineOf('v3')],
]);

/** Country of the i-th of 40 rows drawn like v2's training data: 20 DE, 12 FR, 8 US. */
const v2Country = (i: number): string => (i % 10 < 5 ? 'DE' : i % 10 < 8 ? 'FR' : 'US');

function prediction(
  version: string,
  role: ModelRole,
  time: number,
  amount: number | null,
  country: string | null,
): PredictionRecord {
  return predictionRecord({
    time,
    predictionId: `${version}-${time}`,
    modelVersion: version,
    role,
    predictedClass: '1',
    score: 0.5,
    features: [amount, country],
  });
}

/** 40 predictions of `version` in window k, drawn like v2's training data. */
function v2Traffic(version: string, role: ModelRole, k: number): PredictionRecord[] {
  const values = amounts(40, 0);
  return Array.from({ length: 40 }, (_, i) =>
    prediction(version, role, T0 + k * W + i * 1000, values[i]!, v2Country(i)),
  );
}

/** Feeds windows 0..9: v1 (no baseline) live throughout, v3 canary from window 1 to 6, v2 shadow from window 5. */
function runScenario(part: VersionSkewMonitor): { reports: ModelWindowReport[]; findings: ModelFinding[] } {
  const reports: ModelWindowReport[] = [];
  const findings: ModelFinding[] = [];
  for (let k = 0; k < 10; k++) {
    const records = [
      ...v2Traffic('v1', 'live', k),
      ...(k >= 1 && k <= 6 ? v2Traffic('v3', 'canary', k) : []),
      ...(k >= 5 ? v2Traffic('v2', 'shadow', k) : []),
    ];
    for (const r of records) part.prediction(r);
    // Grace 0: once the watermark reaches the end of window k, it closes.
    const out = part.advance(watermark(T0 + (k + 1) * W));
    reports.push(...out.reports);
    findings.push(...out.findings);
  }
  const out = part.flush();
  return { reports: [...reports, ...out.reports], findings: [...findings, ...out.findings] };
}

function layoutOf(baseline: Baseline, name: 'amount' | 'country'): FeatureLayout {
  const f = baseline.features[name]!;
  return f.kind === 'numeric'
    ? { name, kind: 'numeric', edges: Float64Array.from(f.edges) }
    : { name, kind: 'categorical', categories: f.categories };
}

function referenceOf(baseline: Baseline, name: 'amount' | 'country'): FeatureState {
  const f = baseline.features[name]!;
  const summary =
    f.kind === 'numeric'
      ? NumericSummary.deserialize(new Uint8Array(Buffer.from(f.summary!, 'base64')))
      : null;
  return { counts: Float64Array.from(f.counts), summary };
}

const windowStart = (k: number) => T0 + k * W;

describe('VersionSkewMonitor', () => {
  const part = new VersionSkewMonitor(
    { topology: topologyOf(), spec: topologyOf().model!, baseline: modelTestBaseline() },
    BASELINES,
  );
  const { reports, findings } = runScenario(part);
  const byVersion = (v: string) => reports.filter((r) => r.modelVersion === v);

  it('reports each version with a baseline for its first 3 windows only, every feature and test', () => {
    expect(reports.every((r) => r.kind === 'version_skew')).toBe(true);
    const seen = (v: string) => [...new Set(byVersion(v).map((r) => (r.windowStart - T0) / W))];
    expect(seen('v3')).toEqual([1, 2, 3]);
    expect(seen('v2')).toEqual([5, 6, 7]);
    expect(byVersion('v1')).toEqual([]);
    const subjects = byVersion('v2')
      .filter((r) => r.windowStart === windowStart(5))
      .map((r) => r.subject);
    expect(subjects).toEqual(['amount/ks', 'amount/psi', 'country/chi2', 'country/js']);
    expect(byVersion('v2').map((r) => r.counts.window_index)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(part.counts()).toEqual({ monitoredVersions: 2, withoutBaseline: 1 });
  });

  it('finds nothing for v2 served the distribution it was trained on', () => {
    expect(findings.filter((f) => f.modelVersion === 'v2')).toEqual([]);
    // Equal shares and equal samples: every distance is 0 and every p-value 1.
    for (const r of byVersion('v2')) {
      expect(r.figures.value, r.subject).toBeCloseTo(0, 12);
      if (r.subject === 'amount/ks' || r.subject === 'country/chi2')
        expect(r.figures.p_value).toBeCloseTo(1, 12);
      expect(r.counts.rows).toBe(40);
    }
  });

  it('finds every test critical for v3 in its 3 windows, and nothing after', () => {
    const v3 = findings.filter((f) => f.modelVersion === 'v3');
    expect(v3.map((f) => `${(f.windowStart - T0) / W} ${f.subject} ${f.severity}`)).toEqual(
      [1, 2, 3].flatMap((k) => [
        `${k} amount/ks critical`,
        `${k} amount/psi critical`,
        `${k} country/chi2 critical`,
        `${k} country/js critical`,
      ]),
    );
    expect(findings.filter((f) => f.windowStart >= windowStart(4))).toEqual([]);
    const psi = v3.find((f) => f.subject === 'amount/psi')!;
    expect(psi).toMatchObject({
      kind: 'version_skew',
      modelName: 'm',
      role: 'canary',
      comparedVersion: null,
      metric: 'psi',
      threshold: 0.2,
      warningLevel: 0.1,
      criticalLevel: 0.2,
      rows: 40,
      windowEnd: windowStart(2),
    });
    expect(psi.evidence).toMatchObject({
      baseline: 'model-test-v3@000000000000',
      window_index: '1 of 3',
      rows: '40',
      out_of_reference: '40',
    });
    const ks = v3.find((f) => f.subject === 'amount/ks')!;
    expect(ks.metric).toBe('ks_p_value');
    expect(ks.threshold).toBe(0.001);
    expect(ks.value).toBeLessThan(0.001);
  });

  it('reports the values measureTest gives on counts computed here', () => {
    const v3 = baselineOf('v3');
    const served = amounts(40, 0);
    // Every served amount lies below v3's first edge (underflow); every country is unseen by v3.
    const amount: FeatureState = {
      counts: Float64Array.from([0, 0, 40, 0, 0, 0, 0, 0, 0]),
      summary: summaryOf(served),
    };
    const country: FeatureState = { counts: Float64Array.from([0, 0, 40, 0]), summary: null };
    const expected = (name: 'amount' | 'country', test: DriftTestName, current: FeatureState) =>
      measureTest(test, layoutOf(v3, name), referenceOf(v3, name), current);
    const figures = (subject: string) =>
      reports.find(
        (r) => r.modelVersion === 'v3' && r.windowStart === windowStart(1) && r.subject === subject,
      )!.figures;
    const ks = expected('amount', 'ks', amount);
    expect(figures('amount/ks')).toEqual({
      value: ks.value,
      p_value: ks.pValue,
      adjusted_p_value: ks.pValue,
    });
    expect(figures('amount/psi')).toEqual({ value: expected('amount', 'psi', amount).value });
    const chi2 = expected('country', 'chi2', country);
    expect(figures('country/chi2')).toEqual({
      value: chi2.value,
      p_value: chi2.pValue,
      adjusted_p_value: chi2.pValue,
    });
    expect(figures('country/js')).toEqual({ value: expected('country', 'js', country).value });

    // Independently: PSI with zero shares replaced by epsilon (not renormalised), by hand.
    const e = DEFAULT_PSI_EPSILON;
    const psi = (1 - e) * Math.log(1 / e) + 4 * (e - 0.25) * Math.log(e / 0.25);
    expect(figures('amount/psi').value).toBeCloseTo(psi, 10);
    // Disjoint supports: the base-2 Jensen-Shannon distance is 1; the KS distance is 1.
    expect(figures('country/js').value).toBeCloseTo(1, 12);
    expect(figures('amount/ks').value).toBe(1);
  });

  it('counts a window of more values than its buffer holds exactly (v2, 2500 rows)', () => {
    const p = new VersionSkewMonitor(
      { topology: topologyOf(), spec: topologyOf().model!, baseline: modelTestBaseline() },
      BASELINES,
    );
    const served = amounts(2500, 0);
    for (let i = 0; i < served.length; i++)
      p.prediction(prediction('v2', 'live', T0 + i, served[i]!, v2Country(i)));
    const counts = new Float64Array(9);
    for (const a of served) counts[3 + Math.floor(a / 10)]!++;
    expect([...counts]).toEqual([0, 0, 0, 630, 630, 620, 620, 0, 0]);
    const v2 = baselineOf('v2');
    const current: FeatureState = { counts, summary: summaryOf(served) };
    const { reports: out } = p.flush();
    const value = (subject: string) => out.find((r) => r.subject === subject)!.figures.value;
    expect(value('amount/psi')).toBe(
      measureTest('psi', layoutOf(v2, 'amount'), referenceOf(v2, 'amount'), current).value,
    );
    expect(value('amount/ks')).toBe(
      measureTest('ks', layoutOf(v2, 'amount'), referenceOf(v2, 'amount'), current).value,
    );
    expect(value('amount/psi')).toBeGreaterThan(0);
  });

  it('counts a tracked version late once its window closed, ignores windows after its last, and holds open ones', () => {
    const p = new VersionSkewMonitor(
      { topology: topologyOf(), spec: topologyOf().model!, baseline: modelTestBaseline() },
      BASELINES,
    );
    for (const r of v2Traffic('v2', 'live', 0)) p.prediction(r);
    expect(p.doneBefore().predictions).toBe(windowStart(0));
    expect(p.advance(watermark(windowStart(1))).reports).toHaveLength(4);
    expect(p.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    p.prediction(prediction('v2', 'live', windowStart(0) + 5, 1, 'DE'));
    expect(p.late).toBe(1);
    // Window 3 is past v2's 3 windows (0, 1, 2): not counted, not late, nothing held.
    p.prediction(prediction('v2', 'live', windowStart(3) + 5, 1, 'DE'));
    p.prediction(prediction('v1', 'live', windowStart(0) + 5, 1, 'DE'));
    expect(p.late).toBe(1);
    expect(p.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    expect(p.flush().reports).toEqual([]);
  });

  it('counts nulls as missing in both layouts and names the dominant role', () => {
    const p = new VersionSkewMonitor(
      { topology: topologyOf(), spec: topologyOf().model!, baseline: modelTestBaseline() },
      BASELINES,
    );
    p.prediction(prediction('v2', 'shadow', T0, null, null));
    p.prediction(prediction('v2', 'live', T0 + 1, 5, 'DE'));
    p.prediction(prediction('v2', 'live', T0 + 2, Number.NaN, 'XX'));
    const { reports: out } = p.flush();
    const counts = (subject: string) => out.find((r) => r.subject === subject)!.counts;
    expect(counts('amount/psi')).toMatchObject({
      rows: 3,
      missing: 2,
      out_of_reference: 0,
      reference_rows: 1000,
    });
    expect(counts('country/js')).toMatchObject({ rows: 3, missing: 1, out_of_reference: 1 });
  });

  it('judges with levels calibrated on the version baseline', () => {
    const calibrated: FeatureSpec[] = [
      {
        name: 'amount',
        field: 'features.amount',
        kind: 'numeric',
        tests: [{ test: 'psi', thresholds: { kind: 'calibrated', method: 'std', warning: 2, critical: 3 } }],
      },
    ];
    const topology = topologyOf(calibrated);
    // Chunk psi values 0.01 and 0.03: mean 0.02, population std 0.01; levels mean + 2 std, mean + 3 std.
    const p = new VersionSkewMonitor(
      { topology, spec: topology.model!, baseline: modelTestBaseline() },
      new Map([
        ['v2', baselineOf('v2', [0.01, 0.03])],
        ['v3', baselineOf('v3', [0.01, 0.03])],
      ]),
    );
    for (const r of v2Traffic('v3', 'live', 0)) p.prediction(r);
    const { findings: out } = p.flush();
    expect(out).toHaveLength(1);
    expect(out[0]!.warningLevel).toBeCloseTo(0.04, 12);
    expect(out[0]!.criticalLevel).toBeCloseTo(0.05, 12);
    expect(out[0]!.severity).toBe('critical');
    expect(out[0]!.evidence.levels).toMatch(/^calibrated:std: /);

    expect(
      () =>
        new VersionSkewMonitor(
          { topology, spec: topology.model!, baseline: modelTestBaseline() },
          new Map([
            ['v2', baselineOf('v2', [0.01, 0.03])],
            ['v3', baselineOf('v3')],
          ]),
        ),
    ).toThrow(
      /^model version v3 \(baseline model-test-v3@000000000000\): feature "amount" has calibrated psi/,
    );
  });

  it('refuses a version of the spec without a loaded baseline, and a baseline without a monitored feature', () => {
    const context = { topology: topologyOf(), spec: topologyOf().model!, baseline: modelTestBaseline() };
    const refuse = (baselines: Map<string, Baseline>) => {
      try {
        new VersionSkewMonitor(context, baselines);
      } catch (error) {
        if (!isDriftwatchError(error)) throw error;
        return `${error.code} ${error.message}`;
      }
      throw new Error('expected the monitor to refuse');
    };
    expect(refuse(new Map([['v2', baselineOf('v2')]]))).toMatch(
      new RegExp(`^${ErrorCodes.INVALID_OPTION} versionBaselines has no baseline for version "v3"`),
    );
    const { country: _, ...amountOnly } = baselineOf('v3').features;
    expect(
      refuse(
        new Map([
          ['v2', baselineOf('v2')],
          ['v3', { ...baselineOf('v3'), features: amountOnly }],
        ]),
      ),
    ).toBe(
      `${ErrorCodes.BASELINE_INVALID} model version v3 (baseline model-test-v3@000000000000): baseline ` +
        'model-test-v3@000000000000 (/virtual/v3.json) has no feature "country" that topology model-test monitors',
    );
  });
});

describe('ModelMonitor with newVersions', () => {
  it('creates the part from the spec, feeds it and counts versions without a baseline', () => {
    const topology = topologyOf();
    const monitor = new ModelMonitor({
      topology,
      baseline: modelTestBaseline(),
      versionBaselines: BASELINES,
      clock: new ManualClock(0),
    });
    for (const r of [...v2Traffic('v1', 'live', 0), ...v2Traffic('v3', 'canary', 0)]) monitor.prediction(r);
    const out = monitor.flush();
    const skew = out.reports.filter((r) => r.kind === 'version_skew');
    expect(skew.map((r) => `${r.modelVersion} ${r.subject}`)).toEqual([
      'v3 amount/ks',
      'v3 amount/psi',
      'v3 country/chi2',
      'v3 country/js',
    ]);
    expect(out.findings.filter((f) => f.kind === 'version_skew')).toHaveLength(4);
    expect(monitor.counters().versionsWithoutBaseline).toBe(1);
  });

  it('refuses to start without the baselines newVersions names', () => {
    expect(
      () =>
        new ModelMonitor({
          topology: topologyOf(),
          baseline: modelTestBaseline(),
          clock: new ManualClock(0),
        }),
    ).toThrow(/versionBaselines has no baseline for version "v2"/);
  });
});
