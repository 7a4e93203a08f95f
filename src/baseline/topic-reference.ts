import { createHash } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { describeValue } from '../engine/describe-value.ts';
import { EventDecoder } from '../engine/event-decoder.ts';
import { compileFieldPath, type FieldGetter } from '../engine/field-path.ts';
import { DriftwatchError, type ErrorCode, ErrorCodes } from '../errors.ts';
import type { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { type PartitionRange, readRanges, snapshotRanges } from '../kafka/topic-range-reader.ts';
import type { EmbeddingSpec } from '../topology/model-spec.ts';
import type { FeatureKind, Topology } from '../topology/topology-types.ts';
import type { BaselineSource } from './baseline-types.ts';
import type { ReferenceColumn, ReferenceRows } from './build-baseline.ts';
import { type EmbeddingColumn, embeddingColumn } from './embedding-reference.ts';

/**
 * The reference rows of a topology's features over a time range of a topic: every partition is read from its
 * earliest offset (or, with `fromMs`, from the first message whose Kafka timestamp is at or after it) up to the end
 * offsets at the start of the read, decoded through the registry, and the events with fromMs <= event time < toMs are
 * kept. Event time is the topology's event-time field, or the message timestamp in processing time.
 *
 * Starting at the offset for `fromMs` assumes that a message's Kafka timestamp is not earlier than its event time
 * (producers stamp messages when they send them, after the event happened).
 *
 * Rows are in partition order, then offset order, so the same topic range always gives the same baseline. A message
 * that does not decode, or lacks what the topology needs, is counted by error code and left out (the same rules as
 * the engine's dead letters); it does not stop the build.
 *
 * With a model section, each event's embeddings are read too (embedding-reference.ts): a null or absent embedding is
 * a row without a vector; anything but an array of `dimension` finite numbers rejects the event, as the model
 * monitor's extractor does. Rows are keyed by the prediction id when every event with a vector has one.
 */
export interface TopicReferenceOptions {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistryClient;
  readonly topology: Topology;
  /** Default: the topology's source topic. */
  readonly topic?: string;
  /** Inclusive lower bound of event time, epoch ms; null: from the earliest offset. */
  readonly fromMs: number | null;
  /** Exclusive upper bound of event time, epoch ms; null: up to the end offsets. */
  readonly toMs: number | null;
  /** Told the messages read so far and the total in the ranges, for a progress bar. */
  readonly onProgress?: (read: number, total: number) => void;
  readonly idleTimeoutMs?: number;
}

export interface RejectedMessages {
  readonly count: number;
  /** The first one's reason, with its partition and offset. */
  readonly example: string;
}

export interface TopicReference extends ReferenceRows {
  /** Every kept event has a time: its event-time field, or in processing time its message timestamp. */
  readonly eventTimes: Float64Array;
  readonly topic: string;
  readonly source: BaselineSource;
  readonly ranges: readonly PartitionRange[];
  /** Messages read in the ranges. */
  readonly messages: number;
  /** Decoded, valid events whose event time is outside [fromMs, toMs). */
  readonly outOfRange: number;
  /** Messages left out, by error code (DW_WIRE_FORMAT, DW_UNKNOWN_SCHEMA, DW_DECODE_FAILED, DW_EVENT_INVALID). */
  readonly rejected: ReadonlyMap<ErrorCode, RejectedMessages>;
  /** Partitions whose snapshot end was not reached (see ReadRangesResult). */
  readonly incomplete: readonly { partition: number; next: number; end: number }[];
  /** One per embedding of the topology's model section, over the same rows. */
  readonly embeddings: readonly EmbeddingColumn[];
}

export async function readTopicReference(options: TopicReferenceOptions): Promise<TopicReference> {
  const { kafka, topology } = options;
  const topic = options.topic ?? topology.source.topic;
  const from = options.fromMs ?? Number.NEGATIVE_INFINITY;
  const to = options.toMs ?? Number.POSITIVE_INFINITY;
  if (!(from < to)) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `the time range is empty: from ${options.fromMs} is not before to ${options.toMs}`,
    );
  }
  const ranges = await snapshotRanges(kafka, topic, options.fromMs);
  const total = ranges.reduce((sum, r) => sum + Math.max(0, r.end - r.start), 0);
  const decoder = new EventDecoder(options.registry);
  const extractor = new RowExtractor(topology);
  const embeddingSpecs = topology.model?.embeddings ?? [];
  const sinks = new Map(
    ranges.map((r) => [
      r.partition,
      new RowSink(topology.features, extractor.embeddingValues, embeddingSpecs.length),
    ]),
  );
  const rejected = new Map<ErrorCode, { count: number; example: string }>();
  const reject = (code: ErrorCode, reason: string, partition: number, message: KafkaMessage) => {
    const entry = rejected.get(code);
    if (entry === undefined) {
      rejected.set(code, { count: 1, example: `partition ${partition} offset ${message.offset}: ${reason}` });
    } else entry.count++;
  };
  let outOfRange = 0;
  const { incomplete } = await readRanges(
    kafka,
    topic,
    ranges,
    async (partition, messages) => {
      await decoder.prepare(messages.map((m) => m.value));
      const sink = sinks.get(partition)!;
      for (const message of messages) {
        const decoded = decoder.decode(message.value);
        if (!decoded.ok) {
          reject(decoded.code, decoded.reason, partition, message);
          continue;
        }
        const row = extractor.extract(decoded.record, Number(message.timestamp));
        if (typeof row === 'string') reject(ErrorCodes.EVENT_INVALID, row, partition, message);
        else if (row.eventTime < from || row.eventTime >= to) outOfRange++;
        else sink.push(row);
      }
    },
    {
      onProgress: (read) => options.onProgress?.(read, total),
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    },
  );
  const ordered = [...sinks.entries()].sort((a, b) => a[0] - b[0]).map(([, sink]) => sink);
  const rows = ordered.reduce((sum, s) => sum + s.length, 0);
  const columns = new Map<string, ReferenceColumn>();
  topology.features.forEach((feature, f) => {
    columns.set(feature.name, concatColumn(feature.kind, ordered, f, rows));
  });
  const eventTimes = new Float64Array(rows);
  let at = 0;
  for (const sink of ordered) {
    eventTimes.set(sink.eventTimes.subarray(0, sink.length), at);
    at += sink.length;
  }
  const embeddings = embeddingSpecs.map((spec, e) =>
    concatEmbedding(spec, ordered, e, extractor.embeddingOffsets[e]!, rows),
  );
  const range = { from: options.fromMs, to: options.toMs };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ topic, ...range, partitions: ranges.map((r) => [r.partition, r.start, r.end]) }))
    .digest('hex');
  return {
    topic,
    rows,
    columns,
    eventTimes,
    source: {
      description: describeSource(topic, options.fromMs, options.toMs, ranges),
      fingerprint: `sha256:${fingerprint}`,
      rows,
    },
    ranges,
    messages: ranges.reduce((sum, r) => sum + r.end - r.start, 0) - incompleteCount(incomplete),
    outOfRange,
    rejected,
    incomplete,
    embeddings,
  };
}

