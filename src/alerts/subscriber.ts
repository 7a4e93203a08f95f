/**
 * A typed consumer of driftwatch's output topics. Each message is decoded through the registry and dispatched by the
 * Avro full name of its record to a typed event. The dispatch table is built from the schemas shipped in schemas/:
 * a record type plugs in by adding its schema file to `RECORD_SCHEMAS` (and a variant to `AlertEvent`). A listed file
 * that is missing is skipped, so its records arrive as kind `other`.
 */
import type { IHeaders } from 'kafkajs';
import { EventDecoder } from '../engine/event-decoder.ts';
import { type ErrorCode, optionError } from '../errors.ts';
import {
  DRIFT_ALERT_SCHEMA_FILE,
  INCIDENT_SCHEMA_FILE,
  MODEL_ALERT_SCHEMA_FILE,
  MODEL_STATISTICS_SCHEMA_FILE,
  RETRAIN_REQUEST_SCHEMA_FILE,
  ROLLBACK_RECOMMENDATION_SCHEMA_FILE,
  readShippedSchema,
  WINDOW_STATISTICS_SCHEMA_FILE,
} from '../kafka/avro-schemas.ts';
import { createKafka, ensureTopics } from '../kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { DriftAlert } from './drift-alert.ts';
import type { IncidentEventRecord } from './incident-event.ts';
import type { ModelAlertRecord } from './model-alert.ts';
import type { RetrainRequestRecord } from './retrain-request.ts';
import type { RollbackRecommendationRecord } from './rollback-recommendation.ts';

