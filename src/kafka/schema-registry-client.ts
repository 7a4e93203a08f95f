import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { DriftwatchError, ErrorCodes } from '../errors.ts';

export interface RegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** How long an id the registry said it does not know stays known-unknown, so a flood of bad ids is not a flood of requests. */
const UNKNOWN_ID_TTL_MS = 30_000;

/**
 * A thin edge over the Confluent-compatible registry API. Types are resolved once per schema id and cached, so the
 * decode hot path is synchronous (`cachedType`). A 404 is a fact about the message (DW_UNKNOWN_SCHEMA); any other
 * failure is a fact about the registry (DW_REGISTRY) and must not dead-letter messages.
 */
export class SchemaRegistryClient {
  readonly #registry: SchemaRegistry;
  readonly #types = new Map<number, avro.Type>();
  readonly #unknown = new Map<number, number>();
  readonly url: string;

  constructor(options: RegistryOptions) {
    if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `registry url must be an http(s) URL, got ${options.url}`,
      );
    }
    this.url = options.url;
    const auth =
      options.username !== undefined
        ? { username: options.username, password: options.password ?? '' }
        : undefined;
    this.#registry = new SchemaRegistry({ host: options.url, ...(auth ? { auth } : {}) });
  }

  /** Registers `schema` (an Avro schema object) under `subject` and returns its id. */
  async register(subject: string, schema: object): Promise<number> {
    try {
      const { id } = await this.#registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject },
      );
      this.#types.set(id, avro.Type.forSchema(schema as avro.Schema));
      return id;
    } catch (error) {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `registry refused schema for subject ${subject}: ${(error as Error).message}`,
        { subject },
        { cause: error },
      );
    }
  }

  cachedType(id: number): avro.Type | undefined {
    return this.#types.get(id);
  }

  /** True when the registry recently answered that it does not know `id`. */
  isKnownUnknown(id: number, now = Date.now()): boolean {
    const at = this.#unknown.get(id);
    if (at === undefined) return false;
    if (now - at > UNKNOWN_ID_TTL_MS) {
      this.#unknown.delete(id);
      return false;
    }
    return true;
  }

  /** Resolves the Avro type of schema `id`; DW_UNKNOWN_SCHEMA if the registry does not know it. */
  async typeFor(id: number): Promise<avro.Type> {
    const cached = this.#types.get(id);
    if (cached !== undefined) return cached;
    if (this.isKnownUnknown(id)) throw unknownSchema(id);
    try {
      const schema = await this.#registry.getSchema(id);
      if (!(schema instanceof avro.Type)) {
        throw new DriftwatchError(ErrorCodes.DECODE_FAILED, `schema id ${id} is not an Avro schema`, {
          schemaId: id,
        });
      }
      this.#types.set(id, schema);
      return schema;
    } catch (error) {
      if (error instanceof DriftwatchError) throw error;
      if (isNotFound(error)) {
        this.#unknown.set(id, Date.now());
        throw unknownSchema(id);
      }
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `registry request for schema id ${id} failed: ${(error as Error).message}`,
        { schemaId: id },
        { cause: error },
      );
    }
  }
}

function unknownSchema(id: number): DriftwatchError {
  return new DriftwatchError(ErrorCodes.UNKNOWN_SCHEMA, `schema id ${id} is not known to the registry`, {
    schemaId: id,
  });
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    (error as { status: number }).status === 404
  );
}