function incompleteCount(incomplete: readonly { next: number; end: number }[]): number {
  return incomplete.reduce((sum, r) => sum + r.end - r.next, 0);
}

function describeSource(
  topic: string,
  from: number | null,
  to: number | null,
  ranges: readonly PartitionRange[],
): string {
  const time = (t: number | null, open: string) => (t === null ? open : new Date(t).toISOString());
  const offsets =
    ranges.length <= 8
      ? ranges.map((r) => `${r.partition}:${r.start}-${r.end}`).join(' ')
      : `${ranges.length} partitions`;
  return `topic ${topic}, event time [${time(from, 'earliest')}, ${time(to, 'latest')}), offsets ${offsets}`;
}

/**
 * One event's values: numbers for numeric and boolean (1 / 0) features, with `present` 0 where the value is null or
 * absent (a NaN in the event is a present NaN, as in a file), and strings (null = missing) for categorical ones.
 */
interface Row {
  readonly eventTime: number;
  readonly numbers: Float64Array;
  readonly present: Uint8Array;
  readonly texts: (string | null)[];
  /** Every embedding's components, one after the other (EmbeddingSpec order). */
  readonly vectors: Float64Array;
  /** 1 where the embedding is present. */
  readonly hasVector: Uint8Array;
  /** The prediction id, or null (absent, or no model section). */
  readonly id: string | null;
}

