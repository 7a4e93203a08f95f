import type { EventKind } from '../alerts/subscriber.ts';

/**
 * The topology's `sinks:` section, validated and normalised (topologies/README.md, "Sinks"): where a monitor's events
 * are also delivered, for tools that do not read Kafka. Kafka stays the record of truth; a sink is best effort.
 */

/** An HTTP webhook: each event POSTed as JSON, signed with HMAC-SHA256 (src/sinks/webhook-sink.ts). */
export interface WebhookSinkSpec {
  readonly type: 'webhook';
  /** http or https URL the events are POSTed to. */
  readonly url: string;
  /** The signing secret as written in the file; null when `secretEnv` names it (exactly one of the two is set). */
  readonly secret: string | null;
  /** Name of the environment variable holding the signing secret, read when the sink starts. */
  readonly secretEnv: string | null;
  /** The kinds of event delivered (default: every kind). */
  readonly events: readonly EventKind[];
  /** Retries after the first attempt, on network errors, timeouts, 5xx and 429 (default 5). */
  readonly maxRetries: number;
  /** Timeout of one attempt (default 10 s). */
  readonly timeoutMs: number;
}

export type SinkSpec = WebhookSinkSpec;

export const WEBHOOK_DEFAULT_MAX_RETRIES = 5;
export const WEBHOOK_DEFAULT_TIMEOUT_MS = 10_000;
