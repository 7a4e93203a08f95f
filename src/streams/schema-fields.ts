/**
 * Checks the fields a topology uses against an Avro schema, before the schema is registered or a monitor started:
 * every field must exist, through nested records, and its type must fit the use (an event time must be epoch
 * milliseconds, a numeric feature a number, ...). Also infers monitorable features from a schema, for scaffolding.
 *
 * The schema is walked as its JSON spells it rather than through avsc types, because avsc drops logical types it has
 * no implementation for, and `timestamp-millis` versus `timestamp-micros` is exactly what an event-time check needs.
 */
import avro from 'avsc';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { MODEL_ROLES, type ModelSpec } from '../topology/model-spec.ts';
import type { FeatureKind, SourceSpec, Topology } from '../topology/topology-types.ts';
import { didYouMean } from '../topology/yaml-fields.ts';

/**
 * What a field is used as, which decides the Avro types it may have. The model section's uses that share a rule
 * with a drift use take that one (a score or latency is `numeric`, the error segment a `segment`).
 */
export type FieldExpectation =
  | 'event-time'
  | 'text'
  | 'key'
  | 'segment'
  | FeatureKind
  | 'prediction-id'
  | 'predicted-class'
  | 'role'
  | 'error-flag'
  | 'entity-key'
  | 'skew-categorical'
  | 'embedding';

/** One use of a field by a topology. */
export interface FieldUse {
  /** Dotted path of the field in the event, e.g. `features.amount`. */
  readonly path: string;
  /** Where the topology uses it, for messages: `source.eventTime`, `features[2] "income" (numeric)`. */
  readonly use: string;
  readonly expects: FieldExpectation;
}

export interface CheckedField {
  readonly path: string;
  readonly use: string;
  /** The field's Avro type, described: `double`, `[null, double]`, `long (timestamp-millis)`. */
  readonly type: string;
}

export interface SchemaFieldProblem {
  readonly path: string;
  readonly use: string;
  /** What the use needs, e.g. `int, long, float or double (optionally in a union with null)`. */
  readonly expected: string;
  /** What the schema has: a described type, or `no such field`. */
  readonly actual: string;
  /** One self-contained sentence: path, use, expected and actual. */
  readonly message: string;
}

export interface SchemaFieldCheck {
  /** Uses whose field exists and fits. */
  readonly checked: readonly CheckedField[];
  readonly problems: readonly SchemaFieldProblem[];
}

// ---------------------------------------------------------------------------------------------------------------
// Which Avro types fit which use

interface Rule {
  readonly types: readonly string[];
  readonly expected: string;
  /**
   * The value is needed for every event, so null does not fit; the text says what becomes of an event without it
   * (the end of a sentence).
   */
  readonly required?: string;
  /** An enum fits only when each of its symbols is one of these (the values the engine accepts). */
  readonly symbols?: readonly string[];
  /** An array fits only when its items have one of these types, not nullable (every element is needed). */
  readonly items?: readonly string[];
  /** Logical types that look like a fitting type but mean something else; the reason is shown. */
  readonly refusedLogicalTypes?: Readonly<Record<string, string>>;
}

const NULLABLE = ' (optionally in a union with null)';

/**
 * Categorical values are read as text: the engine turns numbers and booleans into their string form, so those types
 * fit a categorical feature too. A union of null and one type decodes to the bare value (avsc unwraps it), so
 * optional fields fit; a union of several non-null types may decode to a wrapped `{type: value}` object, so it does
 * not fit any use.
 */
