import { DriftwatchError, ErrorCodes } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { EventRingBuffer, type OutgoingMessage } from './event-ring-buffer.ts';

/** Turns an event into its wire bytes (throwing when it does not fit) and explains a failure (slow path). */
export interface EventEncoder {
  encode(event: unknown): Buffer;
  explain(event: unknown, cause: unknown): DriftwatchError;
}

/** What went wrong, for `onError`: an event that did not encode, a failed send (retried), or the buffer overflowing. */
export interface LoggerErrorReport {
  readonly kind: 'invalid' | 'send' | 'overflow';
  readonly error: Error;
}

/**
 * Thrown by `send` when the broker refused a batch as a whole for its size (nothing of it was written): the batch is
 * split and sent again, and a single event that is still too large is dropped.
 */
export class BatchTooLargeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BatchTooLargeError';
  }
}

export interface LoggerStats {
  /** Calls of `log`. Always logged = sent + dropped + invalid + buffered. */
  readonly logged: number;
  /** Events the broker acknowledged. */
  readonly sent: number;
  /**
   * Events refused because the buffer was full or the logger closed, events still unsent at close, and single events
   * the broker refused as too large.
   */
  readonly dropped: number;
  /** Events that did not encode with the schema (or whose key function threw). */
  readonly invalid: number;
  /** Events waiting in the buffer, including the batch being sent or retried. */
  readonly buffered: number;
  /** Failed send attempts (each one is retried after a backoff). */
  readonly retries: number;
  readonly lastError: { readonly message: string; readonly at: number } | null;
  readonly lastInvalid: {
    readonly message: string;
    readonly paths: readonly string[];
    readonly at: number;
  } | null;
}

export interface FlushResult {
  /**
   * True when every event buffered at the call left the buffer before the timeout: sent, or (rarely) refused by the
   * broker as too large for any batch and counted as dropped.
   */
  readonly complete: boolean;
  /** Of the events buffered at the call, those not sent when the flush ended. */
  readonly unsent: number;
}

export interface BufferedSenderOptions {
  readonly encoder: EventEncoder;
  readonly key?: ((event: Record<string, unknown>) => string | null) | undefined;
  readonly maxBuffer: number;
  readonly batchSize: number;
  /** Most bytes of values and keys per batch (a single larger event is still sent alone). */
  readonly maxBatchBytes: number;
  readonly lingerMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Sends one batch; resolves once the broker has all of it, rejects otherwise (the same batch is sent again). */
  readonly send: (messages: OutgoingMessage[]) => Promise<void>;
  readonly onError?: ((report: LoggerErrorReport) => void) | undefined;
  readonly logger: Logger;
}

const IDLE = 0;
const LINGER = 1;
const SOON = 2;
const SENDING = 3;
const BACKOFF = 4;

/** A full buffer is reported again only once it drained below this share of its capacity. */
const OVERFLOW_RESET_SHARE = 0.5;
/** Overflow warnings in the log, at most one per this interval (the counts are in `stats`). */
const OVERFLOW_WARN_INTERVAL_MS = 10_000;

interface FlushWaiter {
  readonly target: number;
  readonly resolve: (result: FlushResult) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The logger without Kafka: encodes events on the caller's thread into a bounded ring buffer and drains it in the
 * background through `send`, one batch at a time.
 *
 * Invariants: `log` never throws and never waits; an event leaves the buffer only when `send` resolved for it (or,
 * counted as dropped, at close or when the broker refuses it alone as too large); a batch that failed is sent again
 * unchanged (same events, same order), so an
 * idempotent producer can recognise a batch the broker did take before the failure; when the buffer is full the
 * newest event is refused, so what is buffered keeps its order and the caller learns which event was lost.
 */
export class BufferedSender {
  readonly #ring: EventRingBuffer;
  readonly #encoder: EventEncoder;
  readonly #key: ((event: Record<string, unknown>) => string | null) | undefined;
  readonly #options: BufferedSenderOptions;
  readonly #drainSoon = (): void => {
    void this.#drain();
  };
  #state = IDLE;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #inFlight: OutgoingMessage[] | null = null;
  #backoffMs: number;
  #overflowing = false;
  #overflowWarnedAt = Number.NEGATIVE_INFINITY;
  /** Events that left the buffer's head (sent, or dropped as too large): flushes wait for this count. */
  #released = 0;
  #closed = false;
  #waiters: FlushWaiter[] = [];
  #logged = 0;
  #sent = 0;
  #dropped = 0;
  #invalid = 0;
  #retries = 0;
  #lastError: LoggerStats['lastError'] = null;
  #lastInvalid: LoggerStats['lastInvalid'] = null;

