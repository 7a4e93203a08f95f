/**
 * Every error driftwatch raises on purpose carries a stable code, so that scripts, tests and operators can match on
 * the code rather than on wording that may change. Codes are never reused for another meaning.
 */
export const ErrorCodes = {
  /** A public option failed validation; the message names the option. */
  INVALID_OPTION: 'DW_INVALID_OPTION',
  /** A topology file could not be parsed or validated; details carry file, line, column and field path. */
  TOPOLOGY_INVALID: 'DW_TOPOLOGY_INVALID',
  /** A baseline file is missing, unreadable or does not cover a feature the topology monitors. */
  BASELINE_INVALID: 'DW_BASELINE_INVALID',
  /** A message is not in the Confluent wire format (magic byte 0 + 4-byte schema id + payload). */
  WIRE_FORMAT: 'DW_WIRE_FORMAT',
  /** A message names a schema id that the registry does not know. */
  UNKNOWN_SCHEMA: 'DW_UNKNOWN_SCHEMA',
  /** A payload does not decode with the schema its header names. */
  DECODE_FAILED: 'DW_DECODE_FAILED',
  /** A decoded event lacks a field the topology needs, or the field has the wrong type. */
  EVENT_INVALID: 'DW_EVENT_INVALID',
  /** The schema registry refused or failed a request. */
  REGISTRY: 'DW_REGISTRY',
  /** A statistic was asked of inputs it cannot be computed on (e.g. mismatched bucket layouts). */
  STATISTIC_INPUT: 'DW_STATISTIC_INPUT',
  /** A worker task failed. */
  WORKER_FAILED: 'DW_WORKER_FAILED',
  /** A data file (CSV, NDJSON, Parquet, Arrow) is missing, unreadable or malformed; details name file and row. */
  INPUT_FILE: 'DW_INPUT_FILE',
  /** A command-line usage error. */
  CLI_USAGE: 'DW_CLI_USAGE',
  /** A baseline could not be published to its topic (the topic is not compacted, or the baseline is too large). */
  BASELINE_TOPIC: 'DW_BASELINE_TOPIC',
  /** An Avro schema file is not valid JSON or not a valid Avro schema. */
  SCHEMA_INVALID: 'DW_SCHEMA_INVALID',
  /** A field a topology uses is missing from a schema, or its Avro type does not fit the use; details list them. */
  SCHEMA_FIELD: 'DW_SCHEMA_FIELD',
  /** The registry refused a schema under the subject's compatibility rule; the message carries its reason. */
  SCHEMA_INCOMPATIBLE: 'DW_SCHEMA_INCOMPATIBLE',
  /** The prediction logger's buffer is full: new events are dropped (and counted) until sends catch up. */
  BUFFER_FULL: 'DW_BUFFER_FULL',
  /** A component was used out of order (a programming error, not a fact about data). */
  INVALID_STATE: 'DW_INVALID_STATE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class DriftwatchError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DriftwatchError';
    this.code = code;
    this.details = details;
  }
}

export function isDriftwatchError(value: unknown, code?: ErrorCode): value is DriftwatchError {
  return value instanceof DriftwatchError && (code === undefined || value.code === code);
}

/** An invalid option of a public constructor or function: names the option and the value it got. */
export function optionError(option: string, message: string, value: unknown): DriftwatchError {
  return new DriftwatchError(ErrorCodes.INVALID_OPTION, `${option} ${message}, got ${value}`, {
    option,
    value,
  });
}

/** Inputs a statistic or a state cannot be computed on (mismatched layouts, bad frames, bad values). */
export function statisticInputError(message: string, details: Record<string, unknown> = {}): DriftwatchError {
  return new DriftwatchError(ErrorCodes.STATISTIC_INPUT, message, details);
}
