import type { FeatureKind, Severity } from '../../topology/topology-types.ts';
import type { Measurement } from './feature-drift.ts';

/** The levels a statistic was judged by, as resolved for its feature and test. */
export interface ResolvedLevels {
  /** value-above: a level fires when value >= level; p-below: when the (corrected) p-value < level. */
  readonly rule: 'value-above' | 'p-below';
  readonly warning: number | null;
  readonly critical: number | null;
  /** How the levels were set: `fixed`, or `calibrated:std` / `calibrated:quantile` from reference chunks. */
  readonly source: string;
}

/** A measurement judged against its levels: what alerts and window-statistics records are made of. */
export interface FeatureStatistic extends Measurement {
  /** The kind the topology declares (boolean features are measured as categorical). */
  readonly featureKind: FeatureKind;
  /** What the window was compared with: the baseline, or the previous window of the same segment. */
  readonly reference: 'baseline' | 'previous';
  /** The p-value after the topology's multiple-testing correction (equal to pValue with none); null without one. */
  readonly adjustedPValue: number | null;
  readonly severity: Severity | null;
  /** severity !== null. */
  readonly drift: boolean;
  /** The level that fired, or the lowest level that could (warning, else critical) when none did. */
  readonly threshold: number | null;
  readonly levels: ResolvedLevels;
}
