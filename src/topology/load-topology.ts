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
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { parseDuration } from './parse-duration.ts';
import type {
  DriftTestName,
  FeatureKind,
  FeatureSpec,
  OutputsSpec,
  SourceSpec,
  Topology,
  TopologyIssue,
  WindowSpec,
} from './topology-types.ts';
import {
  type Check,
  type FieldTable,
  list,
  literal,
  matching,
  number,
  oneOf,
  optional,
  required,
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

/** Which tests each feature kind allows, and its default. */
export const FEATURE_KINDS: Readonly<
  Record<FeatureKind, { tests: readonly DriftTestName[]; defaultTest: DriftTestName }>
> = {
  numeric: { tests: ['psi', 'ks', 'wasserstein_norm'], defaultTest: 'psi' },
  categorical: { tests: ['js', 'chi2'], defaultTest: 'js' },
};

/**
 * Default threshold of each test and its upper bound (exclusive) if any; every threshold must also be > 0.
 * psi and js are distances (alert when value >= threshold); chi2's threshold is a p-value (alert when p < threshold).
 */
export const DRIFT_TESTS: Readonly<Record<DriftTestName, { defaultThreshold: number; below?: number }>> = {
  psi: { defaultThreshold: 0.2 },
  ks: { defaultThreshold: 0.01, below: 1 },
  wasserstein_norm: { defaultThreshold: 0.1 },
  js: { defaultThreshold: 0.1, below: 1 },
  chi2: { defaultThreshold: 0.01, below: 1 },
};

/** Window types the format reserves but the engine does not implement yet. */
export const PLANNED_WINDOW_TYPES = ['hopping', 'sliding', 'session'] as const;

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

// ---------------------------------------------------------------------------------------------------------------
// The format, one table per mapping

const SOURCE_FIELDS = {
  topic: required(KAFKA_TOPIC),
  subject: optional(string()),
  eventTime: required(FIELD_PATH),
  modelName: withDefault(FIELD_PATH, 'model_name'),
  modelVersion: withDefault(FIELD_PATH, 'model_version'),
} satisfies FieldTable;

const source = section(SOURCE_FIELDS, {
  build: (v): SourceSpec => ({
    topic: v.topic,
    subject: v.subject ?? `${v.topic}-value`,
    eventTimeField: v.eventTime,
    modelNameField: v.modelName,
    modelVersionField: v.modelVersion,
  }),
});

const TUMBLING_WINDOW_FIELDS = {
  type: required(literal('tumbling')),
  size: required(duration({ positive: true })),
  grace: withDefault(duration(), 0),
  outOfOrderness: withDefault(duration(), 0),
  idleTimeout: withDefault(duration(), 30_000),
  quietClose: withDefault(duration(), 0),
} satisfies FieldTable;

const window = tagged<WindowSpec>(
  'type',
  {
    tumbling: section(TUMBLING_WINDOW_FIELDS, {
      build: (v) => ({
        type: v.type,
        sizeMs: v.size,
        graceMs: v.grace,
        outOfOrdernessMs: v.outOfOrderness,
        idleTimeoutMs: v.idleTimeout,
        quietCloseMs: v.quietClose,
      }),
    }),
  },
  { noun: 'window type', planned: PLANNED_WINDOW_TYPES },
);

const FEATURE_FIELDS = {
  name: required(FEATURE_NAME),
  field: optional(FIELD_PATH),
  kind: required(oneOf(Object.keys(FEATURE_KINDS) as FeatureKind[])),
  test: optional(oneOf(Object.keys(DRIFT_TESTS) as DriftTestName[])),
  threshold: optional(number({ above: 0 })),
} satisfies FieldTable;

const testFor = (kind: FeatureKind, test: DriftTestName | undefined): DriftTestName =>
  test ?? FEATURE_KINDS[kind].defaultTest;

const feature = section(FEATURE_FIELDS, {
  check: (v, at) => {
    if (v.kind === undefined) return;
    const test = testFor(v.kind, v.test);
    const allowed = FEATURE_KINDS[v.kind].tests;
    if (!allowed.includes(test)) {
      at.fail('test', `test "${test}" is not allowed for ${v.kind} features; use ${allowed.join(' or ')}`);
      return;
    }
    const { below } = DRIFT_TESTS[test];
    if (v.threshold !== undefined && below !== undefined && !(v.threshold < below)) {
      at.fail('threshold', `must be less than ${below} for test ${test}, got ${v.threshold}`);
    }
  },
  build: (v): FeatureSpec => {
    const test = testFor(v.kind, v.test);
    return {
      name: v.name,
      field: v.field ?? v.name,
      kind: v.kind,
      test,
      threshold: v.threshold ?? DRIFT_TESTS[test].defaultThreshold,
    };
  },
});

const OUTPUTS_FIELDS = {
  alerts: withDefault(KAFKA_TOPIC, 'driftwatch.alerts'),
  deadLetter: withDefault(KAFKA_TOPIC, 'driftwatch.dead-letter'),
} satisfies FieldTable;

const OUTPUTS_DEFAULT: OutputsSpec = {
  alertTopic: 'driftwatch.alerts',
  deadLetterTopic: 'driftwatch.dead-letter',
};

const outputs = section(OUTPUTS_FIELDS, {
  build: (v): OutputsSpec => ({ alertTopic: v.alerts, deadLetterTopic: v.deadLetter }),
});

const TOPOLOGY_FIELDS = {
  apiVersion: required(literal(TOPOLOGY_API_VERSION)),
  name: required(NAME),
  source: required(source),
  baseline: required(string()),
  window: required(window),
  features: required(uniqueBy(list(feature, { nonEmpty: true }), 'name')),
  outputs: withDefault(outputs, OUTPUTS_DEFAULT),
} satisfies FieldTable;

/** The keys each mapping of the format accepts; the JSON schema must list the same (see the schema test). */
export const TOPOLOGY_KEYS = {
  topology: Object.keys(TOPOLOGY_FIELDS),
  source: Object.keys(SOURCE_FIELDS),
  window: { tumbling: Object.keys(TUMBLING_WINDOW_FIELDS) },
  feature: Object.keys(FEATURE_FIELDS),
  outputs: Object.keys(OUTPUTS_FIELDS),
} as const;

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
      topology = section(TOPOLOGY_FIELDS, {
        build: (v): Topology => ({
          name: v.name,
          file: absoluteFile,
          source: v.source,
          baselinePath: path.resolve(path.dirname(absoluteFile), v.baseline),
          window: v.window,
          features: v.features,
          outputs: v.outputs,
        }),
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
