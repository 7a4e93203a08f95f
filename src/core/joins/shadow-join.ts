import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { JoinWindows } from './join-windows.ts';
import {
  type DuplicatePolicy,
  type IntervalJoinCounts,
  KeyedIntervalJoin,
  type UnmatchedReason,
} from './keyed-interval-join.ts';

/** What the join reads of a prediction: its class and/or its score. Callers may pass richer objects. */
export interface ModelOutput {
  readonly label?: string | number | boolean | null;
  readonly score?: number | null;
}

/**
 * When a live and a shadow output agree:
 * - `label`: equal classes (strict equality; missing = undefined, null or NaN; both missing agree, one missing
 *   disagrees);
 * - `score`: |shadow - live| <= tolerance for finite scores; both missing agree; otherwise equal only if === (equal
 *   infinities).
 */
export type ShadowAgreementRule =
  | { readonly kind: 'label' }
  | { readonly kind: 'score'; readonly tolerance: number };

export interface ShadowJoinOptions {
  /** A shadow output joins the live one of the same request id when their times differ by at most this much. */
  readonly maxSkewMs: number;
  readonly graceMs: number;
  readonly maxKeys: number;
  /** Agreement counts are accumulated per tumbling window of live times (one-sided outputs: their own time). */
  readonly windowMs: number;
  readonly agreement: ShadowAgreementRule;
  /** Several outputs for one request id on one side; default `keep-first`. */
  readonly duplicates?: DuplicatePolicy;
}

export type ShadowSide = 'live' | 'shadow';

/** Receives the join's results synchronously; it must not call back into the join. */
export interface ShadowJoinListener<T extends ModelOutput> {
  /**
   * One request answered by both versions. `scoreDiff` is shadow.score - live.score when both are finite, else NaN:
   * collect these (or the outputs) to compare the two output distributions.
   */
  paired(
    requestId: string,
    liveTime: number,
    live: T,
    shadowTime: number,
    shadow: T,
    agree: boolean,
    scoreDiff: number,
  ): void;
  /** A closed window of live times with its agreement counts, in start order, once. */
  window(start: number, end: number, agreement: ShadowAgreement): void;
  /** An output that joined no partner (expired ones are also counted in their window as live-only or shadow-only). */
  unmatched?(side: ShadowSide, reason: UnmatchedReason, requestId: string, time: number, output: T): void;
}

/** Conservation per side as in IntervalJoinCounts (live = left, shadow = right). */
export interface ShadowJoinCounts {
  readonly live: number;
  readonly shadow: number;
  readonly paired: number;
  readonly liveOnly: number;
  readonly shadowOnly: number;
  readonly liveDuplicates: number;
  readonly shadowDuplicates: number;
  readonly liveEvicted: number;
  readonly shadowEvicted: number;
  readonly liveLate: number;
  readonly shadowLate: number;
  readonly liveWaiting: number;
  readonly shadowWaiting: number;
}

export interface ShadowAgreementReport {
  readonly pairs: number;
  readonly agreements: number;
  /** agreements / pairs; null without pairs. */
  readonly agreementRate: number | null;
  readonly liveOnly: number;
  readonly shadowOnly: number;
  /** Pairs where both scores were finite. */
  readonly scoreDiffCount: number;
  /** Mean of shadow - live scores; null when scoreDiffCount is 0. */
  readonly meanScoreDiff: number | null;
  /** Mean of |shadow - live|; null when scoreDiffCount is 0. */
  readonly meanAbsScoreDiff: number | null;
}

/** Agreement counts of one window: plain sums, so `merge` of disjoint inputs equals the counts of their union. */
export class ShadowAgreement {
  pairs = 0;
  agreements = 0;
  liveOnly = 0;
  shadowOnly = 0;
  scoreDiffCount = 0;
  scoreDiffSum = 0;
  absScoreDiffSum = 0;

  addPair(agree: boolean, scoreDiff: number): void {
    this.pairs++;
    if (agree) this.agreements++;
    if (!Number.isNaN(scoreDiff)) {
      this.scoreDiffCount++;
      this.scoreDiffSum += scoreDiff;
      this.absScoreDiffSum += Math.abs(scoreDiff);
    }
  }

  merge(other: ShadowAgreement): void {
    this.pairs += other.pairs;
    this.agreements += other.agreements;
    this.liveOnly += other.liveOnly;
    this.shadowOnly += other.shadowOnly;
    this.scoreDiffCount += other.scoreDiffCount;
    this.scoreDiffSum += other.scoreDiffSum;
    this.absScoreDiffSum += other.absScoreDiffSum;
  }

  report(): ShadowAgreementReport {
    const n = this.scoreDiffCount;
    return {
      pairs: this.pairs,
      agreements: this.agreements,
      agreementRate: this.pairs === 0 ? null : this.agreements / this.pairs,
      liveOnly: this.liveOnly,
      shadowOnly: this.shadowOnly,
      scoreDiffCount: n,
      meanScoreDiff: n === 0 ? null : this.scoreDiffSum / n,
      meanAbsScoreDiff: n === 0 ? null : this.absScoreDiffSum / n,
    };
  }
}

function missing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
}

