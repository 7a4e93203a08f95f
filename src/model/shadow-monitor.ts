/**
 * The shadow part of ModelMonitor: each candidate version (role shadow or canary) against live, per tumbling window of
 * prediction time.
 *
 * - A shadow version answers the same requests as live: its predictions are paired with live ones by prediction id
 *   (a ShadowJoin per shadow version, live on the left), giving the agreement rate and the score differences.
 * - A canary serves other requests, so nothing pairs: only the distributions of scores are compared.
 * - Both: score_ks is the exact two-sample KS distance between the scores of every live prediction and every
 *   candidate prediction of the window (not only the paired ones).
 *
 * A window [s, e) closes when the predictions watermark reaches e + maxSkew + grace: by then every live or candidate
 * prediction of the window has paired or expired in the joins (see ShadowJoin), which are driven by the same watermark.
 * A prediction whose window has closed is counted late. The live predictions that could still pair (time + maxSkew +
 * grace not below the watermark) are also kept in arrival order, as long as a join would hold them, and replayed into
 * the join of a shadow version when its first prediction comes, so its first requests pair as well.
 *
 * Each report's `judged` count says how many of its figures had enough rows to be judged (agreement: pairs >=
 * minPairs; score_ks: both sides with >= minPairs scores): the rollback policy re-arms only on judged windows.
 */
import { ShadowAgreement, ShadowJoin } from '../core/joins/shadow-join.ts';
import { ksStatistic } from '../core/stats/kolmogorov-smirnov.ts';
import { sortedSample } from '../core/stats/weighted-sample.ts';
import { tumblingWindowStart } from '../core/time/tumbling-window.ts';
import { optionError } from '../errors.ts';
import type { ModelRole, ModelSpec } from '../topology/model-spec.ts';
import { levelSeverity } from './level-severity.ts';
import type { PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPart, MonitorPartContext, PartOutput, StreamWatermarks } from './monitor-part.ts';

/** Regression outputs agree when |candidate - live| <= this x max(1, |live|). */
export const REGRESSION_AGREEMENT_TOLERANCE = 1e-6;
const DEFAULT_MAX_KEYS = 1_000_000;

interface Candidate {
  readonly key: string;
  readonly version: string;
  readonly role: Exclude<ModelRole, 'live'>;
  readonly modelName: string;
  /** Null for a canary (nothing to pair). */
  readonly join: ShadowJoin<PredictionRecord> | null;
}

class CandidateWindow {
  readonly agreement = new ShadowAgreement();
  readonly scores: number[] = [];
  predictions = 0;
}

class ShadowWindow {
  readonly liveScores: number[] = [];
  livePredictions = 0;
  /** Live predictions per live version, to name the version a candidate is compared with. */
  readonly liveVersions = new Map<string, number>();
  readonly candidates = new Map<string, CandidateWindow>();

