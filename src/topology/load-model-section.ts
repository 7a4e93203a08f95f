/**
 * The topology file's `model:` section (topologies/README.md, "Model-quality monitors"), read into ModelSpec.
 *
 * Read in two steps. `modelSection` reads the section on its own: every field, and every rule that involves only the
 * section (task-dependent fields, performance and concept drift needing labels, level order). What depends on the rest
 * of the file (the window's size and grace, the topology features a skew shorthand names, the source key, the segment
 * field, topic collisions) is resolved by `resolveModel`, which reports at positions the first step kept.
 *
 * The section uses the topology's own scalar checks (field paths, topic names, durations, drift-test levels), passed
 * in by load-topology.ts so there is one definition of each and no import cycle.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { Adwin } from '../core/concept-drift/adwin.ts';
import { Ddm } from '../core/concept-drift/ddm.ts';
import { Eddm } from '../core/concept-drift/eddm.ts';
import { HddmA } from '../core/concept-drift/hddm-a.ts';
import { PageHinkley } from '../core/concept-drift/page-hinkley.ts';
import { EMBEDDING_MAX_PROJECTIONS } from '../core/embedding/embedding-drift.ts';
import { EMBEDDING_MAX_DIMENSION } from '../core/embedding/embedding-summary.ts';
import {
  SKEW_DEFAULT_ABS_TOL,
  SKEW_DEFAULT_MAX_EXAMPLES,
  SKEW_DEFAULT_REL_TOL,
} from '../core/joins/skew-accumulator.ts';
import {
  ERROR_RATE_DEFAULT_CRITICAL_SPREAD_POINTS,
  ERROR_RATE_DEFAULT_MIN_ROWS,
  ERROR_RATE_DEFAULT_WARNING_SPREAD_POINTS,
  LATENCY_DEFAULT_CRITICAL_MS,
  LATENCY_DEFAULT_LEVEL_QUANTILE,
  LATENCY_DEFAULT_MIN_COUNT,
  LATENCY_DEFAULT_WARNING_MS,
} from '../core/latency/latency-levels.ts';
import {
  LATENCY_DEFAULT_RELATIVE_ACCURACY,
  LATENCY_MAX_RELATIVE_ACCURACY,
  LATENCY_MIN_RELATIVE_ACCURACY,
} from '../core/latency/latency-sketch.ts';
import {
  DEFAULT_PERFORMANCE_CRITICAL,
  DEFAULT_PERFORMANCE_MIN_ROWS,
  DEFAULT_PERFORMANCE_WARNING,
  PERFORMANCE_METRIC_DIRECTIONS,
  type PerformanceMetricName,
} from '../core/performance/performance-drop.ts';
import { isDriftwatchError } from '../errors.ts';
import type {
  ConceptDriftDetectorName,
  ConceptDriftSpec,
  EmbeddingSpec,
  EmbeddingTestName,
  ErrorsSpec,
  LabelsSpec,
  LatencySpec,
  LevelPair,
  ModelFieldsSpec,
  ModelOutputsSpec,
  ModelSpec,
  ModelTask,
  NewVersionsSpec,
  PerformanceSpec,
  ShadowSpec,
  SkewFeatureSpec,
  SkewSpec,
} from './model-spec.ts';
import type { FeatureKind, ThresholdSpec, WindowSpec } from './topology-types.ts';
import {
  type Check,
  didYouMean,
  Field,
  type FieldTable,
  joinPath,
  list,
  number,
  oneOf,
  optional,
  required,
  type SectionAt,
  scalarOr,
  section,
  string,
  uniqueBy,
  withDefault,
} from './yaml-fields.ts';

// ---------------------------------------------------------------------------------------------------------------
// What the section borrows from the rest of the format

/** How a test's fixed levels read: distances fire when value >= level, p-values when p < level. */
export interface LevelReading {
  /** The test's name, for messages. */
  readonly name: string;
  readonly rule: 'value-above' | 'p-below';
  /** Default fixed levels. */
  readonly warning: number;
  readonly critical: number;
  /** Exclusive upper bound of a fixed level, when the statistic has one. */
  readonly below?: number;
}

/** The features' level rules (load-topology.ts), shared with embedding thresholds. */
export interface LevelRules {
  /** The key and message of the first problem of a test's levels, or null. */
  problem(
    reading: LevelReading,
    calibrate: 'std' | 'quantile' | undefined,
    warning: number | undefined,
    critical: number | undefined,
  ): { key: 'warning' | 'critical'; message: string } | null;
  /** The levels as written, with the test's or the calibration's defaults when neither level is given. */
  thresholds(
    reading: LevelReading,
    calibrate: 'std' | 'quantile' | undefined,
    warning: number | undefined,
    critical: number | undefined,
  ): ThresholdSpec;
}

export interface TopologyChecks {
  readonly fieldPath: Check<string>;
  readonly kafkaTopic: Check<string>;
  readonly featureName: Check<string>;
  readonly duration: (options?: { positive?: boolean }) => Check<number>;
  readonly levels: LevelRules;
}

