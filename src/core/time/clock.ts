/** Wall-clock source. The core never reads Date.now() directly, so tests drive time by hand. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to; for deterministic tests of the core. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, got ${ms}`);
    this.#now += ms;
  }

  set(ms: number): void {
    if (ms < this.#now) throw new RangeError(`a clock only moves forward: ${ms} < ${this.#now}`);
    this.#now = ms;
  }
}
