import type avro from 'avsc';
import { readShippedSchema } from './avro-schemas.ts';
import type { SchemaRegistryClient } from './schema-registry-client.ts';
import { encodeWire } from './wire-format.ts';

/** A shipped output schema registered for a topic: encodes records in the Confluent wire format under its id. */
export interface OutputSchema {
  readonly id: number;
  encode(record: unknown): Buffer;
}

/**
 * Registers the shipped schema `file` (schemas/) under `<topic>-value` (TopicNameStrategy), as every topic driftwatch
 * produces to is registered, and returns its encoder.
 */
export async function registerOutputSchema(
  registry: SchemaRegistryClient,
  topic: string,
  file: string,
): Promise<OutputSchema> {
  const id = await registry.register(`${topic}-value`, readShippedSchema(file));
  const type: avro.Type = registry.cachedType(id)!;
  return { id, encode: (record) => encodeWire(id, type.toBuffer(record)) };
}