/** What the model section's defaults and cross-checks need from the rest of the topology. */
export interface ModelContext {
  readonly window: WindowSpec;
  readonly sourceKeyField: string | null;
  readonly features: readonly { readonly name: string; readonly field: string; readonly kind: FeatureKind }[];
  readonly segmentField: string | null;
  /** Topics the topology already reads or writes, with the field naming each (e.g. `source.topic`). */
  readonly topics: readonly { readonly topic: string; readonly path: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Domain rules

export const MODEL_TASKS: readonly ModelTask[] = ['binary', 'multiclass', 'regression'];

/** Metrics each task can compute. roc_auc and log_loss need the score (binary only: one score per row). */
export const TASK_METRICS: Readonly<Record<ModelTask, readonly PerformanceMetricName[]>> = {
  binary: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'],
  multiclass: ['accuracy', 'precision', 'recall', 'f1'],
  regression: ['mae', 'rmse', 'mape'],
};
const SCORE_METRICS: readonly PerformanceMetricName[] = ['roc_auc', 'log_loss'];

function defaultMetrics(task: ModelTask, scored: boolean): PerformanceMetricName[] {
  if (task === 'binary') return ['accuracy', 'precision', 'recall', 'f1', ...(scored ? SCORE_METRICS : [])];
  return task === 'multiclass' ? ['accuracy', 'f1'] : ['mae', 'rmse', 'mape'];
}

/** Builds each detector with the options as written, so a bad option is reported here and not when the engine starts. */
const DETECTORS: Readonly<Record<ConceptDriftDetectorName, (options: Record<string, unknown>) => unknown>> = {
  adwin: (o) => new Adwin(o),
  ddm: (o) => new Ddm(o),
  eddm: (o) => new Eddm(o),
  page_hinkley: (o) => new PageHinkley(o),
  hddm_a: (o) => new HddmA(o),
};
export const DETECTOR_NAMES = Object.keys(DETECTORS) as ConceptDriftDetectorName[];
/** Detectors that refuse anything but a 0/1 error (src/core/concept-drift: checkBinary): not for regression. */
const BINARY_DETECTORS: readonly ConceptDriftDetectorName[] = ['ddm', 'eddm', 'hddm_a'];

/**
 * Embedding tests' fixed levels: the centroid cosine distance (in [0, 2]) fires at or above a level; mmd and
 * projection_ks fire when their p-value falls below one, like ks.
 */
export const EMBEDDING_TESTS: Readonly<Record<EmbeddingTestName, LevelReading>> = {
  centroid_cosine: { name: 'centroid_cosine', rule: 'value-above', warning: 0.05, critical: 0.1, below: 2 },
  mmd: { name: 'mmd', rule: 'p-below', warning: 0.01, critical: 0.001, below: 1 },
  projection_ks: { name: 'projection_ks', rule: 'p-below', warning: 0.01, critical: 0.001, below: 1 },
};
const EMBEDDING_DEFAULT_PROJECTIONS = 16;

/** Windows a new version is compared with its own baseline for, from the window of its first prediction. */
export const DEFAULT_NEW_VERSION_WINDOWS = 3;

const DEFAULT_MAX_PENDING = 1_000_000;
const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;
const DEFAULT_MAX_SKEW_MS = 60_000;
/** Point in time: the offline recomputation carries the serving event's time. */
const DEFAULT_SKEW_BUCKET_MS = 1;
const SESSION_MODEL_WINDOW_MS = 3_600_000;

export const MODEL_OUTPUT_DEFAULTS = {
  alerts: 'driftwatch.model-alerts',
  rollback: 'driftwatch.rollback-recommendations',
} as const;

const SHADOW_DEFAULTS: ShadowSpec = {
  maxSkewMs: DEFAULT_MAX_SKEW_MS,
  minPairs: 100,
  agreement: { warning: 0.95, critical: 0.9 },
  scoreDistance: { warning: 0.1, critical: 0.2 },
  metricDrop: { warning: DEFAULT_PERFORMANCE_WARNING, critical: DEFAULT_PERFORMANCE_CRITICAL },
  rollbackOn: 'critical',
};

// ---------------------------------------------------------------------------------------------------------------
// Small checks

/** An integer in [min, max]. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return (field) => {
    const value = number()(field);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
      return field.fail(`must be an integer ${range}, got ${value}`);
    }
    return value;
  };
}

/** A number in [min, max], or (min, max] with `aboveMin`. */
function between(min: number, max: number, options: { aboveMin?: boolean } = {}): Check<number> {
  return (field) => {
    const value = number()(field);
    if (value === undefined) return undefined;
    const low = options.aboveMin ? value > min : value >= min;
    if (!low || value > max) {
      return field.fail(`must be in ${options.aboveMin ? '(' : '['}${min}, ${max}], got ${value}`);
    }
    return value;
  };
}

/** A class label: labels and predicted classes are compared as strings, so `1` and `true` are read as "1", "true". */
const CLASS_VALUE: Check<string> = (field) => {
  const value = field.scalar('a class label');
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return field.fail('must be a non-empty class label');
};

/** Detector options: a mapping of numbers, booleans and strings. */
const DETECTOR_OPTIONS: Check<Record<string, number | boolean | string>> = (field) => {
  const map = field.node;
  if (!isMap(map)) return field.fail('must be a mapping of option names to values');
  const options: Record<string, number | boolean | string> = {};
  let ok = true;
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const value = pair.value;
    const path = joinPath(field.path, key);
    const offset = (pair.value as Node | null)?.range?.[0] ?? field.offset;
    if (
      isScalar(value) &&
      (typeof value.value === 'number' || typeof value.value === 'boolean' || typeof value.value === 'string')
    ) {
      options[key] = value.value;
    } else {
      ok = false;
      field.validation.report(offset, path, 'must be a number, a boolean or a string');
    }
  }
  return ok ? options : undefined;
};

/**
 * Version baselines: a non-empty mapping of model versions to baseline files (relative to the topology file). A
 * version must be written as a string: YAML reads an unquoted `2.0` as the number 2, which would never match.
 */
const VERSION_BASELINES: Check<Record<string, string>> = (field) => {
  const map = field.node;
  if (!isMap(map)) return field.fail('must be a mapping of model versions to baseline files');
  if (map.items.length === 0) return field.fail('must name at least one model version and its baseline file');
  const file = string();
  const baselines: Record<string, string> = {};
  let ok = true;
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const keyOffset = keyNode?.range?.[0] ?? field.offset;
    const key = isScalar(keyNode) ? keyNode.value : keyNode;
    const keyText = isScalar(keyNode) ? String(keyNode.source ?? keyNode.value) : String(keyNode);
    const at = joinPath(field.path, keyText);
    if (typeof key !== 'string' || key.trim() === '') {
      ok = false;
      field.validation.report(
        keyOffset,
        at,
        'a model version must be a non-empty string; quote it, e.g. "2.0"',
      );
      continue;
    }
    const value = pair.value as Node | null;
    // `v2:` with nothing after it reads as a null scalar: a missing file, not a wrong type.
    const present = value !== null && typeof value === 'object' && !(isScalar(value) && value.value === null);
    const child = present ? field.validation.field(value, at) : undefined;
    const path = child === undefined ? undefined : file(child);
    if (!present) field.validation.report(keyOffset, at, 'needs a baseline file');
    if (path === undefined) ok = false;
    else baselines[key] = path;
  }
  return ok ? baselines : undefined;
};

