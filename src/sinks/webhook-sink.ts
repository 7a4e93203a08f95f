/**
 * Delivers events to an HTTP endpoint, for tools that do not read Kafka. Best effort next to Kafka, which stays the
 * record of truth: `send` only enqueues (a bounded queue; overflow is dropped and counted), one background loop POSTs
 * the queue in order, and nothing here ever throws into or waits in the caller's path.
 *
 * Each request: `POST <url>` with the event's JSON (src/sinks/event-json.ts: {kind, name, id, record}) and headers
 *   content-type: application/json
 *   x-driftwatch-event: the event's kind (drift-alert, model-alert, rollback, incident, retrain)
 *   x-driftwatch-id: the event's deterministic id; the same on every retry and on a replay, so a receiver that
 *     remembers ids processes each event once
 *   x-driftwatch-timestamp: Unix time in seconds when this attempt was signed
 *   x-driftwatch-signature: sha256=<hex HMAC-SHA256 with the secret of "<timestamp>.<raw body>">
 *
 * Verifying (any language): take the raw request body as bytes, before any JSON parsing; compute
 * HMAC-SHA256(secret, timestamp + "." + body) as lowercase hex; compare it with the header's value after "sha256="
 * in constant time (crypto.timingSafeEqual, hmac.compare_digest); reject timestamps more than a few minutes from your
 * clock, so a captured request cannot be replayed later. `verifyWebhookSignature` below does exactly this.
 *
 * Retries: on network errors, timeouts, 408, 429 and 5xx, up to `maxRetries` times, after an exponential backoff
 * with jitter (half of min(maxBackoffMs, backoffMs * 2^attempt) plus a random part of the other half), or after the
 * delay a Retry-After header asks for (seconds or an HTTP date, capped at 5 minutes). Other statuses (4xx, 3xx: no
 * redirect is followed, as it would re-send a signed body elsewhere) fail at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type AlertEvent, EVENT_KINDS, type EventKind } from '../alerts/subscriber.ts';
import { DriftwatchError, ErrorCodes, optionError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import {
  WEBHOOK_DEFAULT_MAX_RETRIES,
  WEBHOOK_DEFAULT_TIMEOUT_MS,
  type WebhookSinkSpec,
} from '../topology/sinks-spec.ts';
import { eventId, eventJson } from './event-json.ts';

export interface WebhookSinkOptions {
  /** http or https URL. */
  readonly url: string;
  /** The signing secret (non-empty). */
  readonly secret: string;
  /** Kinds delivered; others are ignored by `send` (default: every kind). */
  readonly events?: readonly EventKind[];
  /** Retries after the first attempt (default 5). */
  readonly maxRetries?: number;
  /** Timeout of one attempt, ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Events waiting beyond the one being delivered (default 1000); more are dropped and counted. */
  readonly maxQueue?: number;
  /** Base of the exponential backoff, ms (default 500). */
  readonly backoffMs?: number;
  /** Ceiling of the backoff, ms (default 30 s). */
  readonly maxBackoffMs?: number;
  readonly logger?: Logger;
}

/** What the sink did so far. Every event `send` accepted ends as exactly one of sent, failed or dropped. */
export interface WebhookSinkCounters {
  /** Delivered (a 2xx answer). */
  readonly sent: number;
  /** Given up on: a status that is not retried, or retries exhausted. */
  readonly failed: number;
  /** Not delivered because the queue was full, the sink was closed, or close() ran out of time. */
  readonly dropped: number;
  /** Attempts beyond the first, over all events. */
  readonly retries: number;
  /** Waiting now, not counting the one being delivered. */
  readonly queued: number;
}

const DEFAULT_MAX_QUEUE = 1000;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const RETRY_AFTER_CAP_MS = 300_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

interface Delivery {
  readonly kind: EventKind;
  readonly id: string;
  readonly body: string;
}

type Attempt =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
      readonly retryAfterMs?: number;
    };

export class WebhookSink {
  readonly url: string;
  readonly #secret: string;
  readonly #events: ReadonlySet<EventKind>;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #logger: Logger;
  readonly #queue: Delivery[] = [];
  readonly #abort = new AbortController();
  #draining: Promise<void> | null = null;
  #closed = false;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #retries = 0;

