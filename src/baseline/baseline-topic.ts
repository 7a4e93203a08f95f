import kafkajs, { type Kafka } from 'kafkajs';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { ensureTopics } from '../kafka/kafka-connection.ts';
import { readRanges, snapshotRanges } from '../kafka/topic-range-reader.ts';
import type { Baseline } from './baseline-types.ts';
import { checkBaseline } from './load-baseline.ts';

/**
 * Baselines shared through a compacted topic, so every engine instance uses the same one: the key is the baseline's
 * name (a topology's `baseline.name`), the value the baseline as JSON, and compaction keeps the latest value per
 * name for as long as the topic exists (a time-retained topic would lose a baseline that is not republished).
 */

// kafkajs is CommonJS; Node's ESM loader does not detect these two as named exports.
const { CompressionTypes, ConfigResourceTypes } = kafkajs;

/** The topic baselines go to when a topology names none. */
export const DEFAULT_BASELINE_TOPIC = 'driftwatch.baselines';
/** Message header with the baseline's version, so a reader can tell versions apart without parsing the value. */
export const BASELINE_VERSION_HEADER = 'dw.baseline.version';
/**
 * max.message.bytes of a topic this module creates: calibrated baselines of many features exceed Kafka's 1 MiB
 * default. The value is gzip-compressed, and the limit applies to the compressed batch.
 */
export const BASELINE_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface PublishedBaseline {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Publishes `baseline` under `name` (default: the baseline's own name), creating the topic (one partition, compacted)
 * if it is missing. An existing topic must be compacted: DW_BASELINE_TOPIC otherwise, and when the broker refuses
 * the message as too large.
 */
export async function publishBaseline(
  kafka: Kafka,
  topic: string,
  baseline: Baseline,
  name: string = baseline.name,
): Promise<PublishedBaseline> {
  await ensureTopics(kafka, [
    {
      topic,
      numPartitions: 1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'max.message.bytes', value: String(BASELINE_MAX_MESSAGE_BYTES) },
      ],
    },
  ]);
  await checkCompacted(kafka, topic);
  const value = JSON.stringify(baseline);
  const producer = kafka.producer();
  await producer.connect();
  try {
    const [record] = await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ key: name, value, headers: { [BASELINE_VERSION_HEADER]: baseline.version } }],
    });
    return { topic, partition: record!.partition, offset: record!.baseOffset ?? '' };
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
      throw new DriftwatchError(
        ErrorCodes.BASELINE_TOPIC,
        `baseline ${baseline.version} (${value.length} bytes of JSON) is larger than topic ${topic} accepts; raise its max.message.bytes`,
        { topic, version: baseline.version, bytes: value.length },
        { cause: error },
      );
    }
    throw error;
  } finally {
    await producer.disconnect();
  }
}

async function checkCompacted(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find(
      (e) => e.configName === 'cleanup.policy',
    )?.configValue;
    if (policy === undefined || !policy.split(',').includes('compact')) {
      throw new DriftwatchError(
        ErrorCodes.BASELINE_TOPIC,
        `topic ${topic} has cleanup.policy=${policy ?? '(unknown)'}; baselines need a compacted topic (cleanup.policy=compact), or retention would delete them`,
        { topic, policy },
      );
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * The latest baseline published under `name`, read from the beginning of `topic` to its end offsets at the time of
 * the call; undefined when the topic does not exist, has none under that name, or the latest is a tombstone (a null
 * value deletes a name). The value is checked like a file (checkBaseline), and its messages name the topic, partition
 * and offset.
 */
export async function readLatestBaseline(
  kafka: Kafka,
  topic: string,
  name: string,
): Promise<Baseline | undefined> {
  if (!(await topicExists(kafka, topic))) return undefined;
  const ranges = await snapshotRanges(kafka, topic);
  let latest:
    | { value: Buffer | null; where: string; partition: number; offset: number; timestamp: number }
    | undefined;
  await readRanges(
    kafka,
    topic,
    ranges,
    (partition, messages) => {
      for (const message of messages) {
        if (message.key?.toString('utf8') !== name) continue;
        const offset = Number(message.offset);
        const timestamp = Number(message.timestamp);
        // Within a partition the later offset wins. A name is in one partition (it is the key) unless partitions were
        // added to the topic after it was published; across partitions the later timestamp wins.
        const later =
          latest === undefined ||
          (partition === latest.partition ? offset > latest.offset : timestamp >= latest.timestamp);
        if (later) {
          latest = {
            value: message.value,
            where: `${topic}[${partition}]@${offset}`,
            partition,
            offset,
            timestamp,
          };
        }
      }
    },
    { maxBytesPerPartition: BASELINE_MAX_MESSAGE_BYTES + 1_048_576 },
  );
  if (latest === undefined || latest.value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(latest.value.toString('utf8'));
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${latest.where}: not valid JSON`,
      { file: latest.where },
      { cause: error },
    );
  }
  return checkBaseline(parsed, latest.where);
}

async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}
