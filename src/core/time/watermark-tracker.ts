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
  maxEventTime: number;
  lastSeenWall: number;
}

/**
 * Event-time progress of one stream made of several partitions.
 *
 * Invariants:
 * - the stream's watermark is the minimum of the partition watermarks over active (non-idle) partitions; when all
 *   are idle it is the maximum over all of them, since nothing is left that could hold it back;
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

  constructor(options: WatermarkOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
  }

  /** Records that `partition` delivered events whose highest event time is `maxEventTime`. */
  observe(partition: number, maxEventTime: number): void {
    const now = this.#clock.now();
    const state = this.#partitions.get(partition);
    if (state === undefined) {
      this.#partitions.set(partition, { maxEventTime, lastSeenWall: now });
    } else {
      if (maxEventTime > state.maxEventTime) state.maxEventTime = maxEventTime;
      state.lastSeenWall = now;
    }
    this.#lastActivityWall = now;
  }

  /** Records that `partition` was polled and had nothing new; it still counts as alive for idleness. */
  touch(partition: number): void {
    const state = this.#partitions.get(partition);
    if (state !== undefined) state.lastSeenWall = this.#clock.now();
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
    let allMax = Number.NEGATIVE_INFINITY;
    for (const state of this.#partitions.values()) {
      const wm = state.maxEventTime - outOfOrdernessMs;
      if (wm > allMax) allMax = wm;
      if (now - state.lastSeenWall < idleTimeoutMs) {
        anyActive = true;
        if (wm < activeMin) activeMin = wm;
      }
    }
    let wm = anyActive ? activeMin : allMax;
    // Before any event there is nothing to close, and a wall-clock watermark would make a backlog entirely late.
    if (quietCloseMs > 0 && this.#partitions.size > 0 && now - this.#lastActivityWall >= quietCloseMs) {
      const wallWatermark = now - quietCloseMs;
      if (wallWatermark > wm) wm = wallWatermark;
    }
    if (wm > this.#emitted) this.#emitted = wm;
    return this.#emitted;
  }
}