/** The field of `key` inside a mapping field (the mapping itself, with the key's path, when the key is absent). */
function childOf(field: Field, key: string): Field {
  const path = joinPath(field.path, key);
  const node = isMap(field.node) ? field.node.get(key, true) : undefined;
  const child = node && typeof node === 'object' ? field.validation.field(node as Node, path) : undefined;
  return child ?? new Field(field.validation, field.node, path, field.offset);
}

/** The field of item `index` of a list field. */
function itemOf(field: Field, index: number): Field {
  const path = `${field.path}[${index}]`;
  const node = isSeq(field.node) ? field.node.items[index] : undefined;
  const item = node && typeof node === 'object' ? field.validation.field(node as Node, path) : undefined;
  return item ?? new Field(field.validation, field.node, path, field.offset);
}

/** A value together with the field it was read from, for problems found after the section is read. */
interface Located<T> {
  readonly value: T;
  readonly field: Field;
}

function located<T>(check: Check<T>): Check<Located<T>> {
  return (field) => {
    const value = check(field);
    return value === undefined ? undefined : { value, field };
  };
}

const lastSegment = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/** Reports when both levels are set and out of order; `falling`: levels that fire below them (critical < warning). */
function levelOrder(
  at: SectionAt,
  warning: number | undefined,
  critical: number | undefined,
  falling: boolean,
): void {
  if (warning === undefined || critical === undefined) return;
  if (falling && !(critical < warning)) {
    at.fail('critical', `fires below its level, so it must be below warning (${warning}), got ${critical}`);
  } else if (!falling && !(warning < critical)) {
    at.fail('critical', `must be above warning (${warning}), got ${critical}`);
  }
}

const LEVEL_PAIR_KEYS = ['warning', 'critical'] as const;

/**
 * A mapping {warning, critical} of levels in [min, max]: both absent gives the defaults, one absent is not checked.
 */
function levelPair(
  range: { min: number; max: number },
  defaults: LevelPair,
  falling = false,
): Check<LevelPair> {
  const level = between(range.min, range.max);
  const fields = { warning: optional(level), critical: optional(level) } satisfies FieldTable;
  return section(fields, {
    check: (v, at) => levelOrder(at, v.warning, v.critical, falling),
    build: (v) =>
      v.warning === undefined && v.critical === undefined
        ? defaults
        : { warning: v.warning ?? null, critical: v.critical ?? null },
  });
}

/** Relative drops: 0 < warning < critical <= 1, each defaulting on its own. */
const DROP = between(0, 1, { aboveMin: true });