/**
 * Reads a decoded record the way the engine does: a null or absent feature value is missing, a value of the wrong
 * type rejects the event, and so does an event time that is not epoch milliseconds.
 */
class RowExtractor {
  readonly #features: readonly { kind: FeatureKind; field: string; get: FieldGetter }[];
  readonly #eventTime: FieldGetter | null;
  readonly #eventTimeField: string | null;
  readonly #numbers: Float64Array;
  readonly #present: Uint8Array;
  readonly #texts: (string | null)[];
  readonly #embeddings: readonly { spec: EmbeddingSpec; get: FieldGetter }[];
  readonly #predictionId: FieldGetter | null;
  readonly #vectors: Float64Array;
  readonly #hasVector: Uint8Array;
  /** Where each embedding's components start in a row's `vectors`. */
  readonly embeddingOffsets: readonly number[];
  /** Components of all embeddings of a row. */
  readonly embeddingValues: number;

  constructor(topology: Topology) {
    this.#features = topology.features.map((f) => ({
      kind: f.kind,
      field: f.field,
      get: compileFieldPath(f.field),
    }));
    this.#eventTimeField = topology.source.eventTimeField;
    this.#eventTime = this.#eventTimeField === null ? null : compileFieldPath(this.#eventTimeField);
    this.#numbers = new Float64Array(topology.features.length);
    this.#present = new Uint8Array(topology.features.length);
    this.#texts = new Array<string | null>(topology.features.length).fill(null);
    const specs = topology.model?.embeddings ?? [];
    this.#embeddings = specs.map((spec) => ({ spec, get: compileFieldPath(spec.field) }));
    this.#predictionId =
      topology.model === null ? null : compileFieldPath(topology.model.fields.predictionIdField);
    const offsets: number[] = [];
    let total = 0;
    for (const spec of specs) {
      offsets.push(total);
      total += spec.dimension;
    }
    this.embeddingOffsets = offsets;
    this.embeddingValues = total;
    this.#vectors = new Float64Array(total);
    this.#hasVector = new Uint8Array(specs.length);
  }

  /** The row (its arrays are reused: copy before the next call), or why the event is rejected. */
  extract(record: unknown, timestamp: number): Row | string {
    const t = this.#eventTime === null ? timestamp : this.#eventTime(record);
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      return `event time field ${this.#eventTimeField} is ${describeValue(t)}, expected epoch milliseconds`;
    }
    for (let f = 0; f < this.#features.length; f++) {
      const { kind, field, get } = this.#features[f]!;
      const v = get(record);
      this.#numbers[f] = Number.NaN;
      this.#present[f] = 0;
      this.#texts[f] = null;
      if (v === null || v === undefined) continue;
      this.#present[f] = 1;
      if (kind === 'numeric') {
        if (typeof v !== 'number') return `numeric feature field ${field} is ${describeValue(v)}`;
        this.#numbers[f] = v;
      } else if (kind === 'boolean') {
        if (typeof v === 'boolean') this.#numbers[f] = v ? 1 : 0;
        else if (v === 'true' || v === 'false') this.#numbers[f] = v === 'true' ? 1 : 0;
        else return `boolean feature field ${field} is ${describeValue(v)}`;
      } else if (typeof v === 'string') this.#texts[f] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') this.#texts[f] = String(v);
      else return `categorical feature field ${field} is ${describeValue(v)}`;
    }
    for (let e = 0; e < this.#embeddings.length; e++) {
      const { spec, get } = this.#embeddings[e]!;
      const v = get(record);
      this.#hasVector[e] = 0;
      if (v === null || v === undefined) continue;
      const d = spec.dimension;
      if (!Array.isArray(v) || v.length !== d) {
        return `embedding field ${spec.field} is ${describeValue(v)}, expected an array of ${d} numbers`;
      }
      const at = this.embeddingOffsets[e]!;
      for (let j = 0; j < d; j++) {
        const x: unknown = v[j];
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          return `embedding field ${spec.field} has ${describeValue(x)} at position ${j}, expected a finite number`;
        }
        this.#vectors[at + j] = x;
      }
      this.#hasVector[e] = 1;
    }
    const id = this.#predictionId?.(record);
    return {
      eventTime: t,
      numbers: this.#numbers,
      present: this.#present,
      texts: this.#texts,
      vectors: this.#vectors,
      hasVector: this.#hasVector,
      id: typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : null,
    };
  }
}

