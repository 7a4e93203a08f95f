/**
 * The wide prediction events of bench/engine-throughput.ts (schemas/bench-wide-prediction.avsc): 20 numeric and 5
 * categorical features drawn by a seeded generator, the baseline fitted on the same distribution, and the topology
 * that monitors all 25 features.
 */

import type { Baseline } from '../src/baseline/baseline-types.ts';
import { buildBaseline, type ReferenceColumn } from '../src/baseline/build-baseline.ts';
import { DEFAULT_QUALITY } from '../src/core/quality/data-quality.ts';
import { cumulative, SeededRandom } from '../src/core/random/seeded-random.ts';
import { DEFAULT_ALERTING } from '../src/topology/alerting-spec.ts';
import type { FeatureSpec, Topology } from '../src/topology/topology-types.ts';

export const NUMERIC_FEATURES = Array.from({ length: 20 }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);
export const CATEGORICAL_FEATURES = ['c1', 'c2', 'c3', 'c4', 'c5'];
/** Cardinality of c1..c5. */
const CARDINALITIES = [3, 5, 8, 12, 40];
const CATEGORIES = CARDINALITIES.map((n, c) => Array.from({ length: n }, (_, k) => `c${c + 1}v${k}`));
/** Zipf-like weights: value k has weight 1 / (k + 1). */
const ZIPF = CARDINALITIES.map((n) => cumulative(Array.from({ length: n }, (_, k) => 1 / (k + 1))));
/** The drifted c1: its weights reversed, so the rarest value becomes the most frequent. */
const C1_DRIFTED = cumulative(
  Array.from({ length: CARDINALITIES[0]! }, (_, k) => 1 / (CARDINALITIES[0]! - k)),
);

export const MODEL_NAME = 'bench-wide';
export const MODEL_VERSION = '1.0.0';

export interface WideEvent {
  model_name: string;
  model_version: string;
  request_id: string;
  event_time: number;
  features: Record<string, number | string>;
  score: number;
}

/**
 * Draws wide events. Numeric features cycle through five families (normal, log-normal, uniform, exponential,
 * rounded normal) so the quantile buckets differ per feature; categorical features are Zipf-distributed over 3 to 40
 * values. `drift` shifts n01 by one standard deviation and reverses the weights of c1; every other feature is as in
 * the baseline.
 */
export class WideEventGenerator {
  readonly #random: SeededRandom;
  readonly #prefix: string;
  #sequence = 0;

  constructor(seed: number, prefix = `w${seed}`) {
    this.#random = new SeededRandom(seed);
    this.#prefix = prefix;
  }

  next(eventTime: number, drift = false): WideEvent {
    const r = this.#random;
    const features: Record<string, number | string> = {};
    let z = 0;
    for (let f = 0; f < NUMERIC_FEATURES.length; f++) {
      let v: number;
      switch (f % 5) {
        case 0:
          v = f + (1 + f / 10) * r.normal();
          break;
        case 1:
          v = Math.exp(3 + 0.5 * r.normal());
          break;
        case 2:
          v = 100 * r.next();
          break;
        case 3:
          v = -10 * Math.log(1 - r.next());
          break;
        default:
          v = Math.round(40 + 12 * r.normal());
      }
      if (f === 0 && drift) v += 1;
      features[NUMERIC_FEATURES[f]!] = v;
      if (f < 4) z += v / (10 * (f + 1));
    }
    for (let c = 0; c < CATEGORICAL_FEATURES.length; c++) {
      const weights = c === 0 && drift ? C1_DRIFTED : ZIPF[c]!;
      features[CATEGORICAL_FEATURES[c]!] = CATEGORIES[c]![r.pick(weights)]!;
    }
    this.#sequence++;
    return {
      model_name: MODEL_NAME,
      model_version: MODEL_VERSION,
      request_id: `${this.#prefix}-${this.#sequence}`,
      event_time: Math.floor(eventTime),
      features,
      score: 1 / (1 + Math.exp(-(z - 2))),
    };
  }
}

/** A baseline fitted on `rows` undrifted events of seed `seed`. */
export function wideBaseline(seed: number, rows: number): Baseline {
  const generator = new WideEventGenerator(seed);
  const numeric = NUMERIC_FEATURES.map(() => new Float64Array(rows));
  const categorical = CATEGORICAL_FEATURES.map(() => new Array<string>(rows));
  for (let i = 0; i < rows; i++) {
    const { features } = generator.next(0);
    NUMERIC_FEATURES.forEach((name, f) => {
      numeric[f]![i] = features[name] as number;
    });
    CATEGORICAL_FEATURES.forEach((name, c) => {
      categorical[c]![i] = features[name] as string;
    });
  }
  const columns = new Map<string, ReferenceColumn>();
  NUMERIC_FEATURES.forEach((name, f) => {
    columns.set(name, { kind: 'numeric', values: numeric[f]! });
  });
  CATEGORICAL_FEATURES.forEach((name, c) => {
    columns.set(name, { kind: 'categorical', values: categorical[c]! });
  });
  return buildBaseline(columns, {
    name: MODEL_NAME,
    source: { description: `bench generator, seed ${seed}, ${rows} rows`, fingerprint: `seed:${seed}`, rows },
    numericBins: 10,
  });
}

export interface WideTopologyOptions {
  readonly runId: string;
  readonly file: string;
  readonly baselinePath: string;
}

/** The bench monitor: every feature, PSI (0.2) for numeric and Jensen-Shannon (0.1) for categorical. */
export function wideTopology({ runId, file, baselinePath }: WideTopologyOptions): Topology {
  const topic = `bench.wide.${runId}`;
  const features: FeatureSpec[] = [
    ...NUMERIC_FEATURES.map(
      (name): FeatureSpec => ({
        name,
        field: `features.${name}`,
        kind: 'numeric',
        tests: [{ test: 'psi', thresholds: { kind: 'fixed', warning: null, critical: 0.2 } }],
      }),
    ),
    ...CATEGORICAL_FEATURES.map(
      (name): FeatureSpec => ({
        name,
        field: `features.${name}`,
        kind: 'categorical',
        tests: [{ test: 'js', thresholds: { kind: 'fixed', warning: null, critical: 0.1 } }],
      }),
    ),
  ];
  return {
    name: `bench-wide-${runId}`,
    file,
    source: {
      topic,
      subject: `${topic}-value`,
      keyField: null,
      timeSemantics: 'event',
      eventTimeField: 'event_time',
      modelNameField: 'model_name',
      modelVersionField: 'model_version',
    },
    baseline: { path: baselinePath, topic: null, name: `bench-wide-${runId}`, previousPeriod: false },
    window: {
      type: 'tumbling',
      sizeMs: 60_000,
      graceMs: 0,
      outOfOrdernessMs: 5_000,
      idleTimeoutMs: 30_000,
      quietCloseMs: 2_000,
      late: { policy: 'drop', retentionMs: 0 },
    },
    features,
    correction: 'none',
    dataQuality: DEFAULT_QUALITY,
    segments: null,
    alerting: DEFAULT_ALERTING,
    model: null,
    sinks: [],
    outputs: {
      alertTopic: `${topic}.alerts`,
      windowStatisticsTopic: null,
      deadLetterTopic: `${topic}.dead-letter`,
      lateEventsTopic: null,
    },
  };
}
