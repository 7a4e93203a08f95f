import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import {
  type DuplicatePolicy,
  type IntervalJoinCounts,
  KeyedIntervalJoin,
  type UnmatchedReason,
} from './keyed-interval-join.ts';

export interface LabelJoinOptions {
  /** A label matches its prediction when the label time is at most this long after the prediction time (days, in ms). */
  readonly lookbackMs: number;
  /**
   * A label time may also precede its prediction time by this much (clocks of the labelling and serving systems
   * disagree). Default 0.
   */
  readonly clockSkewMs?: number;
  /** How long past its expiry (event time) a record still waits for its partner. */
  readonly graceMs: number;
  /** At most this many prediction ids are held (see KeyedIntervalJoin). */
  readonly maxKeys: number;
  /**
   * Several predictions with one id, or several labels for one prediction before it arrives: `keep-first` (default)
   * keeps the first, `keep-last` the latest. Once a prediction is labelled, later labels for it are duplicates
   * whatever the policy (first match wins: a labelled pair is emitted once and never revised).
   */
  readonly duplicates?: DuplicatePolicy;
}

/** Receives the join's decisions synchronously; it must not call back into the join. */
export interface LabelJoinListener<P, L> {
  /**
   * A prediction and its label, keyed by the prediction time for windowed metrics. When it is called, the prediction
   * time + lookback + grace is >= the watermark, so a metrics window over prediction times may close once the
   * watermark passes its end + lookback + grace.
   */
  labelled(predictionTime: number, predictionId: string, prediction: P, label: L, labelTime: number): void;
  /**
   * A prediction that left without a label: `expired` (no label within the lookback), `evicted`, `late` or
   * `duplicate` (see UnmatchedReason).
   */
  unlabelled?(reason: UnmatchedReason, predictionId: string, predictionTime: number, prediction: P): void;
  /** A label that left without its prediction (`expired`: beyond the lookback, or for an id never seen; etc.). */
  orphanLabel?(reason: UnmatchedReason, predictionId: string, labelTime: number, label: L): void;
}

/**
 * Conservation, at every moment:
 *   predictions = labelled + unlabelled + predictionDuplicates + predictionsEvicted + predictionsLate + predictionsWaiting
 *   labels = labelled + orphanLabels + labelDuplicates + labelsEvicted + labelsLate + labelsWaiting
 */
export interface LabelJoinCounts {
  readonly predictions: number;
  readonly labels: number;
  readonly labelled: number;
  readonly unlabelled: number;
  readonly orphanLabels: number;
  readonly predictionDuplicates: number;
  readonly labelDuplicates: number;
  readonly predictionsEvicted: number;
  readonly labelsEvicted: number;
  readonly predictionsLate: number;
  readonly labelsLate: number;
  readonly predictionsWaiting: number;
  readonly labelsWaiting: number;
}

/**
 * Delayed ground truth joined to predictions by prediction id: the specialisation of KeyedIntervalJoin with
 * predictions on the left and labels on the right, the label time in
 * [prediction time - clockSkew, prediction time + lookback].
 *
 * A label that arrives before its prediction waits (until the watermark passes label time + clockSkew + grace) and
 * matches when the prediction comes. A prediction waits until the watermark passes prediction time + lookback +
 * grace, then is counted as unlabelled. Nothing is dropped without a count: see LabelJoinCounts.
 *
 * The watermark given to `advance` must cover both topics (the minimum of the prediction and label watermarks), or
 * records of the slower topic would be judged late.
 */
export class LabelJoin<P, L> {
  readonly #join: KeyedIntervalJoin<P, L>;

  constructor(options: LabelJoinOptions, listener: LabelJoinListener<P, L>) {
    const clockSkewMs = options.clockSkewMs ?? 0;
    const mapped = {
      beforeMs: clockSkewMs,
      afterMs: options.lookbackMs,
      graceMs: options.graceMs,
      maxKeys: options.maxKeys,
      duplicates: options.duplicates,
    };
    if (!Number.isFinite(options.lookbackMs) || options.lookbackMs < 0) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `lookbackMs must be a finite number >= 0, got ${options.lookbackMs}`,
        { option: 'lookbackMs', value: options.lookbackMs },
      );
    }
    if (!Number.isFinite(clockSkewMs) || clockSkewMs < 0) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `clockSkewMs must be a finite number >= 0, got ${clockSkewMs}`,
        { option: 'clockSkewMs', value: clockSkewMs },
      );
    }
    this.#join = new KeyedIntervalJoin<P, L>(mapped, {
      matched: (id, prediction, predictionTime, label, labelTime) =>
        listener.labelled(predictionTime, id, prediction, label, labelTime),
      leftUnmatched:
        listener.unlabelled === undefined
          ? undefined
          : (reason, id, time, prediction) => listener.unlabelled!(reason, id, time, prediction),
      rightUnmatched:
        listener.orphanLabel === undefined
          ? undefined
          : (reason, id, time, label) => listener.orphanLabel!(reason, id, time, label),
    });
  }

  get watermark(): number {
    return this.#join.watermark;
  }

  get keyCount(): number {
    return this.#join.keyCount;
  }

  prediction(predictionId: string, predictionTime: number, prediction: P): void {
    this.#join.left(predictionId, predictionTime, prediction);
  }

  label(predictionId: string, labelTime: number, label: L): void {
    this.#join.right(predictionId, labelTime, label);
  }

  advance(watermark: number): void {
    this.#join.advance(watermark);
  }

  flush(): void {
    this.#join.flush();
  }

  counts(): LabelJoinCounts {
    return labelCounts(this.#join.counts());
  }
}

function labelCounts(c: IntervalJoinCounts): LabelJoinCounts {
  return {
    predictions: c.leftSeen,
    labels: c.rightSeen,
    labelled: c.matched,
    unlabelled: c.leftExpiredUnmatched,
    orphanLabels: c.rightExpiredUnmatched,
    predictionDuplicates: c.leftDuplicates,
    labelDuplicates: c.rightDuplicates,
    predictionsEvicted: c.leftEvicted,
    labelsEvicted: c.rightEvicted,
    predictionsLate: c.leftLate,
    labelsLate: c.rightLate,
    predictionsWaiting: c.leftHeld,
    labelsWaiting: c.rightHeld,
  };
}