const RULES: Readonly<Record<FieldExpectation, Rule>> = {
  'event-time': {
    types: ['long', 'int', 'double'],
    expected: 'epoch milliseconds: long, timestamp-millis, int or double, not nullable',
    required: 'an event without it could not be placed in a window',
    refusedLogicalTypes: {
      'timestamp-micros': 'it holds epoch microseconds, the engine reads epoch milliseconds',
      'local-timestamp-micros': 'it holds microseconds, the engine reads epoch milliseconds',
      date: 'it holds days since the epoch, the engine reads epoch milliseconds',
      'time-millis': 'it holds a time of day, not an instant',
      'time-micros': 'it holds a time of day, not an instant',
    },
  },
  text: { types: ['string', 'enum'], expected: `string or enum${NULLABLE}` },
  key: { types: ['string', 'enum', 'int', 'long'], expected: `string, enum, int or long${NULLABLE}` },
  segment: {
    types: ['string', 'enum', 'int', 'long', 'boolean'],
    expected: `string, enum, int, long or boolean${NULLABLE}`,
  },
  numeric: { types: ['int', 'long', 'float', 'double'], expected: `int, long, float or double${NULLABLE}` },
  categorical: {
    types: ['string', 'enum', 'int', 'long', 'boolean'],
    expected: `string or enum (int, long and boolean are read as text)${NULLABLE}`,
  },
  boolean: { types: ['boolean'], expected: `boolean${NULLABLE}` },
  // The model monitor dead-letters a prediction without an id (model-event-extractor.ts).
  'prediction-id': {
    types: ['string', 'int', 'long'],
    expected: 'string, int or long, not nullable',
    required: 'a prediction without an id is dead-lettered',
  },
  // Classes are compared as strings; numbers and booleans are printed.
  'predicted-class': {
    types: ['string', 'enum', 'boolean', 'int', 'long'],
    expected: `string, enum, boolean, int or long${NULLABLE}`,
  },
  // A prediction whose role is not live, shadow or canary, or missing, is dead-lettered.
  role: {
    types: ['string', 'enum'],
    expected: `string or enum (symbols among ${MODEL_ROLES.join(', ')}), not nullable`,
    required: 'a prediction without a role is dead-lettered',
    symbols: MODEL_ROLES,
  },
  // True, or a non-empty error code, is an error; null is not.
  'error-flag': { types: ['boolean', 'string'], expected: `boolean or string${NULLABLE}` },
  'entity-key': { types: ['string', 'int', 'long'], expected: `string, int or long${NULLABLE}` },
  // Skew compares online and offline values by type, so a categorical value must be text or a boolean.
  'skew-categorical': {
    types: ['string', 'enum', 'boolean'],
    expected: `string, enum or boolean${NULLABLE}`,
  },
  // The dimension is not in an Avro type; the engine checks each vector's length.
  embedding: {
    types: ['array'],
    expected: `array of float or double (items not nullable)${NULLABLE}`,
    items: ['float', 'double'],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Public functions

/**
 * Parses and validates an Avro schema (the JSON of an .avsc file, already parsed). The value schema of a stream must
 * be a record, since fields are read from it by name. `source` names the schema in messages (a file name).
 */
export function parseAvroSchema(value: unknown, source: string): object {
  try {
    avro.Type.forSchema(value as avro.Schema);
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.SCHEMA_INVALID,
      `${source} is not a valid Avro schema: ${(error as Error).message}`,
      { file: source },
      { cause: error },
    );
  }
  const root = new SchemaIndex(value as object).root;
  if (root.kind !== 'record') {
    throw new DriftwatchError(
      ErrorCodes.SCHEMA_INVALID,
      `${source}: a stream's value schema must be an Avro record, got ${describeType(root)}`,
      { file: source },
    );
  }
  return value as object;
}

/** The fields a topology's source reads from every event: event time, model name and version, key. */
export function sourceFieldUses(
  source: Pick<SourceSpec, 'eventTimeField' | 'modelNameField' | 'modelVersionField' | 'keyField'>,
): FieldUse[] {
  const uses: FieldUse[] = [];
  if (source.eventTimeField !== null) {
    uses.push({ path: source.eventTimeField, use: 'source.eventTime', expects: 'event-time' });
  }
  uses.push({ path: source.modelNameField, use: 'source.modelName', expects: 'text' });
  uses.push({ path: source.modelVersionField, use: 'source.modelVersion', expects: 'text' });
  if (source.keyField !== null) uses.push({ path: source.keyField, use: 'source.key', expects: 'key' });
  return uses;
}

/**
 * Every field a topology reads from an event of its source (prediction) stream, with what it is used as: the source
 * fields, segments, features, and the prediction-side fields of the model section (modelFieldUses). The label
 * fields and the skew section's offline fields are read from other topics, with their own subjects, and are not
 * among them.
 */
export function topologyFieldUses(topology: Topology): FieldUse[] {
  const uses = sourceFieldUses(topology.source);
  if (topology.segments !== null) {
    uses.push({ path: topology.segments.field, use: 'segments.field', expects: 'segment' });
  }
  topology.features.forEach((feature, i) => {
    uses.push({
      path: feature.field,
      use: `features[${i}] "${feature.name}" (${feature.kind})`,
      expects: feature.kind,
    });
  });
  if (topology.model !== null) uses.push(...modelFieldUses(topology.model));
  return uses;
}

/**
 * The fields a model section reads from prediction events, named by their place in the topology
 * (`model.latency.field`). Labels (`model.labels`) and offline features (`model.skew.offline*`) are events of other
 * topics and subjects, so they are not here.
 */
export function modelFieldUses(model: ModelSpec): FieldUse[] {
  const uses: FieldUse[] = [];
  const f = model.fields;
  uses.push({ path: f.predictionIdField, use: 'model.fields.predictionIdField', expects: 'prediction-id' });
  if (f.classField !== null) {
    uses.push({ path: f.classField, use: 'model.fields.classField', expects: 'predicted-class' });
  }
  if (f.scoreField !== null)
    uses.push({ path: f.scoreField, use: 'model.fields.scoreField', expects: 'numeric' });
  if (f.roleField !== null) uses.push({ path: f.roleField, use: 'model.fields.roleField', expects: 'role' });
  if (model.latency !== null) {
    uses.push({ path: model.latency.field, use: 'model.latency.field', expects: 'numeric' });
  }
  if (model.errors !== null) {
    uses.push({ path: model.errors.field, use: 'model.errors.field', expects: 'error-flag' });
    if (model.errors.segmentField !== null) {
      uses.push({ path: model.errors.segmentField, use: 'model.errors.segmentField', expects: 'segment' });
    }
  }
  if (model.skew !== null) {
    uses.push({ path: model.skew.onlineKeyField, use: 'model.skew.onlineKeyField', expects: 'entity-key' });
    model.skew.features.forEach((feature, i) => {
      uses.push({
        path: feature.onlineField,
        use: `model.skew.features[${i}].onlineField "${feature.name}" (${feature.kind})`,
        expects: feature.kind === 'numeric' ? 'numeric' : 'skew-categorical',
      });
    });
  }
  model.embeddings.forEach((embedding, i) => {
    uses.push({
      path: embedding.field,
      use: `model.embeddings[${i}].field "${embedding.name}"`,
      expects: 'embedding',
    });
  });
  return uses;
}

/** Checks every field `topology` uses against `schema`. */
export function checkSchemaFields(schema: object, topology: Topology): SchemaFieldCheck {
  return checkFieldUses(schema, topologyFieldUses(topology));
}

/** Checks that each used field exists in `schema` and that its type fits its use. */
export function checkFieldUses(schema: object, uses: readonly FieldUse[]): SchemaFieldCheck {
  const index = new SchemaIndex(schema);
  const checked: CheckedField[] = [];
  const problems: SchemaFieldProblem[] = [];
  for (const use of uses) {
    const rule = RULES[use.expects];
    const found = index.field(use.path);
    if ('missing' in found) {
      problems.push(problem(use, rule.expected, 'no such field', found.missing));
      continue;
    }
    const misfit = fits(found.type, found.nullableVia, rule);
    if (misfit !== null) {
      const actual = describeField(found.type, found.nullableVia);
      problems.push(problem(use, rule.expected, actual, `expected ${rule.expected}, but ${misfit}`));
      continue;
    }
    checked.push({ path: use.path, use: use.use, type: describeField(found.type, found.nullableVia) });
  }
  return { checked, problems };
}

/** A DW_SCHEMA_FIELD error listing every problem, one per line, naming the schema and the topology. */
export function schemaFieldError(
  problems: readonly SchemaFieldProblem[],
  schemaSource: string,
  topologySource: string,
): DriftwatchError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new DriftwatchError(
    ErrorCodes.SCHEMA_FIELD,
    `schema ${schemaSource} does not fit topology ${topologySource} (${count}):\n${problems
      .map((p) => `  ${p.message}`)
      .join('\n')}`,
    { schema: schemaSource, topology: topologySource, problems },
  );
}

