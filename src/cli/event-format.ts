/**
 * One line per event for a person reading `driftwatch alerts tail`:
 * `<time> <SEVERITY> <monitor> [<model>] <version> <what and its numbers> window <start>–<end> rows <n>`,
 * e.g. `2026-11-22T06:41:00Z CRITICAL credit-risk v3 drift amount psi=0.31 ≥ 0.2 window 06:40–06:41 rows 600`.
 * The model name is left out when it is the monitor's name. Records of other kinds are read leniently from the fields
 * driftwatch's records share.
 */
import type { DriftAlert } from '../alerts/drift-alert.ts';
import type { IncidentEventRecord } from '../alerts/incident-event.ts';
import type { ModelAlertRecord } from '../alerts/model-alert.ts';
import type { RetrainRequestRecord } from '../alerts/retrain-request.ts';
import type { RollbackRecommendationRecord } from '../alerts/rollback-recommendation.ts';
import type { AlertEvent, SubscribedEvent } from '../alerts/subscriber.ts';

export interface EventFormatOptions {
  /** ANSI colour on the severity (only for a terminal). */
  readonly color?: boolean;
}

const COLOURS: Readonly<Record<string, string>> = { CRITICAL: '\u001b[1;31m', WARNING: '\u001b[33m' };
const RESET = '\u001b[0m';

export function formatEvent(event: AlertEvent | SubscribedEvent, options: EventFormatOptions = {}): string {
  const fallbackTime = 'timestamp' in event ? event.timestamp : null;
  switch (event.kind) {
    case 'drift-alert':
      return driftLine(event.record, options);
    case 'model-alert':
      return modelAlertLine(event.record, options);
    case 'rollback':
      return rollbackLine(event.record, options);
    case 'incident':
      return incidentLine(event.record, options);
    case 'retrain':
      return retrainLine(event.record, options);
    case 'other':
      return genericLine(event.name, event.record, fallbackTime, options);
  }
}

function driftLine(a: DriftAlert, options: EventFormatOptions): string {
  const quality = a.conventions.check === 'data quality guardrail';
  // p-value tests with fixed levels fire below their level; distances and calibrated levels at or above it.
  const pTest = a.p_value !== null && a.levels_source === 'fixed';
  const measure = pTest
    ? `${a.statistic} p=${num(a.adjusted_p_value ?? a.p_value)} < ${num(a.threshold)}`
    : `${a.statistic}=${num(a.value)} ≥ ${num(a.threshold)}`;
  const what = [
    quality ? 'quality' : 'drift',
    a.feature,
    ...(a.segment !== null ? [`segment ${a.segment}`] : []),
    measure,
    ...(a.reference !== 'baseline' ? [`vs ${a.reference}`] : []),
    ...(a.revision > 0 ? [`revision ${a.revision}`] : []),
  ];
  return line(a.detected_at, a.severity, a.monitor, a.model_name, a.model_versions.join(','), what, options, {
    start: a.window_start,
    end: a.window_end,
    rows: a.current_size,
  });
}

function modelAlertLine(a: ModelAlertRecord, options: EventFormatOptions): string {
  const version = a.role === 'live' ? a.model_version : `${a.model_version} (${a.role})`;
  const what = [
    a.kind.replaceAll('_', ' '),
    ...(a.subject !== a.metric && a.subject !== '' ? [a.subject] : []),
    ...(a.segment !== null ? [`segment ${a.segment}`] : []),
    `${a.metric}=${num(a.value)}`,
    ...(a.reference !== null ? [`reference ${num(a.reference)}`] : []),
    `threshold ${num(a.threshold)}`,
    ...(a.compared_version !== null ? [`vs ${versionText(a.compared_version)}`] : []),
  ];
  return line(a.created_at, a.severity, a.monitor, a.model_name, version, what, options, {
    start: a.window_start,
    end: a.window_end,
    rows: a.rows,
  });
}

function rollbackLine(r: RollbackRecommendationRecord, options: EventFormatOptions): string {
  const what = [`rollback to ${versionText(r.live_version)} (${r.candidate_role}):`, r.reason];
  return line(r.created_at, r.severity, r.monitor, r.model_name, r.candidate_version, what, options, {
    start: r.window_start,
    end: r.window_end,
    rows: null,
  });
}

