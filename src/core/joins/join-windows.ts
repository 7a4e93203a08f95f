import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { tumblingWindowStart } from '../time/tumbling-window.ts';

/**
 * Tumbling event-time windows of a join's accumulators (skew counts, shadow agreement). Window [s, s + size) closes
 * when its last millisecond plus `closeDelayMs` is below the watermark: the join passes the longest time a record of
 * the window may still wait for its partner (bound + grace), so every result that belongs to the window has reached
 * it before it closes.
 *
 * Invariants:
 * - a window is emitted at most once, in start order, and only if something was added to it;
 * - the joins never add to a closed window: they only add results of records whose expiry is >= the watermark, and
 *   such a record's window closes strictly later (checked by a guard that throws, since it would be a join bug).
 */
export class JoinWindows<A> {
  readonly #sizeMs: number;
  readonly #closeDelayMs: number;
  readonly #create: () => A;
  readonly #open = new Map<number, A>();
  /** Windows starting below this have closed. */
  #closedBelow = Number.NEGATIVE_INFINITY;

  constructor(sizeMs: number, closeDelayMs: number, create: () => A, option = 'windowMs') {
    if (!Number.isSafeInteger(sizeMs) || sizeMs < 1) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `${option} must be an integer >= 1, got ${sizeMs}`,
        { option, value: sizeMs },
      );
    }
    this.#sizeMs = sizeMs;
    this.#closeDelayMs = closeDelayMs;
    this.#create = create;
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** The accumulator of the window holding event time `time`, created on first use. */
  at(time: number): A {
    const start = tumblingWindowStart(time, this.#sizeMs);
    let acc = this.#open.get(start);
    if (acc === undefined) {
      if (start < this.#closedBelow) {
        throw new Error(`join window ${start} was added to after it closed (a join invariant is broken)`);
      }
      acc = this.#create();
      this.#open.set(start, acc);
    }
    return acc;
  }

  /** Emits and forgets, in start order, every window whose last ms + closeDelay is below `watermark`. */
  close(watermark: number, emit: (start: number, end: number, acc: A) => void): void {
    const size = this.#sizeMs;
    // The first window start that stays open: the least multiple of size with start + size - 1 + delay >= watermark.
    const firstOpen = Math.ceil((watermark - this.#closeDelayMs - size + 1) / size) * size;
    if (firstOpen > this.#closedBelow) this.#closedBelow = firstOpen;
    if (this.#open.size === 0) return;
    const closing: number[] = [];
    for (const start of this.#open.keys()) {
      if (start + size - 1 + this.#closeDelayMs < watermark) closing.push(start);
    }
    closing.sort((a, b) => a - b);
    for (const start of closing) {
      const acc = this.#open.get(start)!;
      this.#open.delete(start);
      emit(start, start + size, acc);
    }
  }
}
