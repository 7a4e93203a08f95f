import { stableId } from '../core/stable-id.ts';
import { optionError } from '../errors.ts';
import type {
  FindingSeverity,
  ModelFinding,
  ModelMonitorKind,
  RollbackRecommendation,
} from '../model/model-results.ts';

/** One finding inside a RollbackRecommendation record. */
export interface RollbackFindingRecord {
  readonly kind: ModelMonitorKind;
  readonly metric: string;
  readonly value: number;
  readonly reference: number | null;
  readonly threshold: number;
  readonly severity: FindingSeverity;
  readonly rows: number;
  readonly message: string;
  readonly evidence: Record<string, string>;
}

/** The record as encoded with schemas/rollback-recommendation.avsc. */
export interface RollbackRecommendationRecord {
  readonly recommendation_id: string;
  readonly monitor: string;
  readonly model_name: string;
  readonly live_version: string;
  readonly candidate_version: string;
  readonly candidate_role: RollbackRecommendation['candidateRole'];
  readonly window_start: number;
  readonly window_end: number;
  readonly severity: FindingSeverity;
  readonly action: 'rollback';
  readonly reason: string;
  readonly findings: RollbackFindingRecord[];
  readonly created_at: number;
}

/**
 * One recommendation per monitor, candidate version and window: a replay of the window gives the same id. Built as
 * drift-alert.ts builds alert ids (NUL-separated parts, sha256, 32 hex characters).
 */
export function rollbackRecommendationId(rec: RollbackRecommendation): string {
  return stableId([rec.monitor, rec.candidateVersion, rec.windowStart]);
}

/** The record of one recommendation; its findings must not be empty (the reason is made of them). */
export function rollbackRecommendationRecord(
  rec: RollbackRecommendation,
  createdAt: number,
): RollbackRecommendationRecord {
  if (!Number.isSafeInteger(createdAt)) {
    throw optionError('createdAt', 'must be epoch milliseconds (a safe integer)', createdAt);
  }
  if (rec.findings.length === 0) {
    throw optionError('recommendation.findings', 'must hold at least one finding', 0);
  }
  return {
    recommendation_id: rollbackRecommendationId(rec),
    monitor: rec.monitor,
    model_name: rec.modelName,
    live_version: rec.liveVersion,
    candidate_version: rec.candidateVersion,
    candidate_role: rec.candidateRole,
    window_start: rec.windowStart,
    window_end: rec.windowEnd,
    severity: rec.severity,
    action: 'rollback',
    reason: rollbackReason(rec),
    findings: rec.findings.map(findingRecord),
    created_at: createdAt,
  };
}

/**
 * "canary 2 is worse than live 1: agreement_rate 0.8 < 0.9 (critical); accuracy 0.81 vs 0.9 (warning, level 0.02)".
 * A figure judged against an absolute level is shown with its true relation to the level; one judged against a
 * reference (live's figure) is shown beside it with the level, whose meaning (a drop, a ratio) is the metric's.
 */
export function rollbackReason(rec: RollbackRecommendation): string {
  const parts = rec.findings.map((f) => {
    const name = f.segment === null ? f.metric : `${f.metric} in segment ${f.segment}`;
    if (f.reference === null) {
      return `${name} ${figure(f.value)} ${relation(f.value, f.threshold)} ${figure(f.threshold)} (${f.severity})`;
    }
    return `${name} ${figure(f.value)} vs ${figure(f.reference)} (${f.severity}, level ${figure(f.threshold)})`;
  });
  return `${rec.candidateRole} ${rec.candidateVersion} is worse than live ${rec.liveVersion}: ${parts.join('; ')}`;
}

function relation(value: number, level: number): string {
  if (value < level) return '<';
  if (value > level) return '>';
  return value === level ? '=' : 'vs';
}

/** Four significant digits: enough to read, the exact values are in the findings. */
function figure(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

function findingRecord(f: ModelFinding): RollbackFindingRecord {
  return {
    kind: f.kind,
    metric: f.metric,
    value: f.value,
    reference: f.reference,
    threshold: f.threshold,
    severity: f.severity,
    rows: f.rows,
    message: f.message,
    evidence: { ...f.evidence },
  };
}
