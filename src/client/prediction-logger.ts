import avro from 'avsc';
import type { Producer } from 'kafkajs';
import { DriftwatchError, ErrorCodes, optionError } from '../errors.ts';
import { createKafka } from '../kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import {
  BatchTooLargeError,
  BufferedSender,
  type FlushResult,
  type LoggerErrorReport,
  type LoggerStats,
} from './buffered-sender.ts';
import type { OutgoingMessage } from './event-ring-buffer.ts';
import { WireEncoder } from './wire-encoder.ts';

export interface PredictionLoggerOptions {
  readonly brokers: readonly string[];
  /** Confluent-compatible registry API base URL; needed only at `create`, to register the schema. */
  readonly registryUrl: string;
  readonly topic: string;
  /** Avro schema of the events (an object, e.g. read from schemas/). */
  readonly schema: object;
  /** Registry subject; defaults to `<topic>-value`. */
  readonly subject?: string;
  /** Message key of an event (default: none, so the partitioner spreads events). */
  readonly key?: (event: Record<string, unknown>) => string | null;
  /** Most events held while they wait to be sent (default 10,000); beyond it new events are dropped and counted. */
  readonly maxBuffer?: number;
  /** Most events per produce request (default 500). */
  readonly batchSize?: number;
  /**
   * Most bytes of event values and keys per produce request (default 900,000, under the broker's default 1 MiB
   * message limit with room for record overhead). A batch the broker still refuses as too large is split.
   */
  readonly maxBatchBytes?: number;
  /** How long a partial batch waits for more events before it is sent (default 50 ms). */
  readonly lingerMs?: number;
  /** Backoff between attempts to send a batch the broker did not take: doubles from initialMs up to maxMs. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Told about invalid events, failed sends and buffer overflows; called on the caller's thread for the first. */
  readonly onError?: (report: LoggerErrorReport) => void;
  /** Where warnings and kafkajs' own (debug) lines go. */
  readonly logger?: Logger;
  readonly clientId?: string;
}

export const PREDICTION_LOGGER_DEFAULTS = {
  maxBuffer: 10_000,
  batchSize: 500,
  maxBatchBytes: 900_000,
  lingerMs: 50,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
  closeTimeoutMs: 10_000,
} as const;

/**
 * Few, short retries inside kafkajs (for sends and for reconnecting), so that a lost or restarting broker comes back
 * within about a second as a failed attempt, counted in `retries` with `lastError`, and retried with this logger's
 * backoff while the events wait in the buffer.
 */
const SEND_RETRY = { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } as const;

/**
 * The service-side logger for a request path: `log(event)` encodes the event on the caller's thread (so a later
 * change to the caller's object cannot change what is sent, and an invalid event is known at once) into a bounded
 * buffer, and returns. A background loop produces the buffer in batches with an idempotent kafkajs producer
 * (acks=all), retrying a batch with backoff while the broker is away.
 *
 * Guarantees: `log` never throws or waits; every event is counted exactly once as sent, dropped, invalid or (still)
 * buffered; events are delivered at least once, and exactly once as long as a retried batch goes to the same
 * partitions (a keyed or single-partition topic on a single leader).
 */
export class PredictionLogger {
  readonly topic: string;
  readonly schemaId: number;
  readonly #sender: BufferedSender;
  readonly #producer: Producer;
  #closing: Promise<FlushResult> | undefined;

  private constructor(topic: string, schemaId: number, sender: BufferedSender, producer: Producer) {
    this.topic = topic;
    this.schemaId = schemaId;
    this.#sender = sender;
    this.#producer = producer;
  }

