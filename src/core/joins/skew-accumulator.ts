import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { hashString } from '../sketches/hash64.ts';

/** A feature value as decoded from an event; `undefined` means the record does not carry the feature. */
export type FeatureValue = number | string | boolean | null | undefined;
export type FeatureRecord = Readonly<Record<string, FeatureValue>>;

/** numpy.isclose's defaults (rtol=1e-05, atol=1e-08), with the same asymmetric rule |a - b| <= atol + rtol * |b|. */
export const SKEW_DEFAULT_ABS_TOL = 1e-8;
export const SKEW_DEFAULT_REL_TOL = 1e-5;
export const SKEW_DEFAULT_MAX_EXAMPLES = 10;
const MAX_EXAMPLES_LIMIT = 1000;

export type SkewFeature =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      /** Default SKEW_DEFAULT_ABS_TOL. */
      readonly absTol?: number;
      /** Relative to the offline value. Default SKEW_DEFAULT_REL_TOL. */
      readonly relTol?: number;
    }
  | { readonly name: string; readonly kind: 'categorical' };

/** A mismatching (entity, bucket) kept as evidence, with both values. */
export interface SkewExample {
  readonly entity: string;
  readonly bucketStart: number;
  readonly online: FeatureValue;
  readonly offline: FeatureValue;
  /** XXH64 of the join key (bucketStart|entity), 16 hex digits: the sample keeps the smallest. */
  readonly hash: string;
}

export interface SkewFeatureReport {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** Entities (per bucket) present on both sides whose values agree. */
  readonly matches: number;
  readonly mismatches: number;
  /** Present (not undefined) only in the online record, or the online record found no offline record at all. */
  readonly onlyOnline: number;
  readonly onlyOffline: number;
  /** mismatches / (matches + mismatches); null when nothing was compared. */
  readonly mismatchRate: number | null;
  /** Mean |online - offline| over the compared pairs where both are finite numbers; null if none (or categorical). */
  readonly meanAbsDiff: number | null;
  readonly absDiffCount: number;
  /** Up to maxExamples mismatching keys, those with the smallest key hashes, in hash order. */
  readonly examples: readonly SkewExample[];
}

/** Validated, compiled feature list shared by every accumulator of one skew join. */
export interface SkewSpec {
  readonly names: readonly string[];
  readonly numeric: readonly boolean[];
  readonly absTol: readonly number[];
  readonly relTol: readonly number[];
  readonly maxExamples: number;
  /** Equal signatures, equal comparison rules: accumulators may merge. */
  readonly signature: string;
}

function invalid(option: string, message: string, value: unknown): DriftwatchError {
  return new DriftwatchError(ErrorCodes.INVALID_OPTION, `${option} ${message}`, { option, value });
}

export function compileSkewSpec(
  features: readonly SkewFeature[],
  maxExamples: number = SKEW_DEFAULT_MAX_EXAMPLES,
): SkewSpec {
  if (features.length === 0) throw invalid('features', 'must name at least one feature', features);
  if (!Number.isInteger(maxExamples) || maxExamples < 0 || maxExamples > MAX_EXAMPLES_LIMIT) {
    throw invalid(
      'maxExamples',
      `must be an integer in 0..${MAX_EXAMPLES_LIMIT}, got ${maxExamples}`,
      maxExamples,
    );
  }
  const names: string[] = [];
  const numeric: boolean[] = [];
  const absTol: number[] = [];
  const relTol: number[] = [];
  features.forEach((f, i) => {
    if (typeof f.name !== 'string' || f.name === '')
      throw invalid(`features[${i}].name`, 'must be a name', f.name);
    if (names.includes(f.name)) throw invalid(`features[${i}].name`, `repeats "${f.name}"`, f.name);
    if (f.kind !== 'numeric' && f.kind !== 'categorical') {
      throw invalid(
        `features[${i}].kind`,
        'must be "numeric" or "categorical"',
        (f as { kind: unknown }).kind,
      );
    }
    const a = f.kind === 'numeric' ? (f.absTol ?? SKEW_DEFAULT_ABS_TOL) : 0;
    const r = f.kind === 'numeric' ? (f.relTol ?? SKEW_DEFAULT_REL_TOL) : 0;
    if (!Number.isFinite(a) || a < 0) throw invalid(`features[${i}].absTol`, `must be >= 0, got ${a}`, a);
    if (!Number.isFinite(r) || r < 0) throw invalid(`features[${i}].relTol`, `must be >= 0, got ${r}`, r);
    names.push(f.name);
    numeric.push(f.kind === 'numeric');
    absTol.push(a);
    relTol.push(r);
  });
  const signature = JSON.stringify([names, numeric, absTol, relTol, maxExamples]);
  return { names, numeric, absTol, relTol, maxExamples, signature };
}

