import { DriftwatchError, ErrorCodes } from '../../errors.ts';

/**
 * Online concept-drift detectors watch a stream of per-prediction outcomes (most often the error stream of a model
 * whose delayed labels have arrived: 0 = correct, 1 = error) and say, after each value, whether the stream changed.
 *
 * Every detector here reimplements the algorithm of its paper with the semantics of River (online-ml/river, the
 * version pinned in test/fixtures/concept-drift/generate_detector_golden.py), so the same input gives drift and
 * warning signals at the same indices as River does; the golden tests check exactly that. Shared semantics:
 *
 * - `update(x)` consumes one value and returns the state after it. `'drift'` is reported once, on the value that
 *   triggered it; `'warning'` is reported on every value while the detector is in its warning zone.
 * - After a drift the detector forgets everything, as River does, but lazily: the reset happens at the start of the
 *   next `update`, so between the two calls the detector's statistics still describe the data that triggered it.
 * - Detectors are pure and deterministic: no clock, no randomness, no I/O; a fixed number of numbers per detector
 *   except ADWIN, whose bucket rows grow with log2 of its window width.
 */
export type DetectorState = 'drift' | 'warning' | 'none';

export interface ConceptDriftDetector {
  /** Short stable name, e.g. `adwin`, `ddm`, `page-hinkley`. */
  readonly name: string;
  /** Feeds one value and returns the state after it. Binary detectors accept only 0 and 1 (or false/true). */
  update(x: number): DetectorState;
  /** Forgets everything seen so far: the detector is as if newly constructed with the same options. */
  reset(): void;
  /** True when the last update reported a drift. */
  readonly driftDetected: boolean;
  /** True when the last update reported a warning (never together with driftDetected). */
  readonly warningDetected: boolean;
}

/** Indices (0-based, in input order) at which a detector reported drift, and warning. */
export interface DetectionIndices {
  readonly drifts: number[];
  readonly warnings: number[];
}

/** Runs `detector` over every value of `values` in order and collects the indices of drift and warning states. */
export function detectionIndices(
  detector: ConceptDriftDetector,
  values: ArrayLike<number>,
): DetectionIndices {
  const drifts: number[] = [];
  const warnings: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const state = detector.update(values[i]!);
    if (state === 'drift') drifts.push(i);
    else if (state === 'warning') warnings.push(i);
  }
  return { drifts, warnings };
}

/** State from the two flags, drift first. */
export function stateOf(drift: boolean, warning: boolean): DetectorState {
  return drift ? 'drift' : warning ? 'warning' : 'none';
}

// ---------------------------------------------------------------------------------------------------------------
// Option validation shared by the detectors. Every failure is a DriftwatchError with code INVALID_OPTION whose
// message and details name the detector and the option.
// ---------------------------------------------------------------------------------------------------------------

function invalid(detector: string, option: string, value: unknown, requirement: string): DriftwatchError {
  return new DriftwatchError(
    ErrorCodes.INVALID_OPTION,
    `${detector}: option ${option} must be ${requirement}, got ${String(value)}`,
    { detector, option, value },
  );
}

/**
 * Merges `options` over `defaults`, refusing keys the detector does not know (a misspelt option would otherwise
 * silently fall back to its default) and values left undefined on purpose keep the default.
 */
export function mergeOptions<T extends object>(
  detector: string,
  defaults: Readonly<T>,
  options: Partial<T> | undefined,
): T {
  const merged = { ...defaults } as T;
  if (options === undefined || options === null) return merged;
  if (typeof options !== 'object') throw invalid(detector, 'options', options, 'an object');
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(defaults, key)) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `${detector}: unknown option ${key}; known options: ${Object.keys(defaults).join(', ')}`,
        { detector, option: key },
      );
    }
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** An integer in [min, max]. */
export function checkInteger(
  detector: string,
  option: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw invalid(detector, option, value, `an integer ${range}`);
  }
  return value;
}

/** A finite number in the interval described by `lower`/`upper` and whether each bound is included. */
export function checkNumber(
  detector: string,
  option: string,
  value: unknown,
  bounds: { lower?: number; lowerOpen?: boolean; upper?: number; upperOpen?: boolean },
): number {
  const { lower, upper, lowerOpen = false, upperOpen = false } = bounds;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (lower === undefined || (lowerOpen ? value > lower : value >= lower)) &&
    (upper === undefined || (upperOpen ? value < upper : value <= upper));
  if (!ok) {
    const lo = lower === undefined ? '(-inf' : `${lowerOpen ? '(' : '['}${lower}`;
    const hi = upper === undefined ? 'inf)' : `${upper}${upperOpen ? ')' : ']'}`;
    throw invalid(detector, option, value, `a finite number in ${lo}, ${hi}`);
  }
  return value as number;
}

/** One of `allowed`. */
export function checkChoice<C extends string>(
  detector: string,
  option: string,
  value: unknown,
  allowed: readonly C[],
): C {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(detector, option, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as C;
}

/** A boolean. */
export function checkBoolean(detector: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(detector, option, value, 'a boolean');
  return value;
}

/**
 * The value of a binary stream: 0 or 1 (booleans are accepted as 0/1). Anything else is refused with
 * STATISTIC_INPUT (it is a bad input, not a bad option): DDM,
 * EDDM and HDDM-A model a Bernoulli error rate, and River's versions silently misbehave on other values (EDDM
 * treats 2 as "correct", DDM's variance goes negative), so we refuse them instead.
 */
export function checkBinary(detector: string, x: number | boolean): 0 | 1 {
  if (x === 0 || x === false) return 0;
  if (x === 1 || x === true) return 1;
  throw new DriftwatchError(
    ErrorCodes.STATISTIC_INPUT,
    `${detector}: input must be 0 (correct) or 1 (error), got ${String(x)}`,
    { detector, value: x },
  );
}

/** A finite real value for the detectors on real-valued streams. */
export function checkFinite(detector: string, x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `${detector}: input must be a finite number, got ${x}`,
      {
        detector,
        value: x,
      },
    );
  }
  return x;
}
