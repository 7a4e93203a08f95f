/**
 * Loads and validates topology files (topologies/*.yaml; the format is described by topologies/topology.schema.json).
 *
 * Every problem in a file is collected, with the file, line, column and field path it concerns, and reported in one
 * DriftwatchError(TOPOLOGY_INVALID) whose `details.issues` lists them. The result is the normalised `Topology`, with
 * every default resolved.
 *
 * The format is described by the field tables below (one per mapping); to add a field, add it to its table and to the
 * JSON schema (a test keeps the two key sets equal).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_LEVELS, LEVEL_RANGE, testRule } from '../core/drift/thresholds.ts';
import { DEFAULT_QUALITY, TYPE_MISMATCH_POLICIES } from '../core/quality/data-quality.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { type AlertingSpec, DEFAULT_ALERTING } from './alerting-spec.ts';
import { alertingSection } from './load-alerting-section.ts';
import { type LevelReading, type ModelContext, modelSection, resolveModel } from './load-model-section.ts';
import { sinksSection } from './load-sinks-section.ts';
import type { ModelSpec } from './model-spec.ts';
import { parseDuration } from './parse-duration.ts';
import type { SinkSpec } from './sinks-spec.ts';
import {
  type CorrectionName,
  type DataQualitySpec,
  type DriftTestName,
  type FeatureKind,
  type FeatureSpec,
  type FeatureTestSpec,
  type LateSpec,
  OVERALL_SEGMENT,
  type SegmentsSpec,
  type SourceSpec,
  type ThresholdSpec,
  type Topology,
  type TopologyIssue,
  type WindowSpec,
} from './topology-types.ts';
import {
  boolean,
  type Check,
  type FieldTable,
  list,
  literal,
  matching,
  number,
  oneOf,
  optional,
  required,
  type SectionValues,
  scalarOr,
  section,
  string,
  tagged,
  uniqueBy,
  Validation,
  withDefault,
} from './yaml-fields.ts';

export const TOPOLOGY_API_VERSION = 'driftwatch/v1';

// ---------------------------------------------------------------------------------------------------------------
// Rules that depend on the domain rather than on YAML

/** Which tests each feature kind allows, and the tests a feature of that kind gets when it names none. */
export const FEATURE_KINDS: Readonly<
  Record<FeatureKind, { tests: readonly DriftTestName[]; defaultTests: readonly DriftTestName[] }>
> = {
  numeric: { tests: ['psi', 'ks', 'wasserstein_norm'], defaultTests: ['psi'] },
  categorical: { tests: ['js', 'chi2', 'share_change'], defaultTests: ['js'] },
  boolean: { tests: ['js', 'chi2', 'share_change'], defaultTests: ['js'] },
};

/**
 * How each test's fixed levels read, and their defaults, from src/core/drift/thresholds.ts (the one place they are
 * defined). Distances fire when value >= level; p-value tests fire when p < level, so their critical level is the
 * smaller one. `below` is an exclusive upper bound of a level, when the test's range has one.
 */
export const DRIFT_TESTS: Readonly<
  Record<
    DriftTestName,
    { rule: 'value-above' | 'p-below'; warning: number; critical: number; below?: number }
  >
> = Object.fromEntries(
  (['psi', 'ks', 'wasserstein_norm', 'js', 'chi2', 'share_change'] as const).map((test) => {
    const below = LEVEL_RANGE[test].below;
    return [
      test,
      { rule: testRule(test), ...DEFAULT_LEVELS[test], ...(Number.isFinite(below) ? { below } : {}) },
    ];
  }),
) as Record<
  DriftTestName,
  { rule: 'value-above' | 'p-below'; warning: number; critical: number; below?: number }
>;

export const CORRECTIONS: readonly CorrectionName[] = ['none', 'bonferroni', 'holm', 'benjamini-hochberg'];

/** Most panes (gcd-sized slices) one hopping or sliding window may span, to bound per-window merge work. */
export const MAX_PANES_PER_WINDOW = 1024;

