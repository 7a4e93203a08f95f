import type { Baseline } from '../../src/baseline/baseline-types.ts';
import { buildBaseline, type ReferenceColumn } from '../../src/baseline/build-baseline.ts';
import { DEFAULT_QUALITY } from '../../src/core/quality/data-quality.ts';
import {
  type CreditRiskDrift,
  type CreditRiskEvent,
  CreditRiskEventGenerator,
  NO_DRIFT,
} from '../../src/demo/credit-risk-events.ts';
import { DEFAULT_ALERTING } from '../../src/topology/alerting-spec.ts';
import type { DriftTestName, FeatureSpec, Topology } from '../../src/topology/topology-types.ts';

/** A feature tested with one test whose threshold alerts as a critical level, as the loader reads `test` + `threshold`. */
function feature(
  name: string,
  kind: FeatureSpec['kind'],
  test: DriftTestName,
  threshold: number,
): FeatureSpec {
  return {
    name,
    field: `features.${name}`,
    kind,
    tests: [{ test, thresholds: { kind: 'fixed', warning: null, critical: threshold } }],
  };
}

const BASELINE_PATH = '/virtual/topologies/baselines/credit-risk.baseline.json';

/**
 * The demo topology (topologies/credit-risk.yaml) as the loader would normalise it, except that every numeric
 * feature is tested with psi (bucket counts only, so the fixture's baselines need no sample summaries).
 */
export const CREDIT_RISK_TOPOLOGY: Topology = {
  name: 'credit-risk',
  file: '/virtual/topologies/credit-risk.yaml',
  source: {
    topic: 'predictions.credit-risk',
    subject: 'predictions.credit-risk-value',
    keyField: null,
    timeSemantics: 'event',
    eventTimeField: 'event_time',
    modelNameField: 'model_name',
    modelVersionField: 'model_version',
  },
  baseline: { path: BASELINE_PATH, topic: null, name: 'credit-risk', previousPeriod: false },
  window: {
    type: 'tumbling',
    sizeMs: 60_000,
    graceMs: 0,
    outOfOrdernessMs: 5_000,
    idleTimeoutMs: 30_000,
    quietCloseMs: 5_000,
    late: { policy: 'drop', retentionMs: 0 },
  },
  features: [
    feature('amount', 'numeric', 'psi', 0.2),
    feature('age', 'numeric', 'psi', 0.2),
    feature('income', 'numeric', 'psi', 0.2),
    feature('channel', 'categorical', 'js', 0.1),
    feature('country', 'categorical', 'chi2', 0.001),
  ],
  correction: 'none',
  dataQuality: DEFAULT_QUALITY,
  segments: null,
  alerting: DEFAULT_ALERTING,
  model: null,
  sinks: [],
  outputs: {
    alertTopic: 'driftwatch.alerts',
    windowStatisticsTopic: null,
    deadLetterTopic: 'driftwatch.dead-letter',
    lateEventsTopic: null,
  },
};

/** Reference columns of `events`, laid out as scripts/make-demo-baseline.ts lays them out. */
export function referenceColumns(events: readonly CreditRiskEvent[]): Map<string, ReferenceColumn> {
  const n = events.length;
  const amount = new Float64Array(n);
  const age = new Float64Array(n);
  const income = new Float64Array(n);
  const incomeValid = new Uint8Array(n);
  events.forEach((e, i) => {
    amount[i] = e.features.amount;
    age[i] = e.features.age;
    income[i] = e.features.income ?? Number.NaN;
    incomeValid[i] = e.features.income === null ? 0 : 1;
  });
  return new Map<string, ReferenceColumn>([
    ['amount', { kind: 'numeric', values: amount }],
    ['age', { kind: 'numeric', values: age }],
    ['income', { kind: 'numeric', values: income, valid: incomeValid }],
    ['channel', { kind: 'categorical', values: events.map((e) => e.features.channel) }],
    ['country', { kind: 'categorical', values: events.map((e) => e.features.country) }],
  ]);
}

/** `n` events one second apart from `start`. */
export function generateEvents(
  seed: number,
  n: number,
  start: number,
  drift: CreditRiskDrift = NO_DRIFT,
  stepMs = 1_000,
): CreditRiskEvent[] {
  const generator = new CreditRiskEventGenerator(seed);
  return Array.from({ length: n }, (_, i) => generator.next(start + i * stepMs, drift));
}

/** A baseline of the demo model built from `rows` training events of `seed`. */
export function trainingBaseline(seed = 1234, rows = 20_000): Baseline {
  const events = generateEvents(seed, rows, Date.UTC(2025, 0, 1));
  return buildBaseline(referenceColumns(events), {
    name: 'credit-risk',
    source: { description: `test generator, seed ${seed}`, fingerprint: 'sha256:test', rows },
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
}
