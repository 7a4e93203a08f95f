import type { AlertingOutcome } from '../alerting/alerting-publisher.ts';
import { incidentEventRecord } from '../alerts/incident-event.ts';
import { retrainRequestRecord } from '../alerts/retrain-request.ts';
import type { AlertEvent } from '../alerts/subscriber.ts';
import type { Logger } from '../logging/logger.ts';
import type { Topology } from '../topology/topology-types.ts';
import { WebhookSink, type WebhookSinkCounters } from './webhook-sink.ts';

/**
 * The `sinks:` of one topology, as an engine uses them: every event an engine has produced to Kafka (acked) is also
 * handed to each sink, which delivers it in the background. Handing over never blocks or throws, so a slow or broken
 * webhook cannot hold the engine back; its failures are counted and logged by the sink.
 */
export class SinkSet {
  readonly #sinks: readonly WebhookSink[];
  readonly #logger: Logger;

  private constructor(sinks: readonly WebhookSink[], logger: Logger) {
    this.#sinks = sinks;
    this.#logger = logger;
  }

  /** Throws DW_INVALID_OPTION at start when a sink's secret variable is not set. */
  static fromTopology(topology: Topology, logger: Logger): SinkSet {
    return new SinkSet(
      topology.sinks.map((spec) => WebhookSink.fromSpec(spec, { logger })),
      logger,
    );
  }

  get size(): number {
    return this.#sinks.length;
  }

  send(event: AlertEvent): void {
    for (const sink of this.#sinks) sink.send(event);
  }

  /** The incident events and retrain requests of one alerting outcome, as the records produced to Kafka. */
  sendAlerting(outcome: AlertingOutcome, now: number): void {
    if (this.#sinks.length === 0) return;
    for (const event of outcome.events)
      this.send({ kind: 'incident', record: incidentEventRecord(event, now) });
    for (const request of outcome.requests) {
      this.send({ kind: 'retrain', record: retrainRequestRecord(request, now) });
    }
  }

  /** Delivers what is queued (up to `timeoutMs`), then logs and returns each sink's counters. */
  async close(timeoutMs = 5_000): Promise<WebhookSinkCounters[]> {
    const counters = await Promise.all(this.#sinks.map((sink) => sink.close(timeoutMs)));
    for (const [i, c] of counters.entries()) {
      this.#logger.info('webhook sink closed', { sink: i, ...c });
    }
    return counters;
  }
}
