/**
 * Turns per-window signals into retrain requests, per (monitor, model name).
 *
 * Triggers (each can be disabled with null; any of them calls for a request):
 * - critical_features: at least `minCriticalFeatures` features drift at critical in one window of the whole stream
 *   (signals of an unsegmented window or of segment `*`; a single segment's drift is not a reason to retrain).
 * - performance_drop: a live version's performance finding whose relative drop from its reference is at least
 *   `performanceDrop` (the metric's direction decides which way is a drop).
 * - skew: a skew finding whose mismatch rate is at least `skewRate`.
 * A trigger holds in a window when its condition is met; it is sustained once it held in `sustained` consecutive
 * windows in which it was evaluated (windows holding signals of its kind; others leave its run as it is). A window
 * where at least one trigger is sustained asks for a request, which the EpisodeGate grants at most once per model
 * within `cooldownMs` of event time from the last request's window start.
 *
 * The request names the model and version, every sustained trigger with its evidence (the signals that met it in
 * that window), and a suggested training window from the start of the earliest sustained run to the end of the
 * window: the recent data since the drift began.
 */

import { optionError } from '../../errors.ts';
import { PERFORMANCE_METRIC_DIRECTIONS } from '../performance/performance-drop.ts';
import { retrainRequestId } from './alerting-ids.ts';
import { EpisodeGate } from './episode-gate.ts';
import type { Signal } from './signal.ts';

export type RetrainTrigger = 'critical_features' | 'performance_drop' | 'skew';

export const RETRAIN_TRIGGERS: readonly RetrainTrigger[] = ['critical_features', 'performance_drop', 'skew'];

export interface RetrainPolicyOptions {
  /** Critical features in one whole-stream window; null disables the trigger. */
  readonly minCriticalFeatures: number | null;
  /** Relative drop of a live performance metric (0.05 = 5%); null disables. */
  readonly performanceDrop: number | null;
  /** Training-serving mismatch rate of a skew feature; null disables. */
  readonly skewRate: number | null;
  /** Consecutive evaluated windows a trigger must hold (>= 1). */
  readonly sustained: number;
  /** Event-time milliseconds after a request during which the model gets no other one. */
  readonly cooldownMs: number;
}

export const RETRAIN_DEFAULTS: RetrainPolicyOptions = {
  minCriticalFeatures: 3,
  performanceDrop: 0.05,
  skewRate: 0.05,
  sustained: 2,
  cooldownMs: 24 * 3_600_000,
};

export interface RetrainReason {
  readonly trigger: RetrainTrigger;
  /** Start of the first window of the run that sustained it. */
  readonly since: number;
  /** Windows the trigger has held in a row. */
  readonly windows: number;
  /** The signals that met it in the requesting window. */
  readonly evidence: readonly Signal[];
}

export interface RetrainRequest {
  readonly requestId: string;
  readonly monitor: string;
  readonly modelName: string;
  /** The version most of the evidence is about ('' when the evidence names none). */
  readonly modelVersion: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly reasons: readonly RetrainReason[];
  /** One sentence naming the model, the version and what calls for the request. */
  readonly reason: string;
  readonly trainingWindowStart: number;
  readonly trainingWindowEnd: number;
}

interface Run {
  length: number;
  start: number;
  lastStart: number;
}

interface ModelState {
  readonly runs: Record<RetrainTrigger, Run>;
}

export class RetrainPolicy {
  readonly #options: RetrainPolicyOptions;
  readonly #gate: EpisodeGate;
  readonly #models = new Map<string, ModelState>();
  #requests = 0;
  #held = 0;

