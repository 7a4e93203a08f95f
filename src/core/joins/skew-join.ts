import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { tumblingWindowStart } from '../time/tumbling-window.ts';
import { JoinWindows } from './join-windows.ts';
import {
  type DuplicatePolicy,
  type IntervalJoinCounts,
  KeyedIntervalJoin,
  type UnmatchedReason,
} from './keyed-interval-join.ts';
import {
  compileSkewSpec,
  type FeatureRecord,
  SkewAccumulator,
  type SkewFeature,
  type SkewSpec,
  skewJoinKey,
  skewKeyEntity,
} from './skew-accumulator.ts';

export interface SkewJoinOptions {
  readonly features: readonly SkewFeature[];
  /**
   * An online and an offline record of one entity join when their event times fall in the same bucket
   * [k * bucketMs, (k + 1) * bucketMs), e.g. a day for a daily offline recomputation, or 1 for point-in-time values
   * logged with the serving timestamp. Integer milliseconds.
   */
  readonly bucketMs: number;
  /** Results are accumulated per tumbling window of bucket times; a multiple of bucketMs. */
  readonly windowMs: number;
  /** How long past the bucket's end (event time) a record still waits for its partner. */
  readonly graceMs: number;
  /** At most this many (entity, bucket) keys are held. */
  readonly maxKeys: number;
  /** Mismatching keys kept per feature and window as evidence. Default SKEW_DEFAULT_MAX_EXAMPLES. */
  readonly maxExamples?: number;
  /**
   * Several records of one entity in one bucket on one side: `keep-first` (default) compares the first, `keep-last`
   * the latest still unmatched; the others are counted as duplicates.
   */
  readonly duplicates?: DuplicatePolicy;
}

export type SkewSide = 'online' | 'offline';

/** Receives the join's results synchronously; it must not call back into the join. */
export interface SkewJoinListener {
  /** A closed window [start, end) of bucket times with its skew counts, in start order, once. */
  window(start: number, end: number, skew: SkewAccumulator): void;
  /** A record that joined no partner, for callers that count or sample them (expired ones are in the window too). */
  unmatched?(
    side: SkewSide,
    reason: UnmatchedReason,
    entity: string,
    bucketStart: number,
    values: FeatureRecord,
  ): void;
}

/**
 * Conservation, per side, at every moment:
 *   online  = joined + onlineOnly  + onlineDuplicates  + onlineEvicted  + onlineLate  + onlineWaiting
 *   offline = joined + offlineOnly + offlineDuplicates + offlineEvicted + offlineLate + offlineWaiting
 * Only `joined` pairs and the expired one-sided records (onlineOnly, offlineOnly) enter the window counts; evicted,
 * late and duplicate records are counted here, since their other side is unknown.
 */
export interface SkewJoinCounts {
  readonly online: number;
  readonly offline: number;
  readonly joined: number;
  readonly onlineOnly: number;
  readonly offlineOnly: number;
  readonly onlineDuplicates: number;
  readonly offlineDuplicates: number;
  readonly onlineEvicted: number;
  readonly offlineEvicted: number;
  readonly onlineLate: number;
  readonly offlineLate: number;
  readonly onlineWaiting: number;
  readonly offlineWaiting: number;
}

function requireInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `${option} must be an integer >= 1, got ${value}`, {
      option,
      value,
    });
  }
}

/**
 * Keyed training-serving skew: feature values as served online joined, per entity and time bucket, with the values
 * the training pipeline recomputed offline, and compared feature by feature (rules in SkewAccumulator).
 *
 * Both records of a key carry the bucket's last millisecond as their join time, with a zero-width interval, so a
 * key waits until the watermark passes the bucket's end - 1 + grace and the two sides expire together. The unit of
 * the counts is the (entity, bucket): the mismatch rate is the share of compared entity-buckets that disagree.
 *
 * Invariants:
 * - each window's accumulator receives exactly the joined pairs and expired one-sided records of its buckets, and is
 *   emitted once, after the watermark passes the window's end - 1 + grace (no later result can belong to it);
 * - records are compared without copying: the join holds the caller's record objects until they resolve.
 */