export interface InferredFeature {
  readonly name: string;
  readonly field: string;
  readonly kind: FeatureKind;
  /** The field's Avro type, described, for the scaffold's comments. */
  readonly type: string;
}

export interface SkippedField {
  readonly field: string;
  readonly type: string;
  readonly reason: string;
}

/**
 * Features a monitor of `schema` could watch: every scalar field, through nested records, by type (numbers numeric,
 * strings and enums categorical, booleans boolean). Fields in `excluded` (path -> what the topology uses them as)
 * are left out, and so are fields that would make useless features: identifiers (every value new, so they always
 * drift), timestamps (they move with time by construction), and containers. Every left-out field is listed with why.
 *
 * A feature is named after its field's last segment; when two fields share one, both are named by their full path.
 */
export function inferFeatures(
  schema: object,
  excluded: Readonly<Record<string, string>> = {},
): { features: InferredFeature[]; skipped: SkippedField[] } {
  const index = new SchemaIndex(schema);
  const candidates: Omit<InferredFeature, 'name'>[] = [];
  const skipped: SkippedField[] = [];
  const walk = (record: RecordType, prefix: string, nullableVia: boolean) => {
    for (const field of record.fields) {
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      const type = index.resolve(field.type, record.namespace);
      const described = describeField(type, nullableVia);
      const { single, nullable } = unwrapNullable(type);
      if (excluded[path] !== undefined) {
        skipped.push({ field: path, type: described, reason: `used as ${excluded[path]}` });
      } else if (single?.kind === 'record') {
        walk(single, path, nullableVia || nullable);
      } else {
        const kind = single === undefined ? null : featureKindOf(single);
        const reason = kind === null ? unmonitorable(single) : uselessFeature(field.name, single!);
        if (reason !== null) skipped.push({ field: path, type: described, reason });
        else candidates.push({ field: path, kind: kind!, type: described });
      }
    }
  };
  walk(index.root as RecordType, '', false);
  const lastSegment = (field: string) => field.slice(field.lastIndexOf('.') + 1);
  const counts = new Map<string, number>();
  for (const c of candidates) counts.set(lastSegment(c.field), (counts.get(lastSegment(c.field)) ?? 0) + 1);
  const features = candidates.map((c) => ({
    ...c,
    name: counts.get(lastSegment(c.field)) === 1 ? lastSegment(c.field) : c.field,
  }));
  return { features, skipped };
}

