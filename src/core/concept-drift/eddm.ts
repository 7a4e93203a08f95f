import {
  type ConceptDriftDetector,
  checkBinary,
  checkInteger,
  checkNumber,
  type DetectorState,
  mergeOptions,
  stateOf,
} from './detector.ts';

export interface EddmOptions {
  /** Both the number of values and the number of errors must exceed this before any signal. */
  warmStart: number;
  /** Warning when (p' + 2s') / max(p' + 2s') falls below alpha. */
  alpha: number;
  /** Drift when (p' + 2s') / max(p' + 2s') falls below beta (beta ≤ alpha). */
  beta: number;
}

/**
 * Defaults of EDDM: Baena-García, del Campo-Ávila, Fidalgo, Bifet, Gavaldà, Morales-Bueno, "Early Drift Detection
 * Method", 4th Int. Workshop on Knowledge Discovery from Data Streams, 2006 (α = 0.95, β = 0.9; the paper waits for
 * 30 errors), with River's warm start (river/drift/binary/eddm.py).
 */
export const EDDM_DEFAULTS: Readonly<EddmOptions> = Object.freeze({
  warmStart: 30,
  alpha: 0.95,
  beta: 0.9,
});

const NAME = 'eddm';

/**
 * Early Drift Detection Method on a binary error stream (1 = error). Instead of the error rate it watches the
 * distance (in values) between consecutive errors: its running mean p' and sample standard deviation s' (Welford,
 * ddof = 1). While the model improves the distance grows, and the maximum of p' + 2s' is recorded; when
 * (p' + 2s') / max falls below alpha it warns, below beta it signals drift.
 *
 * Invariants: only an error (x = 1) changes the statistics or the state; a correct value (x = 0) only advances the
 * counter, so a warning raised at an error stays on through the correct values that follow, as in River. The
 * distance of the first error is measured from the last reset. `p2sMax` starts at −1 so that the first error past
 * the warm start always sets it. River leaves its warning flag set when a drift is raised; here a drift clears it,
 * so the state is exactly one of drift, warning, none (River's warning indices exclude its drift indices).
 */
export class Eddm implements ConceptDriftDetector {
  readonly name = NAME;
  readonly options: Readonly<EddmOptions>;

  #n = 0;
  #lastError = 0;
  #errors = 0;
  #distanceMean = 0;
  #distanceM2 = 0;
  #p2sMax = -1;
  #drift = false;
  #warning = false;

  constructor(options?: Partial<EddmOptions>) {
    const o = mergeOptions(NAME, EDDM_DEFAULTS, options);
    checkInteger(NAME, 'warmStart', o.warmStart, 0);
    checkNumber(NAME, 'alpha', o.alpha, { lower: 0, lowerOpen: true, upper: 1 });
    checkNumber(NAME, 'beta', o.beta, { lower: 0, lowerOpen: true, upper: o.alpha });
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  reset(): void {
    this.#n = 0;
    this.#lastError = 0;
    this.#errors = 0;
    this.#distanceMean = 0;
    this.#distanceM2 = 0;
    this.#p2sMax = -1;
    this.#drift = false;
    this.#warning = false;
  }

  update(x: number): DetectorState {
    const bit = checkBinary(NAME, x);
    if (this.#drift) this.reset();
    this.#n += 1;
    if (bit === 1) {
      const errors = ++this.#errors;
      const distance = this.#n - this.#lastError;
      const previousMean = this.#distanceMean;
      this.#distanceMean += (1 / errors) * (distance - previousMean);
      this.#distanceM2 += (distance - previousMean) * (distance - this.#distanceMean);

      if (this.#n > this.options.warmStart) {
        const variance = errors > 1 ? this.#distanceM2 / (errors - 1) : 0;
        const p2s = this.#distanceMean + 2 * Math.sqrt(variance);
        if (p2s > this.#p2sMax) {
          this.#p2sMax = p2s;
        } else if (errors > this.options.warmStart) {
          const level = p2s / this.#p2sMax;
          if (level < this.options.beta) {
            this.#drift = true;
            this.#warning = false;
          } else {
            this.#warning = level < this.options.alpha;
          }
        }
      }
      this.#lastError = this.#n;
    }
    return stateOf(this.#drift, this.#warning);
  }
}
