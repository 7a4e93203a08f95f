/**
 * The engines' side of incidents and retrain requests: one IncidentTracker and one RetrainPolicy per engine, fed the
 * signals of each published window or output in order, and the producer calls that make their events durable.
 *
 * Each engine calls `publish` before it lets the offsets of the window or output be committed (acks all), as it does
 * for alerts, so an event is never lost between the two. Tracker and policy state lives in memory: after a restart
 * the re-read windows are judged again from a clean state, and ids being deterministic, a re-published event of the
 * same windows is recognisable.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { incidentEventRecord } from '../alerts/incident-event.ts';
import { retrainRequestRecord } from '../alerts/retrain-request.ts';
import { type IncidentEvent, IncidentTracker } from '../core/alerting/incident-tracker.ts';
import { RetrainPolicy, type RetrainRequest } from '../core/alerting/retrain-policy.ts';
import type { Signal } from '../core/alerting/signal.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { INCIDENT_SCHEMA_FILE, RETRAIN_REQUEST_SCHEMA_FILE } from '../kafka/avro-schemas.ts';
import { ensureTopics } from '../kafka/kafka-connection.ts';
import { type OutputSchema, registerOutputSchema } from '../kafka/output-schema.ts';
import type { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import type { Logger } from '../logging/logger.ts';
import type { AlertingSpec } from '../topology/alerting-spec.ts';

export interface AlertingOutcome {
  readonly events: readonly IncidentEvent[];
  readonly requests: readonly RetrainRequest[];
}

export class AlertingPublisher {
  readonly spec: AlertingSpec;
  readonly tracker: IncidentTracker;
  readonly policy: RetrainPolicy;
  readonly #logger: Logger;
  #ready: Promise<{ incident: OutputSchema; retrain: OutputSchema }> | undefined;

  constructor(spec: AlertingSpec, logger: Logger) {
    this.spec = spec;
    this.#logger = logger;
    this.tracker = new IncidentTracker({
      openAfter: spec.openAfter,
      resolveAfter: spec.resolveAfter,
      cooldownMs: spec.cooldownMs,
    });
    this.policy = new RetrainPolicy({
      minCriticalFeatures: spec.retrain.minCriticalFeatures,
      performanceDrop: spec.retrain.performanceDrop,
      skewRate: spec.retrain.skewRate,
      sustained: spec.retrain.sustained,
      cooldownMs: spec.retrain.cooldownMs,
    });
  }

  /** Registers both schemas and ensures both topics; once (later calls share the first one's promise). */
  prepare(registry: SchemaRegistryClient, kafka: Kafka): Promise<unknown> {
    this.#ready ??= (async () => {
      const incident = await registerOutputSchema(registry, this.spec.incidentTopic, INCIDENT_SCHEMA_FILE);
      const retrain = await registerOutputSchema(
        registry,
        this.spec.retrain.topic,
        RETRAIN_REQUEST_SCHEMA_FILE,
      );
      await ensureTopics(kafka, [{ topic: this.spec.incidentTopic }, { topic: this.spec.retrain.topic }]);
      return { incident, retrain };
    })();
    return this.#ready;
  }

  /**
   * Feeds the signals of one window or output (in event-time order) to the tracker and the policy and produces what
   * they decide. `prepare` must have been called.
   */
  async publish(producer: Producer, signals: readonly Signal[], now: number): Promise<AlertingOutcome> {
    if (this.#ready === undefined) {
      throw new DriftwatchError(ErrorCodes.INVALID_STATE, 'AlertingPublisher.publish called before prepare');
    }
    const { incident, retrain } = await this.#ready;
    const events = this.tracker.observe(signals);
    const requests = this.policy.observe(signals);
    const sends: Promise<unknown>[] = [];
    if (events.length > 0) {
      const messages: Message[] = events.map((event) => ({
        key: event.modelName,
        value: incident.encode(incidentEventRecord(event, now)),
        headers: { 'dw.incident.id': event.incidentId, 'dw.event.id': event.eventId },
      }));
      sends.push(producer.send({ topic: this.spec.incidentTopic, acks: -1, messages }));
    }
    if (requests.length > 0) {
      const messages: Message[] = requests.map((request) => ({
        key: request.modelName,
        value: retrain.encode(retrainRequestRecord(request, now)),
        headers: { 'dw.request.id': request.requestId },
      }));
      sends.push(producer.send({ topic: this.spec.retrain.topic, acks: -1, messages }));
    }
    await Promise.all(sends);
    for (const event of events) this.#log(event);
    for (const request of requests) {
      this.#logger.warn('retrain requested', {
        monitor: request.monitor,
        model: request.modelName,
        version: request.modelVersion,
        triggers: request.reasons.map((r) => r.trigger).join(','),
        training: `${iso(request.trainingWindowStart)}/${iso(request.trainingWindowEnd)}`,
        reason: request.reason,
      });
    }
    return { events, requests };
  }

  #log(event: IncidentEvent): void {
    const fields = {
      monitor: event.monitor,
      model: event.modelName,
      kind: event.kind,
      ...(event.segment !== null ? { segment: event.segment } : {}),
      incident: event.incidentId,
      severity: event.severity,
      window: `${iso(event.windowStart)}/${iso(event.windowEnd)}`,
      drifting: event.subjects
        .filter((s) => s.drifting)
        .map((s) => s.subject)
        .join(','),
    };
    if (event.type === 'open') this.#logger.warn('incident opened', fields);
    else if (event.type === 'update') this.#logger.info('incident updated', fields);
    else this.#logger.info('incident resolved', fields);
  }
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
