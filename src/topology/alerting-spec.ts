/**
 * The topology's `alerting:` section, normalised: incident hysteresis and cooldown, and the retrain policy. Always
 * present on a Topology (DEFAULT_ALERTING when the file has no section).
 */
import { INCIDENT_DEFAULTS } from '../core/alerting/incident-tracker.ts';
import { RETRAIN_DEFAULTS } from '../core/alerting/retrain-policy.ts';

export interface RetrainSpec {
  /** Topic retrain requests are produced to. */
  readonly topic: string;
  /** Critical features in one whole-stream window that call for retraining; null: trigger off. */
  readonly minCriticalFeatures: number | null;
  /** Relative drop of a live performance metric; null: trigger off. */
  readonly performanceDrop: number | null;
  /** Training-serving mismatch rate of a skew feature; null: trigger off. */
  readonly skewRate: number | null;
  /** Consecutive windows a trigger must hold. */
  readonly sustained: number;
  /** Event time after a request during which the model gets no other one. */
  readonly cooldownMs: number;
}

export interface AlertingSpec {
  /** Consecutive windows at warning or above before a subject counts as drifting. */
  readonly openAfter: number;
  /** Consecutive clean windows before it counts as clean again. */
  readonly resolveAfter: number;
  /** Event time after an incident resolves during which its key opens no new one. */
  readonly cooldownMs: number;
  /** Topic incident events are produced to. */
  readonly incidentTopic: string;
  readonly retrain: RetrainSpec;
}

export const DEFAULT_INCIDENT_TOPIC = 'driftwatch.incidents';
export const DEFAULT_RETRAIN_TOPIC = 'driftwatch.retrain-requests';

/** The defaults are the core's (src/core/alerting), so the policy and the file format cannot disagree. */
export const DEFAULT_RETRAIN: RetrainSpec = { topic: DEFAULT_RETRAIN_TOPIC, ...RETRAIN_DEFAULTS };

export const DEFAULT_ALERTING: AlertingSpec = {
  ...INCIDENT_DEFAULTS,
  incidentTopic: DEFAULT_INCIDENT_TOPIC,
  retrain: DEFAULT_RETRAIN,
};