  candidate(key: string): CandidateWindow {
    let w = this.candidates.get(key);
    if (w === undefined) {
      w = new CandidateWindow();
      this.candidates.set(key, w);
    }
    return w;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ShadowMonitor implements MonitorPart {
  readonly #monitor: string;
  readonly #spec: ModelSpec;
  readonly #classifier: boolean;
  readonly #windowMs: number;
  readonly #closeDelay: number;
  readonly #maxKeys: number;
  readonly #candidates = new Map<string, Candidate>();
  readonly #windows = new Map<number, ShadowWindow>();
  /** Live predictions that may still pair, in arrival order from #recentHead (see the header). */
  #recentLive: PredictionRecord[] = [];
  #recentHead = 0;
  #watermark = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(context: MonitorPartContext) {
    const { spec, topology } = context;
    if (!Number.isSafeInteger(spec.windowMs) || spec.windowMs < 1) {
      throw optionError('model.windowMs', 'must be an integer >= 1', spec.windowMs);
    }
    const s = spec.shadow;
    if (!Number.isSafeInteger(s.minPairs) || s.minPairs < 1) {
      throw optionError('model.shadow.minPairs', 'must be an integer >= 1', s.minPairs);
    }
    this.#monitor = topology.name;
    this.#spec = spec;
    this.#classifier = spec.task !== 'regression';
    this.#windowMs = spec.windowMs;
    this.#closeDelay = s.maxSkewMs + spec.graceMs;
    this.#maxKeys = spec.labels?.maxPending ?? DEFAULT_MAX_KEYS;
  }

  get late(): number {
    return this.#late;
  }

  /** Live and shadow predictions paired so far, over every shadow version. */
  get pairs(): number {
    let pairs = 0;
    for (const c of this.#candidates.values()) if (c.join !== null) pairs += c.join.counts().paired;
    return pairs;
  }

  prediction(record: PredictionRecord): void {
    const start = tumblingWindowStart(record.time, this.#windowMs);
    if (start + this.#windowMs + this.#closeDelay <= this.#watermark) {
      this.#late++;
      return;
    }
    const window = this.#windowAt(start);
    const score = record.score;
    if (record.role === 'live') {
      window.livePredictions++;
      window.liveVersions.set(record.modelVersion, (window.liveVersions.get(record.modelVersion) ?? 0) + 1);
      if (score !== null && Number.isFinite(score)) window.liveScores.push(score);
      for (const c of this.#candidates.values()) c.join?.live(record.predictionId, record.time, record);
      this.#recentLive.push(record);
      return;
    }
    const candidate = this.#candidateOf(record, record.role);
    const cw = window.candidate(candidate.key);
    cw.predictions++;
    if (score !== null && Number.isFinite(score)) cw.scores.push(score);
    candidate.join?.shadow(record.predictionId, record.time, record);
  }

  advance(watermarks: StreamWatermarks): PartOutput {
    const wm = watermarks.predictions;
    if (wm > this.#watermark) {
      this.#watermark = wm;
      for (const c of this.#candidates.values()) c.join?.advance(wm);
      this.#pruneRecentLive();
    }
    return this.#close();
  }

  flush(): PartOutput {
    this.#watermark = Number.POSITIVE_INFINITY;
    for (const c of this.#candidates.values()) c.join?.flush();
    this.#recentLive = [];
    this.#recentHead = 0;
    return this.#close();
  }

  doneBefore(): StreamWatermarks {
    let predictions = Number.POSITIVE_INFINITY;
    for (const start of this.#windows.keys()) if (start < predictions) predictions = start;
    return { predictions, labels: Number.POSITIVE_INFINITY, offline: Number.POSITIVE_INFINITY };
  }

  #windowAt(start: number): ShadowWindow {
    let w = this.#windows.get(start);
    if (w === undefined) {
      w = new ShadowWindow();
      this.#windows.set(start, w);
    }
    return w;
  }

  #candidateOf(record: PredictionRecord, role: Exclude<ModelRole, 'live'>): Candidate {
    const key = `${role}\u0000${record.modelVersion}`;
    const existing = this.#candidates.get(key);
    if (existing !== undefined) return existing;
    let join: ShadowJoin<PredictionRecord> | null = null;
    if (role === 'shadow') {
      const at = (time: number) => this.#windowAt(tumblingWindowStart(time, this.#windowMs)).candidate(key);
      join = new ShadowJoin<PredictionRecord>(
        {
          maxSkewMs: this.#spec.shadow.maxSkewMs,
          graceMs: this.#spec.graceMs,
          maxKeys: this.#maxKeys,
          windowMs: this.#windowMs,
          // Agreement is decided here (#agree): the join's rule is absolute, regression's tolerance is relative.
          agreement: { kind: 'score', tolerance: 0 },
        },
        {
          paired: (_id, liveTime, live, _shadowTime, shadow, _agree, scoreDiff) =>
            at(liveTime).agreement.addPair(this.#agree(live, shadow), scoreDiff),
          window: () => {},
          unmatched: (side, reason, _id, time) => {
            if (reason !== 'expired') return;
            const agreement = at(time).agreement;
            if (side === 'live') agreement.liveOnly++;
            else agreement.shadowOnly++;
          },
        },
      );
      join.advance(this.#watermark);
      const recent = this.#recentLive;
      for (let i = this.#recentHead; i < recent.length; i++) {
        const live = recent[i]!;
        join.live(live.predictionId, live.time, live);
      }
    }
    const candidate: Candidate = {
      key,
      version: record.modelVersion,
      role,
      modelName: record.modelName,
      join,
    };
    this.#candidates.set(key, candidate);
    return candidate;
  }

  /**
   * Drops, from the front, live predictions no join could pair any more. Arrival order is only roughly time order, so
   * a few expired ones may stay behind a later one; replaying them is harmless (the join counts them late).
   */
  #pruneRecentLive(): void {
    const recent = this.#recentLive;
    const delay = this.#closeDelay;
    let head = this.#recentHead;
    while (head < recent.length && recent[head]!.time + delay < this.#watermark) head++;
    if (head > 1024 && head * 2 > recent.length) {
      this.#recentLive = recent.slice(head);
      head = 0;
    }
    this.#recentHead = head;
  }

  /** Classes equal (classifiers), or scores within the relative tolerance (regression); both missing agree. */
  #agree(live: PredictionRecord, candidate: PredictionRecord): boolean {
    if (this.#classifier) return live.predictedClass === candidate.predictedClass;
    const a = live.score;
    const b = candidate.score;
    if (a === null || b === null) return a === b;
    return Math.abs(b - a) <= REGRESSION_AGREEMENT_TOLERANCE * Math.max(1, Math.abs(a));
  }

  #close(): PartOutput {
    const starts: number[] = [];
    for (const start of this.#windows.keys()) {
      if (start + this.#windowMs + this.#closeDelay <= this.#watermark) starts.push(start);
    }
    starts.sort((a, b) => a - b);
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (const start of starts) {
      const window = this.#windows.get(start)!;
      this.#windows.delete(start);
      let liveVersion: string | null = null;
      let liveMost = -1;
      for (const [version, n] of window.liveVersions) {
        if (n > liveMost || (n === liveMost && compareStrings(version, liveVersion!) < 0)) {
          liveVersion = version;
          liveMost = n;
        }
      }
      const keys = [...window.candidates.keys()].sort((a, b) => {
        const ca = this.#candidates.get(a)!;
        const cb = this.#candidates.get(b)!;
        return compareStrings(ca.version, cb.version) || compareStrings(ca.role, cb.role);
      });
      for (const key of keys) {
        this.#judge(
          start,
          window,
          this.#candidates.get(key)!,
          window.candidates.get(key)!,
          liveVersion,
          reports,
          findings,
        );
      }
    }
    return { reports, findings };
  }

  #judge(
    start: number,
    window: ShadowWindow,
    candidate: Candidate,
    cw: CandidateWindow,
    liveVersion: string | null,
    reports: ModelWindowReport[],
    findings: ModelFinding[],
  ): void {
    const end = start + this.#windowMs;
    const { minPairs, agreement: agreementLevels, scoreDistance } = this.#spec.shadow;
    const shadow = candidate.join !== null;
    const a = cw.agreement.report();
    const figures: Record<string, number> = {};
    if (shadow) {
      if (a.agreementRate !== null) figures.agreement_rate = a.agreementRate;
      if (a.meanScoreDiff !== null) figures.mean_score_diff = a.meanScoreDiff;
      if (a.meanAbsScoreDiff !== null) figures.mean_abs_score_diff = a.meanAbsScoreDiff;
    }
    const liveScores = window.liveScores.length;
    const candidateScores = cw.scores.length;
    let ks = Number.NaN;
    if (liveScores > 0 && candidateScores > 0) {
      ks = ksStatistic(
        sortedSample(Float64Array.from(window.liveScores)),
        sortedSample(Float64Array.from(cw.scores)),
      );
      figures.score_ks = ks;
    }
    const agreementJudged = shadow && a.pairs >= minPairs && a.agreementRate !== null;
    const ksJudged = liveScores >= minPairs && candidateScores >= minPairs && Number.isFinite(ks);
    reports.push({
      monitor: this.#monitor,
      kind: 'shadow',
      modelName: candidate.modelName,
      modelVersion: candidate.version,
      subject: candidate.version,
      windowStart: start,
      windowEnd: end,
      figures,
      counts: {
        pairs: a.pairs,
        live_only: shadow ? a.liveOnly : window.livePredictions,
        candidate_only: shadow ? a.shadowOnly : cw.predictions,
        live_scores: liveScores,
        candidate_scores: candidateScores,
        judged: (agreementJudged ? 1 : 0) + (ksJudged ? 1 : 0),
      },
    });
    const base = {
      monitor: this.#monitor,
      kind: 'shadow' as const,
      modelName: candidate.modelName,
      modelVersion: candidate.version,
      role: candidate.role,
      comparedVersion: liveVersion,
      subject: candidate.version,
      segment: null,
      windowStart: start,
      windowEnd: end,
      reference: null,
    };
    const against = liveVersion === null ? 'live' : `live ${liveVersion}`;
    if (agreementJudged) {
      const rate = a.agreementRate!;
      const severity = levelSeverity(rate, agreementLevels, true);
      if (severity !== null) {
        findings.push({
          ...base,
          severity,
          metric: 'agreement_rate',
          value: rate,
          threshold: agreementLevels[severity]!,
          warningLevel: agreementLevels.warning,
          criticalLevel: agreementLevels.critical,
          rows: a.pairs,
          message:
            `shadow ${candidate.version} agrees with ${against} on ${(rate * 100).toFixed(1)}% of ${a.pairs} ` +
            `requests, below the ${severity} level ${(agreementLevels[severity]! * 100).toFixed(1)}%.`,
          evidence: {
            pairs: String(a.pairs),
            agreements: String(a.agreements),
            live_only: String(a.liveOnly),
            candidate_only: String(a.shadowOnly),
            mean_score_diff: String(a.meanScoreDiff),
          },
        });
      }
    }
    if (ksJudged) {
      const severity = levelSeverity(ks, scoreDistance, false);
      if (severity !== null) {
        findings.push({
          ...base,
          severity,
          metric: 'score_ks',
          value: ks,
          threshold: scoreDistance[severity]!,
          warningLevel: scoreDistance.warning,
          criticalLevel: scoreDistance.critical,
          rows: Math.min(liveScores, candidateScores),
          message:
            `${candidate.role} ${candidate.version}'s scores differ from ${against}'s: KS distance ` +
            `${ks.toFixed(3)}, at or above the ${severity} level ${scoreDistance[severity]}.`,
          evidence: { live_scores: String(liveScores), candidate_scores: String(candidateScores) },
        });
      }
    }
  }
}