/** The join key of an entity's records in a time bucket; the entity is everything after the first '|'. */
export function skewJoinKey(entity: string, bucketStart: number): string {
  return `${bucketStart}|${entity}`;
}

/** The entity of a skewJoinKey. */
export function skewKeyEntity(key: string): string {
  return key.slice(key.indexOf('|') + 1);
}

/** Missing: null, or NaN (a float column's missing value). */
function isMissing(v: FeatureValue): boolean {
  return v === null || (typeof v === 'number' && Number.isNaN(v));
}

interface Example {
  readonly hi: number;
  readonly lo: number;
  readonly key: string;
  readonly bucketStart: number;
  readonly online: FeatureValue;
  readonly offline: FeatureValue;
}

function exampleBefore(hi: number, lo: number, key: string, e: Example): boolean {
  if (hi !== e.hi) return hi < e.hi;
  if (lo !== e.lo) return lo < e.lo;
  return key < e.key;
}

class FeatureCounts {
  matches = 0;
  mismatches = 0;
  onlyOnline = 0;
  onlyOffline = 0;
  absDiffSum = 0;
  absDiffCount = 0;
  /** Ascending by (hash, key); at most maxExamples; no key twice. */
  readonly examples: Example[] = [];
}

const hashOut = new Uint32Array(2);

/**
 * Training-serving skew counts of one window, per feature, for (entity, bucket) pairs: what SkewJoin adds for each
 * joined pair and each one-sided record. Plain counts plus a bottom-k example set, so `merge` of the accumulators of
 * disjoint inputs (partitions, instances) gives the counts and examples of the union, whatever the grouping.
 *
 * Comparison rules, for an online value a and offline value b of one feature:
 * - undefined (the record lacks the feature) on one side only: onlyOnline / onlyOffline; on both: not counted;
 * - numeric: both numbers: a === b (equal infinities included) or |a - b| <= absTol + relTol * |b| matches; missing
 *   (null or NaN) on both sides matches, missing on one side mismatches; any other type matches only if a === b.
 *   |a - b| enters the mean absolute difference when both are finite;
 * - categorical: strict equality (null equals null, NaN equals NaN): '1' and 1 differ, since a type change between
 *   the pipelines is itself skew.
 * Examples are the mismatches with the smallest XXH64 hashes of their join key, so they are reproducible, spread
 * across entities, and the examples of a merge are the smallest of both sides'.
 */
export class SkewAccumulator {
  readonly spec: SkewSpec;
  readonly #features: FeatureCounts[];

  constructor(spec: SkewSpec) {
    this.spec = spec;
    this.#features = spec.names.map(() => new FeatureCounts());
  }

