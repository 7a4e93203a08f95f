/**
 * The signals of one drift window: one per feature (its drift tests, against the baseline and the previous window,
 * taken together) and one per data-quality guardrail. Clean subjects give signals too (severity null), so the incident
 * tracker can count clean windows. A revision of a window (late events under the update policy) gives none: the
 * window was judged when it closed, and its revision is reported by the alerts.
 */
import type { Signal, SignalSeverity } from '../core/alerting/signal.ts';
import { severityRank } from '../core/alerting/signal.ts';
import type { FeatureStatistic } from '../core/drift/feature-statistic.ts';
import type { WindowResult } from '../topology/drift-topology.ts';

export function signalsFromWindow(result: WindowResult): Signal[] {
  if (result.revision > 0) return [];
  const modelName = result.models[0]?.name ?? '';
  const modelVersion = mainVersion(result, modelName);
  const base = {
    monitor: result.monitor,
    modelName,
    modelVersion,
    segment: result.segment,
    windowStart: result.start,
    windowEnd: result.end,
    role: null,
    reference: null,
  };
  const out: Signal[] = [];
  for (const q of result.quality) {
    if (!q.judged) continue;
    out.push({
      ...base,
      kind: 'data_quality',
      subject: `${q.feature}/${q.check}`,
      severity: q.severity,
      metric: q.check,
      value: q.value,
      threshold: q.threshold,
      evidence: {
        baseline_rate: String(q.baselineRate),
        excess: String(q.excess),
        rows: String(q.rows),
        count: String(q.count),
      },
    });
  }
  const byFeature = new Map<string, FeatureStatistic[]>();
  for (const s of result.statistics) {
    const list = byFeature.get(s.feature);
    if (list === undefined) byFeature.set(s.feature, [s]);
    else list.push(s);
  }
  for (const [feature, statistics] of byFeature) {
    // A statistic without a value (too few rows, an empty window) was not judged.
    const judged = statistics.filter((s) => Number.isFinite(s.value));
    if (judged.length === 0) continue;
    let worst = judged[0]!;
    for (const s of judged) if (severityRank(s.severity) > severityRank(worst.severity)) worst = s;
    const severity: SignalSeverity | null = worst.severity;
    out.push({
      ...base,
      kind: 'feature_drift',
      subject: feature,
      severity,
      metric: worst.reference === 'baseline' ? worst.test : `${worst.test}/${worst.reference}`,
      value: worst.value,
      threshold: worst.threshold,
      evidence: {
        tests: judged.map((s) => `${s.test}/${s.reference}=${s.severity ?? 'clean'}`).join(','),
        rows: String(result.rows),
        baseline_version: result.baselineVersion,
        ...(worst.pValue !== null ? { p_value: String(worst.pValue) } : {}),
        ...(worst.contributors.length > 0 ? { top_contributors: contributorsEvidence(worst) } : {}),
      },
    });
  }
  return out;
}

/**
 * The worst statistic's contributors as one evidence string, largest first: "bucket: ref -> cur (contribution)",
 * separated by "; " because numeric bucket labels contain commas.
 */
function contributorsEvidence(s: FeatureStatistic): string {
  return s.contributors
    .map((c) => {
      const shares = `${c.referenceShare.toPrecision(3)} -> ${c.currentShare.toPrecision(3)}`;
      return `${c.bucket}: ${shares} (${c.contribution.toPrecision(3)})`;
    })
    .join('; ');
}

/** The version of `modelName` with the most rows in the window (the first by name on a tie); '' when none. */
function mainVersion(result: WindowResult, modelName: string): string {
  let best = '';
  let rows = -1;
  for (const m of result.models) {
    if (m.name !== modelName) continue;
    if (m.rows > rows || (m.rows === rows && m.version < best)) {
      best = m.version;
      rows = m.rows;
    }
  }
  return best;
}