const NAME = matching(
  /^[a-z][a-z0-9-]{0,62}$/,
  'a valid monitor name: lowercase letters, digits and dashes, starting with a letter, at most 63 characters',
);
const FEATURE_NAME = matching(
  /^[A-Za-z_][A-Za-z0-9_.-]*$/,
  'a valid feature name: letters, digits, _ . -, starting with a letter or _',
);
const FIELD_PATH = matching(/^[^.\s]+(\.[^.\s]+)*$/, 'a dotted field path such as features.amount');

const KAFKA_TOPIC: Check<string> = (field) => {
  const topic = matching(
    /^[A-Za-z0-9._-]{1,249}$/,
    'a valid Kafka topic name: 1-249 of A-Z a-z 0-9 . _ -',
  )(field);
  if (topic === '.' || topic === '..') return field.fail(`"${topic}" is not a valid Kafka topic name`);
  return topic;
};

function duration(options: { positive?: boolean } = {}): Check<number> {
  return (field) => {
    const value = field.scalar('a duration');
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      return field.fail(`must be a duration such as "5s" or a number of milliseconds, got ${typeof value}`);
    }
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      return field.fail((error as Error).message);
    }
    if (options.positive && ms <= 0) return field.fail(`must be greater than 0, got "${value}"`);
    return ms;
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// The format, one table per mapping

const SOURCE_FIELDS = {
  topic: required(KAFKA_TOPIC),
  subject: optional(string()),
  key: optional(FIELD_PATH),
  // null when absent (undefined when invalid), so an invalid eventTime is not also reported as missing.
  eventTime: withDefault<string | null>(FIELD_PATH, null),
  timeSemantics: withDefault(oneOf(['event', 'processing'] as const), 'event'),
  modelName: withDefault(FIELD_PATH, 'model_name'),
  modelVersion: withDefault(FIELD_PATH, 'model_version'),
} satisfies FieldTable;

const source = section(SOURCE_FIELDS, {
  check: (v, at) => {
    if (v.timeSemantics === 'event' && v.eventTime === null) {
      at.fail(
        'eventTime',
        'required field is missing (or set timeSemantics: processing to use the time events are read)',
      );
    }
    if (v.timeSemantics === 'processing' && typeof v.eventTime === 'string') {
      at.fail('eventTime', 'must not be set with timeSemantics: processing');
    }
  },
  build: (v): SourceSpec => ({
    topic: v.topic,
    subject: v.subject ?? `${v.topic}-value`,
    keyField: v.key ?? null,
    timeSemantics: v.timeSemantics,
    eventTimeField: v.eventTime,
    modelNameField: v.modelName,
    modelVersionField: v.modelVersion,
  }),
});

const BASELINE_FIELDS = {
  file: required(string()),
  topic: optional(KAFKA_TOPIC),
  name: optional(FEATURE_NAME),
  previousPeriod: withDefault(boolean(), false),
} satisfies FieldTable;

/** The baseline before its path is resolved against the topology file. */
interface BaselineEntry {
  readonly file: string;
  readonly topic: string | null;
  readonly name: string | undefined;
  readonly previousPeriod: boolean;
}

const baselineEntry = scalarOr<BaselineEntry>(
  (field) => {
    const file = string()(field);
    return file === undefined ? undefined : { file, topic: null, name: undefined, previousPeriod: false };
  },
  section(BASELINE_FIELDS, {
    build: (v) => ({ file: v.file, topic: v.topic ?? null, name: v.name, previousPeriod: v.previousPeriod }),
  }),
);

const LATE_FIELDS = {
  policy: required(oneOf(['drop', 'side-topic', 'update'] as const)),
  // Positive: an unset retention defaults to the window length (see timing), so an explicit 0 would be ambiguous.
  retention: optional(duration({ positive: true })),
} satisfies FieldTable;

const late = scalarOr<LateSpec>(
  (field) => {
    const policy = oneOf(['drop', 'side-topic', 'update'] as const)(field);
    return policy === undefined ? undefined : { policy, retentionMs: 0 };
  },
  section(LATE_FIELDS, {
    check: (v, at) => {
      if (v.retention !== undefined && v.policy !== undefined && v.policy !== 'update') {
        at.fail('retention', 'only applies to the update policy');
      }
    },
    build: (v) => ({ policy: v.policy, retentionMs: v.retention ?? 0 }),
  }),
);

