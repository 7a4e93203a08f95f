/**
 * Turns per-window signals into incidents: one per (monitor, model, segment, incident kind) at a time, listing every
 * drifting subject, with open, update and resolve events.
 *
 * Rules (deterministic, event time only):
 * - A subject starts drifting after `openAfter` consecutive observations at warning or above, and stops after
 *   `resolveAfter` consecutive observations judged clean. A window that does not observe a subject leaves its runs as
 *   they are (a window without data is no evidence either way).
 * - An incident opens in the window where the first subject of its key starts drifting; it is updated in a window
 *   where the set of drifting subjects or the highest current severity changed; it resolves in the window where no
 *   subject drifts any more.
 * - After a resolve, the key does not open a new incident until a window starting at least `cooldownMs` after the
 *   resolving window's end; openings held back by the cooldown are counted (`suppressed`), and a subject still
 *   drifting when the cooldown ends opens the next incident then.
 * - Observations of a window not newer than the subject's last one (a revision of a window re-emitted for late events,
 *   a replayed output) are ignored, so they neither count twice nor move an incident.
 */
import { optionError } from '../../errors.ts';
import type { ModelMonitorKind } from '../../model/model-results.ts';
import { incidentEventId, incidentId } from './alerting-ids.ts';
import { EpisodeGate } from './episode-gate.ts';
import { maxSeverity, type Signal, type SignalKind, type SignalSeverity } from './signal.ts';

/** `drift` gathers feature drift and data-quality guardrails of the drift engine; model kinds stay apart. */
export type IncidentKind = 'drift' | ModelMonitorKind;

export type IncidentEventType = 'open' | 'update' | 'resolve';

export interface IncidentTrackerOptions {
  /** Consecutive windows at warning or above before a subject counts as drifting (default 1). */
  readonly openAfter?: number;
  /** Consecutive clean windows before a drifting subject counts as clean again (default 2). */
  readonly resolveAfter?: number;
  /** Event-time milliseconds after a resolve during which the key opens no new incident (default 0). */
  readonly cooldownMs?: number;
}

export const INCIDENT_DEFAULTS = { openAfter: 1, resolveAfter: 2, cooldownMs: 0 } as const;

/** A subject as an incident event lists it: its latest observation and its drifting run. */
export interface IncidentSubject {
  readonly subject: string;
  readonly kind: SignalKind;
  readonly metric: string;
  /** Severity of the latest observation (null: it was judged clean). */
  readonly severity: SignalSeverity | null;
  readonly value: number;
  readonly threshold: number | null;
  /** Whether the subject still counts as drifting (false once `resolveAfter` clean windows passed). */
  readonly drifting: boolean;
  /** Windows at warning or above since the run that made it drift began. */
  readonly driftingWindows: number;
  /** Start of the first window of that run. */
  readonly since: number;
}

export interface IncidentEvent {
  readonly incidentId: string;
  readonly eventId: string;
  readonly type: IncidentEventType;
  /** 0 for the open event, then 1, 2, ... per incident. */
  readonly sequence: number;
  readonly monitor: string;
  readonly modelName: string;
  /** Versions named by the observations at warning or above of this incident, sorted. */
  readonly modelVersions: readonly string[];
  readonly segment: string | null;
  readonly kind: IncidentKind;
  /** Open and update: the highest current severity of the drifting subjects; resolve: the highest the incident had. */
  readonly severity: SignalSeverity;
  readonly openedWindowStart: number;
  readonly openedWindowEnd: number;
  /** The window the event was decided in. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Every subject that drifted during the incident, by name; `drifting` says whether it still does. */
  readonly subjects: readonly IncidentSubject[];
}

export interface IncidentCounters {
  readonly opened: number;
  readonly updated: number;
  readonly resolved: number;
  /** Windows in which an opening was held back by the cooldown. */
  readonly suppressed: number;
}

interface SubjectState {
  driftRun: number;
  cleanRun: number;
  runStart: number;
  drifting: boolean;
  since: number;
  driftingWindows: number;
  /** Severity of the latest observation at warning or above. */
  lastSeverity: SignalSeverity | null;
  lastStart: number;
  latest: Signal;
}

