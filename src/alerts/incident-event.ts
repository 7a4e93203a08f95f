import type { IncidentEvent } from '../core/alerting/incident-tracker.ts';
import type { SignalSeverity } from '../core/alerting/signal.ts';
import { optionError } from '../errors.ts';

/** One subject inside an IncidentEventRecord. */
export interface IncidentSubjectRecord {
  readonly subject: string;
  readonly kind: string;
  readonly metric: string;
  readonly severity: SignalSeverity | null;
  readonly value: number;
  readonly threshold: number | null;
  readonly drifting: boolean;
  readonly drifting_windows: number;
  readonly since: number;
}

/** The record as encoded with schemas/incident.avsc. */
export interface IncidentEventRecord {
  readonly event_id: string;
  readonly incident_id: string;
  readonly type: IncidentEvent['type'];
  readonly sequence: number;
  readonly monitor: string;
  readonly model_name: string;
  readonly model_versions: string[];
  readonly segment: string | null;
  readonly kind: string;
  readonly severity: SignalSeverity;
  readonly opened_window_start: number;
  readonly opened_window_end: number;
  readonly window_start: number;
  readonly window_end: number;
  readonly subjects: IncidentSubjectRecord[];
  readonly created_at: number;
}

/** The record of one incident event; `createdAt` (wall clock) is the only part not derived from the input. */
export function incidentEventRecord(event: IncidentEvent, createdAt: number): IncidentEventRecord {
  if (!Number.isSafeInteger(createdAt)) {
    throw optionError('createdAt', 'must be epoch milliseconds (a safe integer)', createdAt);
  }
  return {
    event_id: event.eventId,
    incident_id: event.incidentId,
    type: event.type,
    sequence: event.sequence,
    monitor: event.monitor,
    model_name: event.modelName,
    model_versions: [...event.modelVersions],
    segment: event.segment,
    kind: event.kind,
    severity: event.severity,
    opened_window_start: event.openedWindowStart,
    opened_window_end: event.openedWindowEnd,
    window_start: event.windowStart,
    window_end: event.windowEnd,
    subjects: event.subjects.map((s) => ({
      subject: s.subject,
      kind: s.kind,
      metric: s.metric,
      severity: s.severity,
      value: s.value,
      threshold: s.threshold,
      drifting: s.drifting,
      drifting_windows: s.driftingWindows,
      since: s.since,
    })),
    created_at: createdAt,
  };
}