export class SkewJoin {
  readonly #join: KeyedIntervalJoin<FeatureRecord, FeatureRecord>;
  readonly #windows: JoinWindows<SkewAccumulator>;
  readonly #spec: SkewSpec;
  readonly #bucketMs: number;
  readonly #listener: SkewJoinListener;
  readonly #emitWindow: (start: number, end: number, skew: SkewAccumulator) => void;

  constructor(options: SkewJoinOptions, listener: SkewJoinListener) {
    requireInteger('bucketMs', options.bucketMs);
    requireInteger('windowMs', options.windowMs);
    if (options.windowMs % options.bucketMs !== 0) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `windowMs must be a multiple of bucketMs (${options.bucketMs}), got ${options.windowMs}`,
        { option: 'windowMs', value: options.windowMs },
      );
    }
    this.#spec = compileSkewSpec(options.features, options.maxExamples);
    this.#bucketMs = options.bucketMs;
    this.#listener = listener;
    this.#emitWindow = (start, end, skew) => listener.window(start, end, skew);
    const spec = this.#spec;
    this.#windows = new JoinWindows(options.windowMs, options.graceMs, () => new SkewAccumulator(spec));
    const bucketMs = options.bucketMs;
    this.#join = new KeyedIntervalJoin<FeatureRecord, FeatureRecord>(
      {
        beforeMs: 0,
        afterMs: 0,
        graceMs: options.graceMs,
        maxKeys: options.maxKeys,
        duplicates: options.duplicates,
      },
      {
        matched: (key, online, time, offline) => {
          const bucketStart = time - bucketMs + 1;
          this.#windows.at(bucketStart).compare(key, bucketStart, online, offline);
        },
        leftUnmatched: (reason, key, time, values) => this.#unmatched('online', reason, key, time, values),
        rightUnmatched: (reason, key, time, values) => this.#unmatched('offline', reason, key, time, values),
      },
    );
  }

  get watermark(): number {
    return this.#join.watermark;
  }

  get keyCount(): number {
    return this.#join.keyCount;
  }

  /** Feature values as served for `entity` at event time `time`. */
  online(entity: string, time: number, values: FeatureRecord): void {
    const bucketStart = tumblingWindowStart(time, this.#bucketMs);
    this.#join.left(skewJoinKey(entity, bucketStart), bucketStart + this.#bucketMs - 1, values);
  }

  /** Feature values recomputed offline for `entity` at (or as of) event time `time`. */
  offline(entity: string, time: number, values: FeatureRecord): void {
    const bucketStart = tumblingWindowStart(time, this.#bucketMs);
    this.#join.right(skewJoinKey(entity, bucketStart), bucketStart + this.#bucketMs - 1, values);
  }

  /** Expires what the watermark passed, then emits the windows it closed. */
  advance(watermark: number): void {
    this.#join.advance(watermark);
    this.#windows.close(this.#join.watermark, this.#emitWindow);
  }

  /** End of input: everything waiting expires and every window closes. */
  flush(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  counts(): SkewJoinCounts {
    return skewCounts(this.#join.counts());
  }

  #unmatched(
    side: SkewSide,
    reason: UnmatchedReason,
    key: string,
    time: number,
    values: FeatureRecord,
  ): void {
    const bucketStart = time - this.#bucketMs + 1;
    if (reason === 'expired') {
      const acc = this.#windows.at(bucketStart);
      if (side === 'online') acc.onlyOnline(values);
      else acc.onlyOffline(values);
    }
    this.#listener.unmatched?.(side, reason, skewKeyEntity(key), bucketStart, values);
  }
}

function skewCounts(c: IntervalJoinCounts): SkewJoinCounts {
  return {
    online: c.leftSeen,
    offline: c.rightSeen,
    joined: c.matched,
    onlineOnly: c.leftExpiredUnmatched,
    offlineOnly: c.rightExpiredUnmatched,
    onlineDuplicates: c.leftDuplicates,
    offlineDuplicates: c.rightDuplicates,
    onlineEvicted: c.leftEvicted,
    offlineEvicted: c.rightEvicted,
    onlineLate: c.leftLate,
    offlineLate: c.rightLate,
    onlineWaiting: c.leftHeld,
    offlineWaiting: c.rightHeld,
  };
}