interface OpenIncident {
  readonly id: string;
  readonly openedStart: number;
  readonly openedEnd: number;
  sequence: number;
  severity: SignalSeverity;
  peak: SignalSeverity;
  driftingKey: string;
  /** Latest view of every subject that drifted during the incident. */
  readonly involved: Map<string, IncidentSubject>;
}

interface KeyState {
  readonly monitor: string;
  readonly modelName: string;
  readonly segment: string | null;
  readonly kind: IncidentKind;
  readonly subjects: Map<string, SubjectState>;
  readonly versions: Set<string>;
  incident: OpenIncident | null;
}

export function incidentKindOf(kind: SignalKind): IncidentKind {
  return kind === 'feature_drift' || kind === 'data_quality' ? 'drift' : kind;
}

export class IncidentTracker {
  readonly #openAfter: number;
  readonly #resolveAfter: number;
  readonly #gate: EpisodeGate;
  readonly #keys = new Map<string, KeyState>();
  #counters = { opened: 0, updated: 0, resolved: 0, suppressed: 0 };

  constructor(options: IncidentTrackerOptions = {}) {
    this.#openAfter = positiveInteger('openAfter', options.openAfter ?? INCIDENT_DEFAULTS.openAfter);
    this.#resolveAfter = positiveInteger(
      'resolveAfter',
      options.resolveAfter ?? INCIDENT_DEFAULTS.resolveAfter,
    );
    this.#gate = new EpisodeGate({
      cooldownMs: options.cooldownMs ?? INCIDENT_DEFAULTS.cooldownMs,
      untilRecovered: false,
    });
  }

  get counters(): IncidentCounters {
    return { ...this.#counters };
  }

  /** Incidents currently open. */
  get open(): number {
    let n = 0;
    for (const state of this.#keys.values()) if (state.incident !== null) n++;
    return n;
  }

  /**
   * Applies the signals of one or more windows and returns the incident events they cause, in window order (then in
   * the order the keys first appear in `signals`).
   */
  observe(signals: readonly Signal[]): IncidentEvent[] {
    const byWindow = new Map<number, Map<string, Signal[]>>();
    for (const s of signals) {
      let keys = byWindow.get(s.windowStart);
      if (keys === undefined) {
        keys = new Map();
        byWindow.set(s.windowStart, keys);
      }
      const key = keyOf(s);
      const list = keys.get(key);
      if (list === undefined) keys.set(key, [s]);
      else list.push(s);
    }
    const events: IncidentEvent[] = [];
    for (const start of [...byWindow.keys()].sort((a, b) => a - b)) {
      for (const [key, list] of byWindow.get(start)!) {
        const event = this.#window(key, list);
        if (event !== null) events.push(event);
      }
    }
    return events;
  }

  /** One key's signals of one window. */
  #window(key: string, signals: readonly Signal[]): IncidentEvent | null {
    const first = signals[0]!;
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = {
        monitor: first.monitor,
        modelName: first.modelName,
        segment: first.segment,
        kind: incidentKindOf(first.kind),
        subjects: new Map(),
        versions: new Set(),
        incident: null,
      };
      this.#keys.set(key, state);
    }
    let applied = false;
    let windowEnd = first.windowEnd;
    for (const s of signals) {
      if (this.#apply(state, s)) {
        applied = true;
        if (s.windowEnd > windowEnd) windowEnd = s.windowEnd;
      }
    }
    if (!applied) return null;
    return this.#decide(key, state, first.windowStart, windowEnd);
  }

  /** Updates a subject's runs; false when the observation is not newer than the subject's last one. */
  #apply(state: KeyState, s: Signal): boolean {
    let sub = state.subjects.get(s.subject);
    if (sub !== undefined && s.windowStart <= sub.lastStart) return false;
    if (sub === undefined) {
      if (s.severity === null) return true; // clean and never drifting: nothing to remember
      sub = {
        driftRun: 0,
        cleanRun: 0,
        runStart: s.windowStart,
        drifting: false,
        since: s.windowStart,
        driftingWindows: 0,
        lastSeverity: null,
        lastStart: s.windowStart,
        latest: s,
      };
      state.subjects.set(s.subject, sub);
    }
    sub.lastStart = s.windowStart;
    sub.latest = s;
    if (s.severity !== null) {
      if (sub.driftRun === 0) sub.runStart = s.windowStart;
      sub.driftRun++;
      sub.cleanRun = 0;
      sub.lastSeverity = s.severity;
      if (s.modelVersion !== '') state.versions.add(s.modelVersion);
      if (sub.drifting) sub.driftingWindows++;
      else if (sub.driftRun >= this.#openAfter) {
        sub.drifting = true;
        sub.since = sub.runStart;
        sub.driftingWindows = sub.driftRun;
      }
    } else {
      sub.cleanRun++;
      sub.driftRun = 0;
      if (sub.drifting && sub.cleanRun >= this.#resolveAfter) sub.drifting = false;
    }
    const incident = state.incident;
    if (incident !== null && (sub.drifting || incident.involved.has(s.subject))) {
      incident.involved.set(s.subject, view(s.subject, sub));
    }
    // A subject neither drifting nor on its way there has nothing left to count.
    if (!sub.drifting && sub.driftRun === 0) state.subjects.delete(s.subject);
    return true;
  }

  #decide(key: string, state: KeyState, windowStart: number, windowEnd: number): IncidentEvent | null {
    const drifting: string[] = [];
    let severity: SignalSeverity | null = null;
    for (const [name, sub] of state.subjects) {
      if (!sub.drifting) continue;
      drifting.push(name);
      severity = maxSeverity(severity, sub.lastSeverity);
    }
    drifting.sort();
    const incident = state.incident;
    if (incident === null) {
      if (drifting.length === 0) return null;
      if (!this.#gate.tryOpen(key, windowStart)) {
        this.#counters.suppressed++;
        return null;
      }
      const involved = new Map<string, IncidentSubject>();
      for (const name of drifting) involved.set(name, view(name, state.subjects.get(name)!));
      const opened: OpenIncident = {
        id: incidentId(state.monitor, state.modelName, state.kind, state.segment, windowStart),
        openedStart: windowStart,
        openedEnd: windowEnd,
        sequence: 0,
        severity: severity!,
        peak: severity!,
        driftingKey: drifting.join('\u0000'),
        involved,
      };
      state.incident = opened;
      this.#counters.opened++;
      return this.#event(state, opened, 'open', windowStart, windowEnd);
    }
    if (drifting.length === 0) {
      state.incident = null;
      this.#gate.end(key, windowEnd);
      this.#counters.resolved++;
      incident.sequence++;
      const event = this.#event(state, incident, 'resolve', windowStart, windowEnd);
      state.versions.clear();
      return event;
    }
    const driftingKey = drifting.join('\u0000');
    if (driftingKey === incident.driftingKey && severity === incident.severity) return null;
    incident.driftingKey = driftingKey;
    incident.severity = severity!;
    incident.peak = maxSeverity(incident.peak, severity)!;
    incident.sequence++;
    this.#counters.updated++;
    return this.#event(state, incident, 'update', windowStart, windowEnd);
  }

  #event(
    state: KeyState,
    incident: OpenIncident,
    type: IncidentEventType,
    windowStart: number,
    windowEnd: number,
  ): IncidentEvent {
    const subjects = [...incident.involved.values()].sort((a, b) =>
      a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0,
    );
    return {
      incidentId: incident.id,
      eventId: incidentEventId(incident.id, type, windowStart, incident.sequence),
      type,
      sequence: incident.sequence,
      monitor: state.monitor,
      modelName: state.modelName,
      modelVersions: [...state.versions].sort(),
      segment: state.segment,
      kind: state.kind,
      severity: type === 'resolve' ? incident.peak : incident.severity,
      openedWindowStart: incident.openedStart,
      openedWindowEnd: incident.openedEnd,
      windowStart,
      windowEnd,
      subjects,
    };
  }
}

function keyOf(s: Signal): string {
  const segment = s.segment === null ? '' : `segment=${s.segment}`;
  return [s.monitor, s.modelName, incidentKindOf(s.kind), segment].join('\u0000');
}

function view(name: string, sub: SubjectState): IncidentSubject {
  const s = sub.latest;
  return {
    subject: name,
    kind: s.kind,
    metric: s.metric,
    severity: s.severity,
    value: s.value,
    threshold: s.threshold,
    drifting: sub.drifting,
    driftingWindows: sub.driftingWindows,
    since: sub.since,
  };
}

function positiveInteger(option: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw optionError(option, 'must be an integer >= 1', value);
  return value;
}
