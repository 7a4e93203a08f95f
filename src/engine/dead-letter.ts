import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { ErrorCode } from '../errors.ts';

/**
 * Dead-letter records keep the original key and value bytes untouched, so a fixed consumer can replay them, and
 * carry the reason in headers (the Kafka Connect convention of context headers):
 *   dw.error.code, dw.error.reason, dw.source.topic, dw.source.partition, dw.source.offset, dw.source.timestamp,
 *   dw.monitor.
 */
export const DEAD_LETTER_HEADERS = {
  code: 'dw.error.code',
  reason: 'dw.error.reason',
  topic: 'dw.source.topic',
  partition: 'dw.source.partition',
  offset: 'dw.source.offset',
  timestamp: 'dw.source.timestamp',
  monitor: 'dw.monitor',
} as const;

export interface DeadLetter {
  readonly message: KafkaMessage;
  readonly code: ErrorCode;
  readonly reason: string;
}

export function deadLetterMessage(
  letter: DeadLetter,
  source: { topic: string; partition: number; monitor: string },
): Message {
  const headers: IHeaders = {
    [DEAD_LETTER_HEADERS.code]: letter.code,
    [DEAD_LETTER_HEADERS.reason]: letter.reason,
    [DEAD_LETTER_HEADERS.topic]: source.topic,
    [DEAD_LETTER_HEADERS.partition]: String(source.partition),
    [DEAD_LETTER_HEADERS.offset]: letter.message.offset,
    [DEAD_LETTER_HEADERS.timestamp]: letter.message.timestamp,
    [DEAD_LETTER_HEADERS.monitor]: source.monitor,
  };
  return { key: letter.message.key, value: letter.message.value, headers };
}