  constructor(options: RetrainPolicyOptions = RETRAIN_DEFAULTS) {
    const { minCriticalFeatures, performanceDrop, skewRate, sustained } = options;
    if (
      minCriticalFeatures !== null &&
      !(Number.isInteger(minCriticalFeatures) && minCriticalFeatures >= 1)
    ) {
      throw optionError('minCriticalFeatures', 'must be an integer >= 1 or null', minCriticalFeatures);
    }
    if (performanceDrop !== null && !(performanceDrop > 0 && Number.isFinite(performanceDrop))) {
      throw optionError('performanceDrop', 'must be a relative drop above 0 or null', performanceDrop);
    }
    if (skewRate !== null && !(skewRate > 0 && skewRate <= 1)) {
      throw optionError('skewRate', 'must be a rate in (0, 1] or null', skewRate);
    }
    if (!(Number.isInteger(sustained) && sustained >= 1)) {
      throw optionError('sustained', 'must be an integer >= 1', sustained);
    }
    this.#options = options;
    this.#gate = new EpisodeGate({ cooldownMs: options.cooldownMs, untilRecovered: false });
  }

  /** Requests made, and requests a sustained trigger asked for that the cooldown held back. */
  get counters(): { readonly requests: number; readonly held: number } {
    return { requests: this.#requests, held: this.#held };
  }

  /** Applies the signals of one or more windows; returns the requests they call for, in window order. */
  observe(signals: readonly Signal[]): RetrainRequest[] {
    const groups = new Map<string, Map<number, Signal[]>>();
    for (const s of signals) {
      const key = `${s.monitor}\u0000${s.modelName}`;
      let windows = groups.get(key);
      if (windows === undefined) {
        windows = new Map();
        groups.set(key, windows);
      }
      const list = windows.get(s.windowStart);
      if (list === undefined) windows.set(s.windowStart, [s]);
      else list.push(s);
    }
    const out: RetrainRequest[] = [];
    for (const [key, windows] of groups) {
      for (const start of [...windows.keys()].sort((a, b) => a - b)) {
        const request = this.#window(key, windows.get(start)!);
        if (request !== null) out.push(request);
      }
    }
    return out;
  }

  #window(key: string, signals: readonly Signal[]): RetrainRequest | null {
    let state = this.#models.get(key);
    if (state === undefined) {
      const run = (): Run => ({ length: 0, start: 0, lastStart: Number.NEGATIVE_INFINITY });
      state = { runs: { critical_features: run(), performance_drop: run(), skew: run() } };
      this.#models.set(key, state);
    }
    const first = signals[0]!;
    const start = first.windowStart;
    let end = first.windowEnd;
    for (const s of signals) if (s.windowEnd > end) end = s.windowEnd;
    const reasons: RetrainReason[] = [];
    for (const trigger of RETRAIN_TRIGGERS) {
      const verdict = this.#judge(trigger, signals);
      if (verdict === null) continue;
      const run = state.runs[trigger];
      if (start <= run.lastStart) continue; // a window already judged (a revision or a replayed output)
      run.lastStart = start;
      if (verdict.length === 0) {
        run.length = 0;
        continue;
      }
      if (run.length === 0) run.start = start;
      run.length++;
      if (run.length >= this.#options.sustained) {
        reasons.push({ trigger, since: run.start, windows: run.length, evidence: verdict });
      }
    }
    if (reasons.length === 0) return null;
    if (!this.#gate.tryOpen(key, start)) {
      this.#held++;
      return null;
    }
    this.#requests++;
    const evidence = reasons.flatMap((r) => r.evidence);
    const modelVersion = commonestVersion(evidence);
    let since = reasons[0]!.since;
    for (const r of reasons) if (r.since < since) since = r.since;
    return {
      requestId: retrainRequestId(first.monitor, first.modelName, modelVersion, start),
      monitor: first.monitor,
      modelName: first.modelName,
      modelVersion,
      windowStart: start,
      windowEnd: end,
      reasons,
      reason: retrainReason(first.modelName, modelVersion, reasons, this.#options),
      trainingWindowStart: since,
      trainingWindowEnd: end,
    };
  }

  /**
   * The signals that meet `trigger` in one window: null when the window holds nothing the trigger reads (or the
   * trigger is disabled), empty when it was evaluated and not met.
   */
  #judge(trigger: RetrainTrigger, signals: readonly Signal[]): Signal[] | null {
    const o = this.#options;
    if (trigger === 'critical_features') {
      if (o.minCriticalFeatures === null) return null;
      const relevant = signals.filter(
        (s) => s.kind === 'feature_drift' && (s.segment === null || s.segment === '*'),
      );
      if (relevant.length === 0) return null;
      const critical = relevant.filter((s) => s.severity === 'critical');
      return new Set(critical.map((s) => s.subject)).size >= o.minCriticalFeatures ? critical : [];
    }
    if (trigger === 'performance_drop') {
      if (o.performanceDrop === null) return null;
      const level = o.performanceDrop;
      // Live versions' findings, and clean reports (which carry no role); a candidate's drop is the rollback's business.
      const relevant = signals.filter(
        (s) => s.kind === 'performance' && s.role !== 'shadow' && s.role !== 'canary',
      );
      if (relevant.length === 0) return null;
      return relevant.filter((s) => s.severity !== null && (relativeDrop(s) ?? Number.NaN) >= level);
    }
    if (o.skewRate === null) return null;
    const level = o.skewRate;
    const relevant = signals.filter((s) => s.kind === 'skew');
    if (relevant.length === 0) return null;
    return relevant.filter((s) => s.severity !== null && s.metric === 'mismatch_rate' && s.value >= level);
  }
}

