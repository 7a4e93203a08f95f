import { tumblingWindowStart } from '../core/time/tumbling-window.ts';

/**
 * The open tumbling windows of a monitor part that is fed one stream (the latency, error-rate, embedding and version
 * skew parts, on predictions): windows by start, closed by the stream's watermark + graceMs or by flush(), with late
 * counting. Each part keeps what a window holds (`W`) and how it is judged.
 *
 * Unlike the joins' JoinWindows (whose joins never add to a closed window, and throw if they do), a part's input may
 * be late, so a record of a closed window is counted here, not an error.
 *
 * Invariants: a window [s, s + windowMs) closes once, when the watermark reaches s + windowMs + graceMs (rounded down
 * to the window grid, so never early), or on flush(); once closed, its start stays below `closedBelow`, so a record
 * of it is counted late by openAt() and never reopens it. `closedBelow` only grows.
 */
export class TumblingPartWindows<W, R> {
  readonly #windowMs: number;
  readonly #graceMs: number;
  /** Creates a window's state from its first record; called once per window, not per record. */
  readonly #create: (record: R, start: number) => W;
  readonly #open = new Map<number, W>();
  /** Windows starting below this have closed. */
  #closedBelow = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(windowMs: number, graceMs: number, create: (record: R, start: number) => W) {
    this.#windowMs = windowMs;
    this.#graceMs = graceMs;
    this.#create = create;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Records counted late by openAt(). */
  get late(): number {
    return this.#late;
  }

  startOf(time: number): number {
    return tumblingWindowStart(time, this.#windowMs);
  }

  /**
   * The open window starting at `start` (creating it from `record` if needed), or undefined when that window has
   * closed: the record is then counted late.
   */
  openAt(start: number, record: R): W | undefined {
    if (start < this.#closedBelow) {
      this.#late++;
      return undefined;
    }
    let window = this.#open.get(start);
    if (window === undefined) {
      window = this.#create(record, start);
      this.#open.set(start, window);
    }
    return window;
  }

  /** Closes what the stream's watermark allows; returns the closed windows in order of start. */
  advance(watermark: number): [start: number, window: W][] {
    const firstOpen = tumblingWindowStart(watermark - this.#graceMs, this.#windowMs);
    if (firstOpen > this.#closedBelow) this.#closedBelow = firstOpen;
    return this.#take();
  }

  /** End of input: closes every open window; returns them in order of start. */
  flush(): [start: number, window: W][] {
    this.#closedBelow = Number.POSITIVE_INFINITY;
    return this.#take();
  }

  /** The start of the earliest open window, +Infinity when none is open (see MonitorPart.doneBefore). */
  doneBefore(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const start of this.#open.keys()) if (start < first) first = start;
    return first;
  }

  #take(): [number, W][] {
    const closing = [...this.#open.keys()].filter((s) => s < this.#closedBelow).sort((a, b) => a - b);
    return closing.map((start) => {
      const window = this.#open.get(start)!;
      this.#open.delete(start);
      return [start, window];
    });
  }
}