const LATE_DEFAULT: LateSpec = { policy: 'drop', retentionMs: 0 };

const WINDOW_TIMING_FIELDS = {
  grace: withDefault(duration(), 0),
  outOfOrderness: withDefault(duration(), 0),
  idleTimeout: withDefault(duration(), 30_000),
  quietClose: withDefault(duration(), 0),
  late: withDefault(late, LATE_DEFAULT),
} satisfies FieldTable;

type TimingValues = {
  grace: number;
  outOfOrderness: number;
  idleTimeout: number;
  quietClose: number;
  late: LateSpec;
};

/** With the update policy and no retention, closed windows are kept for one window length (or session gap). */
function timing(v: TimingValues, span: number) {
  return {
    graceMs: v.grace,
    outOfOrdernessMs: v.outOfOrderness,
    idleTimeoutMs: v.idleTimeout,
    quietCloseMs: v.quietClose,
    late: v.late.policy === 'update' && v.late.retentionMs === 0 ? { ...v.late, retentionMs: span } : v.late,
  };
}

const TUMBLING_WINDOW_FIELDS = {
  type: required(literal('tumbling')),
  size: required(duration({ positive: true })),
  ...WINDOW_TIMING_FIELDS,
} satisfies FieldTable;

const HOPPING_WINDOW_FIELDS = {
  type: required(literal('hopping')),
  size: required(duration({ positive: true })),
  advance: required(duration({ positive: true })),
  ...WINDOW_TIMING_FIELDS,
} satisfies FieldTable;

const SLIDING_WINDOW_FIELDS = {
  type: required(literal('sliding')),
  size: required(duration({ positive: true })),
  slide: required(duration({ positive: true })),
  ...WINDOW_TIMING_FIELDS,
} satisfies FieldTable;

const SESSION_WINDOW_FIELDS = {
  type: required(literal('session')),
  gap: required(duration({ positive: true })),
  maxSize: withDefault(duration(), 0),
  ...WINDOW_TIMING_FIELDS,
} satisfies FieldTable;

/** Hopping and sliding windows: the step must not exceed the size, and a window spans a bounded number of panes. */
function overlapping(step: 'advance' | 'slide') {
  return (
    v: { size?: number; advance?: number; slide?: number },
    at: { fail(key: string, message: string): undefined },
  ) => {
    const size = v.size;
    const by = v[step];
    if (size === undefined || by === undefined) return;
    if (by > size) {
      at.fail(
        step,
        `must not exceed the window size (${size} ms), got ${by} ms; use a tumbling window for gaps`,
      );
    } else if (size / gcd(size, by) > MAX_PANES_PER_WINDOW) {
      at.fail(
        step,
        `size ${size} ms and ${step} ${by} ms share too small a common divisor (${gcd(size, by)} ms): a window would span ${size / gcd(size, by)} panes, at most ${MAX_PANES_PER_WINDOW}`,
      );
    }
  };
}

const window = tagged<WindowSpec>(
  'type',
  {
    tumbling: section(TUMBLING_WINDOW_FIELDS, {
      build: (v) => ({ type: v.type, sizeMs: v.size, ...timing(v, v.size) }),
    }),
    hopping: section(HOPPING_WINDOW_FIELDS, {
      check: overlapping('advance'),
      build: (v) => ({ type: v.type, sizeMs: v.size, advanceMs: v.advance, ...timing(v, v.size) }),
    }),
    sliding: section(SLIDING_WINDOW_FIELDS, {
      check: overlapping('slide'),
      build: (v) => ({ type: v.type, sizeMs: v.size, slideMs: v.slide, ...timing(v, v.size) }),
    }),
    session: section(SESSION_WINDOW_FIELDS, {
      check: (v, at) => {
        if (v.maxSize !== undefined && v.gap !== undefined && v.maxSize !== 0 && v.maxSize < v.gap) {
          at.fail('maxSize', `must be 0 (no limit) or at least the gap (${v.gap} ms), got ${v.maxSize} ms`);
        }
        if (v.late?.policy === 'update') {
          at.fail(
            'late',
            'the update policy is not available for session windows (a late event may merge sessions that were already reported); use drop or side-topic',
          );
        }
      },
      build: (v) => ({ type: v.type, gapMs: v.gap, maxSizeMs: v.maxSize, ...timing(v, v.gap) }),
    }),
  },
  { noun: 'window type' },
);

