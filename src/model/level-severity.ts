import type { LevelPair } from '../topology/model-spec.ts';
import type { FindingSeverity } from './model-results.ts';

/*
 * The two severity rules of the model parts' LevelPairs. A null level is not checked; critical is tried first. They
 * differ on purpose at the critical level itself: a rate or distance (skew, shadow) is critical from its critical level
 * on, percentage points (error rate, as latency-levels' spreadLevel) only above it.
 */

/** Severity of `value`: at or above the levels, or, when `below`, strictly below them (e.g. an agreement rate). */
export function levelSeverity(value: number, levels: LevelPair, below: boolean): FindingSeverity | null {
  const crosses = (level: number | null) => level !== null && (below ? value < level : value >= level);
  if (crosses(levels.critical)) return 'critical';
  if (crosses(levels.warning)) return 'warning';
  return null;
}

/** Severity of a figure in percentage points: critical when above the critical level, warning from the warning level. */
export function pointsSeverity(points: number, levels: LevelPair): FindingSeverity | null {
  if (levels.critical !== null && points > levels.critical) return 'critical';
  if (levels.warning !== null && points >= levels.warning) return 'warning';
  return null;
}