/**
 * The event-time field of `schema` when the schema says which it is: the only top-level `timestamp-millis` field,
 * else a top-level field named `event_time` or `eventTime` that fits an event time. Undefined when it cannot tell.
 */
export function inferEventTimeField(schema: object): string | undefined {
  const index = new SchemaIndex(schema);
  const root = index.root as RecordType;
  const typed = root.fields.map((f) => ({ name: f.name, type: index.resolve(f.type, root.namespace) }));
  const millis = typed.filter(
    (f) => f.type.kind === 'primitive' && f.type.type === 'long' && f.type.logicalType === 'timestamp-millis',
  );
  if (millis.length === 1) return millis[0]!.name;
  const named = typed.find(
    (f) =>
      (f.name === 'event_time' || f.name === 'eventTime') &&
      fits(f.type, false, RULES['event-time']) === null,
  );
  return named?.name;
}

// ---------------------------------------------------------------------------------------------------------------
// The schema as a tree of resolved types

interface PrimitiveType {
  readonly kind: 'primitive';
  readonly type: string;
  readonly logicalType?: string;
}
interface RecordType {
  readonly kind: 'record';
  readonly name: string;
  /** Namespace names inside the record resolve against. */
  readonly namespace: string;
  readonly fields: readonly { readonly name: string; readonly type: unknown }[];
}
interface EnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly symbols: readonly string[];
}
interface OtherNamedType {
  readonly kind: 'fixed';
  readonly name: string;
  readonly logicalType?: string;
}
interface ArrayType {
  readonly kind: 'array';
  readonly items: AvroType;
}
interface MapType {
  readonly kind: 'map';
}
interface UnionType {
  readonly kind: 'union';
  readonly branches: readonly AvroType[];
}
type AvroType = PrimitiveType | RecordType | EnumType | OtherNamedType | ArrayType | MapType | UnionType;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

type Json = Record<string, unknown>;

/** Named types of a schema by full name, so references (`"type": "CreditRiskFeatures"`) can be followed. */
class SchemaIndex {
  readonly #named = new Map<string, { node: Json; namespace: string }>();
  readonly root: AvroType;

