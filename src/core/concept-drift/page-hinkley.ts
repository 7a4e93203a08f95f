import {
  type ConceptDriftDetector,
  checkChoice,
  checkFinite,
  checkInteger,
  checkNumber,
  type DetectorState,
  mergeOptions,
} from './detector.ts';

export const PAGE_HINKLEY_MODES = ['up', 'down', 'both'] as const;
export type PageHinkleyMode = (typeof PAGE_HINKLEY_MODES)[number];

export interface PageHinkleyOptions {
  /** Values seen before any drift can be signalled. */
  minInstances: number;
  /** Magnitude of change tolerated: subtracted from (added to) every deviation of the upward (downward) sum. */
  delta: number;
  /** Drift when a cumulative sum moves more than this above its running minimum (below its maximum). */
  threshold: number;
  /** Forgetting factor applied to the cumulative sums before each deviation is added. In (0, 1]. */
  alpha: number;
  /** Which changes to signal: increases of the mean (`up`), decreases (`down`) or `both`. */
  mode: PageHinkleyMode;
}

/**
 * Defaults of the Page-Hinkley test: Page, "Continuous Inspection Schemes", Biometrika 41, 1954, in the form of
 * Mouss, Mouss, Mouss, Sefouhi, "Test of Page-Hinckley, an approach for fault detection in an agro-alimentary
 * production system", 2004, with River's parameter values (river/drift/page_hinkley.py). `alpha` is written as
 * River writes it (1 − 0.0001) so that it is the same double.
 */
export const PAGE_HINKLEY_DEFAULTS: Readonly<PageHinkleyOptions> = Object.freeze({
  minInstances: 30,
  delta: 0.005,
  threshold: 50,
  alpha: 1 - 0.0001,
  mode: 'both' as PageHinkleyMode,
});

const NAME = 'page-hinkley';

/**
 * Page-Hinkley test on a real-valued stream. With x̄_t the running mean, two cumulative sums of deviations
 *   U_t = α U_{t−1} + (x_t − x̄_t − δ)   and   D_t = α D_{t−1} + (x_t − x̄_t + δ)
 * are kept with their running minimum min U and maximum max D; a drift is signalled when U_t − min U > λ (an
 * increase; modes `up`, `both`) or max D − D_t > λ (a decrease; modes `down`, `both`), once `minInstances` values
 * have been seen. There is no warning zone.
 *
 * Invariants: the running mean uses River's update (mean += (1/n)(x − mean)), and the sums the same operations in
 * the same order; min U starts at +∞ and max D at −1 as in River. The −1 never matters: the first deviation is 0,
 * so D_1 = δ ≥ 0 replaces it at once. After the first update, min U ≤ U_t and max D ≥ D_t, so both statistics are
 * ≥ 0.
 */
export class PageHinkley implements ConceptDriftDetector {
  readonly name = NAME;
  readonly options: Readonly<PageHinkleyOptions>;
  readonly #up: boolean;
  readonly #down: boolean;

  #n = 0;
  #mean = 0;
  #sumIncrease = 0;
  #sumDecrease = 0;
  #minIncrease = Number.POSITIVE_INFINITY;
  #maxDecrease = -1;
  #drift = false;

  constructor(options?: Partial<PageHinkleyOptions>) {
    const o = mergeOptions(NAME, PAGE_HINKLEY_DEFAULTS, options);
    checkInteger(NAME, 'minInstances', o.minInstances, 1);
    checkNumber(NAME, 'delta', o.delta, { lower: 0 });
    checkNumber(NAME, 'threshold', o.threshold, { lower: 0, lowerOpen: true });
    checkNumber(NAME, 'alpha', o.alpha, { lower: 0, lowerOpen: true, upper: 1 });
    checkChoice(NAME, 'mode', o.mode, PAGE_HINKLEY_MODES);
    this.options = Object.freeze(o);
    this.#up = o.mode !== 'down';
    this.#down = o.mode !== 'up';
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  /** Page-Hinkley has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }

  /** Mean of the values since the last reset. */
  get mean(): number {
    return this.#mean;
  }

  reset(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#sumIncrease = 0;
    this.#sumDecrease = 0;
    this.#minIncrease = Number.POSITIVE_INFINITY;
    this.#maxDecrease = -1;
    this.#drift = false;
  }

  update(x: number): DetectorState {
    const value = checkFinite(NAME, x);
    if (this.#drift) this.reset();

    this.#n += 1;
    this.#mean += (1 / this.#n) * (value - this.#mean);
    const deviation = value - this.#mean;
    const { alpha, delta, threshold } = this.options;
    this.#sumIncrease = alpha * this.#sumIncrease + deviation - delta;
    this.#sumDecrease = alpha * this.#sumDecrease + deviation + delta;
    if (this.#sumIncrease < this.#minIncrease) this.#minIncrease = this.#sumIncrease;
    if (this.#sumDecrease > this.#maxDecrease) this.#maxDecrease = this.#sumDecrease;

    if (this.#n >= this.options.minInstances) {
      this.#drift =
        (this.#up && this.#sumIncrease - this.#minIncrease > threshold) ||
        (this.#down && this.#maxDecrease - this.#sumDecrease > threshold);
    }
    return this.#drift ? 'drift' : 'none';
  }
}