  /**
   * Validates the options and registers the schema; fails (DW_REGISTRY) when the registry cannot be reached, since
   * without a schema id nothing can be encoded. The broker is not needed yet: events are buffered until it answers.
   */
  static async create(options: PredictionLoggerOptions): Promise<PredictionLogger> {
    if (typeof options.topic !== 'string' || options.topic === '') {
      throw optionError('topic', 'must be a non-empty string', options.topic);
    }
    const maxBuffer = positiveInteger('maxBuffer', options.maxBuffer, PREDICTION_LOGGER_DEFAULTS.maxBuffer);
    const batchSize = positiveInteger('batchSize', options.batchSize, PREDICTION_LOGGER_DEFAULTS.batchSize);
    if (batchSize > maxBuffer)
      throw optionError('batchSize', `must not exceed maxBuffer (${maxBuffer})`, batchSize);
    const maxBatchBytes = positiveInteger(
      'maxBatchBytes',
      options.maxBatchBytes,
      PREDICTION_LOGGER_DEFAULTS.maxBatchBytes,
    );
    const lingerMs = nonNegative('lingerMs', options.lingerMs, PREDICTION_LOGGER_DEFAULTS.lingerMs);
    const retryInitialMs = positiveInteger(
      'retry.initialMs',
      options.retry?.initialMs,
      PREDICTION_LOGGER_DEFAULTS.retryInitialMs,
    );
    const retryMaxMs = positiveInteger(
      'retry.maxMs',
      options.retry?.maxMs,
      PREDICTION_LOGGER_DEFAULTS.retryMaxMs,
    );
    if (retryMaxMs < retryInitialMs) {
      throw optionError('retry.maxMs', `must be at least retry.initialMs (${retryInitialMs})`, retryMaxMs);
    }
    if (options.key !== undefined && typeof options.key !== 'function') {
      throw optionError('key', 'must be a function of the event', typeof options.key);
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw optionError('onError', 'must be a function', typeof options.onError);
    }
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(options.schema as avro.Schema);
    } catch (error) {
      throw optionError(
        'schema',
        `is not a valid Avro schema (${(error as Error).message})`,
        typeof options.schema,
      );
    }
    const logger = options.logger ?? createLogger();
    // Validates the broker addresses before anything is registered.
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: options.clientId ?? 'driftwatch-prediction-logger',
      logger,
      retry: SEND_RETRY,
    });
    const subject = options.subject ?? `${options.topic}-value`;
    let schemaId: number;
    try {
      schemaId = await new SchemaRegistryClient({ url: options.registryUrl }).register(
        subject,
        options.schema,
      );
    } catch (error) {
      throw new DriftwatchError(
        ErrorCodes.REGISTRY,
        `prediction logger cannot start: registering the schema under ${subject} at ${options.registryUrl} failed ` +
          `(${(error as Error).message}); the schema id is needed to encode any event`,
        { subject, url: options.registryUrl },
        { cause: error },
      );
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { ...SEND_RETRY } });
    const topic = options.topic;
    let connected = false;
    const send = async (messages: OutgoingMessage[]): Promise<void> => {
      if (!connected) {
        await producer.connect();
        connected = true;
      }
      try {
        await producer.send({ topic, acks: -1, messages });
      } catch (error) {
        if (refusedForSize(error)) {
          throw new BatchTooLargeError(
            `the broker refused a batch of ${messages.length} events as too large: ${(error as Error).message}`,
            { cause: error },
          );
        }
        throw error;
      }
    };
    const sender = new BufferedSender({
      encoder: new WireEncoder(schemaId, type),
      key: options.key,
      maxBuffer,
      batchSize,
      maxBatchBytes,
      lingerMs,
      retryInitialMs,
      retryMaxMs,
      send,
      onError: options.onError,
      logger,
    });
    return new PredictionLogger(topic, schemaId, sender, producer);
  }

  /** Buffers one event for sending; false when it was dropped or invalid (see `stats`). Never throws or waits. */
  log(event: Record<string, unknown>): boolean {
    return this.#sender.log(event);
  }

  stats(): LoggerStats {
    return this.#sender.stats();
  }

  /** Resolves when every event buffered at the call is sent, or after `timeoutMs` with how many are still unsent. */
  flush(timeoutMs: number = PREDICTION_LOGGER_DEFAULTS.closeTimeoutMs): Promise<FlushResult> {
    return this.#sender.flush(timeoutMs);
  }

  /**
   * Flushes for at most `timeoutMs`, then disconnects. Events still unsent then are counted as dropped; `log` after
   * close drops. Calling it again returns the first call's result.
   */
  close(timeoutMs: number = PREDICTION_LOGGER_DEFAULTS.closeTimeoutMs): Promise<FlushResult> {
    this.#closing ??= (async () => {
      const result = await this.#sender.close(timeoutMs);
      try {
        await this.#producer.disconnect();
      } catch {
        // Disconnecting from a broker that is gone fails; nothing is left to send either way.
      }
      return result;
    })();
    return this.#closing;
  }
}

/** Kafka's answer to a record batch over the topic's message size limit: nothing of the batch was written. */
function refusedForSize(error: unknown): boolean {
  for (let e: unknown = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw optionError(option, 'must be a positive integer', value);
  return value;
}

function nonNegative(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw optionError(option, 'must be a finite number >= 0', value);
  }
  return value;
}