  constructor(schema: object) {
    this.#collect(schema, '');
    this.root = this.resolve(schema, '');
  }

  /** The type of the field at a dotted path, through records (and optional records, which make it nullable). */
  field(path: string): { type: AvroType; nullableVia: boolean } | { missing: string } {
    const parts = path.split('.');
    let current = this.root;
    let nullableVia = false;
    for (let i = 0; i < parts.length; i++) {
      const at = parts.slice(0, i).join('.');
      const { single, nullable } = unwrapNullable(current);
      if (single?.kind !== 'record') {
        return {
          missing: `${at} is ${describeType(current)}, not a record, so it has no field "${parts[i]}"`,
        };
      }
      nullableVia ||= nullable;
      const field = single.fields.find((f) => f.name === parts[i]);
      if (field === undefined) {
        const names = single.fields.map((f) => f.name);
        const where = at === '' ? `record ${single.name}` : `record ${single.name} (at ${at})`;
        return {
          missing: `no field "${parts[i]}" in ${where}, which has ${names.join(', ')}${didYouMean(parts[i]!, names)}`,
        };
      }
      current = this.resolve(field.type, single.namespace);
    }
    return { type: current, nullableVia };
  }

  resolve(node: unknown, namespace: string): AvroType {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return { kind: 'primitive', type: node };
      const named = this.#named.get(fullName(node, namespace)) ?? this.#named.get(node);
      if (named === undefined)
        throw new Error(`unknown Avro type "${node}" (the schema was validated first)`);
      return this.resolve(named.node, named.namespace);
    }
    if (Array.isArray(node)) return { kind: 'union', branches: node.map((b) => this.resolve(b, namespace)) };
    const json = node as Json;
    const logicalType = typeof json.logicalType === 'string' ? json.logicalType : undefined;
    switch (json.type) {
      case 'record':
      case 'error': {
        const name = fullName(
          String(json.name),
          typeof json.namespace === 'string' ? json.namespace : namespace,
        );
        return {
          kind: 'record',
          name: String(json.name),
          namespace: namespaceOf(name),
          fields: (json.fields as { name: string; type: unknown }[]).map((f) => ({
            name: f.name,
            type: f.type,
          })),
        };
      }
      case 'enum':
        return { kind: 'enum', name: String(json.name), symbols: (json.symbols as string[]).map(String) };
      case 'fixed':
        return { kind: 'fixed', name: String(json.name), ...(logicalType ? { logicalType } : {}) };
      // Items resolve eagerly: a record's fields resolve only when walked, so a recursive type still ends.
      case 'array':
        return { kind: 'array', items: this.resolve(json.items, namespace) };
      case 'map':
        return { kind: 'map' };
      default:
        // `{"type": "long", "logicalType": ...}`, or a type wrapped in an object: `{"type": {"type": "record"}}`.
        if (typeof json.type === 'string' && PRIMITIVES.has(json.type)) {
          return { kind: 'primitive', type: json.type, ...(logicalType ? { logicalType } : {}) };
        }
        return this.resolve(json.type, namespace);
    }
  }

  #collect(node: unknown, namespace: string): void {
    if (Array.isArray(node)) {
      for (const branch of node) this.#collect(branch, namespace);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const json = node as Json;
    if (json.type === 'record' || json.type === 'error' || json.type === 'enum' || json.type === 'fixed') {
      const name = fullName(
        String(json.name),
        typeof json.namespace === 'string' ? json.namespace : namespace,
      );
      this.#named.set(name, { node: json, namespace: namespaceOf(name) });
      if (Array.isArray(json.fields)) {
        for (const field of json.fields as { type: unknown }[]) this.#collect(field.type, namespaceOf(name));
      }
    } else if (json.type === 'array') this.#collect(json.items, namespace);
    else if (json.type === 'map') this.#collect(json.values, namespace);
    else if (typeof json.type === 'object') this.#collect(json.type, namespace);
  }
}

function fullName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(0, dot);
}

/** The one non-null type of a type or of a union with null; `single` is undefined for other unions. */
function unwrapNullable(type: AvroType): { single: AvroType | undefined; nullable: boolean } {
  if (type.kind !== 'union') return { single: type, nullable: false };
  const others = type.branches.filter((b) => !(b.kind === 'primitive' && b.type === 'null'));
  return {
    single: others.length === 1 ? others[0] : undefined,
    nullable: others.length < type.branches.length,
  };
}