/** Growable columns of one partition's rows. */
class RowSink {
  length = 0;
  eventTimes = new Float64Array(1024);
  numbers: Float64Array[];
  present: Uint8Array[];
  texts: (string | null)[][];
  /** `embeddingValues` components per row. */
  vectors: Float64Array;
  /** Per row, a byte per embedding: 1 where present. */
  hasVector: Uint8Array;
  ids: (string | null)[] = [];
  /** Components of all embeddings of a row, and the number of embeddings. */
  readonly embeddingValues: number;
  readonly embeddings: number;

  constructor(features: readonly { kind: FeatureKind }[], embeddingValues: number, embeddings = 0) {
    this.numbers = features.map(() => new Float64Array(1024));
    this.present = features.map(() => new Uint8Array(1024));
    this.texts = features.map(() => []);
    this.embeddingValues = embeddingValues;
    this.embeddings = embeddings;
    this.vectors = new Float64Array(1024 * embeddingValues);
    this.hasVector = new Uint8Array(1024 * embeddings);
  }

  push(row: Row): void {
    if (this.length === this.eventTimes.length) this.#grow();
    const i = this.length++;
    this.eventTimes[i] = row.eventTime;
    for (let f = 0; f < this.numbers.length; f++) {
      this.numbers[f]![i] = row.numbers[f]!;
      this.present[f]![i] = row.present[f]!;
      this.texts[f]!.push(row.texts[f]!);
    }
    if (this.embeddings > 0) {
      this.vectors.set(row.vectors, i * this.embeddingValues);
      this.hasVector.set(row.hasVector, i * this.embeddings);
      this.ids.push(row.id);
    }
  }

  #grow(): void {
    const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.eventTimes = grow(this.eventTimes);
    this.numbers = this.numbers.map(grow);
    this.present = this.present.map(grow);
    this.vectors = grow(this.vectors);
    this.hasVector = grow(this.hasVector);
  }
}

function concatColumn(
  kind: FeatureKind,
  sinks: readonly RowSink[],
  f: number,
  rows: number,
): ReferenceColumn {
  if (kind === 'categorical') return { kind, values: sinks.flatMap((s) => s.texts[f]!) };
  const values = new Float64Array(rows);
  const valid = new Uint8Array(rows);
  let at = 0;
  for (const sink of sinks) {
    values.set(sink.numbers[f]!.subarray(0, sink.length), at);
    valid.set(sink.present[f]!.subarray(0, sink.length), at);
    at += sink.length;
  }
  if (kind === 'numeric') return { kind, values, valid };
  return { kind, values: Uint8Array.from(values, (v) => (v === 1 ? 1 : 0)), valid };
}

/** Embedding `e` (components from `offset` in each row) of every sink's rows, in sink order. */
function concatEmbedding(
  spec: EmbeddingSpec,
  sinks: readonly RowSink[],
  e: number,
  offset: number,
  rows: number,
): EmbeddingColumn {
  const d = spec.dimension;
  const vectorOf = new Int32Array(rows).fill(-1);
  let count = 0;
  let at = 0;
  for (const sink of sinks) {
    for (let i = 0; i < sink.length; i++, at++) {
      if (sink.hasVector[i * sink.embeddings + e] === 1) vectorOf[at] = count++;
    }
  }
  const vectors = new Float64Array(count * d);
  const ids: (string | null)[] = [];
  at = 0;
  for (const sink of sinks) {
    const stride = sink.embeddingValues;
    for (let i = 0; i < sink.length; i++, at++) {
      const v = vectorOf[at]!;
      for (let j = 0; v >= 0 && j < d; j++) vectors[v * d + j] = sink.vectors[i * stride + offset + j]!;
      ids.push(sink.ids[i]!);
    }
  }
  return embeddingColumn(spec, vectors, vectorOf, ids);
}
