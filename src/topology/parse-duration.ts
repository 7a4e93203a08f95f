/**
 * Durations in topology files: a number (integer or decimal) followed by a unit, e.g. `250ms`, `5s`, `1.5m`, `2h`,
 * `1d`, or a bare non-negative integer meaning milliseconds (`500`, either as a YAML number or a string).
 */

/** Milliseconds per unit. Units are case-sensitive (`m` is minutes; there is no month unit). */
export const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const UNIT_LIST = Object.keys(DURATION_UNITS_MS).join(', ');
const EXAMPLES = 'e.g. "250ms", "5s", "1m", "2h", "1d", or a bare integer of milliseconds';
const DURATION = /^(\d+)(?:\.(\d+))?([A-Za-z]*)$/;

/**
 * Parses a duration into whole milliseconds. Throws a plain `Error` with a message meant to be shown to the author
 * of the file; the caller adds the location.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return fromNumber(text);
  if (typeof text !== 'string') throw new Error(`expected a duration (${EXAMPLES}), got ${typeof text}`);

  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`expected a duration (${EXAMPLES}), got an empty string`);
  if (trimmed.startsWith('-')) throw new Error(`duration "${text}" is negative; durations must be >= 0`);

  const match = DURATION.exec(trimmed);
  if (!match)
    throw new Error(`invalid duration "${text}": expected a number followed by a unit (${EXAMPLES})`);
  const [, whole = '', fraction = '', unit = ''] = match;

  if (unit === '') {
    if (fraction !== '') {
      throw new Error(`invalid duration "${text}": a bare number means milliseconds and must be an integer`);
    }
    return checkSafe(Number(whole), text);
  }
  const unitMs = DURATION_UNITS_MS[unit];
  if (unitMs === undefined) {
    throw new Error(`invalid duration "${text}": unknown unit "${unit}"; use one of ${UNIT_LIST}`);
  }

  // Exact decimal arithmetic, so that e.g. 0.1h is exactly 360000 ms and 1.0005s is rejected rather than rounded.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(unitMs);
  if (scaled % scale !== 0n) {
    throw new Error(`invalid duration "${text}": it is not a whole number of milliseconds`);
  }
  return checkSafe(Number(scaled / scale), text);
}

function fromNumber(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`invalid duration ${value}: must be finite`);
  if (value < 0) throw new Error(`duration ${value} is negative; durations must be >= 0`);
  if (!Number.isInteger(value)) {
    throw new Error(
      `invalid duration ${value}: a bare number means milliseconds and must be an integer; ` +
        `write a unit for fractions (${EXAMPLES})`,
    );
  }
  return checkSafe(value, String(value));
}

function checkSafe(ms: number, text: string): number {
  if (!Number.isSafeInteger(ms)) throw new Error(`duration "${text}" is too large`);
  return ms;
}
