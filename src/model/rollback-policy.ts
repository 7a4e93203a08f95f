/**
 * Turns the shadow findings of one ModelMonitor output into rollback recommendations.
 *
 * Rules (deterministic, no clock):
 * - The findings of kind `shadow` at or above `rollbackOn`, from every part, are grouped by candidate version; a group
 *   makes ONE recommendation (severity: the highest; findings: all of them, in output order; window: from the first
 *   finding's start to the last one's end; live version: the one the most severe finding was compared with).
 * - A candidate gets at most one recommendation until it recovers: after a recommendation it is disarmed, and it is
 *   re-armed by a closed window of that candidate whose shadow figures were judged (its shadow report has `judged` > 0)
 *   and which holds no finding at or above `rollbackOn`. The windows of one output are taken in time order, so a
 *   recovery followed by a bad window in the same output still calls for the (one) recommendation.
 * The "once until recovered" rule is the EpisodeGate shared with the retrain policy (src/core/alerting).
 */
import { EpisodeGate } from '../core/alerting/episode-gate.ts';
import type { ShadowSpec } from '../topology/model-spec.ts';
import type {
  FindingSeverity,
  ModelFinding,
  ModelWindowReport,
  RollbackRecommendation,
} from './model-results.ts';

const RANK: Readonly<Record<FindingSeverity, number>> = { warning: 1, critical: 2 };

interface Group {
  readonly findings: ModelFinding[];
  /** Window ends holding a qualifying finding. */
  readonly badEnds: Set<number>;
}

export class RollbackPolicy {
  readonly #minRank: number;
  /** Per candidate version: shut after a recommendation until a judged clean window re-arms it. */
  readonly #gate = new EpisodeGate({ cooldownMs: 0, untilRecovered: true });

  constructor(shadow: Pick<ShadowSpec, 'rollbackOn'>) {
    this.#minRank = RANK[shadow.rollbackOn];
  }

  /** Candidate versions currently waiting to recover (no recommendation is made for them). */
  get disarmed(): ReadonlySet<string> {
    return this.#gate.disarmed();
  }

  evaluate(
    reports: readonly ModelWindowReport[],
    findings: readonly ModelFinding[],
  ): RollbackRecommendation[] {
    const groups = new Map<string, Group>();
    for (const f of findings) {
      if (f.kind !== 'shadow' || f.role === 'live' || RANK[f.severity] < this.#minRank) continue;
      let g = groups.get(f.modelVersion);
      if (g === undefined) {
        g = { findings: [], badEnds: new Set() };
        groups.set(f.modelVersion, g);
      }
      g.findings.push(f);
      g.badEnds.add(f.windowEnd);
    }
    // Judged windows without a qualifying finding, per candidate: they re-arm it.
    const goodEnds = new Map<string, Set<number>>();
    for (const r of reports) {
      if (r.kind !== 'shadow' || !((r.counts.judged ?? 0) > 0)) continue;
      if (groups.get(r.modelVersion)?.badEnds.has(r.windowEnd)) continue;
      let ends = goodEnds.get(r.modelVersion);
      if (ends === undefined) {
        ends = new Set();
        goodEnds.set(r.modelVersion, ends);
      }
      ends.add(r.windowEnd);
    }
    const out: RollbackRecommendation[] = [];
    const versions = [...new Set([...groups.keys(), ...goodEnds.keys()])].sort();
    for (const version of versions) {
      const bad = groups.get(version)?.badEnds ?? new Set<number>();
      const good = goodEnds.get(version) ?? new Set<number>();
      // Walk the candidate's windows of this output in time order: a bad window opens an episode if the gate is
      // armed (and disarms it); a good judged window re-arms.
      let recommend = false;
      for (const end of [...bad, ...good].sort((a, b) => a - b)) {
        if (!bad.has(end)) this.#gate.recover(version);
        else if (this.#gate.tryOpen(version, end)) recommend = true;
      }
      if (recommend) out.push(recommendation(groups.get(version)!.findings));
    }
    return out;
  }
}

function recommendation(findings: readonly ModelFinding[]): RollbackRecommendation {
  let worst = findings[0]!;
  let windowStart = worst.windowStart;
  let windowEnd = worst.windowEnd;
  for (const f of findings) {
    if (RANK[f.severity] > RANK[worst.severity]) worst = f;
    if (f.windowStart < windowStart) windowStart = f.windowStart;
    if (f.windowEnd > windowEnd) windowEnd = f.windowEnd;
  }
  return {
    monitor: worst.monitor,
    modelName: worst.modelName,
    liveVersion: worst.comparedVersion ?? '',
    candidateVersion: worst.modelVersion,
    candidateRole: worst.role === 'canary' ? 'canary' : 'shadow',
    windowStart,
    windowEnd,
    severity: worst.severity,
    findings: [...findings],
  };
}
