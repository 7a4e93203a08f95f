import { describe, expect, it } from 'vitest';
import type { DriftAlert } from '../../../src/alerts/drift-alert.ts';
import type { IncidentEventRecord } from '../../../src/alerts/incident-event.ts';
import type { ModelAlertRecord } from '../../../src/alerts/model-alert.ts';
import type { RetrainRequestRecord } from '../../../src/alerts/retrain-request.ts';
import type { RollbackRecommendationRecord } from '../../../src/alerts/rollback-recommendation.ts';
import { alertsCommand, tailTopicsOf } from '../../../src/cli/commands/alerts-command.ts';
import { formatEvent } from '../../../src/cli/event-format.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';
import { loadTopologyFile } from '../../../src/topology/load-topology.ts';
import { driftAlertRecord } from '../../support/drift-alert-record.ts';

const T = (h: number, m: number, s = 0) => Date.UTC(2026, 10, 22, h, m, s);

const psiAlert: DriftAlert = driftAlertRecord({
  alert_id: 'a',
  window_start: T(6, 40),
  window_end: T(6, 41),
  value: 0.3123,
  baseline_version: 'b',
  detected_at: T(6, 41),
});

describe('formatEvent', () => {
  it('prints a drift alert as one line: time, severity, monitor, version, feature, statistic, window, rows', () => {
    expect(formatEvent({ kind: 'drift-alert', record: psiAlert })).toBe(
      '2026-11-22T06:41:00Z CRITICAL credit-risk v3 drift amount psi=0.3123 ≥ 0.2 window 06:40–06:41 rows 600',
    );
  });

  it('colours the severity only when asked', () => {
    const line = formatEvent({ kind: 'drift-alert', record: psiAlert }, { color: true });
    expect(line).toContain('\u001b[1;31mCRITICAL\u001b[0m');
    expect(
      formatEvent({ kind: 'drift-alert', record: { ...psiAlert, severity: 'warning' } }, { color: true }),
    ).toContain('\u001b[33mWARNING\u001b[0m');
    expect(formatEvent({ kind: 'drift-alert', record: psiAlert })).not.toContain('\u001b');
  });

  it('shows a p-value test by its corrected p-value, and the segment, reference, revision and model', () => {
    const ks: DriftAlert = {
      ...psiAlert,
      model_name: 'scorer',
      model_versions: ['3', '4'],
      statistic: 'ks',
      value: 0.08,
      p_value: 0.00002,
      adjusted_p_value: 0.0001,
      threshold: 0.001,
      segment: 'DE',
      reference: 'previous',
      revision: 2,
      window_start: T(6, 40, 30),
      window_end: T(6, 41, 30),
      detected_at: T(6, 41, 31) + 250,
    };
    expect(formatEvent({ kind: 'drift-alert', record: ks })).toBe(
      '2026-11-22T06:41:31.250Z CRITICAL credit-risk scorer v3,4 drift amount segment DE ks p=0.0001 < 0.001 vs previous revision 2 window 06:40:30–06:41:30 rows 600',
    );
  });

  it('names a data-quality guardrail as quality, and shows a window over midnight in full', () => {
    const quality: DriftAlert = {
      ...psiAlert,
      statistic: 'null_rate',
      value: 0.25,
      threshold: 0.2,
      conventions: { check: 'data quality guardrail' },
      window_start: Date.UTC(2026, 10, 21, 23, 30),
      window_end: Date.UTC(2026, 10, 22, 0, 30),
      detected_at: Date.UTC(2026, 10, 22, 0, 30),
    };
    expect(formatEvent({ kind: 'drift-alert', record: quality })).toBe(
      '2026-11-22T00:30:00Z CRITICAL credit-risk v3 quality amount null_rate=0.25 ≥ 0.2 window 2026-11-21T23:30:00Z–2026-11-22T00:30:00Z rows 600',
    );
  });

  it('prints a model alert with its kind, metric, reference and threshold', () => {
    const record: ModelAlertRecord = {
      alert_id: 'm',
      monitor: 'credit-risk',
      kind: 'concept_drift',
      severity: 'warning',
      model_name: 'credit-risk',
      model_version: '2.1',
      role: 'canary',
      compared_version: '2.0',
      subject: 'error-stream',
      segment: null,
      window_start: T(6, 0),
      window_end: T(7, 0),
      metric: 'adwin_change',
      value: 0.1234567,
      reference: 0.05,
      threshold: 0.1,
      warning_level: 0.1,
      critical_level: 0.2,
      rows: 12_000,
      message: 'm',
      evidence: {},
      created_at: T(7, 0, 5),
    };
    expect(formatEvent({ kind: 'model-alert', record })).toBe(
      '2026-11-22T07:00:05Z WARNING credit-risk v2.1 (canary) concept drift error-stream adwin_change=0.1235 reference 0.05 threshold 0.1 vs v2.0 window 06:00–07:00 rows 12000',
    );
  });

  it('prints a rollback recommendation with the version to go back to and its reason', () => {
    const record: RollbackRecommendationRecord = {
      recommendation_id: 'r',
      monitor: 'credit-risk',
      model_name: 'credit-risk',
      live_version: '2',
      candidate_version: '3',
      candidate_role: 'canary',
      window_start: T(6, 0),
      window_end: T(7, 0),
      severity: 'critical',
      action: 'rollback',
      reason: 'canary accuracy 0.81 is 0.09 below live',
      findings: [],
      created_at: T(7, 0),
    };
    expect(formatEvent({ kind: 'rollback', record })).toBe(
      '2026-11-22T07:00:00Z CRITICAL credit-risk v3 rollback to v2 (canary): canary accuracy 0.81 is 0.09 below live window 06:00–07:00',
    );
  });

  it('prints an incident event with its drifting subjects', () => {
    const subject = {
      kind: 'feature_drift',
      severity: 'critical' as const,
      threshold: 0.2,
      drifting_windows: 2,
      since: T(6, 39),
    };
    const record: IncidentEventRecord = {
      event_id: 'e1',
      incident_id: '0123456789abcdef',
      type: 'update',
      sequence: 1,
      monitor: 'credit-risk',
      model_name: 'credit-risk',
      model_versions: ['3'],
      segment: null,
      kind: 'drift',
      severity: 'critical',
      opened_window_start: T(6, 39),
      opened_window_end: T(6, 40),
      window_start: T(6, 40),
      window_end: T(6, 41),
      subjects: [
        { ...subject, subject: 'amount', metric: 'psi', value: 0.31, drifting: true },
        { ...subject, subject: 'age', metric: 'ks', value: 0.01, drifting: false },
        { ...subject, subject: 'channel', metric: 'js', value: 0.25, drifting: true },
      ],
      created_at: T(6, 41),
    };
    expect(formatEvent({ kind: 'incident', record })).toBe(
      '2026-11-22T06:41:00Z CRITICAL credit-risk v3 incident update drift amount psi=0.31, channel js=0.25 0123456789ab window 06:40–06:41',
    );
  });

  it('prints a retrain request with its reason and suggested training window', () => {
    const record: RetrainRequestRecord = {
      request_id: 'r1',
      monitor: 'credit-risk',
      model_name: 'scorer',
      model_version: '3',
      triggers: ['critical_features'],
      reason: '3 critical features for 2 windows',
      window_start: T(6, 40),
      window_end: T(6, 41),
      training_window_start: Date.UTC(2026, 10, 21, 6, 0),
      training_window_end: T(6, 41),
      sustained_windows: 2,
      evidence: [],
      created_at: T(6, 41),
    };
    expect(formatEvent({ kind: 'retrain', record })).toBe(
      '2026-11-22T06:41:00Z INFO credit-risk scorer v3 retrain: 3 critical features for 2 windows training 2026-11-21T06:00:00Z–2026-11-22T06:41:00Z window 06:40–06:41',
    );
  });

  it('prints other records from the fields they share', () => {
    expect(
      formatEvent({
        kind: 'other',
        name: 'io.driftwatch.windows.WindowStatistics',
        record: { monitor: 'credit-risk', window_start: T(6, 40), window_end: T(6, 41) },
      }),
    ).toBe('2026-11-22T06:41:00Z INFO credit-risk io.driftwatch.windows.WindowStatistics window 06:40–06:41');
    expect(formatEvent({ kind: 'other', name: 'com.example.Bare', record: 'x' })).toBe(
      '- INFO com.example.Bare',
    );
  });
});

