import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { ExpiryHeap, type ExpiryItem } from './expiry-heap.ts';

/**
 * What a second record for a key already held on the same side does:
 * - `keep-first`: the held record stays, the newcomer is counted as a duplicate;
 * - `keep-last`: the newcomer replaces the held (still unmatched) record, which is counted as a duplicate.
 * Under both, a record for a key that has already been matched is a duplicate: a pair is emitted once and never
 * retracted.
 */
export type DuplicatePolicy = 'keep-first' | 'keep-last';

/** Why a record left the join without a partner. */
export type UnmatchedReason =
  /** The watermark passed its expiry while it waited. */
  | 'expired'
  /** Its key was evicted to keep the join under `maxKeys`. */
  | 'evicted'
  /** It arrived after its own expiry had passed, so it could not wait (and was not matched). */
  | 'late'
  /** Its key already had a record on the same side (see DuplicatePolicy). */
  | 'duplicate';

export interface IntervalJoinOptions {
  /**
   * A right record matches a left record at time t when it has the same key and its time lies in
   * [t - beforeMs, t + afterMs] (both ends included). Both are >= 0.
   */
  readonly beforeMs: number;
  readonly afterMs: number;
  /** How long past the interval's end (in event time) a record still waits for its partner. */
  readonly graceMs: number;
  /**
   * At most this many keys are held (waiting records and remembered matches). When one more arrives, remembered
   * matches are forgotten first (soonest to expire first), then the key whose record expires first is evicted.
   */
  readonly maxKeys: number;
  /** Default `keep-first`. */
  readonly duplicates?: DuplicatePolicy;
  /**
   * Remember matched keys until both records would have expired, so that a later record for them is counted as a
   * duplicate rather than held and expired as unmatched. Default true; false saves a key per match.
   */
  readonly rememberMatchedKeys?: boolean;
}

/**
 * Receives what the join decides, synchronously, from inside `left`, `right` and `advance`. A listener must not call
 * back into the join it listens to.
 */
export interface IntervalJoinListener<L, R> {
  matched(key: string, left: L, leftTime: number, right: R, rightTime: number): void;
  leftUnmatched?(reason: UnmatchedReason, key: string, time: number, left: L): void;
  rightUnmatched?(reason: UnmatchedReason, key: string, time: number, right: R): void;
}

/**
 * Conservation, per side, at every moment (property-tested):
 *   leftSeen  = matched + leftExpiredUnmatched  + leftDuplicates  + leftEvicted  + leftLate  + leftHeld
 *   rightSeen = matched + rightExpiredUnmatched + rightDuplicates + rightEvicted + rightLate + rightHeld
 * so every record is in exactly one bucket; after `flush()` the held counts are 0.
 */
export interface IntervalJoinCounts {
  readonly leftSeen: number;
  readonly rightSeen: number;
  /** Pairs emitted; each consumed one left and one right record. */
  readonly matched: number;
  readonly leftExpiredUnmatched: number;
  readonly rightExpiredUnmatched: number;
  readonly leftDuplicates: number;
  readonly rightDuplicates: number;
  /** leftDuplicates + rightDuplicates. */
  readonly duplicates: number;
  readonly leftEvicted: number;
  readonly rightEvicted: number;
  /** leftEvicted + rightEvicted: records evicted under `maxKeys`. */
  readonly evicted: number;
  readonly leftLate: number;
  readonly rightLate: number;
  /** leftLate + rightLate. */
  readonly late: number;
  /** Records waiting for a partner now. */
  readonly leftHeld: number;
  readonly rightHeld: number;
  /** Remembered matches forgotten under `maxKeys` (no record is lost: both were counted as matched). */
  readonly evictedMatchedKeys: number;
}

const LEFT = 0;
const RIGHT = 1;
const MATCHED = 2;
type Kind = typeof LEFT | typeof RIGHT | typeof MATCHED;

/** A waiting record, or (kind MATCHED) the memory of a matched key. It is its own heap entry. */
class Held<L, R> implements ExpiryItem {
  heapIndex = -1;
  constructor(
    readonly state: KeyState<L, R>,
    public kind: Kind,
    public time: number,
    public value: L | R | undefined,
    public due: number,
    public seq: number,
  ) {}
}

/** Everything held for one key. Invariant: `matched` set implies `left` and `right` unset; some field is set. */
interface KeyState<L, R> {
  readonly key: string;
  left: Held<L, R> | undefined;
  right: Held<L, R> | undefined;
  matched: Held<L, R> | undefined;
}

