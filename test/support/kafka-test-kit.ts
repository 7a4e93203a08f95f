import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { defaultBrokers, defaultRegistryUrl } from '../../src/cli/connection-defaults.ts';
import { createKafka } from '../../src/kafka/kafka-connection.ts';
import { silentLogger } from '../../src/logging/logger.ts';

/** Connection settings of the stack the global setup started (or found running). */
export const brokers = defaultBrokers();
export const registryUrl = defaultRegistryUrl();

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function testKafka(): Kafka {
  return createKafka({ brokers, clientId: 'driftwatch-test', logger: silentLogger });
}

export interface ReadMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly partition: number;
  readonly offset: string;
}

/** Total messages in a topic (sum of high watermarks), read from the broker. */
export async function topicSize(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads a whole topic from the beginning until `expected` messages arrived or `timeoutMs` passed. */
export async function readTopic(topic: string, expected: number, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('it-reader'), maxWaitTimeInMs: 100 });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        messages.push({
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          partition,
          offset: message.offset,
        });
        if (messages.length >= expected) done();
      },
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/**
 * Polls `condition` every 100 ms until it holds; throws with `what` after `timeoutMs`, or at once when `failure`
 * returns an error (e.g. the engine under test failed), so a broken engine fails a test fast and says why.
 */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 45_000,
  failure: () => Error | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    const error = failure();
    if (error !== undefined)
      throw new Error(`failed while waiting for ${what}: ${error.message}`, { cause: error });
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