  /** Compares the features of an online and an offline record joined under `key` (see skewJoinKey). */
  compare(key: string, bucketStart: number, online: FeatureRecord, offline: FeatureRecord): void {
    const { names, numeric, absTol, relTol } = this.spec;
    let hashed = false;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const a = online[name];
      const b = offline[name];
      const c = this.#features[i]!;
      if (a === undefined || b === undefined) {
        if (a !== undefined) c.onlyOnline++;
        else if (b !== undefined) c.onlyOffline++;
        continue;
      }
      let match: boolean;
      if (numeric[i]) {
        if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) {
          const diff = Math.abs(a - b);
          if (Number.isFinite(diff)) {
            c.absDiffSum += diff;
            c.absDiffCount++;
            match = diff <= absTol[i]! + relTol[i]! * Math.abs(b);
          } else {
            match = a === b;
          }
        } else {
          match = isMissing(a) ? isMissing(b) : a === b;
        }
      } else {
        match = a === b || (Number.isNaN(a) && Number.isNaN(b));
      }
      if (match) {
        c.matches++;
        continue;
      }
      c.mismatches++;
      if (this.spec.maxExamples === 0) continue;
      if (!hashed) {
        hashString(key, hashOut);
        hashed = true;
      }
      this.#offer(c, hashOut[0]!, hashOut[1]!, key, bucketStart, a, b);
    }
  }

  /** An online record that found no offline record: every feature it carries is online-only. */
  onlyOnline(online: FeatureRecord): void {
    const names = this.spec.names;
    for (let i = 0; i < names.length; i++)
      if (online[names[i]!] !== undefined) this.#features[i]!.onlyOnline++;
  }

  /** An offline record that found no online record: every feature it carries is offline-only. */
  onlyOffline(offline: FeatureRecord): void {
    const names = this.spec.names;
    for (let i = 0; i < names.length; i++)
      if (offline[names[i]!] !== undefined) this.#features[i]!.onlyOffline++;
  }

  /** Adds `other` (the counts of a disjoint input) into this accumulator. */
  merge(other: SkewAccumulator): void {
    if (other.spec.signature !== this.spec.signature) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        'cannot merge skew accumulators built with different features, tolerances or example counts',
        { left: this.spec.signature, right: other.spec.signature },
      );
    }
    for (let i = 0; i < this.#features.length; i++) {
      const c = this.#features[i]!;
      const o = other.#features[i]!;
      c.matches += o.matches;
      c.mismatches += o.mismatches;
      c.onlyOnline += o.onlyOnline;
      c.onlyOffline += o.onlyOffline;
      c.absDiffSum += o.absDiffSum;
      c.absDiffCount += o.absDiffCount;
      for (const e of o.examples) this.#offer(c, e.hi, e.lo, e.key, e.bucketStart, e.online, e.offline);
    }
  }

  report(): SkewFeatureReport[] {
    return this.#features.map((c, i) => {
      const compared = c.matches + c.mismatches;
      return {
        feature: this.spec.names[i]!,
        kind: this.spec.numeric[i] ? 'numeric' : 'categorical',
        matches: c.matches,
        mismatches: c.mismatches,
        onlyOnline: c.onlyOnline,
        onlyOffline: c.onlyOffline,
        mismatchRate: compared === 0 ? null : c.mismatches / compared,
        meanAbsDiff: c.absDiffCount === 0 ? null : c.absDiffSum / c.absDiffCount,
        absDiffCount: c.absDiffCount,
        examples: c.examples.map((e) => ({
          entity: skewKeyEntity(e.key),
          bucketStart: e.bucketStart,
          online: e.online,
          offline: e.offline,
          hash: e.hi.toString(16).padStart(8, '0') + e.lo.toString(16).padStart(8, '0'),
        })),
      };
    });
  }

  /** Keeps the example if it is among the maxExamples smallest (hash, key); allocates only when it is kept. */
  #offer(
    c: FeatureCounts,
    hi: number,
    lo: number,
    key: string,
    bucketStart: number,
    online: FeatureValue,
    offline: FeatureValue,
  ): void {
    const examples = c.examples;
    const max = this.spec.maxExamples;
    if (examples.length === max && !exampleBefore(hi, lo, key, examples[max - 1]!)) return;
    let at = examples.length;
    while (at > 0 && exampleBefore(hi, lo, key, examples[at - 1]!)) at--;
    const previous = examples[at - 1];
    if (previous !== undefined && previous.key === key) return;
    examples.splice(at, 0, { hi, lo, key, bucketStart, online, offline });
    if (examples.length > max) examples.pop();
  }
}
