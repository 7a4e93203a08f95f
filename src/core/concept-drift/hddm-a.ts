import {
  type ConceptDriftDetector,
  checkBinary,
  checkBoolean,
  checkNumber,
  type DetectorState,
  mergeOptions,
} from './detector.ts';

export interface HddmAOptions {
  /** Confidence of the drift test (the smaller, the stricter). In (0, 1). */
  driftConfidence: number;
  /** Confidence of the warning test, at least driftConfidence. In (0, 1). */
  warningConfidence: number;
  /** Also signal when the mean decreases (the error rate improving), not only when it increases. */
  twoSidedTest: boolean;
}

/**
 * Defaults of HDDM_A: Frías-Blanco, del Campo-Ávila, Ramos-Jiménez, Morales-Bueno, Ortiz-Díaz, Caballero-Mota,
 * "Online and Non-Parametric Drift Detection Methods Based on Hoeffding's Bounds", IEEE TKDE 27(3), 2015 (the
 * A-test on moving averages), with River's parameter values (river/drift/binary/hddm_a.py).
 */
export const HDDM_A_DEFAULTS: Readonly<HddmAOptions> = Object.freeze({
  driftConfidence: 0.001,
  warningConfidence: 0.005,
  twoSidedTest: false,
});

const NAME = 'hddm-a';

/**
 * Hoeffding Drift Detection Method with the A-test on a binary error stream (1 = error). It keeps the running mean
 * Z of all values since the reset and a cut point: the prefix X (count and mean) whose Hoeffding upper bound
 * mean(X) + ε(|X|) was lowest (ε(n) = sqrt(ln(1/driftConfidence) / (2n))). A drift (or warning) is signalled when
 * mean(Z) − mean(X) ≥ sqrt(m/2 · ln(2/confidence)), m = (|Z| − |X|) / (|X| · |Z|), i.e. when the values after the
 * cut have a significantly higher mean than those before it. With twoSidedTest a second cut point tracks the
 * highest lower bound, for decreases.
 *
 * Invariants: 0 < |X| ≤ |Z| after the first update; a prefix is stored as (count, mean) exactly as River's clone of
 * stats.Mean, and the means are updated with River's formula (mean += (1/n)(x − mean)), so ties against the bounds
 * resolve the same way. As in River, the cut points are chosen with the drift confidence's bound only.
 */
export class HddmA implements ConceptDriftDetector {
  readonly name = NAME;
  readonly options: Readonly<HddmAOptions>;
  readonly #logInverseDrift: number;

  #zN = 0;
  #zMean = 0;
  #minN = 0;
  #minMean = 0;
  #maxN = 0;
  #maxMean = 0;
  #drift = false;
  #warning = false;

  constructor(options?: Partial<HddmAOptions>) {
    const o = mergeOptions(NAME, HDDM_A_DEFAULTS, options);
    checkNumber(NAME, 'driftConfidence', o.driftConfidence, {
      lower: 0,
      lowerOpen: true,
      upper: 1,
      upperOpen: true,
    });
    checkNumber(NAME, 'warningConfidence', o.warningConfidence, {
      lower: o.driftConfidence,
      upper: 1,
      upperOpen: true,
    });
    checkBoolean(NAME, 'twoSidedTest', o.twoSidedTest);
    this.options = Object.freeze(o);
    this.#logInverseDrift = Math.log(1 / o.driftConfidence);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  /** Mean of every value since the last reset. */
  get mean(): number {
    return this.#zMean;
  }

  reset(): void {
    this.#zN = 0;
    this.#zMean = 0;
    this.#minN = 0;
    this.#minMean = 0;
    this.#maxN = 0;
    this.#maxMean = 0;
    this.#drift = false;
    this.#warning = false;
  }

  #bound(n: number): number {
    return Math.sqrt((1 / (2 * n)) * this.#logInverseDrift);
  }

  /** True when mean(later) − mean(prefix) ≥ the A-test bound, or the reverse when `decrease`. */
  #test(prefixN: number, prefixMean: number, confidence: number, decrease: boolean): boolean {
    if (prefixN === this.#zN) return false;
    const m = ((this.#zN - prefixN) / prefixN) * (1 / this.#zN);
    const epsilon = Math.sqrt((m / 2) * Math.log(2 / confidence));
    return (decrease ? prefixMean - this.#zMean : this.#zMean - prefixMean) >= epsilon;
  }

  update(x: number): DetectorState {
    const bit = checkBinary(NAME, x);
    if (this.#drift) this.reset();

    this.#zN += 1;
    this.#zMean += (1 / this.#zN) * (bit - this.#zMean);
    if (this.#minN === 0) {
      this.#minN = this.#zN;
      this.#minMean = this.#zMean;
    }
    if (this.#maxN === 0) {
      this.#maxN = this.#zN;
      this.#maxMean = this.#zMean;
    }

    const epsZ = this.#bound(this.#zN);
    if (this.#minMean + this.#bound(this.#minN) >= this.#zMean + epsZ) {
      this.#minN = this.#zN;
      this.#minMean = this.#zMean;
    }
    if (this.#maxMean - this.#bound(this.#maxN) <= this.#zMean - epsZ) {
      this.#maxN = this.#zN;
      this.#maxMean = this.#zMean;
    }

    const { driftConfidence, warningConfidence } = this.options;
    this.#drift = this.#test(this.#minN, this.#minMean, driftConfidence, false);
    this.#warning = !this.#drift && this.#test(this.#minN, this.#minMean, warningConfidence, false);

    if (this.options.twoSidedTest) {
      if (this.#test(this.#maxN, this.#maxMean, driftConfidence, true)) this.#drift = true;
      else if (this.#test(this.#maxN, this.#maxMean, warningConfidence, true)) this.#warning = true;
      if (this.#drift) this.#warning = false;
    }
    return this.#drift ? 'drift' : this.#warning ? 'warning' : 'none';
  }
}
