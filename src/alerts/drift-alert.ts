import { createHash } from 'node:crypto';
import type { FeatureStatistic } from '../core/drift/feature-statistic.ts';
import type { WindowResult } from '../topology/drift-topology.ts';

/** The alert record as encoded with schemas/drift-alert.avsc. */
export interface DriftAlert {
  readonly alert_id: string;
  readonly monitor: string;
  readonly model_name: string;
  readonly model_versions: string[];
  readonly feature: string;
  readonly feature_kind: 'NUMERIC' | 'CATEGORICAL' | 'BOOLEAN';
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
  readonly severity: 'warning' | 'critical';
  readonly segment: string | null;
  readonly reference: 'baseline' | 'previous';
  readonly revision: number;
  readonly adjusted_p_value: number | null;
  readonly warning_level: number | null;
  readonly critical_level: number | null;
  readonly levels_source: string;
}

/**
 * Same monitor, feature, window and statistic (and segment, reference and revision) give the same id, so replays and
 * restarts are recognisable. The extra parts enter only when they differ from the defaults, so ids of unsegmented
 * windows against the baseline are those of earlier versions.
 */
export function alertId(
  monitor: string,
  feature: string,
  windowStart: number,
  statistic: string,
  extra: { segment?: string | null; reference?: string; revision?: number } = {},
): string {
  let text = `${monitor}\u0000${feature}\u0000${windowStart}\u0000${statistic}`;
  if (extra.segment !== undefined && extra.segment !== null) text += `\u0000segment=${extra.segment}`;
  if (extra.reference !== undefined && extra.reference !== 'baseline')
    text += `\u0000reference=${extra.reference}`;
  if (extra.revision !== undefined && extra.revision !== 0) text += `\u0000revision=${extra.revision}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
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
    alert_id: alertId(result.monitor, s.feature, result.start, s.test, {
      segment: result.segment,
      reference: s.reference,
      revision: result.revision,
    }),
    monitor: result.monitor,
    model_name: modelName,
    model_versions: versions,
    feature: s.feature,
    feature_kind:
      s.featureKind === 'boolean' ? 'BOOLEAN' : s.featureKind === 'numeric' ? 'NUMERIC' : 'CATEGORICAL',
    window_start: result.start,
    window_end: result.end,
    statistic: s.test,
    value: s.value,
    threshold: s.threshold ?? Number.NaN,
    p_value: s.pValue,
    reference_size: s.referenceSize,
    current_size: s.currentSize,
    missing: s.missing,
    out_of_reference: s.outOfReference,
    baseline_version: result.baselineVersion,
    conventions: { ...s.conventions },
    detected_at: detectedAt,
    severity: s.severity ?? 'warning',
    segment: result.segment,
    reference: s.reference,
    revision: result.revision,
    adjusted_p_value: s.adjustedPValue,
    warning_level: s.levels.warning,
    critical_level: s.levels.critical,
    levels_source: s.levels.source,
  };
}
