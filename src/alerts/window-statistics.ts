import type { WindowResult } from '../topology/drift-topology.ts';
import { contributorRecords, type TopContributorRecord } from './drift-alert.ts';

/** One statistic inside a WindowStatistics record (schemas/window-statistics.avsc). */
export interface WindowStatisticRecord {
  readonly feature: string;
  readonly feature_kind: string;
  readonly statistic: string;
  readonly reference: string;
  readonly value: number;
  readonly p_value: number | null;
  readonly adjusted_p_value: number | null;
  readonly severity: string | null;
  readonly threshold: number | null;
  readonly warning_level: number | null;
  readonly critical_level: number | null;
  readonly levels_source: string;
  readonly reference_size: number;
  readonly current_size: number;
  readonly missing: number;
  readonly out_of_reference: number;
  /** As in drift alerts; optional because Avro reads a missing one as its default []. */
  readonly top_contributors?: TopContributorRecord[];
}

/** One data-quality guardrail inside a WindowStatistics record. */
export interface QualityCheckRecord {
  readonly feature: string;
  /** type_mismatch, null_rate, out_of_range or unseen_share (QualityCheckName). */
  readonly check: string;
  readonly value: number;
  readonly baseline_rate: number;
  readonly excess: number;
  readonly rows: number;
  readonly count: number;
  readonly severity: string | null;
  readonly threshold: number | null;
  readonly judged: boolean;
}

/** The record as encoded with schemas/window-statistics.avsc. */
export interface WindowStatisticsRecord {
  readonly monitor: string;
  readonly segment: string | null;
  readonly window_start: number;
  readonly window_end: number;
  readonly revision: number;
  readonly rows: number;
  readonly model_name: string;
  readonly model_versions: string[];
  readonly baseline_version: string;
  readonly statistics: WindowStatisticRecord[];
  readonly quality: QualityCheckRecord[];
  readonly emitted_at: number;
}

/** Every statistic of a window result, drifted or not. */
export function windowStatisticsRecord(result: WindowResult, emittedAt: number): WindowStatisticsRecord {
  const modelName = result.models[0]?.name ?? '';
  return {
    monitor: result.monitor,
    segment: result.segment,
    window_start: result.start,
    window_end: result.end,
    revision: result.revision,
    rows: result.rows,
    model_name: modelName,
    model_versions: [...new Set(result.models.filter((m) => m.name === modelName).map((m) => m.version))],
    baseline_version: result.baselineVersion,
    statistics: result.statistics.map((s) => ({
      feature: s.feature,
      feature_kind: s.featureKind,
      statistic: s.test,
      reference: s.reference,
      value: s.value,
      p_value: s.pValue,
      adjusted_p_value: s.adjustedPValue,
      severity: s.severity,
      threshold: s.threshold,
      warning_level: s.levels.warning,
      critical_level: s.levels.critical,
      levels_source: s.levels.source,
      reference_size: s.referenceSize,
      current_size: s.currentSize,
      missing: s.missing,
      out_of_reference: s.outOfReference,
      top_contributors: contributorRecords(s.contributors),
    })),
    quality: result.quality.map((q) => ({
      feature: q.feature,
      check: q.check,
      value: q.value,
      baseline_rate: q.baselineRate,
      excess: q.excess,
      rows: q.rows,
      count: q.count,
      severity: q.severity,
      threshold: q.threshold,
      judged: q.judged,
    })),
    emitted_at: emittedAt,
  };
}
