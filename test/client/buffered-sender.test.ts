import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  BatchTooLargeError,
  BufferedSender,
  type BufferedSenderOptions,
  type LoggerErrorReport,
  type LoggerStats,
} from '../../src/client/buffered-sender.ts';
import type { OutgoingMessage } from '../../src/client/event-ring-buffer.ts';
import { WireEncoder } from '../../src/client/wire-encoder.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { encodeWire } from '../../src/kafka/wire-format.ts';
import { silentLogger } from '../../src/logging/logger.ts';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Prediction',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'score', type: 'double' },
  ],
});
const SCHEMA_ID = 42;

/** A stand-in for the broker: records every batch it is given and fails the next `failNext` attempts. */
class FakeBroker {
  readonly attempts: OutgoingMessage[][] = [];
  readonly accepted: OutgoingMessage[][] = [];
  failNext = 0;
  #hold: Promise<void> | undefined;
  #open: (() => void) | undefined;

  readonly send = async (messages: OutgoingMessage[]): Promise<void> => {
    this.attempts.push(messages);
    if (this.#hold !== undefined) await this.#hold;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker unreachable');
    }
    this.accepted.push(messages);
  };

  /** Sends wait until `release` is called. */
  hold(): void {
    this.#hold = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open?.();
    this.#hold = undefined;
  }

  acceptedIds(): number[] {
    return this.accepted.flat().map((m) => (type.fromBuffer(m.value.subarray(5)) as { id: number }).id);
  }
}

function sender(broker: FakeBroker, options: Partial<BufferedSenderOptions> = {}): BufferedSender {
  return new BufferedSender({
    encoder: new WireEncoder(SCHEMA_ID, type),
    maxBuffer: 100,
    batchSize: 10,
    maxBatchBytes: 1_000_000,
    lingerMs: 5,
    retryInitialMs: 5,
    retryMaxMs: 20,
    send: broker.send,
    logger: silentLogger,
    ...options,
  });
}

function balanced(stats: LoggerStats): boolean {
  return stats.logged === stats.sent + stats.dropped + stats.invalid + stats.buffered;
}