/** The incident's event type and kind, and its drifting subjects with their latest values. */
function incidentLine(r: IncidentEventRecord, options: EventFormatOptions): string {
  const drifting = r.subjects
    .filter((s) => s.drifting)
    .map((s) => `${s.subject} ${s.metric}=${num(s.value)}`);
  const what = [
    'incident',
    r.type,
    r.kind,
    ...(r.segment !== null ? [`segment ${r.segment}`] : []),
    drifting.length > 0 ? drifting.join(', ') : 'no subject drifting',
    r.incident_id.slice(0, 12),
  ];
  return line(r.created_at, r.severity, r.monitor, r.model_name, r.model_versions.join(','), what, options, {
    start: r.window_start,
    end: r.window_end,
    rows: null,
  });
}

/** A retrain request has no severity of its own; it reads as INFO, with its reason and suggested training window. */
function retrainLine(r: RetrainRequestRecord, options: EventFormatOptions): string {
  const what = [
    'retrain:',
    r.reason,
    `training ${windowText(r.training_window_start, r.training_window_end)}`,
  ];
  return line(r.created_at, null, r.monitor, r.model_name, r.model_version, what, options, {
    start: r.window_start,
    end: r.window_end,
    rows: null,
  });
}

/** Other records: the fields driftwatch's records share, when present. */
function genericLine(
  label: string,
  record: unknown,
  fallbackTime: number | null,
  options: EventFormatOptions,
): string {
  const r = record !== null && typeof record === 'object' ? (record as Record<string, unknown>) : {};
  const text = (key: string): string | null => (typeof r[key] === 'string' ? (r[key] as string) : null);
  const time = (key: string): number | null => (typeof r[key] === 'number' ? (r[key] as number) : null);
  const versions = Array.isArray(r.model_versions) ? (r.model_versions as unknown[]).join(',') : null;
  const id = text('event_id') ?? text('incident_id') ?? text('request_id');
  const what = [
    label,
    ...[text('type'), text('status'), text('action')].filter((t): t is string => t !== null),
    ...(id !== null ? [id.slice(0, 12)] : []),
    ...[text('reason'), text('message'), text('summary')].filter((t): t is string => t !== null),
  ];
  return line(
    time('created_at') ?? time('detected_at') ?? time('emitted_at') ?? time('window_end') ?? fallbackTime,
    text('severity'),
    text('monitor'),
    text('model_name'),
    text('model_version') ?? versions,
    what,
    options,
    { start: time('window_start'), end: time('window_end'), rows: null },
  );
}

function line(
  time: number | null,
  severity: string | null,
  monitor: string | null,
  model: string | null,
  version: string | null,
  what: readonly string[],
  options: EventFormatOptions,
  window: { start: number | null; end: number | null; rows: number | null },
): string {
  const sev = (severity ?? 'info').toUpperCase();
  const parts = [
    time === null ? '-' : isoSeconds(time),
    options.color && COLOURS[sev] !== undefined ? `${COLOURS[sev]}${sev}${RESET}` : sev,
    ...(monitor !== null ? [monitor] : []),
    ...(model !== null && model !== '' && model !== monitor ? [model] : []),
    ...(version !== null && version !== '' ? [versionText(version)] : []),
    ...what,
  ];
  if (window.start !== null && window.end !== null)
    parts.push(`window ${windowText(window.start, window.end)}`);
  if (window.rows !== null) parts.push(`rows ${window.rows}`);
  return parts.join(' ');
}

/** `v3` for a version written as a number, the version as written otherwise. */
function versionText(version: string): string {
  return /^\d/.test(version) ? `v${version}` : version;
}

/** ISO-8601 UTC, without milliseconds when they are zero. */
function isoSeconds(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return String(ms);
  return date.toISOString().replace('.000Z', 'Z');
}

/** Times of day (HH:MM, or HH:MM:SS when a bound has seconds); full ISO bounds when the window spans days. */
function windowText(start: number, end: number): string {
  const a = isoSeconds(start);
  const b = isoSeconds(end);
  if (a.length < 20 || b.length < 20 || a.slice(0, 10) !== b.slice(0, 10)) return `${a}–${b}`;
  const seconds = a.slice(17, 19) !== '00' || b.slice(17, 19) !== '00' || a.length > 20 || b.length > 20;
  const cut = (t: string) => (seconds ? t.slice(11, -1) : t.slice(11, 16));
  return `${cut(a)}–${cut(b)}`;
}

/** Four significant digits without trailing zeros; exponent form for very small or large values. */
function num(v: number | null): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}
