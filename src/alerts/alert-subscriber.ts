import type { Consumer } from 'kafkajs';
import { EventDecoder } from '../engine/event-decoder.ts';
import { createKafka, ensureTopics } from '../kafka/kafka-connection.ts';
import { SchemaRegistryClient } from '../kafka/schema-registry-client.ts';
import type { DriftAlert } from './drift-alert.ts';

export interface AlertSubscriberOptions {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly topic: string;
  readonly groupId: string;
  /** Read the topic from its start when the group is new (default false: only new alerts). */
  readonly fromBeginning?: boolean;
  readonly onAlert: (alert: DriftAlert) => void;
  /** Messages on the alert topic that do not decode (reported, not thrown). */
  readonly onUndecodable?: (reason: string) => void;
}

export interface AlertSubscription {
  stop(): Promise<void>;
}

/** A typed consumer of an alert topic: decodes each record through the registry into a DriftAlert. */
export async function subscribeAlerts(options: AlertSubscriberOptions): Promise<AlertSubscription> {
  const kafka = createKafka({ brokers: options.brokers, clientId: 'driftwatch-alerts' });
  const decoder = new EventDecoder(new SchemaRegistryClient({ url: options.registryUrl }));
  // Subscribing to a topic that does not exist yet fails in kafkajs; the engine may not have created it yet.
  await ensureTopics(kafka, [{ topic: options.topic }]);
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await decoder.prepare(batch.messages.map((m) => m.value));
      for (const message of batch.messages) {
        const outcome = decoder.decode(message.value);
        if (outcome.ok) options.onAlert(outcome.record as DriftAlert);
        else options.onUndecodable?.(outcome.reason);
      }
    },
  });
  return {
    stop: async () => {
      await consumer.disconnect();
    },
  };
}
