import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * Late events under the side-topic policy keep their original key and value bytes (so they can be replayed into a
 * backfill) and say in headers why they were set aside: the event time, the watermark it lost to, and the source.
 */
export const LATE_EVENT_HEADERS = {
  eventTime: 'dw.late.event-time',
  watermark: 'dw.late.watermark',
  topic: 'dw.source.topic',
  partition: 'dw.source.partition',
  offset: 'dw.source.offset',
  monitor: 'dw.monitor',
} as const;

export function lateEventMessage(
  message: KafkaMessage,
  late: { topic: string; partition: number; monitor: string; eventTime: number; watermark: number },
): Message {
  const headers: IHeaders = {
    [LATE_EVENT_HEADERS.eventTime]: String(late.eventTime),
    [LATE_EVENT_HEADERS.watermark]: String(late.watermark),
    [LATE_EVENT_HEADERS.topic]: late.topic,
    [LATE_EVENT_HEADERS.partition]: String(late.partition),
    [LATE_EVENT_HEADERS.offset]: message.offset,
    [LATE_EVENT_HEADERS.monitor]: late.monitor,
  };
  return { key: message.key, value: message.value, headers };
}