const TEST_FIELDS = {
  test: required(oneOf(Object.keys(DRIFT_TESTS) as DriftTestName[])),
  warning: optional(number({ above: 0 })),
  critical: optional(number({ above: 0 })),
  calibrate: optional(oneOf(['std', 'quantile'] as const)),
} satisfies FieldTable;

/** Reading and defaults of a drift test's fixed levels. */
const readingOf = (test: DriftTestName): LevelReading => ({ name: test, ...DRIFT_TESTS[test] });

/** Checks one test's levels (features' and embeddings'); returns the key and message of the first problem, or null. */
function levelProblem(
  reading: LevelReading,
  calibrate: 'std' | 'quantile' | undefined,
  warning: number | undefined,
  critical: number | undefined,
): { key: 'warning' | 'critical'; message: string } | null {
  if (calibrate === 'quantile') {
    for (const [key, q] of [
      ['warning', warning],
      ['critical', critical],
    ] as const) {
      if (q !== undefined && !(q < 1))
        return { key, message: `a quantile level must be in (0, 1), got ${q}` };
    }
  }
  if (calibrate === undefined) {
    const { below } = reading;
    for (const [key, level] of [
      ['warning', warning],
      ['critical', critical],
    ] as const) {
      if (level !== undefined && below !== undefined && !(level < below)) {
        return { key, message: `must be less than ${below} for test ${reading.name}, got ${level}` };
      }
    }
  }
  if (warning !== undefined && critical !== undefined) {
    const pBelow = calibrate === undefined && reading.rule === 'p-below';
    if (pBelow && warning < critical) {
      return {
        key: 'critical',
        message: `a p-value level: critical (${critical}) must not exceed warning (${warning})`,
      };
    }
    if (!pBelow && warning > critical) {
      return { key: 'critical', message: `must not be below warning (${warning}), got ${critical}` };
    }
  }
  return null;
}

function fixedDefaults(test: DriftTestName): ThresholdSpec {
  const { warning, critical } = DRIFT_TESTS[test];
  return { kind: 'fixed', warning, critical };
}

/** A calibrated level defaults to mean + 2 / 3 std, or the 0.95 / 0.99 quantile. */
const CALIBRATION_DEFAULTS = {
  std: { warning: 2, critical: 3 },
  quantile: { warning: 0.95, critical: 0.99 },
};

/** The levels as written; the test's (or the calibration's) defaults when neither is given, else null for the other. */
function thresholdsOf(
  reading: LevelReading,
  calibrate: 'std' | 'quantile' | undefined,
  warning: number | undefined,
  critical: number | undefined,
): ThresholdSpec {
  const bothUnset = warning === undefined && critical === undefined;
  if (calibrate !== undefined) {
    const d = CALIBRATION_DEFAULTS[calibrate];
    return {
      kind: 'calibrated',
      method: calibrate,
      warning: bothUnset ? d.warning : (warning ?? null),
      critical: bothUnset ? d.critical : (critical ?? null),
    };
  }
  if (bothUnset) return { kind: 'fixed', warning: reading.warning, critical: reading.critical };
  return { kind: 'fixed', warning: warning ?? null, critical: critical ?? null };
}

const testEntry = scalarOr<FeatureTestSpec>(
  (field) => {
    const test = oneOf(Object.keys(DRIFT_TESTS) as DriftTestName[])(field);
    return test === undefined ? undefined : { test, thresholds: fixedDefaults(test) };
  },
  section(TEST_FIELDS, {
    check: (v, at) => {
      if (v.test === undefined) return;
      const problem = levelProblem(readingOf(v.test), v.calibrate, v.warning, v.critical);
      if (problem) at.fail(problem.key, problem.message);
    },
    build: (v): FeatureTestSpec => ({
      test: v.test,
      thresholds: thresholdsOf(readingOf(v.test), v.calibrate, v.warning, v.critical),
    }),
  }),
);