const event = (id: number) => ({ id, score: id / 4 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BufferedSender', () => {
  it('encodes on log, sends in the background in order, with the wire bytes and keys', async () => {
    const broker = new FakeBroker();
    const s = sender(broker, { key: (e) => `k${e.id}` });
    for (let i = 0; i < 3; i++) expect(s.log(event(i))).toBe(true);
    // Nothing is sent inside the caller's call.
    expect(broker.attempts).toHaveLength(0);
    expect(s.stats().buffered).toBe(3);
    expect(await s.flush(1_000)).toEqual({ complete: true, unsent: 0 });
    const sent = broker.accepted.flat();
    expect(sent.map((m) => m.key)).toEqual(['k0', 'k1', 'k2']);
    for (let i = 0; i < 3; i++) {
      expect(sent[i]!.value.equals(encodeWire(SCHEMA_ID, type.toBuffer(event(i))))).toBe(true);
    }
    expect(s.stats()).toMatchObject({ logged: 3, sent: 3, buffered: 0, dropped: 0, invalid: 0, retries: 0 });
  });

  it('sends full batches at once and a partial one after the linger', async () => {
    const broker = new FakeBroker();
    const s = sender(broker, { batchSize: 3, lingerMs: 40 });
    for (let i = 0; i < 7; i++) s.log(event(i));
    await sleep(15);
    // Two full batches went out without waiting for the linger; the seventh event waits for it.
    expect(broker.accepted.map((b) => b.length)).toEqual([3, 3]);
    expect(s.stats().buffered).toBe(1);
    await sleep(80);
    expect(broker.accepted.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(broker.acceptedIds()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('drops the newest events when full, counts them, and reports the overflow once', async () => {
    const broker = new FakeBroker();
    const reports: LoggerErrorReport[] = [];
    const s = sender(broker, { maxBuffer: 4, batchSize: 2, onError: (r) => reports.push(r) });
    broker.hold();
    const accepted = Array.from({ length: 7 }, (_, i) => s.log(event(i)));
    expect(accepted).toEqual([true, true, true, true, false, false, false]);
    expect(s.stats()).toMatchObject({ logged: 7, dropped: 3, buffered: 4, sent: 0 });
    expect(reports.map((r) => r.kind)).toEqual(['overflow']);
    expect(balanced(s.stats())).toBe(true);
    broker.release();
    expect(await s.flush(1_000)).toEqual({ complete: true, unsent: 0 });
    // The events that were kept are the oldest four, in order.
    expect(broker.acceptedIds()).toEqual([0, 1, 2, 3]);
    expect(s.stats()).toMatchObject({ logged: 7, sent: 4, dropped: 3, buffered: 0 });
  });

  it('counts an event that does not encode as invalid, with the reason, and never throws', async () => {
    const broker = new FakeBroker();
    const reports: LoggerErrorReport[] = [];
    const s = sender(broker, {
      key: (e) => {
        if (e.id === 13) throw new Error('no key for 13');
        return null;
      },
      onError: (r) => {
        reports.push(r);
        throw new Error('a callback that throws');
      },
    });
    expect(s.log({ id: 'x', score: 1 })).toBe(false);
    expect(s.log({ id: 1 })).toBe(false);
    expect(s.log(event(13))).toBe(false);
    expect(s.log(event(2))).toBe(true);
    const stats = s.stats();
    expect(stats).toMatchObject({ logged: 4, invalid: 3, buffered: 1 });
    expect(stats.lastInvalid?.message).toContain('no key for 13');
    expect(reports.map((r) => r.kind)).toEqual(['invalid', 'invalid', 'invalid']);
    expect((reports[0]!.error as { code?: string }).code).toBe(ErrorCodes.EVENT_INVALID);
    expect((reports[0]!.error as { details?: { paths?: string[] } }).details?.paths).toEqual(['id']);
    expect((reports[1]!.error as { details?: { paths?: string[] } }).details?.paths).toEqual(['score']);
    await s.flush(1_000);
    expect(broker.acceptedIds()).toEqual([2]);
    expect(balanced(s.stats())).toBe(true);
  });

  it('retries a failed batch unchanged with backoff, while new events queue behind it', async () => {
    const broker = new FakeBroker();
    const reports: LoggerErrorReport[] = [];
    const s = sender(broker, { batchSize: 3, onError: (r) => reports.push(r) });
    broker.failNext = 2;
    for (let i = 0; i < 2; i++) s.log(event(i));
    await sleep(20);
    for (let i = 2; i < 5; i++) s.log(event(i));
    expect(await s.flush(2_000)).toEqual({ complete: true, unsent: 0 });
    // The first batch was [0, 1] and stays [0, 1] in every attempt (the same buffers), though more events arrived.
    expect(broker.attempts[0]!.length).toBe(2);
    expect(broker.attempts[1]).toBe(broker.attempts[0]);
    expect(broker.attempts[2]).toBe(broker.attempts[0]);
    expect(broker.acceptedIds()).toEqual([0, 1, 2, 3, 4]);
    const stats = s.stats();
    expect(stats).toMatchObject({ logged: 5, sent: 5, retries: 2, buffered: 0, dropped: 0 });
    expect(stats.lastError?.message).toBe('broker unreachable');
    expect(reports.map((r) => r.kind)).toEqual(['send', 'send']);
  });

  it('flush waits for what was buffered at the call and reports what stays unsent on timeout', async () => {
    const broker = new FakeBroker();
    const s = sender(broker);
    broker.failNext = Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < 4; i++) s.log(event(i));
    expect(await s.flush(60)).toEqual({ complete: false, unsent: 4 });
    expect(s.stats().retries).toBeGreaterThan(0);
    broker.failNext = 0;
    expect(await s.flush(1_000)).toEqual({ complete: true, unsent: 0 });
    expect(await s.flush(10)).toEqual({ complete: true, unsent: 0 });
  });

  it('close counts what it could not send as dropped, and drops later events', async () => {
    const broker = new FakeBroker();
    const s = sender(broker);
    s.log(event(0));
    await s.flush(1_000);
    broker.failNext = Number.MAX_SAFE_INTEGER;
    for (let i = 1; i < 4; i++) s.log(event(i));
    expect(await s.close(50)).toEqual({ complete: false, unsent: 3 });
    expect(s.log(event(9))).toBe(false);
    const stats = s.stats();
    expect(stats).toMatchObject({ logged: 5, sent: 1, dropped: 4, buffered: 0 });
    expect(balanced(stats)).toBe(true);
    const attempts = broker.attempts.length;
    await sleep(50);
    // Closed: no more attempts.
    expect(broker.attempts.length).toBe(attempts);
  });

  it('splits a batch the broker refuses for its size, and drops (counts) a single event that is too large', async () => {
    const attempts: number[][] = [];
    const accepted: number[] = [];
    const big = avro.Type.forSchema({
      type: 'record',
      name: 'Big',
      fields: [
        { name: 'id', type: 'int' },
        { name: 'pad', type: 'string' },
      ],
    });
    const bigId = (m: OutgoingMessage) => (big.fromBuffer(m.value.subarray(5)) as { id: number }).id;
    const reports: LoggerErrorReport[] = [];
    const s = new BufferedSender({
      encoder: new WireEncoder(SCHEMA_ID, big),
      maxBuffer: 100,
      batchSize: 10,
      maxBatchBytes: 1_000_000,
      lingerMs: 5,
      retryInitialMs: 5,
      retryMaxMs: 20,
      logger: silentLogger,
      onError: (r) => reports.push(r),
      // A broker whose limit is 100 bytes per batch.
      send: async (messages) => {
        attempts.push(messages.map(bigId));
        if (messages.reduce((n, m) => n + m.value.length, 0) > 100) throw new BatchTooLargeError('too large');
        accepted.push(...messages.map(bigId));
      },
    });
    // Each small event is 5 + 1 + 1 + 30 = 37 bytes; event 2 is over 100 bytes on its own.
    for (let i = 0; i < 5; i++) s.log({ id: i, pad: 'x'.repeat(i === 2 ? 200 : 30) });
    expect(await s.flush(1_000)).toEqual({ complete: true, unsent: 0 });
    expect(attempts).toEqual([[0, 1, 2, 3, 4], [0, 1, 2], [0, 1], [2, 3, 4], [2, 3], [2], [3, 4]]);
    expect(accepted).toEqual([0, 1, 3, 4]);
    expect(s.stats()).toMatchObject({ logged: 5, sent: 4, dropped: 1, buffered: 0, retries: 0 });
    expect(reports.map((r) => r.kind)).toEqual(['send']);
  });

  it('reports a new overflow only after the buffer drained to half', async () => {
    const broker = new FakeBroker();
    const reports: LoggerErrorReport[] = [];
    const s = sender(broker, { maxBuffer: 4, batchSize: 1, onError: (r) => reports.push(r) });
    broker.hold();
    for (let i = 0; i < 5; i++) s.log(event(i));
    expect(reports).toHaveLength(1);
    broker.release();
    expect(await s.flush(1_000)).toEqual({ complete: true, unsent: 0 });
    for (let i = 5; i < 10; i++) s.log(event(i));
    expect(reports.map((r) => r.kind)).toEqual(['overflow', 'overflow']);
    expect(s.stats()).toMatchObject({ logged: 10, dropped: 2 });
  });
});
