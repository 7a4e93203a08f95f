/**
 * The JSON form of an event, shared by `driftwatch alerts tail --json` and the webhook sink, so a pipe and a webhook
 * receiver see the same document.
 *
 * Shape: `{kind, name, id, record}` (and, for an event read from Kafka, `topic, partition, offset, key, timestamp,
 * headers` between id and record), always in that order. Inside `record`:
 * - fields the shipped schema marks `timestamp-millis` are ISO-8601 strings (UTC, with milliseconds);
 * - int64 values outside the safe-integer range, which only arrive as bigints, are decimal strings;
 * - NaN and infinities are the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for them);
 * - bytes are base64 strings.
 * Record keys keep the schema's field order.
 */

import {
  type AlertEvent,
  type KafkaEnvelope,
  recordNameOf,
  recordSchema,
  type SubscribedEvent,
} from '../alerts/subscriber.ts';
import { hashId } from '../core/stable-id.ts';

/** Where a record's timestamps are: a timestamp, a record's fields, an array's items or a map's values. */
type TimeShape =
  | 'time'
  | { readonly fields: ReadonlyMap<string, TimeShape> }
  | { readonly items: TimeShape }
  | { readonly values: TimeShape };

const shapes = new Map<string, TimeShape | null>();

/** The timestamps of records named `name`, from the shipped schema (null: none, or no shipped schema). */
function timeShapeOf(name: string): TimeShape | null {
  let shape = shapes.get(name);
  if (shape === undefined) {
    const schema = recordSchema(name)?.schema;
    shape = schema === undefined ? null : shapeOf(schema, new Map());
    shapes.set(name, shape);
  }
  return shape;
}

/** Walks an Avro schema; `named` holds the shapes of the named types seen so far, for references by name. */
function shapeOf(type: unknown, named: Map<string, TimeShape | null>): TimeShape | null {
  if (typeof type === 'string') return named.get(type) ?? null;
  if (Array.isArray(type)) {
    // A union: the first branch with timestamps (driftwatch's unions are `null` plus one type).
    for (const branch of type) {
      const shape = shapeOf(branch, named);
      if (shape !== null) return shape;
    }
    return null;
  }
  if (type === null || typeof type !== 'object') return null;
  const t = type as Record<string, unknown>;
  if (t.logicalType === 'timestamp-millis' && t.type === 'long') return 'time';
  if (t.type === 'array') {
    const items = shapeOf(t.items, named);
    return items === null ? null : { items };
  }
  if (t.type === 'map') {
    const values = shapeOf(t.values, named);
    return values === null ? null : { values };
  }
  if (t.type === 'record' && Array.isArray(t.fields)) {
    const fields = new Map<string, TimeShape>();
    const shape: TimeShape = { fields };
    if (typeof t.name === 'string') named.set(t.name, shape);
    for (const field of t.fields as { name: string; type: unknown }[]) {
      const inner = shapeOf(field.type, named);
      if (inner !== null) fields.set(field.name, inner);
    }
    return fields.size === 0 ? null : shape;
  }
  return null;
}

/** A record's first field holds its deterministic id when it is named like one. */
const ID_FIELD = /_id$/;

/**
 * The event's deterministic id, for idempotent receivers: its `event_id` field if it has one (an incident's events
 * share the incident id), else its first field when that is a string named `*_id` (alert_id, recommendation_id,
 * request_id), else a hash of its name and JSON, so the same record always gets the same id.
 */
export function eventId(event: AlertEvent): string {
  const record = event.record;
  if (record !== null && typeof record === 'object') {
    const fields = record as Record<string, unknown>;
    if (typeof fields.event_id === 'string') return fields.event_id;
    const first = Object.keys(fields)[0];
    if (first !== undefined && ID_FIELD.test(first) && typeof fields[first] === 'string')
      return fields[first];
  }
  return hashId(`${recordNameOf(event)}\u0000${JSON.stringify(jsonValue(record, null))}`);
}

/** The JSON object of an event; with its Kafka envelope when it was read from a topic. */
export function eventObject(event: AlertEvent | SubscribedEvent): Record<string, unknown> {
  const name = recordNameOf(event);
  const head: Record<string, unknown> = { kind: event.kind, name, id: eventId(event) };
  if ('topic' in event) {
    const envelope: KafkaEnvelope = event;
    head.topic = envelope.topic;
    head.partition = envelope.partition;
    head.offset = envelope.offset;
    head.key = envelope.key;
    head.timestamp = isoTime(envelope.timestamp);
    head.headers = envelope.headers;
  }
  head.record = jsonValue(event.record, timeShapeOf(name));
  return head;
}

/** One line of JSON (no trailing newline). */
export function eventJson(event: AlertEvent | SubscribedEvent): string {
  return JSON.stringify(eventObject(event));
}

/** ISO-8601 UTC with milliseconds; a value that is not a valid time is kept as it is. */
function isoTime(ms: number): string | number {
  const date = new Date(ms);
  return Number.isFinite(ms) && !Number.isNaN(date.getTime()) ? date.toISOString() : ms;
}

function jsonValue(value: unknown, shape: TimeShape | null): unknown {
  if (value === null || value === undefined) return null;
  if (shape === 'time' && typeof value === 'number') return isoTime(value);
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) {
    const items = shape !== null && shape !== 'time' && 'items' in shape ? shape.items : null;
    return value.map((item) => jsonValue(item, items));
  }
  const out: Record<string, unknown> = {};
  const fields = shape !== null && shape !== 'time' && 'fields' in shape ? shape.fields : null;
  const values = shape !== null && shape !== 'time' && 'values' in shape ? shape.values : null;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = jsonValue(inner, fields !== null ? (fields.get(key) ?? null) : values);
  }
  return out;
}