function dropOrder(
  at: SectionAt,
  v: { warning?: number | undefined; critical?: number | undefined },
  defaults: { warning: number; critical: number },
): void {
  if (v.warning === undefined && v.critical === undefined) return;
  const warning = v.warning ?? defaults.warning;
  const critical = v.critical ?? defaults.critical;
  if (warning < critical) return;
  if (v.critical === undefined)
    at.fail('warning', `must be below critical (${critical}, the default), got ${warning}`);
  else
    at.fail(
      'critical',
      `must be above warning (${warning}${v.warning === undefined ? ', the default' : ''}), got ${critical}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The section, one table per mapping

/** The section as read on its own; `resolveModel` completes it. */
export interface ModelDraft {
  readonly field: Field;
  readonly task: ModelTask;
  readonly windowMs: number | undefined;
  readonly graceMs: number | undefined;
  readonly fields: ModelFieldsSpec;
  readonly labels: Located<LabelsSpec> | null;
  readonly performance: PerformanceSpec;
  readonly conceptDrift: readonly ConceptDriftSpec[];
  readonly skew: Located<SkewDraft> | null;
  readonly shadow: ShadowSpec;
  readonly latency: LatencySpec | null;
  readonly errors: ErrorsDraft | null;
  readonly embeddings: readonly EmbeddingSpec[];
  /** Baseline paths as written (relative to the topology file); resolveModel makes them absolute. */
  readonly newVersions: NewVersionsSpec | null;
  readonly outputs: Located<ModelOutputsSpec> | null;
}

/** A skew feature written as a bare name: a topology feature, looked up in resolveModel. */
/** Labels before the prediction-id default (the last segment of model.predictionId) is applied. */
interface LabelsDraft extends Omit<LabelsSpec, 'predictionIdField'> {
  readonly predictionIdField: string | undefined;
}

interface SkewFeatureName {
  readonly name: string;
  readonly field: Field;
}

interface SkewDraft extends Omit<SkewSpec, 'onlineKeyField' | 'features'> {
  readonly onlineKeyField: string | undefined;
  readonly features: readonly (SkewFeatureSpec | SkewFeatureName)[];
}

interface ErrorsDraft extends Omit<ErrorsSpec, 'segmentField'> {
  readonly segmentField: string | undefined;
}

/** Builds the model section's reader from the topology's scalar checks. */
export function modelSection(checks: TopologyChecks) {
  const { fieldPath, kafkaTopic, featureName, duration, levels } = checks;

  const LABELS_FIELDS = {
    topic: required(kafkaTopic),
    subject: optional(string()),
    predictionId: optional(fieldPath),
    label: required(fieldPath),
    labelTime: required(fieldPath),
    lookback: withDefault(duration({ positive: true }), DEFAULT_LOOKBACK_MS),
    clockSkew: withDefault(duration(), 0),
    maxPending: withDefault(integer(1), DEFAULT_MAX_PENDING),
  } satisfies FieldTable;

  const labels = located(
    section(LABELS_FIELDS, {
      build: (v): LabelsDraft => ({
        topic: v.topic,
        subject: v.subject ?? `${v.topic}-value`,
        predictionIdField: v.predictionId,
        labelField: v.label,
        labelTimeField: v.labelTime,
        lookbackMs: v.lookback,
        clockSkewMs: v.clockSkew,
        maxPending: v.maxPending,
      }),
    }),
  );

  const metricName = oneOf(Object.keys(PERFORMANCE_METRIC_DIRECTIONS) as PerformanceMetricName[]);

  /** Higher-is-better metrics lie in [0, 1]; the error metrics are non-negative. */
  const REFERENCE_FIELDS = Object.fromEntries(
    Object.entries(PERFORMANCE_METRIC_DIRECTIONS).map(([metric, direction]) => [
      metric,
      optional(direction === 'higher-is-better' ? between(0, 1) : between(0, Number.MAX_VALUE)),
    ]),
  ) as Record<PerformanceMetricName, ReturnType<typeof optional<number>>>;

  const reference = section(REFERENCE_FIELDS, {
    build: (v) =>
      Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined)) as Partial<
        Record<PerformanceMetricName, number>
      >,
  });

  const PERFORMANCE_FIELDS = {
    metrics: optional(uniqueBy(list(metricName, { nonEmpty: true }), 'metric', { scalarItems: true })),
    reference: withDefault(reference, {}),
    warning: optional(DROP),
    critical: optional(DROP),
    minRows: withDefault(integer(1), DEFAULT_PERFORMANCE_MIN_ROWS),
  } satisfies FieldTable;

  /** Performance before the task's default metrics are applied (metrics undefined). */
  const performance = located(
    section(PERFORMANCE_FIELDS, {
      check: (v, at) =>
        dropOrder(at, v, { warning: DEFAULT_PERFORMANCE_WARNING, critical: DEFAULT_PERFORMANCE_CRITICAL }),
      build: (v) => ({
        metrics: v.metrics,
        reference: v.reference,
        warning: v.warning ?? DEFAULT_PERFORMANCE_WARNING,
        critical: v.critical ?? DEFAULT_PERFORMANCE_CRITICAL,
        minRows: v.minRows,
      }),
    }),
  );

  const detectorName = oneOf(DETECTOR_NAMES);

  const DETECTOR_FIELDS = {
    detector: required(detectorName),
    options: withDefault(DETECTOR_OPTIONS, {}),
  } satisfies FieldTable;

  const detector = scalarOr<ConceptDriftSpec>(
    (field) => {
      const name = detectorName(field);
      return name === undefined ? undefined : { detector: name, options: {} };
    },
    section(DETECTOR_FIELDS, {
      check: (v, at) => {
        if (v.detector === undefined || v.options === undefined) return;
        try {
          DETECTORS[v.detector](v.options);
        } catch (error) {
          if (!isDriftwatchError(error)) throw error;
          at.fail('options', error.message);
        }
      },
      build: (v) => ({ detector: v.detector, options: v.options }),
    }),
  );

  const SKEW_FEATURE_FIELDS = {
    name: required(featureName),
    online: required(fieldPath),
    offline: optional(fieldPath),
    kind: required(oneOf(['numeric', 'categorical'] as const)),
  } satisfies FieldTable;

  const skewFeature = scalarOr<SkewFeatureSpec | SkewFeatureName>(
    (field) => {
      const name = featureName(field);
      return name === undefined ? undefined : { name, field };
    },
    section(SKEW_FEATURE_FIELDS, {
      build: (v) => ({
        name: v.name,
        onlineField: v.online,
        offlineField: v.offline ?? lastSegment(v.online),
        kind: v.kind,
      }),
    }),
  );

  const TOLERANCE_FIELDS = {
    abs: withDefault(between(0, Number.MAX_VALUE), SKEW_DEFAULT_ABS_TOL),
    rel: withDefault(between(0, Number.MAX_VALUE), SKEW_DEFAULT_REL_TOL),
  } satisfies FieldTable;
  const TOLERANCE_DEFAULT = { abs: SKEW_DEFAULT_ABS_TOL, rel: SKEW_DEFAULT_REL_TOL };

  const SKEW_FIELDS = {
    topic: required(kafkaTopic),
    subject: optional(string()),
    key: optional(fieldPath),
    offlineKey: required(fieldPath),
    offlineTime: required(fieldPath),
    features: required(uniqueBy(list(skewFeature, { nonEmpty: true }), 'name', { scalarItems: true })),
    tolerance: withDefault(section(TOLERANCE_FIELDS, { build: (v) => v }), TOLERANCE_DEFAULT),
    bucket: withDefault(duration(), DEFAULT_SKEW_BUCKET_MS),
    mismatchRate: withDefault(levelPair({ min: 0, max: 1 }, { warning: 0.01, critical: 0.05 }), {
      warning: 0.01,
      critical: 0.05,
    }),
    maxExamples: withDefault(integer(0, 1000), SKEW_DEFAULT_MAX_EXAMPLES),
    maxPending: withDefault(integer(1), DEFAULT_MAX_PENDING),
  } satisfies FieldTable;

  const skew = located(
    section(SKEW_FIELDS, {
      build: (v): SkewDraft => ({
        topic: v.topic,
        subject: v.subject ?? `${v.topic}-value`,
        onlineKeyField: v.key,
        offlineKeyField: v.offlineKey,
        offlineTimeField: v.offlineTime,
        features: v.features,
        absTolerance: v.tolerance.abs,
        relTolerance: v.tolerance.rel,
        bucketMs: v.bucket,
        mismatchRate: v.mismatchRate,
        maxExamples: v.maxExamples,
        maxPending: v.maxPending,
      }),
    }),
  );

  const METRIC_DROP_FIELDS = { warning: optional(DROP), critical: optional(DROP) } satisfies FieldTable;
  const metricDrop = section(METRIC_DROP_FIELDS, {
    check: (v, at) => dropOrder(at, v, SHADOW_DEFAULTS.metricDrop),
    build: (v) => ({
      warning: v.warning ?? SHADOW_DEFAULTS.metricDrop.warning,
      critical: v.critical ?? SHADOW_DEFAULTS.metricDrop.critical,
    }),
  });

  const SHADOW_FIELDS = {
    maxSkew: withDefault(duration(), SHADOW_DEFAULTS.maxSkewMs),
    minPairs: withDefault(integer(1), SHADOW_DEFAULTS.minPairs),
    agreement: withDefault(
      levelPair({ min: 0, max: 1 }, SHADOW_DEFAULTS.agreement, true),
      SHADOW_DEFAULTS.agreement,
    ),
    scoreDistance: withDefault(
      levelPair({ min: 0, max: 1 }, SHADOW_DEFAULTS.scoreDistance),
      SHADOW_DEFAULTS.scoreDistance,
    ),
    metricDrop: withDefault(metricDrop, SHADOW_DEFAULTS.metricDrop),
    rollbackOn: withDefault(oneOf(['warning', 'critical'] as const), SHADOW_DEFAULTS.rollbackOn),
  } satisfies FieldTable;

  const shadow = section(SHADOW_FIELDS, {
    build: (v): ShadowSpec => ({
      maxSkewMs: v.maxSkew,
      minPairs: v.minPairs,
      agreement: v.agreement,
      scoreDistance: v.scoreDistance,
      metricDrop: v.metricDrop,
      rollbackOn: v.rollbackOn,
    }),
  });

  const LATENCY_FIELDS = {
    field: required(fieldPath),
    quantile: withDefault(number({ above: 0, below: 1 }), LATENCY_DEFAULT_LEVEL_QUANTILE),
    warning: optional(number({ above: 0 })),
    critical: optional(number({ above: 0 })),
    minCount: withDefault(integer(1), LATENCY_DEFAULT_MIN_COUNT),
    relativeAccuracy: withDefault(
      between(LATENCY_MIN_RELATIVE_ACCURACY, LATENCY_MAX_RELATIVE_ACCURACY),
      LATENCY_DEFAULT_RELATIVE_ACCURACY,
    ),
  } satisfies FieldTable;

  const latencyOf = (field: string, warningMs?: number, criticalMs?: number): LatencySpec => ({
    field,
    quantile: LATENCY_DEFAULT_LEVEL_QUANTILE,
    warningMs: warningMs ?? LATENCY_DEFAULT_WARNING_MS,
    criticalMs: criticalMs ?? LATENCY_DEFAULT_CRITICAL_MS,
    minCount: LATENCY_DEFAULT_MIN_COUNT,
    relativeAccuracy: LATENCY_DEFAULT_RELATIVE_ACCURACY,
  });

  const latency = scalarOr<LatencySpec>(
    (field) => {
      const path = fieldPath(field);
      return path === undefined ? undefined : latencyOf(path);
    },
    section(LATENCY_FIELDS, {
      check: (v, at) => {
        // As src/core/latency/latency-levels.ts: critical may equal warning (then the level is critical at once).
        const warning = v.warning ?? LATENCY_DEFAULT_WARNING_MS;
        const critical = v.critical ?? LATENCY_DEFAULT_CRITICAL_MS;
        if ((v.warning !== undefined || v.critical !== undefined) && critical < warning) {
          if (v.critical === undefined)
            at.fail('warning', `must not exceed critical (${critical}, the default), got ${warning}`);
          else at.fail('critical', `must not be below warning (${warning}), got ${critical}`);
        }
      },
      build: (v) => ({
        ...latencyOf(v.field, v.warning, v.critical),
        quantile: v.quantile,
        minCount: v.minCount,
        relativeAccuracy: v.relativeAccuracy,
      }),
    }),
  );

  const RATE_DEFAULT: LevelPair = { warning: 1, critical: 5 };
  const SPREAD_DEFAULT: LevelPair = {
    warning: ERROR_RATE_DEFAULT_WARNING_SPREAD_POINTS,
    critical: ERROR_RATE_DEFAULT_CRITICAL_SPREAD_POINTS,
  };
  const POINTS = { min: 0, max: 100 };

  const ERRORS_FIELDS = {
    field: required(fieldPath),
    segment: optional(fieldPath),
    rate: withDefault(levelPair(POINTS, RATE_DEFAULT), RATE_DEFAULT),
    spread: withDefault(levelPair(POINTS, SPREAD_DEFAULT), SPREAD_DEFAULT),
    minRows: withDefault(integer(1), ERROR_RATE_DEFAULT_MIN_ROWS),
  } satisfies FieldTable;

  const errorsOf = (field: string): ErrorsDraft => ({
    field,
    segmentField: undefined,
    ratePoints: RATE_DEFAULT,
    spreadPoints: SPREAD_DEFAULT,
    minRows: ERROR_RATE_DEFAULT_MIN_ROWS,
  });

  const errors = scalarOr<ErrorsDraft>(
    (field) => {
      const path = fieldPath(field);
      return path === undefined ? undefined : errorsOf(path);
    },
    section(ERRORS_FIELDS, {
      build: (v) => ({
        field: v.field,
        segmentField: v.segment,
        ratePoints: v.rate,
        spreadPoints: v.spread,
        minRows: v.minRows,
      }),
    }),
  );

  /** An embedding's threshold before the test it applies to is known. */
  interface ThresholdEntry {
    readonly calibrate: 'std' | 'quantile' | undefined;
    readonly warning: number | undefined;
    readonly critical: number | undefined;
  }

  const EMBEDDING_THRESHOLD_FIELDS = {
    warning: optional(number({ above: 0 })),
    critical: optional(number({ above: 0 })),
    calibrate: optional(oneOf(['std', 'quantile'] as const)),
  } satisfies FieldTable;

  const embeddingThreshold = scalarOr<ThresholdEntry>(
    (field) => {
      // A bare number is the level that alerts: a critical level, with no warning level (as a feature's threshold).
      const level = number({ above: 0 })(field);
      return level === undefined ? undefined : { calibrate: undefined, warning: undefined, critical: level };
    },
    section(EMBEDDING_THRESHOLD_FIELDS, { build: (v) => v }),
  );

  const EMBEDDING_FIELDS = {
    name: required(featureName),
    field: optional(fieldPath),
    dimension: required(integer(1, EMBEDDING_MAX_DIMENSION)),
    test: withDefault(oneOf(Object.keys(EMBEDDING_TESTS) as EmbeddingTestName[]), 'mmd'),
    threshold: optional(embeddingThreshold),
    projections: optional(integer(1, EMBEDDING_MAX_PROJECTIONS)),
  } satisfies FieldTable;

  const embedding = section(EMBEDDING_FIELDS, {
    check: (v, at) => {
      if (v.projections !== undefined && v.test !== undefined && v.test !== 'projection_ks') {
        at.fail('projections', `only applies to test projection_ks, not ${v.test}`);
      }
      if (v.test === undefined || v.threshold === undefined) return;
      const t = v.threshold;
      const problem = levels.problem(EMBEDDING_TESTS[v.test], t.calibrate, t.warning, t.critical);
      if (problem) at.fail('threshold', `${problem.key}: ${problem.message}`);
    },
    build: (v): EmbeddingSpec => {
      const t = v.threshold;
      return {
        name: v.name,
        field: v.field ?? v.name,
        dimension: v.dimension,
        test: v.test,
        thresholds: levels.thresholds(EMBEDDING_TESTS[v.test], t?.calibrate, t?.warning, t?.critical),
        projections: v.projections ?? EMBEDDING_DEFAULT_PROJECTIONS,
      };
    },
  });

  const NEW_VERSIONS_FIELDS = {
    windows: withDefault(integer(1), DEFAULT_NEW_VERSION_WINDOWS),
    baselines: required(VERSION_BASELINES),
  } satisfies FieldTable;

  const newVersions = section(NEW_VERSIONS_FIELDS, {
    build: (v): NewVersionsSpec => ({ windows: v.windows, baselines: v.baselines }),
  });

  const OUTPUTS_FIELDS = {
    alerts: withDefault(kafkaTopic, MODEL_OUTPUT_DEFAULTS.alerts),
    rollback: withDefault(kafkaTopic, MODEL_OUTPUT_DEFAULTS.rollback),
    statistics: optional(kafkaTopic),
  } satisfies FieldTable;

  const outputs = located(
    section(OUTPUTS_FIELDS, {
      build: (v): ModelOutputsSpec => ({
        alertTopic: v.alerts,
        rollbackTopic: v.rollback,
        statisticsTopic: v.statistics ?? null,
      }),
    }),
  );

  const MODEL_FIELDS = {
    task: required(oneOf(MODEL_TASKS)),
    window: optional(duration({ positive: true })),
    grace: optional(duration()),
    predictionId: required(fieldPath),
    // null when absent (undefined when invalid), so an invalid value is not also reported as missing.
    class: withDefault<string | null>(fieldPath, null),
    score: withDefault<string | null>(fieldPath, null),
    positiveClass: withDefault<string | null>(CLASS_VALUE, null),
    role: withDefault<string | null>(fieldPath, null),
    labels: withDefault<Located<LabelsDraft> | null>(labels, null),
    performance: optional(performance),
    conceptDrift: withDefault(
      located(uniqueBy(list(detector), 'detector', { scalarItems: true })),
      null as Located<ConceptDriftSpec[]> | null,
    ),
    skew: optional(skew),
    shadow: optional(shadow),
    latency: optional(latency),
    errors: optional(errors),
    embeddings: withDefault(uniqueBy(list(embedding), 'name'), []),
    newVersions: optional(newVersions),
    outputs: optional(outputs),
  } satisfies FieldTable;

  const read = located(
    section(MODEL_FIELDS, {
      check: (v, at) => {
        const task = v.task;
        if (task === undefined) return;
        if (task !== 'regression' && v.class === null)
          at.fail('class', `required field is missing for task ${task}`);
        if (task === 'regression' && typeof v.class === 'string')
          at.fail('class', 'is not used by task regression; the prediction is `score`');
        if (task === 'regression' && v.score === null)
          at.fail('score', 'required field is missing for task regression (the predicted value)');
        if (task === 'multiclass' && typeof v.score === 'string') {
          at.fail(
            'score',
            'is not used by task multiclass (binary: the positive class probability; regression: the predicted value)',
          );
        }
        if (task !== 'binary' && typeof v.positiveClass === 'string')
          at.fail('positiveClass', `only applies to task binary, not ${task}`);
        if (v.shadow !== undefined && v.role === null)
          at.fail('shadow', 'needs role: the field that tells live from shadow and canary predictions');
        // An invalid labels section (undefined) is reported already; only a missing one is reported here.
        const noLabels = v.labels === null;
        if (v.performance !== undefined && noLabels)
          at.fail('performance', 'performance needs labels: add a labels section');
        const drift = v.conceptDrift;
        if (drift && drift.value.length > 0 && noLabels)
          at.fail('conceptDrift', 'concept drift needs labels: add a labels section');
        if (drift && task === 'regression') {
          drift.value.forEach((d, i) => {
            if (!BINARY_DETECTORS.includes(d.detector)) return;
            const item = itemOf(drift.field, i);
            (isMap(item.node) ? childOf(item, 'detector') : item).fail(
              `${d.detector} needs a 0/1 error stream, and task regression has absolute errors; use adwin or page_hinkley`,
            );
          });
        }
        const scored = typeof v.score === 'string';
        // Binary labels are judged against the positive class (precision, recall and f1 are that class's).
        if (task === 'binary' && v.positiveClass === null) {
          if (scored) {
            at.fail(
              'positiveClass',
              'required field is missing for task binary with a score (the class the score is the probability of)',
            );
          } else if (!noLabels) {
            at.fail(
              'positiveClass',
              'required field is missing for task binary with labels (precision, recall and f1 are those of the positive class)',
            );
          }
        }
        if (v.performance !== undefined) checkMetrics(v.performance, task, scored);
      },
      build: (v): Omit<ModelDraft, 'field'> => {
        const perf = v.performance?.value;
        const labels = v.labels;
        return {
          task: v.task,
          windowMs: v.window,
          graceMs: v.grace,
          fields: {
            predictionIdField: v.predictionId,
            classField: v.class,
            scoreField: v.score,
            positiveClass: v.positiveClass,
            roleField: v.role,
          },
          labels: labels && {
            field: labels.field,
            value: {
              ...labels.value,
              predictionIdField: labels.value.predictionIdField ?? lastSegment(v.predictionId),
            },
          },
          performance: {
            metrics: perf?.metrics ?? defaultMetrics(v.task, v.score !== null),
            reference: perf?.reference ?? {},
            warning: perf?.warning ?? DEFAULT_PERFORMANCE_WARNING,
            critical: perf?.critical ?? DEFAULT_PERFORMANCE_CRITICAL,
            minRows: perf?.minRows ?? DEFAULT_PERFORMANCE_MIN_ROWS,
          },
          conceptDrift: v.conceptDrift?.value ?? [],
          skew: v.skew ?? null,
          shadow: v.shadow ?? SHADOW_DEFAULTS,
          latency: v.latency ?? null,
          errors: v.errors ?? null,
          embeddings: v.embeddings,
          newVersions: v.newVersions ?? null,
          outputs: v.outputs ?? null,
        };
      },
    }),
  );

  const check: Check<ModelDraft> = (field) => {
    const draft = read(field);
    return draft === undefined ? undefined : { ...draft.value, field: draft.field };
  };

  /** The keys each mapping of the section accepts; the JSON schema must list the same (see the schema test). */
  const keys = {
    model: Object.keys(MODEL_FIELDS),
    labels: Object.keys(LABELS_FIELDS),
    performance: Object.keys(PERFORMANCE_FIELDS),
    reference: Object.keys(REFERENCE_FIELDS),
    conceptDrift: Object.keys(DETECTOR_FIELDS),
    skew: Object.keys(SKEW_FIELDS),
    skewFeature: Object.keys(SKEW_FEATURE_FIELDS),
    tolerance: Object.keys(TOLERANCE_FIELDS),
    shadow: Object.keys(SHADOW_FIELDS),
    metricDrop: Object.keys(METRIC_DROP_FIELDS),
    levelPair: [...LEVEL_PAIR_KEYS],
    latency: Object.keys(LATENCY_FIELDS),
    errors: Object.keys(ERRORS_FIELDS),
    embedding: Object.keys(EMBEDDING_FIELDS),
    embeddingThreshold: Object.keys(EMBEDDING_THRESHOLD_FIELDS),
    newVersions: Object.keys(NEW_VERSIONS_FIELDS),
    outputs: Object.keys(OUTPUTS_FIELDS),
  };

  return { check, keys };
}

/** Each metric (written or default) must be computable for the task; reference values only for listed metrics. */
function checkMetrics(
  performance: Located<{
    metrics: PerformanceMetricName[] | undefined;
    reference: Partial<Record<PerformanceMetricName, number>>;
  }>,
  task: ModelTask,
  scored: boolean,
): void {
  const { value, field } = performance;
  const metrics = value.metrics ?? defaultMetrics(task, scored);
  if (value.metrics !== undefined) {
    const list = childOf(field, 'metrics');
    value.metrics.forEach((metric, i) => {
      if (!TASK_METRICS[task].includes(metric)) {
        itemOf(list, i).fail(`${metric} is not a ${task} metric; use ${TASK_METRICS[task].join(', ')}`);
      } else if (SCORE_METRICS.includes(metric) && !scored) {
        itemOf(list, i).fail(`${metric} needs model.score (the positive class probability)`);
      }
    });
  }
  const reference = childOf(field, 'reference');
  for (const metric of Object.keys(value.reference) as PerformanceMetricName[]) {
    if (!metrics.includes(metric)) {
      childOf(reference, metric).fail(
        `is not among the performance metrics (${metrics.join(', ')})${didYouMean(metric, metrics)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution against the rest of the topology

/**
 * Completes a draft with the defaults that come from the rest of the topology and checks what involves it. Problems
 * are reported at the positions kept in the draft; returns undefined when there was one.
 */
export function resolveModel(draft: ModelDraft, context: ModelContext): ModelSpec | undefined {
  const { validation } = draft.field;
  const before = validation.issues.length;
  const window = context.window;

  let skew: SkewSpec | null = null;
  if (draft.skew) {
    const { value, field } = draft.skew;
    const byName = new Map(context.features.map((f) => [f.name, f]));
    const features = value.features.map((entry, i): SkewFeatureSpec | undefined => {
      if ('onlineField' in entry) return entry;
      const feature = byName.get(entry.name);
      if (feature === undefined) {
        const names = [...byName.keys()];
        const hint = didYouMean(entry.name, names) || `; topology features: ${names.join(', ')}`;
        itemOf(childOf(field, 'features'), i).fail(
          `"${entry.name}" is not a topology feature; name one, or write {name, online, offline, kind}${hint}`,
        );
        return undefined;
      }
      return {
        name: feature.name,
        onlineField: feature.field,
        offlineField: lastSegment(feature.field),
        kind: feature.kind === 'numeric' ? 'numeric' : 'categorical',
      };
    });
    const onlineKeyField = value.onlineKeyField ?? context.sourceKeyField;
    if (onlineKeyField === null) {
      childOf(field, 'key').fail(
        'required field is missing: the source has no key either; name the entity key of the prediction event',
      );
    }
    const windowMs = draft.windowMs ?? (window.type === 'session' ? SESSION_MODEL_WINDOW_MS : window.sizeMs);
    const bucketOk =
      Number.isInteger(value.bucketMs) && value.bucketMs >= 1 && windowMs % value.bucketMs === 0;
    if (!bucketOk) {
      childOf(field, 'bucket').fail(
        `must be a whole number of milliseconds that divides the model window (${windowMs} ms), got ${value.bucketMs} ms`,
      );
    }
    if (bucketOk && onlineKeyField !== null && features.every((f) => f !== undefined)) {
      skew = { ...value, onlineKeyField, features };
    }
  }

  // Topics: none may be the source, another output, or another model topic.
  const taken = new Map(context.topics.map((t) => [t.topic, t.path]));
  const claim = (topic: string | null, at: Field, path: string): void => {
    if (topic === null) return;
    const other = taken.get(topic);
    if (other !== undefined) at.fail(`topic "${topic}" is already ${other}; use a topic of its own`);
    else taken.set(topic, path);
  };
  if (draft.labels)
    claim(draft.labels.value.topic, childOf(draft.labels.field, 'topic'), 'model.labels.topic');
  if (draft.skew) claim(draft.skew.value.topic, childOf(draft.skew.field, 'topic'), 'model.skew.topic');
  const outputs = draft.outputs?.value ?? {
    alertTopic: MODEL_OUTPUT_DEFAULTS.alerts,
    rollbackTopic: MODEL_OUTPUT_DEFAULTS.rollback,
    statisticsTopic: null,
  };
  const outputsField = draft.outputs?.field ?? childOf(draft.field, 'outputs');
  claim(outputs.alertTopic, childOf(outputsField, 'alerts'), 'model.outputs.alerts');
  claim(outputs.rollbackTopic, childOf(outputsField, 'rollback'), 'model.outputs.rollback');
  claim(outputs.statisticsTopic, childOf(outputsField, 'statistics'), 'model.outputs.statistics');

  // Like the topology's own baseline path: relative to the directory of the topology file.
  const newVersions = draft.newVersions && {
    windows: draft.newVersions.windows,
    baselines: Object.fromEntries(
      Object.entries(draft.newVersions.baselines).map(([version, file]) => [
        version,
        path.resolve(path.dirname(path.resolve(validation.file)), file),
      ]),
    ),
  };

  if (validation.issues.length > before) return undefined;
  return {
    task: draft.task,
    windowMs: draft.windowMs ?? (window.type === 'session' ? SESSION_MODEL_WINDOW_MS : window.sizeMs),
    graceMs: draft.graceMs ?? window.graceMs,
    fields: draft.fields,
    labels: draft.labels?.value ?? null,
    performance: draft.performance,
    conceptDrift: draft.conceptDrift,
    skew,
    shadow: draft.shadow,
    latency: draft.latency,
    errors: draft.errors
      ? { ...draft.errors, segmentField: draft.errors.segmentField ?? context.segmentField }
      : null,
    embeddings: draft.embeddings,
    newVersions,
    outputs,
  };
}