/** The kinds of event a subscriber dispatches (besides `other`) and a sink can be asked to forward. */
export const EVENT_KINDS = ['drift-alert', 'model-alert', 'rollback', 'incident', 'retrain'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One record of a driftwatch output, typed by its kind. */
export type AlertEvent =
  | { readonly kind: 'drift-alert'; readonly record: DriftAlert }
  | { readonly kind: 'model-alert'; readonly record: ModelAlertRecord }
  | { readonly kind: 'rollback'; readonly record: RollbackRecommendationRecord }
  | { readonly kind: 'incident'; readonly record: IncidentEventRecord }
  | { readonly kind: 'retrain'; readonly record: RetrainRequestRecord }
  /** Any other record (window statistics, a service's own records): `name` is its Avro full name. */
  | { readonly kind: 'other'; readonly name: string; readonly record: unknown };

/** Where a subscribed event was read from. */
export interface KafkaEnvelope {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64; kept as the string kafkajs gives. */
  readonly offset: string;
  /** The message key as UTF-8 text, null when the message has none. */
  readonly key: string | null;
  /** Header values as UTF-8 text; a header sent more than once keeps every value. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The message's timestamp, epoch milliseconds. */
  readonly timestamp: number;
  /** Avro full name of the record's schema (also for the typed kinds). */
  readonly recordName: string;
  readonly schemaId: number;
}

export type SubscribedEvent = AlertEvent & KafkaEnvelope;

/** A message that could not be decoded; reported, never thrown, and skipped. */
export interface UndecodableMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly code: ErrorCode;
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The dispatch table

/**
 * Shipped schemas of driftwatch's records, by the kind their records are dispatched as. The statistics records are
 * listed as `other` so that their timestamps are still known (see `recordSchema`).
 */
const RECORD_SCHEMAS: readonly { readonly kind: EventKind | 'other'; readonly file: string }[] = [
  { kind: 'drift-alert', file: DRIFT_ALERT_SCHEMA_FILE },
  { kind: 'model-alert', file: MODEL_ALERT_SCHEMA_FILE },
  { kind: 'rollback', file: ROLLBACK_RECOMMENDATION_SCHEMA_FILE },
  { kind: 'incident', file: INCIDENT_SCHEMA_FILE },
  { kind: 'retrain', file: RETRAIN_REQUEST_SCHEMA_FILE },
  { kind: 'other', file: WINDOW_STATISTICS_SCHEMA_FILE },
  { kind: 'other', file: MODEL_STATISTICS_SCHEMA_FILE },
];

/** A shipped record schema: its kind, Avro full name and parsed schema JSON. */
export interface RecordSchema {
  readonly kind: EventKind | 'other';
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

let byName: ReadonlyMap<string, RecordSchema> | undefined;

/** The shipped record schemas by Avro full name, read once. */
export function recordSchemas(): ReadonlyMap<string, RecordSchema> {
  if (byName !== undefined) return byName;
  const table = new Map<string, RecordSchema>();
  for (const { kind, file } of RECORD_SCHEMAS) {
    let schema: Record<string, unknown>;
    try {
      schema = readShippedSchema(file) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    table.set(fullName(schema), { kind, name: fullName(schema), schema });
  }
  byName = table;
  return table;
}

/** The shipped schema of records named `name` (an Avro full name), if driftwatch ships one. */
export function recordSchema(name: string): RecordSchema | undefined {
  return recordSchemas().get(name);
}

/** The shipped schema of a kind's records, if it is shipped. */
export function kindSchema(kind: EventKind): RecordSchema | undefined {
  for (const entry of recordSchemas().values()) if (entry.kind === kind) return entry;
  return undefined;
}

function fullName(schema: Record<string, unknown>): string {
  const name = String(schema.name);
  return name.includes('.') || typeof schema.namespace !== 'string' ? name : `${schema.namespace}.${name}`;
}

/** The Avro full name of an event's record: `name` for `other`, the shipped schema's name for the typed kinds. */
export function recordNameOf(event: AlertEvent): string {
  if (event.kind === 'other') return event.name;
  return kindSchema(event.kind)?.name ?? event.kind;
}

/** Types a decoded record by its Avro full name. */
export function toAlertEvent(name: string, record: unknown): AlertEvent {
  const kind = recordSchema(name)?.kind ?? 'other';
  // The casts are the dispatch itself: a record of a shipped schema has that schema's shape.
  if (kind === 'other') return { kind, name, record };
  return { kind, record } as AlertEvent;
}

// ---------------------------------------------------------------------------------------------------------------
// The consumer

export interface SubscriberOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** At least one topic. */
  readonly topics: readonly string[];
  readonly groupId: string;
  /** Read the topics from their start when the group is new (default false: only new events). */
  readonly fromBeginning?: boolean;
  /** Called once per decoded message, in offset order per partition; awaited before the next. */
  readonly onEvent: (event: SubscribedEvent) => void | Promise<void>;
  /** Messages that do not decode (not wire format, unknown schema, bad payload); skipped after the call. */
  readonly onUndecodable?: (message: UndecodableMessage) => void;
  /** The consumer stopped for good: kafkajs restarts it after an error until its retries say otherwise. */
  readonly onError?: (error: Error) => void;
  /** Where kafkajs' own lines go (default: the standard logger). */
  readonly logger?: Logger;
}

export interface Subscription {
  /**
   * Stops dispatching at once (the rest of a fetched batch is not delivered and its offsets are not committed) and
   * disconnects. Do not await it inside `onEvent`: the disconnect waits for the running callback.
   */
  stop(): Promise<void>;
}

/** Subscribes to driftwatch output topics; every message is decoded and dispatched as a typed SubscribedEvent. */
export async function subscribe(options: SubscriberOptions): Promise<Subscription> {
  if (options.topics.length === 0) throw optionError('topics', 'must name at least one topic', '[]');
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: 'driftwatch-subscriber',
    logger: options.logger ?? createLogger(),
  });
  const registry = new SchemaRegistryClient({ url: options.registryUrl });
  const decoder = new EventDecoder(registry);
  const topics = [...new Set(options.topics)];
  // Subscribing to a topic that does not exist yet fails in kafkajs; the engine may not have created it yet.
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic })),
  );
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200 });
  let stopped = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopped) options.onError?.(payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      // Offsets are resolved per delivered message, so a stop in the middle of a batch leaves the rest uncommitted.
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        await decoder.prepare(batch.messages.map((m) => m.value));
        for (const message of batch.messages) {
          if (stopped) return;
          const outcome = decoder.decode(message.value);
          if (outcome.ok) {
            const recordName = registry.cachedType(outcome.schemaId)?.name ?? 'anonymous';
            await options.onEvent({
              ...toAlertEvent(recordName, outcome.record),
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key === null ? null : message.key.toString('utf8'),
              headers: headerText(message.headers),
              timestamp: Number(message.timestamp),
              recordName,
              schemaId: outcome.schemaId,
            });
          } else {
            options.onUndecodable?.({
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              code: outcome.code,
              reason: outcome.reason,
            });
          }
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    stop: async () => {
      stopped = true;
      await consumer.disconnect();
    },
  };
}

function headerText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  }
  return out;
}
