import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type IncidentEvent, IncidentTracker } from '../../../src/core/alerting/incident-tracker.ts';
import type { Signal } from '../../../src/core/alerting/signal.ts';
import { ErrorCodes } from '../../../src/errors.ts';
import { sig, W } from './alerting-fixtures.ts';

/** Feeds one window at a time, as the engines do, and collects every event. */
function run(tracker: IncidentTracker, windows: readonly (readonly Signal[])[]): IncidentEvent[] {
  return windows.flatMap((signals) => tracker.observe(signals));
}

const brief = (e: IncidentEvent) => ({
  type: e.type,
  at: e.windowStart / W,
  severity: e.severity,
  drifting: e.subjects.filter((s) => s.drifting).map((s) => s.subject),
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

describe('IncidentTracker', () => {
  it('opens after openAfter windows at warning and resolves after resolveAfter clean ones', () => {
    const tracker = new IncidentTracker({ openAfter: 2, resolveAfter: 2 });
    const events = run(tracker, [
      [sig(0, 'amount', 'warning')],
      [sig(1, 'amount', 'warning')],
      [sig(2, 'amount', null)],
      [sig(3, 'amount', null)],
      [sig(4, 'amount', null)],
    ]);
    expect(events.map(brief)).toEqual([
      { type: 'open', at: 1, severity: 'warning', drifting: ['amount'] },
      { type: 'resolve', at: 3, severity: 'warning', drifting: [] },
    ]);
    const open = events[0]!;
    expect(open.subjects[0]).toMatchObject({ since: 0, driftingWindows: 2, value: 0.15, threshold: 0.1 });
    expect(open.openedWindowStart).toBe(W);
    expect(events[1]!.sequence).toBe(1);
    expect(tracker.counters).toEqual({ opened: 1, updated: 0, resolved: 1, suppressed: 0 });
  });

  it('does not open on a single drifting window when openAfter is 2, and a clean window breaks the run', () => {
    const tracker = new IncidentTracker({ openAfter: 2 });
    const events = run(tracker, [
      [sig(0, 'amount', 'critical')],
      [sig(1, 'amount', null)],
      [sig(2, 'amount', 'critical')],
    ]);
    expect(events).toEqual([]);
    expect(tracker.open).toBe(0);
  });

  it('keeps one incident for several features: updates when one joins, when severity rises, when one recovers', () => {
    const tracker = new IncidentTracker({ resolveAfter: 1 });
    const events = run(tracker, [
      [sig(0, 'amount', 'warning'), sig(0, 'channel', null)],
      [sig(1, 'amount', 'warning'), sig(1, 'channel', 'warning')],
      [sig(2, 'amount', 'warning'), sig(2, 'channel', 'warning')],
      [sig(3, 'amount', 'critical'), sig(3, 'channel', 'warning')],
      [sig(4, 'amount', 'critical'), sig(4, 'channel', null)],
      [sig(5, 'amount', null), sig(5, 'channel', null)],
    ]);
    expect(events.map(brief)).toEqual([
      { type: 'open', at: 0, severity: 'warning', drifting: ['amount'] },
      { type: 'update', at: 1, severity: 'warning', drifting: ['amount', 'channel'] },
      { type: 'update', at: 3, severity: 'critical', drifting: ['amount', 'channel'] },
      { type: 'update', at: 4, severity: 'critical', drifting: ['amount'] },
      // The resolve reports the highest severity the incident reached.
      { type: 'resolve', at: 5, severity: 'critical', drifting: [] },
    ]);
    expect(new Set(events.map((e) => e.incidentId)).size).toBe(1);
    expect(events.map((e) => e.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(5);
    // Every subject that drifted is listed to the end, with its windows at warning or above.
    expect(events[4]!.subjects.map((s) => [s.subject, s.drifting, s.driftingWindows])).toEqual([
      ['amount', false, 5],
      ['channel', false, 3],
    ]);
  });

  it('gathers feature drift and data-quality guardrails in one incident, and keeps segments and model kinds apart', () => {
    const tracker = new IncidentTracker();
    const events = tracker.observe([
      sig(0, 'amount', 'warning'),
      sig(0, 'amount/null_rate', 'critical', { kind: 'data_quality', metric: 'null_rate' }),
      sig(0, 'amount', 'warning', { segment: 'DE' }),
      sig(0, 'v1/*', 'warning', { kind: 'performance', metric: 'accuracy' }),
    ]);
    expect(events.map((e) => [e.kind, e.segment, e.severity, e.subjects.length])).toEqual([
      ['drift', null, 'critical', 2],
      ['drift', 'DE', 'warning', 1],
      ['performance', null, 'warning', 1],
    ]);
    expect(new Set(events.map((e) => e.incidentId)).size).toBe(3);
  });

  it('holds back openings during the cooldown after a resolve, then opens for a feature still drifting', () => {
    const tracker = new IncidentTracker({ resolveAfter: 1, cooldownMs: 2 * W });
    const events = run(tracker, [
      [sig(0, 'amount', 'warning')],
      [sig(1, 'amount', null)], // resolves; the window ends at 2W, so nothing opens before 4W
      [sig(2, 'amount', 'warning')],
      [sig(3, 'amount', 'warning')],
      [sig(4, 'amount', 'warning')],
    ]);
    expect(events.map(brief)).toEqual([
      { type: 'open', at: 0, severity: 'warning', drifting: ['amount'] },
      { type: 'resolve', at: 1, severity: 'warning', drifting: [] },
      { type: 'open', at: 4, severity: 'warning', drifting: ['amount'] },
    ]);
    expect(tracker.counters.suppressed).toBe(2);
    expect(events[2]!.subjects[0]!.since).toBe(2 * W);
    expect(events[2]!.incidentId).not.toBe(events[0]!.incidentId);
  });

  it('gives the same ids to a replay of the same input, built from monitor, model, kind, segment and window', () => {
    const input = [
      [sig(0, 'amount', 'warning', { segment: 'FR' })],
      [sig(1, 'amount', 'critical', { segment: 'FR' })],
      [sig(2, 'amount', null, { segment: 'FR' })],
      [sig(3, 'amount', null, { segment: 'FR' })],
    ];
    const first = run(new IncidentTracker(), input);
    const second = run(new IncidentTracker(), input);
    expect(second).toEqual(first);
    expect(first.map((e) => e.type)).toEqual(['open', 'update', 'resolve']);
    const incident = sha('m\u0000fraud\u0000drift\u00000\u0000segment=FR');
    expect(first[0]!.incidentId).toBe(incident);
    expect(first[1]!.eventId).toBe(sha(`${incident}\u0000update\u0000${W}\u00001`));
  });

  it('ignores a window it already judged (a revision or a replayed output)', () => {
    const tracker = new IncidentTracker();
    expect(tracker.observe([sig(0, 'amount', 'warning')])).toHaveLength(1);
    expect(tracker.observe([sig(0, 'amount', 'critical')])).toEqual([]);
    expect(tracker.observe([sig(1, 'amount', 'critical')]).map((e) => e.type)).toEqual(['update']);
  });

  it('orders the events of several windows given at once by window', () => {
    const tracker = new IncidentTracker({ resolveAfter: 1 });
    const events = tracker.observe([sig(1, 'amount', null), sig(0, 'amount', 'warning')]);
    expect(events.map((e) => [e.type, e.windowStart])).toEqual([
      ['open', 0],
      ['resolve', W],
    ]);
  });

  it('rejects openAfter and resolveAfter below 1 or not integers', () => {
    for (const options of [{ openAfter: 0 }, { resolveAfter: 1.5 }]) {
      expect(() => new IncidentTracker(options)).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
      );
    }
  });
});