/** The relative drop of a performance signal from its reference, in the metric's direction; null if unknown. */
export function relativeDrop(s: Signal): number | null {
  const direction = PERFORMANCE_METRIC_DIRECTIONS[s.metric as keyof typeof PERFORMANCE_METRIC_DIRECTIONS];
  if (direction === undefined || s.reference === null || s.reference === 0 || !Number.isFinite(s.value)) {
    return null;
  }
  return direction === 'higher-is-better'
    ? (s.reference - s.value) / s.reference
    : (s.value - s.reference) / s.reference;
}

function commonestVersion(signals: readonly Signal[]): string {
  const counts = new Map<string, number>();
  for (const s of signals)
    if (s.modelVersion !== '') counts.set(s.modelVersion, (counts.get(s.modelVersion) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [version, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n > bestCount) {
      best = version;
      bestCount = n;
    }
  }
  return best;
}

/** "retrain credit-risk 1.2: 3 features drift at critical (amount, channel, income) for 2 windows; ..." */
export function retrainReason(
  modelName: string,
  modelVersion: string,
  reasons: readonly RetrainReason[],
  options: RetrainPolicyOptions,
): string {
  const parts = reasons.map((r) => {
    const windows = `for ${r.windows} window${r.windows === 1 ? '' : 's'}`;
    const subjects = [...new Set(r.evidence.map((s) => s.subject))];
    if (r.trigger === 'critical_features') {
      return `${subjects.length} features drift at critical (${subjects.join(', ')}) ${windows}`;
    }
    if (r.trigger === 'performance_drop') {
      const drops = r.evidence.map((s) => `${s.metric} down ${percent(relativeDrop(s) ?? Number.NaN)}`);
      return `${drops.join(', ')} (level ${percent(options.performanceDrop ?? Number.NaN)}) ${windows}`;
    }
    const rates = r.evidence.map((s) => `${s.subject} ${percent(s.value)}`);
    return `training-serving mismatch ${rates.join(', ')} (level ${percent(options.skewRate ?? Number.NaN)}) ${windows}`;
  });
  const model = modelVersion === '' ? modelName : `${modelName} ${modelVersion}`;
  return `retrain ${model}: ${parts.join('; ')}`;
}

function percent(x: number): string {
  return Number.isFinite(x) ? `${Number((x * 100).toPrecision(3))}%` : String(x);
}