  constructor(options: WebhookSinkOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw optionError('url', 'must be an http or https URL', options.url);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw optionError('url', 'must be an http or https URL', options.url);
    }
    if (typeof options.secret !== 'string' || options.secret === '') {
      throw optionError('secret', 'must be a non-empty string', '(empty)');
    }
    const events = options.events ?? EVENT_KINDS;
    for (const kind of events) {
      if (!(EVENT_KINDS as readonly string[]).includes(kind)) {
        throw optionError('events', `must list kinds among ${EVENT_KINDS.join(', ')}`, kind);
      }
    }
    this.url = url.href;
    this.#secret = options.secret;
    this.#events = new Set(events);
    this.#maxRetries = integer('maxRetries', options.maxRetries, WEBHOOK_DEFAULT_MAX_RETRIES, 0);
    this.#timeoutMs = integer('timeoutMs', options.timeoutMs, WEBHOOK_DEFAULT_TIMEOUT_MS, 1);
    this.#maxQueue = integer('maxQueue', options.maxQueue, DEFAULT_MAX_QUEUE, 1);
    this.#backoffMs = integer('backoffMs', options.backoffMs, DEFAULT_BACKOFF_MS, 0);
    this.#maxBackoffMs = integer('maxBackoffMs', options.maxBackoffMs, DEFAULT_MAX_BACKOFF_MS, 0);
    this.#logger = options.logger ?? createLogger();
  }

  /**
   * A sink for a topology's `sinks:` entry. The secret is read from the environment variable the spec names (or
   * taken as written); a variable that is unset or empty is an error here, at start, not at the first event.
   */
  static fromSpec(
    spec: WebhookSinkSpec,
    options: { env?: NodeJS.ProcessEnv; logger?: Logger; maxQueue?: number } = {},
  ): WebhookSink {
    const env = options.env ?? process.env;
    const secret = spec.secretEnv !== null ? env[spec.secretEnv] : spec.secret;
    if (secret === undefined || secret === null || secret === '') {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `webhook sink ${spec.url}: environment variable ${spec.secretEnv} (its signing secret) is not set`,
        { option: 'secretEnv', url: spec.url },
      );
    }
    return new WebhookSink({
      url: spec.url,
      secret,
      events: spec.events,
      maxRetries: spec.maxRetries,
      timeoutMs: spec.timeoutMs,
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  }

  /**
   * Enqueues an event; never blocks or throws. Returns whether it was accepted: false for a kind the sink does not
   * deliver (not counted) and for an event dropped because the queue is full or the sink closed (counted).
   */
  send(event: AlertEvent): boolean {
    if (event.kind === 'other' || !this.#events.has(event.kind)) return false;
    if (this.#closed || this.#queue.length >= this.#maxQueue) {
      this.#dropped++;
      return false;
    }
    try {
      this.#queue.push({ kind: event.kind, id: eventId(event), body: eventJson(event) });
    } catch (error) {
      this.#failed++;
      this.#logger.warn('webhook sink: event not serialisable', {
        url: this.url,
        reason: (error as Error).message,
      });
      return false;
    }
    // Started synchronously: the first event leaves the queue before send returns, so the queue bound is exact.
    if (this.#draining === null) this.#draining = this.#drain();
    return true;
  }

  get counters(): WebhookSinkCounters {
    return {
      sent: this.#sent,
      failed: this.#failed,
      dropped: this.#dropped,
      retries: this.#retries,
      queued: this.#queue.length,
    };
  }

  /**
   * Stops accepting events and delivers what is queued, for at most `timeoutMs`; then aborts the request in flight
   * and drops what is left (counted). Resolves with the final counters; never rejects.
   */
  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<WebhookSinkCounters> {
    this.#closed = true;
    const draining = this.#draining;
    if (draining !== null) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const timedOut = await Promise.race([draining.then(() => false), expired]);
      clearTimeout(timer);
      if (timedOut) {
        this.#dropped += this.#queue.length;
        this.#queue.length = 0;
        this.#abort.abort();
        await draining;
      }
    }
    return this.counters;
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      await this.#deliver(next);
    }
    this.#draining = null;
  }

  async #deliver(delivery: Delivery): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(delivery);
      // A delivery that succeeded counts as sent even if close() aborted while its response was being read.
      if (outcome.ok) {
        this.#sent++;
        return;
      }
      if (this.#abort.signal.aborted) {
        this.#dropped++;
        return;
      }
      if (!outcome.retryable || attempt >= this.#maxRetries) {
        this.#failed++;
        this.#logger.warn('webhook delivery failed', {
          url: this.url,
          kind: delivery.kind,
          id: delivery.id,
          attempts: attempt + 1,
          reason: outcome.reason,
        });
        return;
      }
      this.#retries++;
      await this.#sleep(outcome.retryAfterMs ?? this.#backoff(attempt));
      if (this.#abort.signal.aborted) {
        this.#dropped++;
        return;
      }
    }
  }

  async #attempt(delivery: Delivery): Promise<Attempt> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'driftwatch-webhook',
          'x-driftwatch-event': delivery.kind,
          'x-driftwatch-id': delivery.id,
          'x-driftwatch-timestamp': timestamp,
          'x-driftwatch-signature': webhookSignature(this.#secret, timestamp, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#abort.signal]),
      });
      // Read to the end so the connection can be reused; what the receiver says is not used.
      await response.arrayBuffer().catch(() => undefined);
      const { status } = response;
      if (status >= 200 && status < 300) return { ok: true };
      const retryable = status >= 500 || status === 429 || status === 408;
      const retryAfterMs = retryable ? retryAfter(response.headers.get('retry-after')) : undefined;
      return {
        ok: false,
        retryable,
        reason: `HTTP ${status}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      return { ok: false, retryable: true, reason: cause?.message ?? (error as Error).message };
    }
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** attempt);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  /** Resolves after `ms`, or at once when close() aborts. */
  #sleep(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The x-driftwatch-signature value of a body signed at `timestamp` (Unix seconds, as sent). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A receiver's check: the signature matches the raw body and timestamp, in constant time, and the timestamp is within
 * `toleranceSeconds` (default 300) of `nowSeconds`.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly timestamp: string; readonly signature: string },
  body: string | Buffer,
  options: { readonly toleranceSeconds?: number; readonly nowSeconds?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  const now = options.nowSeconds ?? Date.now() / 1000;
  if (!/^\d+$/.test(headers.timestamp) || Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) {
    return false;
  }
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${headers.timestamp}.`).update(body).digest('hex')}`,
  );
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Milliseconds a Retry-After value asks for (delay-seconds or an HTTP date), capped; undefined when absent or bad. */
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

function integer(option: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    throw optionError(option, `must be an integer >= ${min}`, value);
  return value;
}