/** The name a rule's `types` list uses for a type. */
function typeName(type: AvroType): string {
  return type.kind === 'primitive' ? type.type : type.kind;
}

/** Null when `type` fits `rule`; otherwise what is wrong, as the end of a sentence. */
function fits(type: AvroType, nullableVia: boolean, rule: Rule): string | null {
  const { single, nullable } = unwrapNullable(type);
  if (single === undefined) {
    return type.kind === 'union' &&
      type.branches.length > 0 &&
      type.branches.every((b) => typeName(b) === 'null')
      ? `the schema has ${describeType(type)}, which is always null`
      : `the schema has ${describeType(type)}; a union of several non-null types decodes to a wrapped value`;
  }
  if (!rule.types.includes(typeName(single))) return `the schema has ${describeField(type, nullableVia)}`;
  const logicalType = 'logicalType' in single ? single.logicalType : undefined;
  const refused = logicalType === undefined ? undefined : rule.refusedLogicalTypes?.[logicalType];
  if (refused !== undefined) return `the schema has ${describeType(type)}: ${refused}`;
  if (rule.symbols !== undefined && single.kind === 'enum') {
    const others = single.symbols.filter((symbol) => !rule.symbols!.includes(symbol));
    if (others.length > 0) {
      return `the schema has ${describeType(single)} with symbols ${single.symbols.join(', ')}; ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} not among ${rule.symbols.join(', ')}`;
    }
  }
  if (rule.items !== undefined && single.kind === 'array' && !rule.items.includes(typeName(single.items))) {
    return `the schema has ${describeField(type, nullableVia)}`;
  }
  if (rule.required !== undefined && (nullable || nullableVia)) {
    return `the schema has ${describeField(type, nullableVia)}: ${rule.required}`;
  }
  return null;
}

function featureKindOf(type: AvroType): FeatureKind | null {
  const name = typeName(type);
  if (name === 'int' || name === 'long' || name === 'float' || name === 'double') return 'numeric';
  if (name === 'string' || name === 'enum') return 'categorical';
  if (name === 'boolean') return 'boolean';
  return null;
}

function unmonitorable(single: AvroType | undefined): string {
  if (single === undefined) return 'not one scalar type, so no drift test fits it';
  return `${describeType(single)} is not a scalar a drift test can count`;
}

/** Why a field of a monitorable type would still make a useless feature, or null. */
function uselessFeature(name: string, type: AvroType): string | null {
  const logicalType = 'logicalType' in type ? type.logicalType : undefined;
  if (logicalType !== undefined && /^(local-)?timestamp-|^date$|^time-/.test(logicalType)) {
    return 'a time; its distribution moves with the clock by construction';
  }
  if (
    (typeName(type) === 'string' || typeName(type) === 'enum') &&
    (logicalType === 'uuid' || /^(id|uuid)$|_id$|[a-z0-9]Id$/i.test(name))
  ) {
    return 'looks like an identifier; nearly every value is new, so it would always drift';
  }
  return null;
}

function describeType(type: AvroType): string {
  switch (type.kind) {
    case 'primitive':
      return type.logicalType === undefined ? type.type : `${type.type} (${type.logicalType})`;
    case 'record':
      return `record ${type.name}`;
    case 'enum':
      return `enum ${type.name}`;
    case 'fixed':
      return type.logicalType === undefined
        ? `fixed ${type.name}`
        : `fixed ${type.name} (${type.logicalType})`;
    case 'array':
      return `an array of ${describeType(type.items)}`;
    case 'map':
      return 'a map';
    case 'union':
      return `[${type.branches.map(describeType).join(', ')}]`;
  }
}

/** A field's type, noting when it is optional only because a record on its path is. */
function describeField(type: AvroType, nullableVia: boolean): string {
  return nullableVia ? `${describeType(type)} inside an optional record` : describeType(type);
}

function problem(use: FieldUse, expected: string, actual: string, detail: string): SchemaFieldProblem {
  return { path: use.path, use: use.use, expected, actual, message: `${use.path} (${use.use}): ${detail}` };
}
