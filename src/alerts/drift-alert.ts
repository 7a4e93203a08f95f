import type { Contributor } from '../core/drift/feature-drift.ts';
import type { FeatureStatistic } from '../core/drift/feature-statistic.ts';
import type { QualityCheck, QualityCheckName } from '../core/quality/data-quality.ts';
import { stableId } from '../core/stable-id.ts';
import type { WindowResult } from '../topology/drift-topology.ts';

/** One entry of an alert's top_contributors (the nested TopContributor record). */
export interface TopContributorRecord {
  readonly bucket: string;
  readonly reference_share: number;
  readonly current_share: number;
  readonly contribution: number;
}

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
  /**
   * The buckets or categories contributing most, largest first. Every alert built here carries it; optional because
   * Avro writes and reads a missing one as its default [] (records of earlier versions, hand-built records).
   */
  readonly top_contributors?: TopContributorRecord[];
}

/** Contributors as the nested Avro records of drift alerts and window statistics. */
export function contributorRecords(contributors: readonly Contributor[]): TopContributorRecord[] {
  return contributors.map((c) => ({
    bucket: c.bucket,
    reference_share: c.referenceShare,
    current_share: c.currentShare,
    contribution: c.contribution,
  }));
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
  return stableId([monitor, feature, windowStart, statistic], {
    segment: extra.segment,
    reference: extra.reference === 'baseline' ? undefined : extra.reference,
    revision: extra.revision === 0 ? undefined : extra.revision,
  });
}

/**
 * One alert per failed data-quality guardrail of a window result, then one per drifted statistic: guardrails are
 * checked first, as a broken input explains a drift.
 */
export function alertsFor(result: WindowResult, detectedAt: number): DriftAlert[] {
  const models = result.models;
  const modelName = models[0]?.name ?? '';
  const versions = [...new Set(models.filter((m) => m.name === modelName).map((m) => m.version))];
  return [
    ...(result.quality ?? [])
      .filter((q) => q.severity !== null)
      .map((q) => qualityAlert(result, q, modelName, versions, detectedAt)),
    ...result.statistics
      .filter((s) => s.drift)
      .map((s) => toAlert(result, s, modelName, versions, detectedAt)),
  ];
}

function kindSymbol(kind: string): DriftAlert['feature_kind'] {
  return kind === 'boolean' ? 'BOOLEAN' : kind === 'numeric' ? 'NUMERIC' : 'CATEGORICAL';
}

/** What each guardrail's rate counts, as its alert's conventions state it. */
const QUALITY_RATES: Readonly<Record<QualityCheckName, string>> = {
  type_mismatch: 'values of the wrong type (kept as missing) / rows',
  null_rate: 'null or NaN in the event / rows',
  out_of_range: 'outside the baseline / non-missing rows',
  unseen_share: 'outside the baseline / non-missing rows',
};

function qualityAlert(
  result: WindowResult,
  q: QualityCheck,
  modelName: string,
  versions: string[],
  detectedAt: number,
): DriftAlert {
  return {
    alert_id: alertId(result.monitor, q.feature, result.start, q.check, {
      segment: result.segment,
      revision: result.revision,
    }),
    monitor: result.monitor,
    model_name: modelName,
    model_versions: versions,
    feature: q.feature,
    feature_kind: kindSymbol(q.featureKind),
    window_start: result.start,
    window_end: result.end,
    statistic: q.check,
    value: q.value,
    threshold: q.threshold ?? Number.NaN,
    p_value: null,
    reference_size: 0,
    current_size: q.rows,
    // Wrong-typed values are missing for the statistics, so they are reported as missing rows.
    missing: q.check === 'null_rate' || q.check === 'type_mismatch' ? q.count : 0,
    out_of_reference: q.check === 'out_of_range' || q.check === 'unseen_share' ? q.count : 0,
    baseline_version: result.baselineVersion,
    conventions: {
      check: 'data quality guardrail',
      rate: QUALITY_RATES[q.check],
      baselineRate: String(q.baselineRate),
      excess: String(q.excess),
      driftRule: 'rate - baseline rate >= level',
    },
    detected_at: detectedAt,
    severity: q.severity ?? 'warning',
    segment: result.segment,
    reference: 'baseline',
    revision: result.revision,
    adjusted_p_value: null,
    warning_level: null,
    critical_level: null,
    levels_source: 'data-quality',
    top_contributors: qualityContributors(q),
  };
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
    top_contributors: contributorRecords(s.contributors),
  };
}

/**
 * A rate guardrail is about one bucket: null_rate the missing bucket, unseen_share the unseen one; its shares are the
 * two rates and its contribution the excess the levels judged. type_mismatch and out_of_range (several buckets: the
 * tails and ±inf) list none.
 */
function qualityContributors(q: QualityCheck): TopContributorRecord[] {
  if (q.check !== 'null_rate' && q.check !== 'unseen_share') return [];
  return [
    {
      bucket: q.check === 'null_rate' ? 'missing' : 'unseen',
      reference_share: q.baselineRate,
      current_share: q.value,
      contribution: q.excess,
    },
  ];
}