const DEFAULT_TESTS_FIELDS = {
  tests: required(uniqueBy(list(testEntry, { nonEmpty: true }), 'test', { scalarItems: true })),
} satisfies FieldTable;
const kindDefaults = section(DEFAULT_TESTS_FIELDS, { build: (v) => v.tests });

const DEFAULTS_FIELDS = {
  numeric: optional(kindDefaults),
  categorical: optional(kindDefaults),
  boolean: optional(kindDefaults),
} satisfies FieldTable;

type KindTests = Partial<Record<FeatureKind, FeatureTestSpec[]>>;

const defaults = section(DEFAULTS_FIELDS, {
  check: (v, at) => {
    for (const kind of Object.keys(FEATURE_KINDS) as FeatureKind[]) {
      const bad = v[kind]?.find((t) => !FEATURE_KINDS[kind].tests.includes(t.test));
      if (bad)
        at.fail(
          kind,
          `test "${bad.test}" is not allowed for ${kind} features; use ${FEATURE_KINDS[kind].tests.join(' or ')}`,
        );
    }
  },
  build: (v): KindTests => ({
    ...(v.numeric ? { numeric: v.numeric } : {}),
    ...(v.categorical ? { categorical: v.categorical } : {}),
    ...(v.boolean ? { boolean: v.boolean } : {}),
  }),
});

const FEATURE_FIELDS = {
  name: required(FEATURE_NAME),
  field: optional(FIELD_PATH),
  kind: required(oneOf(Object.keys(FEATURE_KINDS) as FeatureKind[])),
  // null when absent (undefined when invalid), so a threshold is not also reported as lacking its test.
  test: withDefault<DriftTestName | null>(oneOf(Object.keys(DRIFT_TESTS) as DriftTestName[]), null),
  threshold: optional(number({ above: 0 })),
  tests: optional(uniqueBy(list(testEntry, { nonEmpty: true }), 'test', { scalarItems: true })),
} satisfies FieldTable;

/** A feature before the file's per-kind defaults are applied (they are read after the features). */
interface FeatureEntry {
  readonly name: string;
  readonly field: string;
  readonly kind: FeatureKind;
  readonly tests: readonly FeatureTestSpec[] | undefined;
}

const feature = section(FEATURE_FIELDS, {
  check: (v, at) => {
    const test = v.test ?? undefined;
    if (v.tests !== undefined && (test !== undefined || v.threshold !== undefined)) {
      at.fail(test !== undefined ? 'test' : 'threshold', 'use either test/threshold or tests, not both');
      return;
    }
    if (v.kind === undefined) return;
    const allowed = FEATURE_KINDS[v.kind].tests;
    const bad = test !== undefined ? test : v.tests?.find((t) => !allowed.includes(t.test))?.test;
    if (bad !== undefined && !allowed.includes(bad)) {
      at.fail(
        test !== undefined ? 'test' : 'tests',
        `test "${bad}" is not allowed for ${v.kind} features; use ${allowed.join(' or ')}`,
      );
      return;
    }
    if (v.threshold !== undefined) {
      if (v.test === null) {
        at.fail('threshold', 'needs test: name the test the threshold is for');
        return;
      }
      if (v.test === undefined) return;
      const { below } = DRIFT_TESTS[v.test];
      if (below !== undefined && !(v.threshold < below)) {
        at.fail('threshold', `must be less than ${below} for test ${v.test}, got ${v.threshold}`);
      }
    }
  },
  build: (v): FeatureEntry => {
    let tests: readonly FeatureTestSpec[] | undefined = v.tests;
    if (v.test !== null) {
      // `threshold` alone is the level that alerts: a critical level, with no warning level.
      tests = [
        {
          test: v.test,
          thresholds:
            v.threshold === undefined
              ? fixedDefaults(v.test)
              : { kind: 'fixed', warning: null, critical: v.threshold },
        },
      ];
    }
    return { name: v.name, field: v.field ?? v.name, kind: v.kind, tests };
  },
});

