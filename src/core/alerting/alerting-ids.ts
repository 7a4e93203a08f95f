/**
 * Deterministic ids of incidents, incident events and retrain requests, built as src/alerts/drift-alert.ts builds
 * alert ids: NUL-separated parts, nullable parts tagged and only when present (a null segment and a segment named
 * "null" differ), sha256, the first 32 hex characters. The same input windows give the same ids, so a replay or a
 * restart re-publishes records a consumer recognises instead of counting them twice.
 */
import { stableId } from '../stable-id.ts';

/** One incident: monitor, model, incident kind, segment and the start of the window it opened in. */
export function incidentId(
  monitor: string,
  modelName: string,
  kind: string,
  segment: string | null,
  openedWindowStart: number,
): string {
  return stableId([monitor, modelName, kind, openedWindowStart], { segment });
}

/**
 * One event of an incident. The sequence enters besides type and window, so two events of one incident in one window
 * (a late output of another model version updating it again) still differ.
 */
export function incidentEventId(
  incident: string,
  type: string,
  windowStart: number,
  sequence: number,
): string {
  return stableId([incident, type, windowStart, sequence]);
}

/** One retrain request: monitor, model name and version, and the start of the window that triggered it. */
export function retrainRequestId(
  monitor: string,
  modelName: string,
  modelVersion: string,
  triggerWindowStart: number,
): string {
  return stableId([monitor, modelName, modelVersion, triggerWindowStart]);
}
