import avro from 'avsc';
import type { Producer } from 'kafkajs';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { createKafka } from '../kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { encodeWire } from '../kafka/wire-format.ts';

export interface PredictionProducerOptions {
  readonly brokers: readonly string[];
  /** Confluent-compatible registry API base URL. */
  readonly registryUrl: string;
  readonly topic: string;
  /** Avro schema of the events (an object, e.g. read from schemas/). */
  readonly schema: object;
  /** Registry subject; defaults to `<topic>-value`. */
  readonly subject?: string;
  /** Message key of an event (default: none, so the partitioner spreads events). */
  readonly key?: (event: Record<string, unknown>) => string | null;
  readonly clientId?: string;
}

/**
 * The service-side client: registers the event schema once, then encodes events in the Confluent wire format
 * (magic byte, schema id, Avro payload) and produces them. This first version sends the events it is given and
 * resolves when the broker has them; a later version adds a background buffer for request paths.
 */
export class PredictionProducer {
  readonly topic: string;
  readonly schemaId: number;
  readonly #type: avro.Type;
  readonly #producer: Producer;
  readonly #key: ((event: Record<string, unknown>) => string | null) | undefined;

  private constructor(
    topic: string,
    schemaId: number,
    type: avro.Type,
    producer: Producer,
    options: PredictionProducerOptions,
  ) {
    this.topic = topic;
    this.schemaId = schemaId;
    this.#type = type;
    this.#producer = producer;
    this.#key = options.key;
  }

  static async connect(options: PredictionProducerOptions): Promise<PredictionProducer> {
    if (typeof options.topic !== 'string' || options.topic === '') {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'topic is required');
    }
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(options.schema as avro.Schema);
    } catch (error) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `schema is not a valid Avro schema: ${(error as Error).message}`,
      );
    }
    const registry = new SchemaRegistryClient({ url: options.registryUrl });
    const schemaId = await registry.register(options.subject ?? `${options.topic}-value`, options.schema);
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId ?? 'driftwatch-client',
    });
    const producer = kafka.producer();
    await producer.connect();
    return new PredictionProducer(options.topic, schemaId, type, producer, options);
  }

  /** Encodes one event; throws DW_EVENT_INVALID naming the fields that do not fit the schema. */
  encode(event: Record<string, unknown>): Buffer {
    try {
      return encodeWire(this.schemaId, this.#type.toBuffer(event));
    } catch (error) {
      const paths: string[] = [];
      this.#type.isValid(event, { errorHook: (path) => paths.push(path.join('.')) });
      throw new DriftwatchError(
        ErrorCodes.EVENT_INVALID,
        `event does not match the schema${paths.length ? ` at ${paths.join(', ')}` : ''}: ${(error as Error).message}`,
        { paths },
      );
    }
  }

  /** Produces events (all-or-nothing encoding: nothing is sent if one event does not fit the schema). */
  async send(events: readonly Record<string, unknown>[], partition?: number): Promise<void> {
    const messages = events.map((event) => ({
      key: this.#key?.(event) ?? null,
      value: this.encode(event),
      ...(partition !== undefined ? { partition } : {}),
    }));
    await this.#producer.send({ topic: this.topic, messages });
  }

  /** Produces already-encoded wire-format values (for tools that encode once and send many times). */
  async sendRaw(values: readonly Buffer[], partition?: number): Promise<void> {
    await this.#producer.send({
      topic: this.topic,
      messages: values.map((value) => ({ value, ...(partition !== undefined ? { partition } : {}) })),
    });
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}