function requireNonNegative(option: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${option} must be a finite number >= 0, got ${value}`,
      { option, value },
    );
  }
}

function validateOptions(options: IntervalJoinOptions): void {
  requireNonNegative('beforeMs', options.beforeMs);
  requireNonNegative('afterMs', options.afterMs);
  requireNonNegative('graceMs', options.graceMs);
  if (!Number.isSafeInteger(options.maxKeys) || options.maxKeys < 1) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `maxKeys must be an integer >= 1, got ${options.maxKeys}`,
      { option: 'maxKeys', value: options.maxKeys },
    );
  }
  const d = options.duplicates;
  if (d !== undefined && d !== 'keep-first' && d !== 'keep-last') {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `duplicates must be "keep-first" or "keep-last", got ${String(d)}`,
      { option: 'duplicates', value: d },
    );
  }
}

/**
 * A two-sided, one-to-one join of records keyed by a string id, each with an event time, in bounded memory, driven
 * only by the event times it is given and the watermark passed to `advance` (no clock).
 *
 * A left record at time t matches the right record with the same key whose time r lies in [t - before, t + after],
 * whichever arrives first: the first one waits for the other. A left record waits until the watermark passes
 * t + after + grace, a right record until it passes r + before + grace (its expiry: the last partner time that could
 * match, plus grace); then it is emitted as unmatched. "Passes" is strict: a record expires when expiry < watermark,
 * since the watermark promises only that event times below it have arrived.
 *
 * Policies:
 * - one-to-one: a key is matched at most once; the pair is emitted as soon as its second record arrives, and any
 *   later record for the key (either side) is a duplicate while the match is remembered (first match wins);
 * - a record arriving after its own expiry is `late` and is neither held nor matched, even if its partner still
 *   waits. This keeps the guarantee callers build windows on: when a pair is emitted, both records' expiries are
 *   >= the watermark, so a window over either record's time closes safely once the watermark passes its end + the
 *   bound + grace;
 * - duplicates on one side follow `DuplicatePolicy`;
 * - the key cap evicts, in order: remembered matches (soonest expiry first), then the whole key (both sides) whose
 *   waiting record expires first; each evicted record is counted and handed to the listener.
 *
 * Invariants:
 * - every record seen is, at any moment, in exactly one of: matched, expired, duplicate, evicted, late, held
 *   (`IntervalJoinCounts`);
 * - at most `maxKeys` keys are held after each call, and each heap holds exactly the live entries (one per waiting
 *   record, one per remembered match), so memory is O(maxKeys);
 * - records expire in (expiry, arrival) order, by a min-heap: an `advance` costs O(log n) per expired record, not a
 *   scan of the keys;
 * - the watermark never goes backwards (a lower one is ignored).
 */
export class KeyedIntervalJoin<L, R> {
  readonly #before: number;
  readonly #after: number;
  readonly #grace: number;
  readonly #maxKeys: number;
  readonly #keepFirst: boolean;
  readonly #remember: boolean;
  readonly #listener: IntervalJoinListener<L, R>;
  readonly #keys = new Map<string, KeyState<L, R>>();
  /** Waiting records, by expiry. */
  readonly #waiting = new ExpiryHeap<Held<L, R>>();
  /** Remembered matches, by expiry. */
  readonly #matchedKeys = new ExpiryHeap<Held<L, R>>();
  #watermark = Number.NEGATIVE_INFINITY;
  #seq = 0;

  #leftSeen = 0;
  #rightSeen = 0;
  #matched = 0;
  #leftExpired = 0;
  #rightExpired = 0;
  #leftDuplicates = 0;
  #rightDuplicates = 0;
  #leftEvicted = 0;
  #rightEvicted = 0;
  #leftLate = 0;
  #rightLate = 0;
  #leftHeld = 0;
  #rightHeld = 0;
  #evictedMatchedKeys = 0;

  constructor(options: IntervalJoinOptions, listener: IntervalJoinListener<L, R>) {
    validateOptions(options);
    this.#before = options.beforeMs;
    this.#after = options.afterMs;
    this.#grace = options.graceMs;
    this.#maxKeys = options.maxKeys;
    this.#keepFirst = (options.duplicates ?? 'keep-first') === 'keep-first';
    this.#remember = options.rememberMatchedKeys ?? true;
    this.#listener = listener;
  }

  /** The highest watermark seen by `advance`; -Infinity before the first. */
  get watermark(): number {
    return this.#watermark;
  }

  /** Keys held now (waiting records or remembered matches); never above maxKeys after a call returns. */
  get keyCount(): number {
    return this.#keys.size;
  }

  left(key: string, time: number, record: L): void {
    checkTime(time);
    this.#leftSeen++;
    this.#add(LEFT, key, time, record);
  }

  right(key: string, time: number, record: R): void {
    checkTime(time);
    this.#rightSeen++;
    this.#add(RIGHT, key, time, record);
  }

  /**
   * Moves event time to `watermark` and emits, as unmatched, every waiting record whose expiry is below it, in
   * (expiry, arrival) order; forgets remembered matches likewise.
   */
  advance(watermark: number): void {
    if (Number.isNaN(watermark)) {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'watermark must be a number, got NaN', {
        option: 'watermark',
      });
    }
    if (watermark <= this.#watermark) return;
    this.#watermark = watermark;
    for (;;) {
      const top = this.#waiting.peek();
      if (top === undefined || !(top.due < watermark)) break;
      this.#waiting.pop();
      const state = top.state;
      if (top.kind === LEFT) {
        state.left = undefined;
        this.#leftHeld--;
        this.#leftExpired++;
      } else {
        state.right = undefined;
        this.#rightHeld--;
        this.#rightExpired++;
      }
      this.#releaseIfEmpty(state);
      this.#emitUnmatched(top.kind, 'expired', state.key, top.time, top.value);
    }
    for (;;) {
      const top = this.#matchedKeys.peek();
      if (top === undefined || !(top.due < watermark)) break;
      this.#matchedKeys.pop();
      top.state.matched = undefined;
      this.#releaseIfEmpty(top.state);
    }
  }

  /** End of input: every waiting record expires (as with an infinite watermark). Later records are late. */
  flush(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  counts(): IntervalJoinCounts {
    return {
      leftSeen: this.#leftSeen,
      rightSeen: this.#rightSeen,
      matched: this.#matched,
      leftExpiredUnmatched: this.#leftExpired,
      rightExpiredUnmatched: this.#rightExpired,
      leftDuplicates: this.#leftDuplicates,
      rightDuplicates: this.#rightDuplicates,
      duplicates: this.#leftDuplicates + this.#rightDuplicates,
      leftEvicted: this.#leftEvicted,
      rightEvicted: this.#rightEvicted,
      evicted: this.#leftEvicted + this.#rightEvicted,
      leftLate: this.#leftLate,
      rightLate: this.#rightLate,
      late: this.#leftLate + this.#rightLate,
      leftHeld: this.#leftHeld,
      rightHeld: this.#rightHeld,
      evictedMatchedKeys: this.#evictedMatchedKeys,
    };
  }

  #add(side: typeof LEFT | typeof RIGHT, key: string, time: number, record: L | R): void {
    const state = this.#keys.get(key);
    const own = state === undefined ? undefined : side === LEFT ? state.left : state.right;
    if (state !== undefined && (state.matched !== undefined || (own !== undefined && this.#keepFirst))) {
      this.#countDuplicate(side);
      this.#emitUnmatched(side, 'duplicate', key, time, record);
      return;
    }
    const due = time + (side === LEFT ? this.#after : this.#before) + this.#grace;
    if (due < this.#watermark) {
      if (side === LEFT) this.#leftLate++;
      else this.#rightLate++;
      this.#emitUnmatched(side, 'late', key, time, record);
      return;
    }

    const other = state === undefined ? undefined : side === LEFT ? state.right : state.left;
    if (other !== undefined && this.#inRange(side, time, other.time)) {
      // state is defined here. Take the partner (and, under keep-last, the superseded own record) out of the
      // waiting set before any callback runs.
      const s = state!;
      this.#waiting.remove(other);
      const otherTime = other.time;
      const otherValue = other.value;
      if (side === LEFT) {
        s.right = undefined;
        this.#rightHeld--;
      } else {
        s.left = undefined;
        this.#leftHeld--;
      }
      if (own !== undefined) this.#dropOwn(s, own);
      this.#matched++;
      if (this.#remember) {
        // The partner's entry becomes the memory of the match: no allocation, and its value is released.
        other.kind = MATCHED;
        other.value = undefined;
        other.due = Math.max(due, other.due);
        other.seq = this.#seq++;
        s.matched = other;
        this.#matchedKeys.push(other);
      } else {
        this.#keys.delete(key);
      }
      if (own !== undefined) this.#emitUnmatched(side, 'duplicate', key, own.time, own.value);
      if (side === LEFT) this.#listener.matched(key, record as L, time, otherValue as R, otherTime);
      else this.#listener.matched(key, otherValue as L, otherTime, record as R, time);
      return;
    }

    if (own !== undefined) {
      // keep-last: the newcomer takes the place of the record already waiting, which is a duplicate now.
      const s = state!;
      const oldTime = own.time;
      const oldValue = own.value;
      this.#waiting.remove(own);
      own.time = time;
      own.value = record;
      own.due = due;
      own.seq = this.#seq++;
      this.#waiting.push(own);
      this.#countDuplicate(side);
      this.#emitUnmatched(side, 'duplicate', s.key, oldTime, oldValue);
      return;
    }

    let s = state;
    if (s === undefined) {
      s = { key, left: undefined, right: undefined, matched: undefined };
      this.#keys.set(key, s);
    }
    const held = new Held<L, R>(s, side, time, record, due, this.#seq++);
    if (side === LEFT) {
      s.left = held;
      this.#leftHeld++;
    } else {
      s.right = held;
      this.#rightHeld++;
    }
    this.#waiting.push(held);
    if (this.#keys.size > this.#maxKeys) this.#evictOne();
  }

  /** Whether a record of `side` at `time` and one of the other side at `otherTime` lie within the interval. */
  #inRange(side: typeof LEFT | typeof RIGHT, time: number, otherTime: number): boolean {
    const leftTime = side === LEFT ? time : otherTime;
    const rightTime = side === LEFT ? otherTime : time;
    return rightTime >= leftTime - this.#before && rightTime <= leftTime + this.#after;
  }

  /** Takes a superseded own-side record (keep-last) out of the waiting set and counts it as a duplicate. */
  #dropOwn(state: KeyState<L, R>, own: Held<L, R>): void {
    this.#waiting.remove(own);
    if (own.kind === LEFT) {
      state.left = undefined;
      this.#leftHeld--;
    } else {
      state.right = undefined;
      this.#rightHeld--;
    }
    this.#countDuplicate(own.kind as typeof LEFT | typeof RIGHT);
  }

  #countDuplicate(side: typeof LEFT | typeof RIGHT): void {
    if (side === LEFT) this.#leftDuplicates++;
    else this.#rightDuplicates++;
  }

  /** Brings the key count back to maxKeys: a remembered match if there is one, else the key expiring first. */
  #evictOne(): void {
    const remembered = this.#matchedKeys.pop();
    if (remembered !== undefined) {
      remembered.state.matched = undefined;
      this.#releaseIfEmpty(remembered.state);
      this.#evictedMatchedKeys++;
      return;
    }
    const first = this.#waiting.peek()!;
    const state = first.state;
    const { left, right } = state;
    this.#keys.delete(state.key);
    state.left = undefined;
    state.right = undefined;
    if (left !== undefined) {
      this.#waiting.remove(left);
      this.#leftHeld--;
      this.#leftEvicted++;
    }
    if (right !== undefined) {
      this.#waiting.remove(right);
      this.#rightHeld--;
      this.#rightEvicted++;
    }
    if (left !== undefined) this.#emitUnmatched(LEFT, 'evicted', state.key, left.time, left.value);
    if (right !== undefined) this.#emitUnmatched(RIGHT, 'evicted', state.key, right.time, right.value);
  }

  #releaseIfEmpty(state: KeyState<L, R>): void {
    if (state.left === undefined && state.right === undefined && state.matched === undefined) {
      this.#keys.delete(state.key);
    }
  }

  #emitUnmatched(
    side: Kind,
    reason: UnmatchedReason,
    key: string,
    time: number,
    record: L | R | undefined,
  ): void {
    if (side === LEFT) this.#listener.leftUnmatched?.(reason, key, time, record as L);
    else this.#listener.rightUnmatched?.(reason, key, time, record as R);
  }
}

function checkTime(time: number): void {
  if (!Number.isFinite(time)) {
    throw new DriftwatchError(
      ErrorCodes.EVENT_INVALID,
      `a join record's event time must be finite, got ${time}`,
      {
        time,
      },
    );
  }
}
