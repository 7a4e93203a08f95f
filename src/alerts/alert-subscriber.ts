import type { DriftAlert } from './drift-alert.ts';
import { type Subscription, subscribe } from './subscriber.ts';

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

export type AlertSubscription = Subscription;

/**
 * A consumer of one drift-alert topic: the typed subscriber (subscriber.ts) narrowed to drift alerts. Records of
 * other kinds on the topic are skipped.
 */
export function subscribeAlerts(options: AlertSubscriberOptions): Promise<AlertSubscription> {
  return subscribe({
    brokers: options.brokers,
    registryUrl: options.registryUrl,
    topics: [options.topic],
    groupId: options.groupId,
    ...(options.fromBeginning !== undefined ? { fromBeginning: options.fromBeginning } : {}),
    onEvent: (event) => {
      if (event.kind === 'drift-alert') options.onAlert(event.record);
    },
    onUndecodable: (message) => options.onUndecodable?.(message.reason),
  });
}