const THRESHOLDS_FIELDS = {
  correction: withDefault(oneOf(CORRECTIONS), 'none'),
} satisfies FieldTable;

const thresholds = section(THRESHOLDS_FIELDS, { build: (v) => ({ correction: v.correction }) });

/** A share in [0, 1]. */
const SHARE: Check<number> = (field) => {
  const value = number()(field);
  if (value === undefined) return undefined;
  if (value < 0 || value > 1) return field.fail(`must be a share in [0, 1], got ${value}`);
  return value;
};

const QUALITY_LEVEL_FIELDS = {
  warning: optional(SHARE),
  critical: optional(SHARE),
} satisfies FieldTable;

function qualityLevels(fallback: { warning: number | null; critical: number | null }) {
  return section(QUALITY_LEVEL_FIELDS, {
    check: (v, at) => {
      if (v.warning !== undefined && v.critical !== undefined && v.warning > v.critical) {
        at.fail('critical', `must not be below warning (${v.warning}), got ${v.critical}`);
      }
    },
    build: (v) =>
      v.warning === undefined && v.critical === undefined
        ? fallback
        : { warning: v.warning ?? null, critical: v.critical ?? null },
  });
}

const DATA_QUALITY_FIELDS = {
  nullRate: withDefault(qualityLevels(DEFAULT_QUALITY.nullRate), DEFAULT_QUALITY.nullRate),
  outOfRange: withDefault(qualityLevels(DEFAULT_QUALITY.outOfRange), DEFAULT_QUALITY.outOfRange),
  unseenShare: withDefault(qualityLevels(DEFAULT_QUALITY.unseenShare), DEFAULT_QUALITY.unseenShare),
  typeMismatch: withDefault(qualityLevels(DEFAULT_QUALITY.typeMismatch), DEFAULT_QUALITY.typeMismatch),
  onTypeMismatch: withDefault(oneOf(TYPE_MISMATCH_POLICIES), DEFAULT_QUALITY.onTypeMismatch),
  minRows: withDefault(number({ above: 0 }), DEFAULT_QUALITY.minRows),
} satisfies FieldTable;

const dataQuality = section(DATA_QUALITY_FIELDS, {
  check: (v, at) => {
    if (v.minRows !== undefined && !Number.isInteger(v.minRows))
      at.fail('minRows', `must be an integer, got ${v.minRows}`);
  },
  build: (v): DataQualitySpec => v,
});

const SEGMENTS_FIELDS = {
  field: required(FIELD_PATH),
  maxValues: withDefault(number({ above: 0 }), 20),
  other: withDefault(string(), 'other'),
  overall: withDefault(boolean(), true),
} satisfies FieldTable;

const segments = section(SEGMENTS_FIELDS, {
  check: (v, at) => {
    if (v.maxValues !== undefined && (!Number.isInteger(v.maxValues) || v.maxValues > 10_000)) {
      at.fail('maxValues', `must be an integer in 1..10000, got ${v.maxValues}`);
    }
    if (v.other === OVERALL_SEGMENT)
      at.fail('other', `"${OVERALL_SEGMENT}" is the label of the whole stream`);
  },
  build: (v): SegmentsSpec => ({
    field: v.field,
    maxValues: v.maxValues,
    otherLabel: v.other,
    overall: v.overall,
  }),
});

const OUTPUTS_FIELDS = {
  alerts: withDefault(KAFKA_TOPIC, 'driftwatch.alerts'),
  windowStatistics: optional(KAFKA_TOPIC),
  deadLetter: withDefault(KAFKA_TOPIC, 'driftwatch.dead-letter'),
  lateEvents: optional(KAFKA_TOPIC),
} satisfies FieldTable;

/** Outputs before the late-events default (which depends on the window's late policy) is applied. */
interface OutputsEntry {
  readonly alerts: string;
  readonly windowStatistics: string | undefined;
  readonly deadLetter: string;
  readonly lateEvents: string | undefined;
}

