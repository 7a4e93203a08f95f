/**
 * Decoded Avro records of the three topics a ModelMonitor reads, turned into its records, or into a reason (one
 * sentence, for the dead-letter topic) when the event cannot be used.
 *
 * Conventions follow BatchExtractor: fields are dotted paths; times are epoch milliseconds (a number, or a bigint or
 * Date as Avro longs and timestamp-millis may decode); in processing time predictions are stamped with the clock; a
 * missing model name or version is the empty string. Optional fields (latency, error flag, segment, entity, skew
 * values, embeddings) that are missing or null are null, not a reason; a present value of the wrong type is a reason.
 * The topology features (for new-version skew) are read as the feature engine's BatchExtractor reads them, with its
 * reasons.
 */

import type { FeatureRecord, FeatureValue } from '../core/joins/skew-accumulator.ts';
import { type Clock, systemClock } from '../core/time/clock.ts';
import { categoryOf } from '../engine/category-value.ts';
import { describeValue } from '../engine/describe-value.ts';
import { compileFieldPath, type FieldGetter } from '../engine/field-path.ts';
import { optionError } from '../errors.ts';
import { MODEL_ROLES, type ModelRole, type ModelSpec } from '../topology/model-spec.ts';
import type { FeatureKind, Topology } from '../topology/topology-types.ts';
import type { LabelRecord, OfflineFeatureRecord, PredictionRecord } from './model-records.ts';

interface Field {
  readonly path: string;
  readonly get: FieldGetter;
}

interface NamedField extends Field {
  readonly name: string;
}

interface EmbeddingField extends Field {
  readonly dimension: number;
}

interface TopologyFeatureField extends Field {
  readonly kind: FeatureKind;
}

const EMPTY: FeatureRecord = Object.freeze({});
const NO_FEATURES: readonly (number | string | null)[] = Object.freeze([]);

function field(path: string): Field {
  return { path, get: compileFieldPath(path) };
}

/** Epoch ms from a number, bigint or Date; null when it is none of these or not finite. */
function epochMs(v: unknown): number | null {
  const t =
    typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : null;
  return t !== null && Number.isFinite(t) ? t : null;
}

/** A key or id read as a string (numbers and bigints are printed); null when missing, blank or another type. */
function keyString(v: unknown): string | null {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;
  return s === null || s.trim() === '' ? null : s;
}

