import { readFileSync } from 'node:fs';

/** The repository's schemas/ folder; the same relative place from src/ and from dist/. */
const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** Reads an Avro schema (an `.avsc` JSON file) shipped in schemas/ by its file name. */
export function readShippedSchema(fileName: string): object {
  return JSON.parse(readFileSync(new URL(fileName, SCHEMAS_DIR), 'utf8')) as object;
}

export const DRIFT_ALERT_SCHEMA_FILE = 'drift-alert.avsc';
export const WINDOW_STATISTICS_SCHEMA_FILE = 'window-statistics.avsc';
export const MODEL_ALERT_SCHEMA_FILE = 'model-alert.avsc';
export const ROLLBACK_RECOMMENDATION_SCHEMA_FILE = 'rollback-recommendation.avsc';
export const MODEL_STATISTICS_SCHEMA_FILE = 'model-statistics.avsc';
export const INCIDENT_SCHEMA_FILE = 'incident.avsc';
export const RETRAIN_REQUEST_SCHEMA_FILE = 'retrain-request.avsc';
