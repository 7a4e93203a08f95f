import type { Clock } from './clock.ts';

export interface WatermarkOptions {
  /** A partition's watermark is the highest event time it delivered minus this bound. */
  readonly outOfOrdernessMs: number;
  /** A partition silent for this long (wall clock) stops holding the stream's watermark back. */
  readonly idleTimeoutMs: number;
  /**
   * When every partition has been silent this long, the watermark also follows the wall clock, lagging it by this
   * same amount, so windows on a quiet stream close. 0 disables the wall-clock advance.
   */
  readonly quietCloseMs: number;
}

interface PartitionTime {
  /** -Infinity until the partition delivers its first event. */
  maxEventTime: number;
  lastSeenWall: number;
  /** The partition has events it has not delivered yet (consumer lag, or paused by backpressure). */
  lagging: boolean;
}

/**
 * Event-time progress of one stream made of several partitions.
 *
 * Invariants:
 * - the stream's watermark is the minimum of the partition watermarks over active (non-idle) partitions; when all
 *   are idle it is the maximum over all of them, since nothing is left that could hold it back;
 * - an assigned partition that has not delivered yet holds the watermark at -Infinity until it delivers or goes
 *   idle, so a first fetch that misses a partition does not make that partition's backlog late;
 * - a lagging partition (data known to be waiting for it) is never idle, and while any partition lags the wall
 *   clock does not advance the watermark: silence caused by backpressure or a slow fetch is not a quiet stream;
 * - the reported watermark never goes backwards, even when an idle partition wakes up behind it (its events are
 *   then late, which is the point of the idleness timeout);
 * - before any event, the watermark is -Infinity.
 */
export class WatermarkTracker {
  readonly #options: WatermarkOptions;
  readonly #clock: Clock;
  readonly #partitions = new Map<number, PartitionTime>();
  #lastActivityWall = Number.NEGATIVE_INFINITY;
  #emitted = Number.NEGATIVE_INFINITY;
  #anyEvent = false;

  constructor(options: WatermarkOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
  }

  /**
   * Sets the partitions this instance reads (e.g. on a consumer-group assignment). New ones start with no event
   * time and hold the watermark back; partitions no longer assigned are forgotten.
   */
  assign(partitions: readonly number[]): void {
    const now = this.#clock.now();
    const keep = new Set(partitions);
    for (const p of this.#partitions.keys()) if (!keep.has(p)) this.#partitions.delete(p);
    for (const p of partitions) {
      if (!this.#partitions.has(p)) {
        this.#partitions.set(p, {
          maxEventTime: Number.NEGATIVE_INFINITY,
          lastSeenWall: now,
          lagging: false,
        });
      }
    }
  }

  /**
   * Records that `partition` delivered events whose highest event time is `maxEventTime`, and whether more events
   * are already waiting on it (`lagging`).
   */
  observe(partition: number, maxEventTime: number, lagging = false): void {
    const now = this.#clock.now();
    const state = this.#partitions.get(partition);
    if (state === undefined) {
      this.#partitions.set(partition, { maxEventTime, lastSeenWall: now, lagging });
    } else {
      if (maxEventTime > state.maxEventTime) state.maxEventTime = maxEventTime;
      state.lastSeenWall = now;
      state.lagging = lagging;
    }
    this.#lastActivityWall = now;
    this.#anyEvent = true;
  }

  /** Records that `partition` was polled and had nothing new; it still counts as alive for idleness. */
  touch(partition: number, lagging = false): void {
    const state = this.#partitions.get(partition);
    if (state !== undefined) {
      state.lastSeenWall = this.#clock.now();
      state.lagging = lagging;
    }
  }

  /** Forgets a partition, e.g. after it was revoked from this instance. */
  remove(partition: number): void {
    this.#partitions.delete(partition);
  }

  /** The stream's watermark now: every event time below it is expected to have arrived. */
  current(): number {
    const now = this.#clock.now();
    const { outOfOrdernessMs, idleTimeoutMs, quietCloseMs } = this.#options;
    let activeMin = Number.POSITIVE_INFINITY;
    let anyActive = false;
    let anyLagging = false;
    let allMax = Number.NEGATIVE_INFINITY;
    for (const state of this.#partitions.values()) {
      const wm = state.maxEventTime - outOfOrdernessMs;
      if (wm > allMax) allMax = wm;
      if (state.lagging) anyLagging = true;
      if (state.lagging || now - state.lastSeenWall < idleTimeoutMs) {
        anyActive = true;
        if (wm < activeMin) activeMin = wm;
      }
    }
    let wm = anyActive ? activeMin : allMax;
    // Before any event there is nothing to close, and a wall-clock watermark would make a backlog entirely late.
    if (quietCloseMs > 0 && this.#anyEvent && !anyLagging && now - this.#lastActivityWall >= quietCloseMs) {
      const wallWatermark = now - quietCloseMs;
      if (wallWatermark > wm) wm = wallWatermark;
    }
    if (wm > this.#emitted) this.#emitted = wm;
    return this.#emitted;
  }
}
