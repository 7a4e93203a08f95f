import {
  type ConceptDriftDetector,
  checkBinary,
  checkInteger,
  checkNumber,
  type DetectorState,
  mergeOptions,
  stateOf,
} from './detector.ts';

export interface DdmOptions {
  /** Values seen before the minimum is tracked and any signal can be raised. */
  warmStart: number;
  /** Warning when p + s exceeds p_min + warningThreshold · s_min (2 ≈ 95% one-sided). */
  warningThreshold: number;
  /** Drift when p + s exceeds p_min + driftThreshold · s_min (3 ≈ 99%). */
  driftThreshold: number;
}

/**
 * Defaults of DDM: Gama, Medas, Castillo, Rodrigues, "Learning with Drift Detection", SBIA 2004 (warning at 2σ,
 * drift at 3σ), with River's warm start of 30 values (river/drift/binary/ddm.py).
 */
export const DDM_DEFAULTS: Readonly<DdmOptions> = Object.freeze({
  warmStart: 30,
  warningThreshold: 2,
  driftThreshold: 3,
});

const NAME = 'ddm';

/**
 * Drift Detection Method on a binary error stream (1 = error). It tracks the running error rate p_i and its
 * binomial standard deviation s_i = sqrt(p_i (1 − p_i) / i); once more than `warmStart` values have been seen it
 * records the (p_min, s_min) at which p_i + s_i was smallest, and signals a warning, or a drift, when p_i + s_i rises
 * above p_min + k · s_min for k = warningThreshold, or driftThreshold.
 *
 * Invariants: `n` counts values since the last reset; `p` is their mean, updated as River's stats.Mean
 * (p += (1/n)(x − p), the same operations in the same order, so thresholds are crossed at the same index);
 * `psMin` = pMin + sMin, or +∞ until the first value past the warm start. As in River, a warm-up with no error
 * at all gives p_min = s_min = 0, so the first error after it is a drift.
 */
export class Ddm implements ConceptDriftDetector {
  readonly name = NAME;
  readonly options: Readonly<DdmOptions>;

  #n = 0;
  #p = 0;
  #pMin = 0;
  #sMin = 0;
  #psMin = Number.POSITIVE_INFINITY;
  #drift = false;
  #warning = false;

  constructor(options?: Partial<DdmOptions>) {
    const o = mergeOptions(NAME, DDM_DEFAULTS, options);
    checkInteger(NAME, 'warmStart', o.warmStart, 0);
    checkNumber(NAME, 'warningThreshold', o.warningThreshold, { lower: 0, lowerOpen: true });
    checkNumber(NAME, 'driftThreshold', o.driftThreshold, { lower: o.warningThreshold });
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  /** Error rate since the last reset. */
  get errorRate(): number {
    return this.#p;
  }

  reset(): void {
    this.#n = 0;
    this.#p = 0;
    this.#pMin = 0;
    this.#sMin = 0;
    this.#psMin = Number.POSITIVE_INFINITY;
    this.#drift = false;
    this.#warning = false;
  }

  update(x: number): DetectorState {
    const bit = checkBinary(NAME, x);
    if (this.#drift) this.reset();

    const n = ++this.#n;
    this.#p += (1 / n) * (bit - this.#p);
    const p = this.#p;
    const s = Math.sqrt((p * (1 - p)) / n);

    if (n > this.options.warmStart) {
      const ps = p + s;
      if (ps <= this.#psMin) {
        this.#pMin = p;
        this.#sMin = s;
        this.#psMin = p + s;
      }
      this.#warning = ps > this.#pMin + this.options.warningThreshold * this.#sMin;
      if (ps > this.#pMin + this.options.driftThreshold * this.#sMin) {
        this.#drift = true;
        this.#warning = false;
      }
    }
    return stateOf(this.#drift, this.#warning);
  }
}
