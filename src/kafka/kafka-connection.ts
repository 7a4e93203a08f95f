import { Kafka, type LogEntry, logLevel, type RetryOptions } from 'kafkajs';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';

export interface KafkaOptions {
  /** Bootstrap brokers, host:port. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Where kafkajs' own log lines go; they are debug-level here, since kafkajs logs retried errors as errors. */
  readonly logger?: Logger;
  /** kafkajs retry settings of the client (default KAFKA_RETRY). */
  readonly retry?: RetryOptions;
}

export const KAFKA_RETRY = { retries: 20, initialRetryTime: 200, maxRetryTime: 2_000 } as const;

/** One place that creates kafkajs clients, so connection settings (and later SASL/TLS) live in one file. */
export function createKafka(options: KafkaOptions): Kafka {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'brokers must be a non-empty list of host:port');
  }
  for (const broker of options.brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker)) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `broker must be host:port, got ${JSON.stringify(broker)}`,
      );
    }
  }
  return new Kafka({
    clientId: options.clientId ?? 'driftwatch',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => {
      const logger = options.logger ?? createLogger();
      return ({ namespace, log }: LogEntry) => {
        const { message, ...fields } = log;
        logger.debug(`kafkajs ${namespace}: ${message}`, fields);
      };
    },
    // Capped backoff: a broker that is still creating __consumer_offsets or electing a coordinator is retried every
    // couple of seconds for about 40 s, instead of waiting out kafkajs' doubling up to 30 s between attempts.
    retry: options.retry ?? KAFKA_RETRY,
  });
}

/** Creates the topics that do not exist yet, with their configs; existing topics are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly {
    topic: string;
    numPartitions?: number;
    /** Topic configs for a created topic, e.g. cleanup.policy=compact. */
    configEntries?: readonly { name: string; value: string }[];
  }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions ?? 1,
          ...(t.configEntries === undefined ? {} : { configEntries: [...t.configEntries] }),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