const OUTPUTS_DEFAULT: OutputsEntry = {
  alerts: 'driftwatch.alerts',
  windowStatistics: undefined,
  deadLetter: 'driftwatch.dead-letter',
  lateEvents: undefined,
};

const outputs = section(OUTPUTS_FIELDS, { build: (v): OutputsEntry => v });

const model = modelSection({
  fieldPath: FIELD_PATH,
  kafkaTopic: KAFKA_TOPIC,
  featureName: FEATURE_NAME,
  duration,
  levels: { problem: levelProblem, thresholds: thresholdsOf },
});

const sinks = sinksSection({ duration });
const alerting = alertingSection({ kafkaTopic: KAFKA_TOPIC, duration });

const TOPOLOGY_FIELDS = {
  apiVersion: required(literal(TOPOLOGY_API_VERSION)),
  name: required(NAME),
  source: required(source),
  baseline: required(baselineEntry),
  window: required(window),
  defaults: optional(defaults),
  features: required(uniqueBy(list(feature, { nonEmpty: true }), 'name')),
  thresholds: withDefault(thresholds, { correction: 'none' as CorrectionName }),
  segments: optional(segments),
  dataQuality: withDefault(dataQuality, DEFAULT_QUALITY as DataQualitySpec),
  outputs: withDefault(outputs, OUTPUTS_DEFAULT),
  model: optional(model.check),
  sinks: withDefault(sinks.check, [] as SinkSpec[]),
  alerting: withDefault(alerting.check, DEFAULT_ALERTING),
} satisfies FieldTable;

/** The keys each mapping of the format accepts; the JSON schema must list the same (see the schema test). */
export const TOPOLOGY_KEYS = {
  topology: Object.keys(TOPOLOGY_FIELDS),
  source: Object.keys(SOURCE_FIELDS),
  baseline: Object.keys(BASELINE_FIELDS),
  window: {
    tumbling: Object.keys(TUMBLING_WINDOW_FIELDS),
    hopping: Object.keys(HOPPING_WINDOW_FIELDS),
    sliding: Object.keys(SLIDING_WINDOW_FIELDS),
    session: Object.keys(SESSION_WINDOW_FIELDS),
  },
  late: Object.keys(LATE_FIELDS),
  defaults: Object.keys(DEFAULTS_FIELDS),
  feature: Object.keys(FEATURE_FIELDS),
  test: Object.keys(TEST_FIELDS),
  thresholds: Object.keys(THRESHOLDS_FIELDS),
  segments: Object.keys(SEGMENTS_FIELDS),
  dataQuality: Object.keys(DATA_QUALITY_FIELDS),
  qualityLevels: Object.keys(QUALITY_LEVEL_FIELDS),
  outputs: Object.keys(OUTPUTS_FIELDS),
  model: model.keys,
  sinks: sinks.keys,
  alerting: alerting.keys,
} as const;

/** Resolves what depends on more than one section: per-kind default tests, baseline path and name, late topic. */
function assemble(
  v: {
    name: string;
    source: SourceSpec;
    baseline: BaselineEntry;
    window: WindowSpec;
    defaults: KindTests | undefined;
    features: FeatureEntry[];
    thresholds: { correction: CorrectionName };
    segments: SegmentsSpec | undefined;
    dataQuality: DataQualitySpec;
    outputs: OutputsEntry;
    sinks: SinkSpec[];
    alerting: AlertingSpec;
  },
  absoluteFile: string,
  model: ModelSpec | null,
): Topology {
  const baselinePath = path.resolve(path.dirname(absoluteFile), v.baseline.file);
  const features: FeatureSpec[] = v.features.map((f) => ({
    name: f.name,
    field: f.field,
    kind: f.kind,
    tests:
      f.tests ??
      v.defaults?.[f.kind] ??
      FEATURE_KINDS[f.kind].defaultTests.map((test) => ({ test, thresholds: fixedDefaults(test) })),
  }));
  const lateEventsTopic = lateEventsTopicOf(v.window, v.outputs);
  return {
    name: v.name,
    file: absoluteFile,
    source: v.source,
    baseline: {
      path: baselinePath,
      topic: v.baseline.topic,
      name: v.baseline.name ?? v.name,
      previousPeriod: v.baseline.previousPeriod,
    },
    window: v.window,
    features,
    correction: v.thresholds.correction,
    dataQuality: v.dataQuality,
    segments: v.segments ?? null,
    model,
    sinks: v.sinks,
    alerting: v.alerting,
    outputs: {
      alertTopic: v.outputs.alerts,
      windowStatisticsTopic: v.outputs.windowStatistics ?? null,
      deadLetterTopic: v.outputs.deadLetter,
      lateEventsTopic,
    },
  };
}

