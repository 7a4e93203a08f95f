import type { Measurement } from '../core/drift/feature-drift.ts';
import type { FeatureStatistic } from '../core/drift/feature-statistic.ts';
import { type Levels, resolveLevels } from '../core/drift/thresholds.ts';
import { judgeWindow } from '../core/drift/window-judgement.ts';
import type { WindowMeasurements } from '../worker/drift-task.ts';
import type { TestPlan } from './feature-specs.ts';
import type { CorrectionName } from './topology-types.ts';

/** The levels of one test plan, resolved once when the topology starts, and how they were set. */
export interface PlanLevels extends Levels {
  readonly source: string;
}

/**
 * Resolves every plan's levels: fixed ones as written, calibrated ones from the baseline's reference-chunk statistics.
 * Done once per topology and baseline; a bad calibration fails here, before any event is read.
 */
export function resolvePlanLevels(plans: readonly TestPlan[]): PlanLevels[] {
  return plans.map((plan) => {
    const resolved = resolveLevels(
      plan.test,
      plan.thresholds,
      plan.referenceChunks,
      `feature ${plan.feature}, test ${plan.test}`,
    );
    const source = plan.thresholds.kind === 'fixed' ? 'fixed' : `calibrated:${plan.thresholds.method}`;
    return { rule: resolved.rule, warning: resolved.warning, critical: resolved.critical, source };
  });
}

/**
 * Judges a window's measurements (in plan order) against their levels. The baseline comparison and the
 * previous-period comparison are separate families for the multiple-testing correction: each answers its own question
 * about the window.
 */
export function judgeMeasurements(
  plans: readonly TestPlan[],
  levels: readonly PlanLevels[],
  measurements: WindowMeasurements,
  correction: CorrectionName,
): FeatureStatistic[] {
  const out = judgeAgainst(plans, levels, measurements.baseline, correction, 'baseline');
  if (measurements.previous !== null) {
    out.push(...judgeAgainst(plans, levels, measurements.previous, correction, 'previous'));
  }
  return out;
}

function judgeAgainst(
  plans: readonly TestPlan[],
  levels: readonly PlanLevels[],
  measured: readonly Measurement[],
  correction: CorrectionName,
  reference: 'baseline' | 'previous',
): FeatureStatistic[] {
  if (measured.length !== plans.length) {
    throw new Error(`expected ${plans.length} measurements against the ${reference}, got ${measured.length}`);
  }
  const verdicts = judgeWindow(measured, levels, correction);
  return measured.map((m, i) => {
    const verdict = verdicts[i]!;
    const l = levels[i]!;
    const plan = plans[i]!;
    return {
      ...m,
      featureKind: plan.featureKind,
      reference,
      adjustedPValue: verdict.adjustedPValue,
      severity: verdict.severity,
      drift: verdict.severity !== null,
      threshold: verdict.level,
      levels: { rule: l.rule, warning: l.warning, critical: l.critical, source: l.source },
      conventions: {
        ...m.conventions,
        reference,
        driftRule: l.rule === 'value-above' ? 'value >= level' : 'adjusted p-value < level',
        levels: l.source,
        ...(m.pValue !== null ? { multipleTesting: correction } : {}),
      },
    };
  });
}
