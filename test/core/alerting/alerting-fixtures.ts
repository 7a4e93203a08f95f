import type { Signal, SignalKind, SignalSeverity } from '../../../src/core/alerting/signal.ts';

export const W = 60_000;

/** A signal of window k (start k * W) of monitor `m`, model `fraud` v1, unsegmented unless told. */
export function sig(
  k: number,
  subject: string,
  severity: SignalSeverity | null,
  extra: Partial<Signal> & { kind?: SignalKind } = {},
): Signal {
  return {
    monitor: 'm',
    modelName: 'fraud',
    modelVersion: 'v1',
    segment: null,
    windowStart: k * W,
    windowEnd: (k + 1) * W,
    kind: 'feature_drift',
    subject,
    role: null,
    severity,
    metric: 'psi',
    value: severity === null ? 0.01 : severity === 'warning' ? 0.15 : 0.4,
    reference: null,
    threshold: 0.1,
    evidence: {},
    ...extra,
  };
}
