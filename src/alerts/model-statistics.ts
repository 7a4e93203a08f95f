import { optionError } from '../errors.ts';
import type { ModelMonitorKind, ModelWindowReport } from '../model/model-results.ts';

/** The record as encoded with schemas/model-statistics.avsc. */
export interface ModelStatisticsRecord {
  readonly monitor: string;
  readonly kind: ModelMonitorKind;
  readonly model_name: string;
  readonly model_version: string;
  readonly subject: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly figures: Record<string, number>;
  readonly counts: Record<string, number>;
  readonly created_at: number;
}

/**
 * Every figure and count of one closed model window, copied so the record does not share the report's objects.
 * Non-finite figures are dropped here too, so the schema's "finite values only" holds whatever the report holds.
 */
export function modelStatisticsRecord(report: ModelWindowReport, createdAt: number): ModelStatisticsRecord {
  if (!Number.isSafeInteger(createdAt)) {
    throw optionError('createdAt', 'must be epoch milliseconds (a safe integer)', createdAt);
  }
  return {
    monitor: report.monitor,
    kind: report.kind,
    model_name: report.modelName,
    model_version: report.modelVersion,
    subject: report.subject,
    window_start: report.windowStart,
    window_end: report.windowEnd,
    figures: finiteFigures(report.figures),
    counts: { ...report.counts },
    created_at: createdAt,
  };
}

function finiteFigures(figures: Readonly<Record<string, number>>): Record<string, number> {
  const finite: Record<string, number> = {};
  for (const [name, value] of Object.entries(figures)) if (Number.isFinite(value)) finite[name] = value;
  return finite;
}
