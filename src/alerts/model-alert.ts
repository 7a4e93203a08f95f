import { stableId } from '../core/stable-id.ts';
import { optionError } from '../errors.ts';
import type { FindingSeverity, ModelFinding, ModelMonitorKind } from '../model/model-results.ts';
import type { ModelRole } from '../topology/model-spec.ts';

/** The record as encoded with schemas/model-alert.avsc. */
export interface ModelAlertRecord {
  readonly alert_id: string;
  readonly monitor: string;
  readonly kind: ModelMonitorKind;
  readonly severity: FindingSeverity;
  readonly model_name: string;
  readonly model_version: string;
  readonly role: ModelRole;
  readonly compared_version: string | null;
  readonly subject: string;
  readonly segment: string | null;
  readonly window_start: number;
  readonly window_end: number;
  readonly metric: string;
  readonly value: number;
  readonly reference: number | null;
  readonly threshold: number;
  readonly warning_level: number | null;
  readonly critical_level: number | null;
  readonly rows: number;
  readonly message: string;
  readonly evidence: Record<string, string>;
  readonly created_at: number;
}

/**
 * Same monitor, kind, version, subject, window start and metric (and segment and compared version) give the same id,
 * so replays and restarts are recognisable. As in drift-alert.ts, parts are NUL-separated and the nullable ones enter
 * tagged, only when present, so a null segment and a segment named "null" differ.
 */
export function modelAlertId(finding: ModelFinding): string {
  const { monitor, kind, modelVersion, subject, windowStart, metric } = finding;
  return stableId([monitor, kind, modelVersion, subject, windowStart, metric], {
    segment: finding.segment,
    compared: finding.comparedVersion,
  });
}

/** The alert of one finding; non-finite doubles are kept as they are (Avro doubles carry NaN and infinities). */
export function modelAlertRecord(finding: ModelFinding, createdAt: number): ModelAlertRecord {
  if (!Number.isSafeInteger(createdAt)) {
    throw optionError('createdAt', 'must be epoch milliseconds (a safe integer)', createdAt);
  }
  return {
    alert_id: modelAlertId(finding),
    monitor: finding.monitor,
    kind: finding.kind,
    severity: finding.severity,
    model_name: finding.modelName,
    model_version: finding.modelVersion,
    role: finding.role,
    compared_version: finding.comparedVersion,
    subject: finding.subject,
    segment: finding.segment,
    window_start: finding.windowStart,
    window_end: finding.windowEnd,
    metric: finding.metric,
    value: finding.value,
    reference: finding.reference,
    threshold: finding.threshold,
    warning_level: finding.warningLevel,
    critical_level: finding.criticalLevel,
    rows: finding.rows,
    message: finding.message,
    evidence: { ...finding.evidence },
    created_at: createdAt,
  };
}
