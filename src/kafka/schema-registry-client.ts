import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { DriftwatchError, ErrorCodes } from '../errors.ts';

export interface RegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** A schema version registered under a subject. */
export interface RegisteredVersion {
  readonly subject: string;
  /** Global schema id (the id in the wire-format header). */
  readonly id: number;
  /** Version of the schema under the subject, from 1. */
  readonly version: number;
  /** The Avro schema, parsed from the registry's JSON. */
  readonly schema: object;
}

/** What the registry answered to "may this schema be registered under this subject?". */
export interface CompatibilityVerdict {
  readonly compatible: boolean;
  /** The registry's reasons when it gives them (Confluent with `verbose=true`; Apicurio 3 gives none here). */
  readonly messages: readonly string[];
}

/** Content type of the Confluent API's requests and answers. */
const REGISTRY_JSON = 'application/vnd.schemaregistry.v1+json';

/** The library prefixes every answer's message with its client name; this strips it to the registry's own words. */
const CLIENT_PREFIX = /^Confluent_Schema_Registry - /;

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
  readonly #authorization: string | undefined;
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
    this.#authorization =
      auth === undefined
        ? undefined
        : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
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

  /**
   * Registers `schema` under `subject` as its next version (or finds it, when it is already registered there) and
   * returns the version. A schema the subject's compatibility rule refuses (HTTP 409) is DW_SCHEMA_INCOMPATIBLE, with
   * the registry's reason verbatim in the message and in `details.reason`; nothing is registered then.
   *
   * Registration goes through the same library call as `register`, so a subject first registered here gets the same
   * subject-level compatibility setting (BACKWARD) the library sets, and a producer that registers later agrees
   * with it.
   */
  async registerVersion(subject: string, schema: object): Promise<RegisteredVersion & { created: boolean }> {
    const before = await this.latest(subject);
    let id: number;
    try {
      ({ id } = await this.#registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject },
      ));
    } catch (error) {
      const reason = (error as Error).message.replace(CLIENT_PREFIX, '');
      if (statusOf(error) === 409) {
        throw new DriftwatchError(
          ErrorCodes.SCHEMA_INCOMPATIBLE,
          `registry refused the schema for subject ${subject} as incompatible: ${reason}`,
          { subject, reason },
          { cause: error },
        );
      }
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `registry refused schema for subject ${subject}: ${reason}`,
        { subject, reason },
        { cause: error },
      );
    }
    this.#types.set(id, avro.Type.forSchema(schema as avro.Schema));
    const found = await this.#request<{ version: number; id: number; schema: string }>(
      'POST',
      `/subjects/${encodeURIComponent(subject)}`,
      { schema: JSON.stringify(schema) },
      `look up the version of schema id ${id} under subject ${subject}`,
    );
    if (found === null) {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `registry registered schema id ${id} under subject ${subject} but then did not find it there`,
        { subject, schemaId: id },
      );
    }
    return {
      subject,
      id,
      version: found.version,
      schema: JSON.parse(found.schema) as object,
      created: before === null || before.version < found.version,
    };
  }

  /** The latest schema registered under `subject`, or null when the subject has none. */
  async latest(subject: string): Promise<RegisteredVersion | null> {
    const found = await this.#request<{ version: number; id: number; schema: string; schemaType?: string }>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      undefined,
      `read the latest schema of subject ${subject}`,
    );
    if (found === null) return null;
    if (found.schemaType !== undefined && found.schemaType !== 'AVRO') {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `the latest schema of subject ${subject} is ${found.schemaType}, not Avro`,
        { subject },
      );
    }
    return { subject, id: found.id, version: found.version, schema: JSON.parse(found.schema) as object };
  }

  /**
   * Asks the registry whether `schema` may be registered under `subject` without registering it. A subject with no
   * versions accepts any schema.
   */
  async checkCompatibility(subject: string, schema: object): Promise<CompatibilityVerdict> {
    const answer = await this.#request<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schema: JSON.stringify(schema) },
      `check the compatibility of a schema with subject ${subject}`,
    );
    if (answer === null) return { compatible: true, messages: [] };
    return { compatible: answer.is_compatible === true, messages: answer.messages ?? [] };
  }

  /** One request to the Confluent API; null on 404, DW_REGISTRY with the registry's message on any other failure. */
  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: object | undefined,
    what: string,
  ): Promise<T | null> {
    let response: Response;
    try {
      response = await fetch(`${this.url.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          accept: REGISTRY_JSON,
          ...(body !== undefined ? { 'content-type': REGISTRY_JSON } : {}),
          ...(this.#authorization !== undefined ? { authorization: this.#authorization } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `could not ${what}: registry at ${this.url} unreachable (${(error as Error).message})`,
        { url: this.url },
        { cause: error },
      );
    }
    const text = await response.text();
    if (response.status === 404) return null;
    if (!response.ok) {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `could not ${what}: registry answered HTTP ${response.status}: ${registryMessage(text)}`,
        { url: this.url, status: response.status },
      );
    }
    return JSON.parse(text) as T;
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
  return statusOf(error) === 404;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error
    ? (error as { status: number }).status
    : undefined;
}

/** The `message` of a registry's JSON error body, or the body itself. */
function registryMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the body is the message
  }
  return text.trim() || '(empty answer)';
}
