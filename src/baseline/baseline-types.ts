/**
 * A baseline: the reference distribution of every monitored feature, fitted on training data by the same kernels
 * that count live windows (src/core/stats), so a feature is never summarised two ways.
 *
 * Numeric features keep the quantile bucket edges fitted on the reference and the reference counts in the numeric
 * bucket layout (missing, -inf, underflow, inner buckets, overflow, +inf). Categorical features keep their
 * categories, most frequent first, and counts in the categorical layout (categories, unseen, missing).
 */
export const BASELINE_FORMAT = 'driftwatch-baseline/1';

export interface NumericBaselineFeature {
  readonly kind: 'numeric';
  readonly binning: 'quantile';
  /** Requested number of quantile buckets; ties may leave fewer. */
  readonly maxBins: number;
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /**
   * Base64 of NumericSummary.serialize(): the reference values (exact up to 10,000, else a KLL sketch) for the
   * sample-based tests (ks, wasserstein_norm). Optional: baselines built before it can still run psi.
   */
  readonly summary?: string;
}

export interface CategoricalBaselineFeature {
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  readonly counts: readonly number[];
}

export type BaselineFeature = NumericBaselineFeature | CategoricalBaselineFeature;

export interface BaselineSource {
  /** What the baseline was built from, for people (e.g. a file name). */
  readonly description: string;
  /** sha256 of the source bytes, `sha256:<hex>`. */
  readonly fingerprint: string;
  readonly rows: number;
}

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly name: string;
  /** `<name>@<12 hex>`, derived from the content: the same data and settings give the same version. */
  readonly version: string;
  readonly createdAt: string;
  readonly source: BaselineSource;
  readonly features: Readonly<Record<string, BaselineFeature>>;
}
