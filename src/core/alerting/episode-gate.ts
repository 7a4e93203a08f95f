/**
 * "At most one per key per episode": the gate in front of retrain requests, incident openings and rollback
 * recommendations. Time is event time (window bounds) supplied by the caller, never the wall clock, so a replay
 * of the same windows opens the same episodes.
 *
 * A key may open when it is armed and `time >= blockedUntil`. Opening blocks the key for `cooldownMs` from the
 * opening time and, with `untilRecovered`, disarms it until `recover` is called. `end` marks an episode's end: the
 * cooldown then runs from the end (an incident does not re-open within its cooldown after resolving).
 */
import { optionError } from '../../errors.ts';

export interface EpisodeGateOptions {
  /** Event-time milliseconds during which a key does not open again (0: no cooldown). */
  readonly cooldownMs: number;
  /** A key that opened stays shut until `recover` (the rollback policy's "until the candidate recovers"). */
  readonly untilRecovered: boolean;
}

interface KeyState {
  armed: boolean;
  blockedUntil: number;
}

export class EpisodeGate {
  readonly #cooldownMs: number;
  readonly #untilRecovered: boolean;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: EpisodeGateOptions) {
    if (!(Number.isFinite(options.cooldownMs) && options.cooldownMs >= 0)) {
      throw optionError('cooldownMs', 'must be a non-negative number of milliseconds', options.cooldownMs);
    }
    this.#cooldownMs = options.cooldownMs;
    this.#untilRecovered = options.untilRecovered;
  }

  /** Whether `key` could open at `time` (nothing is recorded). */
  canOpen(key: string, time: number): boolean {
    const state = this.#keys.get(key);
    return state === undefined || (state.armed && time >= state.blockedUntil);
  }

  /** Opens an episode of `key` at `time` if the gate allows it; returns whether it did. */
  tryOpen(key: string, time: number): boolean {
    if (!this.canOpen(key, time)) return false;
    // Without a cooldown nothing blocks by time, so windows arriving out of order are judged by arming alone.
    const blockedUntil = this.#cooldownMs > 0 ? time + this.#cooldownMs : Number.NEGATIVE_INFINITY;
    this.#keys.set(key, { armed: !this.#untilRecovered, blockedUntil });
    return true;
  }

  /** Re-arms `key` (its figures were judged good again); a running cooldown still applies. */
  recover(key: string): void {
    const state = this.#keys.get(key);
    if (state !== undefined) state.armed = true;
  }

  /** The episode of `key` ended at `time`: re-armed, and blocked for the cooldown from then. */
  end(key: string, time: number): void {
    const state = this.#keys.get(key);
    const until = this.#cooldownMs > 0 ? time + this.#cooldownMs : Number.NEGATIVE_INFINITY;
    if (state === undefined) this.#keys.set(key, { armed: true, blockedUntil: until });
    else {
      state.armed = true;
      if (until > state.blockedUntil) state.blockedUntil = until;
    }
  }

  /** Keys that opened and have not recovered since. */
  disarmed(): Set<string> {
    const out = new Set<string>();
    for (const [key, state] of this.#keys) if (!state.armed) out.add(key);
    return out;
  }
}