/** Only the side-topic policy produces late events (OutputsSpec.lateEventsTopic: null otherwise). */
function lateEventsTopicOf(window: WindowSpec, outputs: OutputsEntry): string | null {
  return window.late.policy === 'side-topic' ? (outputs.lateEvents ?? 'driftwatch.late-events') : null;
}

/** The model section's view of the rest of the topology, once the sections it needs are valid. */
function modelContext(v: Partial<SectionValues<typeof TOPOLOGY_FIELDS>>): ModelContext | undefined {
  const { source, window, features, outputs, baseline } = v;
  if (!source || !window || !features || !outputs || !baseline) return undefined;
  const topics = [
    { topic: source.topic, path: 'source.topic' },
    { topic: baseline.topic, path: 'baseline.topic' },
    { topic: outputs.alerts, path: 'outputs.alerts' },
    { topic: outputs.windowStatistics ?? null, path: 'outputs.windowStatistics' },
    { topic: outputs.deadLetter, path: 'outputs.deadLetter' },
    { topic: lateEventsTopicOf(window, outputs), path: 'outputs.lateEvents' },
  ].filter((t): t is { topic: string; path: string } => t.topic !== null);
  return {
    window,
    sourceKeyField: source.keyField,
    features,
    segmentField: v.segments?.field ?? null,
    topics,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/**
 * Parses and validates the text of a topology file. `file` is used in messages as given and, resolved against the
 * working directory, as the base of the baseline path. Throws DriftwatchError(TOPOLOGY_INVALID) listing every problem.
 */
export function parseTopology(text: string, file: string): Topology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const validation = new Validation(file, lineCounter, doc);
  const absoluteFile = path.resolve(file);

  let topology: Topology | undefined;
  if (doc.errors.length > 0) {
    // The tree of a document with syntax errors is a guess; checking it would mostly report follow-on noise.
    for (const error of doc.errors)
      validation.report(error.pos[0], '', `YAML syntax error: ${error.message}`);
  } else {
    const root = validation.root();
    if (!root) {
      validation.report(
        undefined,
        '',
        'the file is empty; expected a topology mapping (apiVersion, name, ...)',
      );
    } else {
      // The model section is completed against the other sections once they are read (null: none in the file).
      let modelSpec: ModelSpec | null | undefined = null;
      topology = section(TOPOLOGY_FIELDS, {
        check: (v) => {
          const context = v.model && modelContext(v);
          if (v.model && context) modelSpec = resolveModel(v.model, context);
        },
        build: (v): Topology => assemble(v, absoluteFile, modelSpec ?? null),
      })(root);
    }
  }

  if (validation.issues.length > 0 || !topology) throw topologyInvalid(file, validation.sortedIssues());
  return topology;
}

/** Reads and validates a topology file; see `parseTopology`. */
export async function loadTopologyFile(file: string): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot read file: ${(error as Error).message}`;
    throw topologyInvalid(file, [{ file, line: 0, column: 0, path: '', message: reason }], error);
  }
  return parseTopology(text, file);
}

/** `file:line:column: path: message`; the position and the path are left out when unknown. */
export function formatTopologyIssue(issue: TopologyIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

function topologyInvalid(file: string, issues: readonly TopologyIssue[], cause?: unknown): DriftwatchError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const message = [`Invalid topology file ${file} (${count}):`, ...issues.map(formatTopologyIssue)].join(
    '\n',
  );
  return new DriftwatchError(
    ErrorCodes.TOPOLOGY_INVALID,
    message,
    { file, issues },
    cause === undefined ? undefined : { cause },
  );
}
