import type { RetrainRequest, RetrainTrigger } from '../core/alerting/retrain-policy.ts';
import { optionError } from '../errors.ts';

/** One observation inside a RetrainRequestRecord. */
export interface RetrainEvidenceRecord {
  readonly trigger: RetrainTrigger;
  readonly kind: string;
  readonly subject: string;
  readonly segment: string | null;
  readonly window_start: number;
  readonly window_end: number;
  readonly metric: string;
  readonly severity: string | null;
  readonly value: number;
  readonly reference: number | null;
  readonly threshold: number | null;
  readonly details: Record<string, string>;
}

/** The record as encoded with schemas/retrain-request.avsc. */
export interface RetrainRequestRecord {
  readonly request_id: string;
  readonly monitor: string;
  readonly model_name: string;
  readonly model_version: string;
  readonly triggers: RetrainTrigger[];
  readonly reason: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly training_window_start: number;
  readonly training_window_end: number;
  readonly sustained_windows: number;
  readonly evidence: RetrainEvidenceRecord[];
  readonly created_at: number;
}

/** The record of one request; its reasons must not be empty (a request without a trigger is a bug). */
export function retrainRequestRecord(request: RetrainRequest, createdAt: number): RetrainRequestRecord {
  if (!Number.isSafeInteger(createdAt)) {
    throw optionError('createdAt', 'must be epoch milliseconds (a safe integer)', createdAt);
  }
  if (request.reasons.length === 0) throw optionError('request.reasons', 'must hold at least one reason', 0);
  return {
    request_id: request.requestId,
    monitor: request.monitor,
    model_name: request.modelName,
    model_version: request.modelVersion,
    triggers: request.reasons.map((r) => r.trigger),
    reason: request.reason,
    window_start: request.windowStart,
    window_end: request.windowEnd,
    training_window_start: request.trainingWindowStart,
    training_window_end: request.trainingWindowEnd,
    sustained_windows: Math.max(...request.reasons.map((r) => r.windows)),
    evidence: request.reasons.flatMap((r) =>
      r.evidence.map((s) => ({
        trigger: r.trigger,
        kind: s.kind,
        subject: s.subject,
        segment: s.segment,
        window_start: s.windowStart,
        window_end: s.windowEnd,
        metric: s.metric,
        severity: s.severity,
        value: s.value,
        reference: s.reference,
        threshold: s.threshold,
        details: { ...s.evidence },
      })),
    ),
    created_at: createdAt,
  };
}