/** Whether two outputs agree under `rule` (see ShadowAgreementRule). */
export function outputsAgree(rule: ShadowAgreementRule, live: ModelOutput, shadow: ModelOutput): boolean {
  const a = rule.kind === 'label' ? live.label : live.score;
  const b = rule.kind === 'label' ? shadow.label : shadow.score;
  if (missing(a) || missing(b)) return missing(a) && missing(b);
  if (rule.kind === 'score' && typeof a === 'number' && typeof b === 'number' && Number.isFinite(a - b)) {
    return Math.abs(b - a) <= rule.tolerance;
  }
  return a === b;
}

function scoreDifference(live: ModelOutput, shadow: ModelOutput): number {
  const a = live.score;
  const b = shadow.score;
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b))
    return Number.NaN;
  return b - a;
}

/**
 * Live and shadow (or canary) outputs for the same request id, joined within ±maxSkewMs of event time (a
 * KeyedIntervalJoin with live on the left), with their agreement counted per window and every pair handed out.
 *
 * Invariants:
 * - a pair enters the window of its live time, a one-sided output that expired the window of its own time; each
 *   window is emitted once, after the watermark passes its end - 1 + maxSkew + grace, when no later result can belong
 *   to it;
 * - pairs + live-only + duplicates + evicted + late + waiting = live outputs seen (likewise for shadow): ShadowJoinCounts.
 */
export class ShadowJoin<T extends ModelOutput> {
  readonly #join: KeyedIntervalJoin<T, T>;
  readonly #windows: JoinWindows<ShadowAgreement>;
  readonly #emitWindow: (start: number, end: number, agreement: ShadowAgreement) => void;
  readonly #listener: ShadowJoinListener<T>;

  constructor(options: ShadowJoinOptions, listener: ShadowJoinListener<T>) {
    const rule = options.agreement;
    if (rule?.kind !== 'label' && rule?.kind !== 'score') {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'agreement.kind must be "label" or "score"', {
        option: 'agreement.kind',
        value: (rule as { kind?: unknown } | undefined)?.kind,
      });
    }
    if (rule.kind === 'score' && !(Number.isFinite(rule.tolerance) && rule.tolerance >= 0)) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `agreement.tolerance must be a finite number >= 0, got ${rule.tolerance}`,
        { option: 'agreement.tolerance', value: rule.tolerance },
      );
    }
    if (!Number.isFinite(options.maxSkewMs) || options.maxSkewMs < 0) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `maxSkewMs must be a finite number >= 0, got ${options.maxSkewMs}`,
        { option: 'maxSkewMs', value: options.maxSkewMs },
      );
    }
    this.#listener = listener;
    this.#emitWindow = (start, end, agreement) => listener.window(start, end, agreement);
    this.#join = new KeyedIntervalJoin<T, T>(
      {
        beforeMs: options.maxSkewMs,
        afterMs: options.maxSkewMs,
        graceMs: options.graceMs,
        maxKeys: options.maxKeys,
        duplicates: options.duplicates,
      },
      {
        matched: (id, live, liveTime, shadow, shadowTime) => {
          const agree = outputsAgree(rule, live, shadow);
          const diff = scoreDifference(live, shadow);
          this.#windows.at(liveTime).addPair(agree, diff);
          listener.paired(id, liveTime, live, shadowTime, shadow, agree, diff);
        },
        leftUnmatched: (reason, id, time, live) => this.#unmatched('live', reason, id, time, live),
        rightUnmatched: (reason, id, time, shadow) => this.#unmatched('shadow', reason, id, time, shadow),
      },
    );
    // After the join validated maxSkewMs and graceMs.
    this.#windows = new JoinWindows(
      options.windowMs,
      options.maxSkewMs + options.graceMs,
      () => new ShadowAgreement(),
    );
  }

  get watermark(): number {
    return this.#join.watermark;
  }

  get keyCount(): number {
    return this.#join.keyCount;
  }

  live(requestId: string, time: number, output: T): void {
    this.#join.left(requestId, time, output);
  }

  shadow(requestId: string, time: number, output: T): void {
    this.#join.right(requestId, time, output);
  }

  /** Expires what the watermark passed, then emits the windows it closed. */
  advance(watermark: number): void {
    this.#join.advance(watermark);
    this.#windows.close(this.#join.watermark, this.#emitWindow);
  }

  flush(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  counts(): ShadowJoinCounts {
    return shadowCounts(this.#join.counts());
  }

  #unmatched(side: ShadowSide, reason: UnmatchedReason, id: string, time: number, output: T): void {
    if (reason === 'expired') {
      const acc = this.#windows.at(time);
      if (side === 'live') acc.liveOnly++;
      else acc.shadowOnly++;
    }
    this.#listener.unmatched?.(side, reason, id, time, output);
  }
}

function shadowCounts(c: IntervalJoinCounts): ShadowJoinCounts {
  return {
    live: c.leftSeen,
    shadow: c.rightSeen,
    paired: c.matched,
    liveOnly: c.leftExpiredUnmatched,
    shadowOnly: c.rightExpiredUnmatched,
    liveDuplicates: c.leftDuplicates,
    shadowDuplicates: c.rightDuplicates,
    liveEvicted: c.leftEvicted,
    shadowEvicted: c.rightEvicted,
    liveLate: c.leftLate,
    shadowLate: c.rightLate,
    liveWaiting: c.leftHeld,
    shadowWaiting: c.rightHeld,
  };
}
