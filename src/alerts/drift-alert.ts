import { createHash } from 'node:crypto';
import type { FeatureStatistic } from '../core/drift/feature-drift.ts';
import type { WindowResult } from '../topology/drift-topology.ts';

/** The alert record as encoded with schemas/drift-alert.avsc. */
export interface DriftAlert {
  readonly alert_id: string;
  readonly monitor: string;
  readonly model_name: string;
  readonly model_versions: string[];
  readonly feature: string;
  readonly feature_kind: 'NUMERIC' | 'CATEGORICAL';
  readonly window_start: number;
  readonly window_end: number;
  readonly statistic: string;
  readonly value: number;
  readonly threshold: number;
  readonly p_value: number | null;
  readonly reference_size: number;
  readonly current_size: number;
  readonly missing: number;
  readonly out_of_reference: number;
  readonly baseline_version: string;
  readonly conventions: Record<string, string>;
  readonly detected_at: number;
}

/** Same monitor, feature, window and statistic give the same id, so replays and restarts are recognisable. */
export function alertId(monitor: string, feature: string, windowStart: number, statistic: string): string {
  return createHash('sha256')
    .update(`${monitor}\u0000${feature}\u0000${windowStart}\u0000${statistic}`)
    .digest('hex')
    .slice(0, 32);
}

/** One alert per drifted feature of a window result. */
export function alertsFor(result: WindowResult, detectedAt: number): DriftAlert[] {
  const models = result.models;
  const modelName = models[0]?.name ?? '';
  const versions = [...new Set(models.filter((m) => m.name === modelName).map((m) => m.version))];
  return result.statistics
    .filter((s) => s.drift)
    .map((s) => toAlert(result, s, modelName, versions, detectedAt));
}

function toAlert(
  result: WindowResult,
  s: FeatureStatistic,
  modelName: string,
  versions: string[],
  detectedAt: number,
): DriftAlert {
  return {
    alert_id: alertId(result.monitor, s.feature, result.start, s.test),
    monitor: result.monitor,
    model_name: modelName,
    model_versions: versions,
    feature: s.feature,
    feature_kind: s.kind === 'numeric' ? 'NUMERIC' : 'CATEGORICAL',
    window_start: result.start,
    window_end: result.end,
    statistic: s.test,
    value: s.value,
    threshold: s.threshold,
    p_value: s.pValue,
    reference_size: s.referenceSize,
    current_size: s.currentSize,
    missing: s.missing,
    out_of_reference: s.outOfReference,
    baseline_version: result.baselineVersion,
    conventions: { ...s.conventions },
    detected_at: detectedAt,
  };
}