describe('driftwatch alerts', () => {
  async function usage(args: string[]): Promise<string> {
    try {
      await alertsCommand(args);
    } catch (error) {
      if (isDriftwatchError(error, ErrorCodes.CLI_USAGE)) return error.message;
      throw error;
    }
    throw new Error('expected a usage error');
  }

  it('refuses a missing or unknown subcommand, stray arguments and a bad --max', async () => {
    expect(await usage([])).toBe('name a subcommand: tail');
    expect(await usage(['follow'])).toBe('unknown subcommand "follow"; use tail');
    expect(await usage(['tail', 'driftwatch.alerts'])).toMatch(/unexpected argument "driftwatch.alerts"/);
    expect(await usage(['tail', '--max', '0'])).toBe('--max must be an integer >= 1, got 0');
    expect(await usage(['tail', '--follow'])).toMatch(/--follow/);
  });

  it("reads a topology's alert, incident and retrain topics", async () => {
    const topology = await loadTopologyFile('topologies/credit-risk.yaml');
    expect(tailTopicsOf(topology)).toEqual([
      'driftwatch.alerts',
      'driftwatch.incidents',
      'driftwatch.retrain-requests',
    ]);
    const withModel = {
      ...topology,
      model: {
        outputs: { alertTopic: 'm.alerts', rollbackTopic: 'm.rollback', statisticsTopic: null },
      } as NonNullable<typeof topology.model>,
    };
    expect(tailTopicsOf(withModel)).toEqual([
      'driftwatch.alerts',
      'm.alerts',
      'm.rollback',
      'driftwatch.incidents',
      'driftwatch.retrain-requests',
    ]);
  });
});