  constructor(options: BufferedSenderOptions) {
    this.#options = options;
    this.#encoder = options.encoder;
    this.#key = options.key;
    this.#ring = new EventRingBuffer(options.maxBuffer);
    this.#backoffMs = options.retryInitialMs;
  }

  /** Buffers one event; false when it was dropped (buffer full, logger closed) or did not encode. Never throws. */
  log(event: Record<string, unknown>): boolean {
    this.#logged++;
    if (this.#closed) {
      this.#dropped++;
      return false;
    }
    if (this.#ring.full) {
      this.#dropped++;
      if (!this.#overflowing) this.#overflow();
      return false;
    }
    let value: Buffer;
    let key: string | null;
    try {
      value = this.#encoder.encode(event);
      key = this.#key === undefined ? null : (this.#key(event) ?? null);
    } catch (error) {
      this.#invalid++;
      this.#reject(event, error);
      return false;
    }
    this.#ring.push(value, key);
    if (this.#state === IDLE) this.#schedule();
    else if (this.#state === LINGER && this.#ring.size >= this.#options.batchSize) this.#sendSoon();
    return true;
  }

  stats(): LoggerStats {
    return {
      logged: this.#logged,
      sent: this.#sent,
      dropped: this.#dropped,
      invalid: this.#invalid,
      buffered: this.#ring.size,
      retries: this.#retries,
      lastError: this.#lastError,
      lastInvalid: this.#lastInvalid,
    };
  }

  /** Sends what is buffered now without waiting for the linger; resolves when it is sent or `timeoutMs` passed. */
  flush(timeoutMs: number): Promise<FlushResult> {
    const target = this.#released + this.#ring.size;
    if (this.#closed || this.#ring.size === 0) {
      return Promise.resolve({ complete: this.#ring.size === 0, unsent: this.#ring.size });
    }
    return new Promise<FlushResult>((resolve) => {
      const waiter: FlushWaiter = {
        target,
        resolve,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve({ complete: false, unsent: Math.max(0, target - this.#released) });
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
      if (this.#state === IDLE || this.#state === LINGER) this.#sendSoon();
    });
  }

  /**
   * Flushes for at most `timeoutMs`, then stops: what is still buffered is counted as dropped (even a batch in flight
   * that may yet reach the broker: the report errs towards "lost"), and later `log` calls are dropped.
   */
  async close(timeoutMs: number): Promise<FlushResult> {
    const result = await this.flush(timeoutMs);
    if (this.#closed) return result;
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#dropped += this.#ring.release(this.#ring.size);
    this.#inFlight = null;
    this.#state = IDLE;
    return result;
  }

  #schedule(): void {
    if (this.#ring.size >= this.#options.batchSize || this.#waiters.length > 0) {
      this.#sendSoon();
    } else {
      this.#state = LINGER;
      this.#timer = setTimeout(this.#drainSoon, this.#options.lingerMs);
    }
  }

  /** Sends on the next turn of the event loop, never inside the caller's `log`. */
  #sendSoon(): void {
    if (this.#state === LINGER) clearTimeout(this.#timer);
    this.#state = SOON;
    this.#immediate = setImmediate(this.#drainSoon);
  }

  async #drain(): Promise<void> {
    this.#immediate = undefined;
    this.#timer = undefined;
    while (!this.#closed) {
      if (this.#inFlight === null) {
        if (this.#ring.size === 0) break;
        this.#inFlight = this.#ring.peek(this.#options.batchSize, this.#options.maxBatchBytes);
      }
      const batch = this.#inFlight;
      this.#state = SENDING;
      try {
        await this.#options.send(batch);
      } catch (error) {
        if (this.#closed) return;
        if (error instanceof BatchTooLargeError) {
          this.#tooLarge(batch, error);
          continue;
        }
        this.#failed(error);
        return;
      }
      if (this.#closed) return;
      this.#inFlight = null;
      this.#ring.release(batch.length);
      this.#sent += batch.length;
      this.#released += batch.length;
      this.#backoffMs = this.#options.retryInitialMs;
      if (this.#ring.size <= this.#ring.capacity * OVERFLOW_RESET_SHARE) this.#overflowing = false;
      this.#settleFlushes();
      // Below a full batch and with nobody flushing, the rest waits for the linger and goes out in fewer requests.
      if (this.#ring.size < this.#options.batchSize && this.#waiters.length === 0) break;
    }
    this.#state = IDLE;
    if (!this.#closed && this.#ring.size > 0) this.#schedule();
  }

  #failed(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.#retries++;
    this.#lastError = { message: err.message, at: Date.now() };
    this.#options.logger.warn('prediction logger: send failed; retrying the same batch', {
      error: err.message,
      batch: this.#inFlight?.length ?? 0,
      buffered: this.#ring.size,
      retryInMs: this.#backoffMs,
    });
    this.#report('send', err);
    this.#state = BACKOFF;
    this.#timer = setTimeout(this.#drainSoon, this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.retryMaxMs);
  }

  /** Nothing of a batch refused for its size was written, so it may be split: halves go out, a single event is dropped. */
  #tooLarge(batch: OutgoingMessage[], error: BatchTooLargeError): void {
    if (batch.length > 1) {
      this.#inFlight = batch.slice(0, Math.ceil(batch.length / 2));
      return;
    }
    this.#inFlight = null;
    this.#ring.release(1);
    this.#dropped++;
    this.#released++;
    this.#lastError = { message: error.message, at: Date.now() };
    this.#options.logger.warn('prediction logger: the broker refused an event as too large; dropped it', {
      bytes: batch[0]?.value.length,
      error: error.message,
    });
    this.#report('send', error);
    this.#settleFlushes();
  }

  #settleFlushes(): void {
    if (this.#waiters.length === 0) return;
    const pending: FlushWaiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#released >= waiter.target) {
        clearTimeout(waiter.timer);
        waiter.resolve({ complete: true, unsent: 0 });
      } else {
        pending.push(waiter);
      }
    }
    this.#waiters = pending;
  }

  /** Reported once per episode of a full buffer; guarded, since it runs in the caller's `log`. */
  #overflow(): void {
    this.#overflowing = true;
    const error = new DriftwatchError(
      ErrorCodes.BUFFER_FULL,
      `prediction logger buffer full (${this.#ring.capacity} events): dropping new events until sends catch up`,
      { capacity: this.#ring.capacity },
    );
    try {
      const now = Date.now();
      if (now - this.#overflowWarnedAt >= OVERFLOW_WARN_INTERVAL_MS) {
        this.#overflowWarnedAt = now;
        this.#options.logger.warn(error.message, {
          dropped: this.#dropped,
          lastError: this.#lastError?.message,
        });
      }
    } catch {
      // A failing logger must not reach the caller's request path.
    }
    this.#report('overflow', error);
  }

  /** The slow path of an event that did not encode; guarded, since it runs in the caller's `log`. */
  #reject(event: unknown, cause: unknown): void {
    try {
      const error = this.#encoder.explain(event, cause);
      const paths = Array.isArray(error.details.paths) ? (error.details.paths as string[]) : [];
      const first = this.#lastInvalid === null;
      this.#lastInvalid = { message: error.message, paths, at: Date.now() };
      if (first) {
        this.#options.logger.warn(
          `prediction logger: ${error.message} (later invalid events are only counted)`,
        );
      }
      this.#report('invalid', error);
    } catch {
      // Counted already; explaining it must not throw into the caller.
    }
  }

  #report(kind: LoggerErrorReport['kind'], error: Error): void {
    const onError = this.#options.onError;
    if (onError === undefined) return;
    try {
      onError({ kind, error });
    } catch {
      // A throwing callback must not reach the caller's request path or stop the background loop.
    }
  }
}
