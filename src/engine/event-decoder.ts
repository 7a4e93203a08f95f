import type avro from 'avsc';
import { DriftwatchError, type ErrorCode, ErrorCodes } from '../errors.ts';
import type { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { readSchemaId, WIRE_HEADER_LENGTH } from '../kafka/wire-format.ts';

export type DecodeOutcome =
  | { readonly ok: true; readonly record: unknown; readonly schemaId: number }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

/**
 * Decodes Confluent wire-format Avro messages. `prepare` resolves, once per batch, the schema ids not seen before
 * (the only awaited step); `decode` is then synchronous per message. A registry outage throws from `prepare` so the
 * batch is retried rather than dead-lettered; only facts about a message itself become a failed outcome.
 */
export class EventDecoder {
  readonly #registry: SchemaRegistryClient;
  readonly #unknown = new Map<number, string>();

  constructor(registry: SchemaRegistryClient) {
    this.#registry = registry;
  }

  async prepare(values: readonly (Buffer | null)[]): Promise<void> {
    this.#unknown.clear();
    const missing = new Set<number>();
    for (const value of values) {
      if (value === null || value.length < WIRE_HEADER_LENGTH || value[0] !== 0) continue;
      const id = value.readUInt32BE(1);
      if (this.#registry.cachedType(id) === undefined) missing.add(id);
    }
    for (const id of missing) {
      try {
        await this.#registry.typeFor(id);
      } catch (error) {
        if (error instanceof DriftwatchError && error.code !== ErrorCodes.REGISTRY) {
          this.#unknown.set(id, error.message);
        } else {
          throw error;
        }
      }
    }
  }

  decode(value: Buffer | null): DecodeOutcome {
    let schemaId: number;
    try {
      schemaId = readSchemaId(value);
    } catch (error) {
      return { ok: false, code: ErrorCodes.WIRE_FORMAT, reason: (error as Error).message };
    }
    const type: avro.Type | undefined = this.#registry.cachedType(schemaId);
    if (type === undefined) {
      const reason = this.#unknown.get(schemaId) ?? `schema id ${schemaId} is not known to the registry`;
      return { ok: false, code: ErrorCodes.UNKNOWN_SCHEMA, reason };
    }
    try {
      const record = type.fromBuffer((value as Buffer).subarray(WIRE_HEADER_LENGTH));
      return { ok: true, record, schemaId };
    } catch (error) {
      return {
        ok: false,
        code: ErrorCodes.DECODE_FAILED,
        reason: `payload does not decode with schema id ${schemaId} (${type.name ?? 'anonymous'}): ${(error as Error).message}`,
      };
    }
  }
}
