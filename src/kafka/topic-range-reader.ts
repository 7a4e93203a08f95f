import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** Offsets [start, end) of one partition. Offsets are numbers: exact up to 2^53, far beyond any real partition. */
export interface PartitionRange {
  readonly partition: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The ranges to read from `topic` now: from each partition's earliest offset, or from the first offset whose message
 * timestamp is at or after `fromTimestamp`, up to the end offsets at the time of the call (a snapshot, so a topic that
 * keeps growing is still read to an end). Partitions in partition order.
 */
export async function snapshotRanges(
  kafka: Kafka,
  topic: string,
  fromTimestamp: number | null = null,
): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const starts = new Map(offsets.map((o) => [o.partition, Number(o.low)]));
    if (fromTimestamp !== null) {
      for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, fromTimestamp)) {
        // The broker answers with the high watermark when no message is that recent.
        starts.set(o.partition, Math.max(starts.get(o.partition) ?? 0, Number(o.offset)));
      }
    }
    return offsets
      .map((o) => ({ partition: o.partition, start: starts.get(o.partition)!, end: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRangesOptions {
  /** Largest fetch per partition; must exceed the largest message (default 1 MiB, Kafka's default message limit). */
  readonly maxBytesPerPartition?: number;
  /** Told the messages read so far, for a progress bar. */
  readonly onProgress?: (read: number) => void;
  /**
   * Wall-clock time without any fetched batch after which reading stops and reports the partitions it has not
   * finished. A partition can end in records a consumer never sees (transaction markers, aborted records).
   */
  readonly idleTimeoutMs?: number;
}

export interface ReadRangesResult {
  /** Partitions whose end was not reached before the idle timeout, with the next offset that was due. */
  readonly incomplete: readonly { partition: number; next: number; end: number }[];
}

/**
 * Reads every message in `ranges` of `topic`, calling `handle` once per fetched batch with the messages of one
 * partition in offset order (only those inside the range). Uses a throwaway consumer group that commits nothing, so
 * reading leaves no position behind.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
  handle: (partition: number, messages: readonly KafkaMessage[]) => void | Promise<void>,
  options: ReadRangesOptions = {},
): Promise<ReadRangesResult> {
  const pending = new Map(
    ranges.filter((r) => r.start < r.end).map((r) => [r.partition, { ...r, next: r.start }]),
  );
  if (pending.size === 0) return { incomplete: [] };
  const maxBytesPerPartition = options.maxBytesPerPartition ?? 1_048_576;
  const consumer = kafka.consumer({
    groupId: `driftwatch-reader.${Date.now().toString(36)}${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition,
    maxBytes: Math.max(maxBytesPerPartition * 2, 10_485_760),
    maxWaitTimeInMs: 250,
  });
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  let read = 0;
  let lastActivity = Date.now();
  let settle!: (error?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  await consumer.connect();
  try {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) settle(payload.error);
    });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // A fresh group starts at the earliest offsets; each range is moved to where it still has to be read once the
    // group has joined (kafkajs refuses a seek before that), and again after a rebalance. Messages fetched before a
    // seek takes effect are outside the range and filtered below.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const range of pending.values()) {
        consumer.seek({ topic, partition: range.partition, offset: String(range.next) });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        lastActivity = Date.now();
        const range = pending.get(batch.partition);
        if (range === undefined) return;
        const inside = batch.messages.filter((m) => {
          const offset = Number(m.offset);
          return offset >= range.next && offset < range.end;
        });
        if (inside.length > 0) await handle(batch.partition, inside);
        read += inside.length;
        options.onProgress?.(read);
        // lastOffset() covers records the consumer does not expose (transaction markers), so a range ending in one
        // still completes.
        const last = Number(batch.lastOffset());
        if (last + 1 > range.next) range.next = Math.min(last + 1, range.end);
        if (range.next >= range.end) {
          pending.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          if (pending.size === 0) settle();
        }
        await heartbeat();
      },
    });
    const idle = setInterval(() => {
      if (Date.now() - lastActivity > idleTimeoutMs) settle();
    }, 250);
    try {
      await finished;
    } finally {
      clearInterval(idle);
    }
  } finally {
    await consumer.disconnect();
  }
  return {
    incomplete: [...pending.values()].map((r) => ({ partition: r.partition, next: r.next, end: r.end })),
  };
}
