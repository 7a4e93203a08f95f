/**
 * The signals of one model-monitor output: one per (kind, version, subject, window). Findings give the judged ones
 * (several findings of one subject and window, e.g. accuracy and f1, make one signal with the most severe as its
 * headline); a window report without a finding gives a clean one, unless it says none of its figures was judged
 * (`counts.judged` = 0, as shadow reports do with too few pairs).
 *
 * Model signals are unsegmented: a finding's segment (error-rate's worst segment, which changes from window to window)
 * is a detail of the evidence, not a split of the stream.
 */
import type { Signal } from '../core/alerting/signal.ts';
import { severityRank } from '../core/alerting/signal.ts';
import type { ModelMonitorOutput } from '../model/model-monitor.ts';
import type { ModelFinding, ModelWindowReport } from '../model/model-results.ts';

export function signalsFromModel(output: Pick<ModelMonitorOutput, 'reports' | 'findings'>): Signal[] {
  const groups = new Map<string, ModelFinding[]>();
  for (const f of output.findings) {
    const key = groupKey(f);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [f]);
    else list.push(f);
  }
  const out: Signal[] = [];
  const seen = new Set<string>();
  for (const r of output.reports) {
    const key = groupKey(r);
    if (seen.has(key)) continue;
    seen.add(key);
    const findings = groups.get(key);
    if (findings !== undefined) out.push(judgedSignal(findings));
    else if (r.counts.judged !== 0) out.push(cleanSignal(r));
  }
  // Findings whose report is not in the output still count.
  for (const [key, findings] of groups) {
    if (!seen.has(key)) out.push(judgedSignal(findings));
  }
  return out;
}

function groupKey(x: Pick<ModelFinding, 'kind' | 'modelVersion' | 'subject' | 'windowStart'>): string {
  return [x.kind, x.modelVersion, x.subject, x.windowStart].join('\u0000');
}

function subjectOf(modelVersion: string, subject: string): string {
  return modelVersion === '' ? subject : `${modelVersion}/${subject}`;
}

function judgedSignal(findings: readonly ModelFinding[]): Signal {
  let worst = findings[0]!;
  for (const f of findings) if (severityRank(f.severity) > severityRank(worst.severity)) worst = f;
  return {
    monitor: worst.monitor,
    modelName: worst.modelName,
    modelVersion: worst.modelVersion,
    segment: null,
    windowStart: worst.windowStart,
    windowEnd: worst.windowEnd,
    kind: worst.kind,
    subject: subjectOf(worst.modelVersion, worst.subject),
    role: worst.role,
    severity: worst.severity,
    metric: worst.metric,
    value: worst.value,
    reference: worst.reference,
    threshold: worst.threshold,
    evidence: {
      ...worst.evidence,
      message: worst.message,
      rows: String(worst.rows),
      metrics: findings.map((f) => `${f.metric}=${f.severity}`).join(','),
      ...(worst.segment !== null ? { segment: worst.segment } : {}),
      ...(worst.comparedVersion !== null ? { compared_version: worst.comparedVersion } : {}),
    },
  };
}

function cleanSignal(r: ModelWindowReport): Signal {
  return {
    monitor: r.monitor,
    modelName: r.modelName,
    modelVersion: r.modelVersion,
    segment: null,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    kind: r.kind,
    subject: subjectOf(r.modelVersion, r.subject),
    // Reports do not carry the version's role; clean signals need none.
    role: null,
    severity: null,
    metric: '',
    value: Number.NaN,
    reference: null,
    threshold: null,
    evidence: {},
  };
}