function className(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

export class ModelEventExtractor {
  readonly #clock: Clock;
  readonly #spec: ModelSpec;
  readonly #eventTime: Field | null;
  readonly #modelName: FieldGetter;
  readonly #modelVersion: FieldGetter;
  readonly #predictionId: Field;
  readonly #class: Field | null;
  readonly #score: Field | null;
  readonly #role: Field | null;
  readonly #latency: Field | null;
  readonly #error: Field | null;
  readonly #segment: Field | null;
  readonly #onlineKey: Field | null;
  readonly #online: readonly NamedField[];
  readonly #embeddings: readonly EmbeddingField[];
  /** Empty unless new-version skew is monitored, so predictions cost nothing more without it. */
  readonly #features: readonly TopologyFeatureField[];
  readonly #label: { id: Field; value: Field; time: Field } | null;
  readonly #offline: { key: Field; time: Field; values: readonly NamedField[] } | null;

  /** dataQuality.onTypeMismatch is `count`: a wrong-typed topology feature value is missing, as in the feature engine. */
  readonly #countMismatches: boolean;

  constructor(topology: Topology, clock: Clock = systemClock) {
    const spec = topology.model;
    if (spec === null) throw optionError('topology.model', 'must be set to extract model events', null);
    this.#clock = clock;
    this.#spec = spec;
    this.#countMismatches = topology.dataQuality.onTypeMismatch === 'count';
    const source = topology.source;
    this.#eventTime =
      source.timeSemantics === 'processing' || source.eventTimeField === null
        ? null
        : field(source.eventTimeField);
    this.#modelName = compileFieldPath(source.modelNameField);
    this.#modelVersion = compileFieldPath(source.modelVersionField);
    const f = spec.fields;
    this.#predictionId = field(f.predictionIdField);
    this.#class = f.classField === null ? null : field(f.classField);
    this.#score = f.scoreField === null ? null : field(f.scoreField);
    this.#role = f.roleField === null ? null : field(f.roleField);
    this.#latency = spec.latency === null ? null : field(spec.latency.field);
    this.#error = spec.errors === null ? null : field(spec.errors.field);
    const segmentPath = spec.errors?.segmentField ?? null;
    this.#segment = segmentPath === null ? null : field(segmentPath);
    const skew = spec.skew;
    this.#onlineKey = skew === null ? null : field(skew.onlineKeyField);
    this.#online = skew === null ? [] : skew.features.map((s) => ({ name: s.name, ...field(s.onlineField) }));
    this.#embeddings = spec.embeddings.map((e) => ({ dimension: e.dimension, ...field(e.field) }));
    this.#features =
      spec.newVersions === null ? [] : topology.features.map((f) => ({ kind: f.kind, ...field(f.field) }));
    const labels = spec.labels;
    this.#label =
      labels === null
        ? null
        : {
            id: field(labels.predictionIdField),
            value: field(labels.labelField),
            time: field(labels.labelTimeField),
          };
    this.#offline =
      skew === null
        ? null
        : {
            key: field(skew.offlineKeyField),
            time: field(skew.offlineTimeField),
            values: skew.features.map((s) => ({ name: s.name, ...field(s.offlineField) })),
          };
  }

  prediction(value: Record<string, unknown>, partition: number, offset: number): PredictionRecord | string {
    let time: number;
    if (this.#eventTime === null) time = this.#clock.now();
    else {
      const t = epochMs(this.#eventTime.get(value));
      if (t === null) return timeReason('event time', this.#eventTime, value);
      time = t;
    }
    const predictionId = keyString(this.#predictionId.get(value));
    if (predictionId === null) {
      return `prediction id field ${this.#predictionId.path} is ${describeValue(this.#predictionId.get(value))}, expected a non-blank string`;
    }
    let role: ModelRole = 'live';
    if (this.#role !== null) {
      const r = this.#role.get(value);
      if (typeof r !== 'string' || !(MODEL_ROLES as readonly string[]).includes(r)) {
        return `role field ${this.#role.path} is ${describeValue(r)}, expected one of ${MODEL_ROLES.join(', ')}`;
      }
      role = r as ModelRole;
    }
    let predictedClass: string | null = null;
    if (this.#class !== null) {
      const c = className(this.#class.get(value));
      if (c === undefined) {
        return `class field ${this.#class.path} is ${describeValue(this.#class.get(value))}, expected a class name`;
      }
      predictedClass = c;
    }
    let score: number | null = null;
    if (this.#score !== null) {
      const s = this.#score.get(value);
      if (s !== null && s !== undefined) {
        if (typeof s !== 'number' || !Number.isFinite(s)) {
          return `score field ${this.#score.path} is ${describeValue(s)}, expected a finite number`;
        }
        score = s;
      }
    }
    let latencyMs: number | null = null;
    if (this.#latency !== null) {
      const l = this.#latency.get(value);
      if (l !== null && l !== undefined) {
        const ms = typeof l === 'bigint' ? Number(l) : l;
        if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
          return `latency field ${this.#latency.path} is ${describeValue(l)}, expected a number of milliseconds >= 0`;
        }
        latencyMs = ms;
      }
    }
    let error: boolean | null = null;
    if (this.#error !== null) {
      const e = this.#error.get(value);
      if (e === true || (typeof e === 'string' && e !== '')) error = true;
      else if (e === false || e === null || e === '') error = false;
      else if (e !== undefined) {
        return `error field ${this.#error.path} is ${describeValue(e)}, expected a boolean or an error code string`;
      }
    }
    let segment: string | null = null;
    if (this.#segment !== null) {
      const s = this.#segment.get(value);
      segment = s === null || s === undefined ? null : typeof s === 'object' ? JSON.stringify(s) : String(s);
    }
    const entity = this.#onlineKey === null ? null : keyString(this.#onlineKey.get(value));
    let online = EMPTY;
    if (this.#online.length > 0) {
      const values: Record<string, FeatureValue> = {};
      for (const f of this.#online) {
        const v = featureValue(f.get(value));
        if (v === undefined && f.get(value) !== undefined) {
          return `skew feature field ${f.path} is ${describeValue(f.get(value))}, expected a number, string or boolean`;
        }
        values[f.name] = v;
      }
      online = values;
    }
    const embeddings: (Float64Array | null)[] = [];
    for (const e of this.#embeddings) {
      const v = e.get(value);
      if (v === null || v === undefined) {
        embeddings.push(null);
        continue;
      }
      const vector = vectorOf(v, e.dimension);
      if (vector === null) {
        return `embedding field ${e.path} is ${describeEmbedding(v)}, expected an array of ${e.dimension} finite numbers`;
      }
      embeddings.push(vector);
    }
    let features = NO_FEATURES;
    if (this.#features.length > 0) {
      const values: (number | string | null)[] = new Array(this.#features.length);
      for (let i = 0; i < this.#features.length; i++) {
        const f = this.#features[i]!;
        const v = topologyFeatureValue(f.get(value), f.kind);
        if (v !== undefined) values[i] = v;
        else if (this.#countMismatches) values[i] = null;
        else return `${f.kind} feature field ${f.path} is ${describeValue(f.get(value))}`;
      }
      features = values;
    }
    const name = this.#modelName(value);
    const version = this.#modelVersion(value);
    return {
      time,
      partition,
      offset,
      predictionId,
      modelName: typeof name === 'string' ? name : '',
      modelVersion: typeof version === 'string' ? version : '',
      role,
      predictedClass,
      score,
      latencyMs,
      error,
      segment,
      entity,
      online,
      embeddings,
      features,
    };
  }

  label(value: Record<string, unknown>, partition: number, offset: number): LabelRecord | string {
    const spec = this.#label;
    if (spec === null) return 'the topology has no labels section';
    const predictionId = keyString(spec.id.get(value));
    if (predictionId === null) {
      return `label prediction id field ${spec.id.path} is ${describeValue(spec.id.get(value))}, expected a non-blank string`;
    }
    const time = epochMs(spec.time.get(value));
    if (time === null) return timeReason('label time', spec.time, value);
    const raw = spec.value.get(value);
    let label: string | number;
    if (this.#spec.task === 'regression') {
      const v = typeof raw === 'bigint' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return `label field ${spec.value.path} is ${describeValue(raw)}, expected a finite number`;
      }
      label = v;
    } else {
      const c = className(raw);
      if (c === undefined || c === null) {
        return `label field ${spec.value.path} is ${describeValue(raw)}, expected a class name`;
      }
      label = c;
    }
    return { time, partition, offset, predictionId, label };
  }

  offline(value: Record<string, unknown>, partition: number, offset: number): OfflineFeatureRecord | string {
    const spec = this.#offline;
    if (spec === null) return 'the topology has no skew section';
    const entity = keyString(spec.key.get(value));
    if (entity === null) {
      return `offline key field ${spec.key.path} is ${describeValue(spec.key.get(value))}, expected a non-blank key`;
    }
    const time = epochMs(spec.time.get(value));
    if (time === null) return timeReason('offline time', spec.time, value);
    const values: Record<string, FeatureValue> = {};
    for (const f of spec.values) {
      const raw = f.get(value);
      const v = featureValue(raw);
      if (v === undefined && raw !== undefined) {
        return `offline feature field ${f.path} is ${describeValue(raw)}, expected a number, string or boolean`;
      }
      values[f.name] = v;
    }
    return { time, partition, offset, entity, values };
  }
}

function timeReason(what: string, f: Field, value: unknown): string {
  return `${what} field ${f.path} is ${describeValue(f.get(value))}, expected epoch milliseconds`;
}

/** A skew feature value: numbers, strings, booleans and null pass, bigints become numbers; undefined otherwise. */
function featureValue(v: unknown): FeatureValue {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/**
 * A topology feature's value as BatchExtractor reads it: null or missing -> null; numeric: numbers only; boolean:
 * true / false or 'true' / 'false'; categorical: strings, and booleans and numbers as strings. Undefined: wrong type.
 */
function topologyFeatureValue(v: unknown, kind: FeatureKind): number | string | null | undefined {
  if (kind !== 'numeric') return categoryOf(v, kind === 'boolean');
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : undefined;
}

/** The vector as float64 when it is an array (or typed array) of `dimension` finite numbers; else null. */
function vectorOf(v: unknown, dimension: number): Float64Array | null {
  if (!Array.isArray(v) && !(v instanceof Float32Array) && !(v instanceof Float64Array)) return null;
  const items = v as ArrayLike<unknown>;
  if (items.length !== dimension) return null;
  const out = new Float64Array(dimension);
  for (let i = 0; i < dimension; i++) {
    const x = items[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    out[i] = x;
  }
  return out;
}

function describeEmbedding(v: unknown): string {
  if (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) {
    return `an array of ${(v as ArrayLike<unknown>).length} values`;
  }
  return describeValue(v);
}
