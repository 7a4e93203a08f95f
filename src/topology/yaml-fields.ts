/**
 * Small, declarative validation of a parsed YAML document that keeps every node's position, so each problem can be
 * reported as `file:line:column: path: message`.
 *
 * A `Check<T>` reads one value and either returns it (converted to T) or reports at least one issue and returns
 * undefined. Checks compose: `section` reads a mapping from a table of named fields, `list` reads a sequence,
 * `tagged` picks a section by a discriminator key. Every check visits everything it can, so all problems of a file are
 * collected in one pass rather than one per run.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLMap,
} from 'yaml';
import type { TopologyIssue } from './topology-types.ts';

/** Collects issues for one file. */
export class Validation {
  readonly issues: TopologyIssue[] = [];

  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document,
  ) {}

  /** Records an issue at a source offset (undefined: the start of the file). Always returns undefined. */
  report(offset: number | undefined, path: string, message: string): undefined {
    const { line, column } = this.position(offset);
    this.issues.push({ file: this.file, line, column, path, message });
    return undefined;
  }

  /** 1-based line and column of a source offset (undefined: the start of the file). */
  position(offset: number | undefined): { line: number; column: number } {
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The document's root value as a field with an empty path, or undefined for an empty document. */
  root(): Field | undefined {
    const node = this.doc.contents;
    return node ? this.field(node, '') : undefined;
  }

  /** Wraps a node; aliases are resolved to their anchored node but keep the alias's position for messages. */
  field(node: Node, path: string): Field | undefined {
    const offset = node.range?.[0];
    if (!isAlias(node)) return new Field(this, node, path, offset);
    const target = node.resolve(this.doc);
    if (!target) return this.report(offset, path, `unknown alias *${node.source}`);
    return new Field(this, target, path, offset);
  }

  /** Issues sorted by position; issues without a position (line 0) first. */
  sortedIssues(): TopologyIssue[] {
    return [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

/** One value in the file: its (alias-resolved) node, its field path and where to point at it. */
export class Field {
  constructor(
    readonly validation: Validation,
    readonly node: Node,
    readonly path: string,
    readonly offset: number | undefined,
  ) {}

  fail(message: string): undefined {
    return this.validation.report(this.offset, this.path, message);
  }

  /** The plain JS value of a scalar, or undefined (after reporting) for a mapping or list. */
  scalar(expected: string): unknown {
    if (isScalar(this.node)) return this.node.value;
    return this.fail(`must be ${expected}, got ${describe(this.node)}`);
  }
}

export type Check<T> = (field: Field) => T | undefined;

// ---------------------------------------------------------------------------------------------------------------
// Scalars

export function string(): Check<string> {
  return (field) => {
    const value = field.scalar('a string');
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return field.fail(`must be a string, got ${describe(field.node)}`);
    if (value.trim() === '') return field.fail('must not be empty');
    return value;
  };
}

/** A string matching `pattern`; `rule` explains the pattern in words. */
export function matching(pattern: RegExp, rule: string): Check<string> {
  const asString = string();
  return (field) => {
    const value = asString(field);
    if (value === undefined) return undefined;
    if (!pattern.test(value)) return field.fail(`"${value}" is not ${rule} (pattern ${pattern.source})`);
    return value;
  };
}

/** Exactly `expected`. */
export function literal<const V extends string>(expected: V): Check<V> {
  const asString = string();
  return (field) => {
    const value = asString(field);
    if (value === undefined) return undefined;
    if (value !== expected) return field.fail(`must be "${expected}", got "${value}"`);
    return expected;
  };
}

/** One of a fixed set of strings, with a "did you mean" suggestion for near misses. */
export function oneOf<const V extends string>(values: readonly V[]): Check<V> {
  const asString = string();
  return (field) => {
    const value = asString(field);
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as V;
    return field.fail(`must be one of ${quoteList(values)}, got "${value}"${didYouMean(value, values)}`);
  };
}

/** A finite number within optional exclusive bounds. */
export function number(bounds: { above?: number; below?: number } = {}): Check<number> {
  return (field) => {
    const value = field.scalar('a number');
    if (value === undefined) return undefined;
    if (typeof value !== 'number') return field.fail(`must be a number, got ${describe(field.node)}`);
    if (!Number.isFinite(value)) return field.fail(`must be a finite number, got ${value}`);
    if (bounds.above !== undefined && !(value > bounds.above)) {
      return field.fail(`must be greater than ${bounds.above}, got ${value}`);
    }
    if (bounds.below !== undefined && !(value < bounds.below)) {
      return field.fail(`must be less than ${bounds.below}, got ${value}`);
    }
    return value;
  };
}

/** true or false. */
export function boolean(): Check<boolean> {
  return (field) => {
    const value = field.scalar('true or false');
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return field.fail(`must be true or false, got ${describe(field.node)}`);
    return value;
  };
}

/** A value written either as a scalar (a shorthand) or as a mapping (the full form). */
export function scalarOr<T>(scalar: Check<T>, mapping: Check<T>): Check<T> {
  return (field) => (isMap(field.node) ? mapping(field) : scalar(field));
}

// ---------------------------------------------------------------------------------------------------------------
// Mappings

interface FieldSpec<T, Always extends boolean> {
  readonly check: Check<T>;
  readonly required: boolean;
  readonly fallback?: T;
  /** Type-level marker only: true when the value is always present after reading (required or defaulted). */
  readonly always?: Always;
}

/** A field that must be present. */
export function required<T>(check: Check<T>): FieldSpec<T, true> {
  return { check, required: true };
}

/** A field that may be absent (or null); its value is then `fallback`. */
export function withDefault<T>(check: Check<T>, fallback: T): FieldSpec<T, true> {
  return { check, required: false, fallback };
}

/** A field that may be absent (or null); its value is then undefined, for defaults that depend on other fields. */
export function optional<T>(check: Check<T>): FieldSpec<T, false> {
  return { check, required: false };
}

export type FieldTable = Readonly<Record<string, FieldSpec<unknown, boolean>>>;

/** The values read from a section whose fields were all valid. */
export type SectionValues<F extends FieldTable> = {
  readonly [K in keyof F]: F[K] extends FieldSpec<infer T, infer Always>
    ? Always extends true
      ? T
      : T | undefined
    : never;
};

/** Reports issues against a section's fields, for rules that involve more than one field. */
export interface SectionAt {
  /** Reports at the value of `key`, or at the mapping itself when `key` is absent. */
  fail(key: string, message: string): undefined;
}

export interface SectionRules<F extends FieldTable, T> {
  /**
   * Cross-field rules. Runs even when some fields are invalid (those are undefined here), so that independent
   * problems are all reported.
   */
  readonly check?: (values: Partial<SectionValues<F>>, at: SectionAt) => void;
  /** Builds the result; only called when every field (and `check`) passed. */
  readonly build: (values: SectionValues<F>) => T;
}

/**
 * A mapping whose keys are exactly those of `fields`. Unknown keys are reported (with a suggestion when a known key is
 * close), missing required fields are reported at the mapping, and every present field is checked.
 */
export function section<F extends FieldTable, T>(fields: F, rules: SectionRules<F, T>): Check<T> {
  const known = Object.keys(fields);
  return (field) => {
    const map = field.node;
    if (!isMap(map)) {
      const what = field.path === '' ? 'the top level of the file' : '';
      return field.fail(`${what} must be a mapping, got ${describe(map)}`.trim());
    }
    const { validation } = field;
    const before = validation.issues.length;
    const pairs = pairsByKey(field, map, known);

    const values: Record<string, unknown> = {};
    const valueFields: Record<string, Field> = {};
    for (const [key, spec] of Object.entries(fields)) {
      const path = joinPath(field.path, key);
      const pair = pairs.get(key);
      if (!pair || !isNodeLike(pair.value)) {
        if (!spec.required) values[key] = spec.fallback;
        else if (pair) validation.report(pair.keyOffset, path, 'required field has no value');
        else validation.report(field.offset, path, 'required field is missing');
        continue;
      }
      const child = validation.field(pair.value, path);
      if (!child) continue;
      valueFields[key] = child;
      values[key] = spec.check(child);
    }

    const at: SectionAt = {
      fail: (key, message) => {
        const target = valueFields[key];
        return target
          ? target.fail(message)
          : validation.report(field.offset, joinPath(field.path, key), message);
      },
    };
    rules.check?.(values as Partial<SectionValues<F>>, at);
    if (validation.issues.length > before) return undefined;
    return rules.build(values as SectionValues<F>);
  };
}

interface KeyedPair {
  readonly keyOffset: number | undefined;
  readonly value: unknown;
}

/** Indexes a mapping's pairs by key, reporting keys that are not in `known`. */
function pairsByKey(field: Field, map: YAMLMap, known: readonly string[]): Map<string, KeyedPair> {
  const pairs = new Map<string, KeyedPair>();
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key as Node | null;
    const keyOffset = keyNode?.range?.[0] ?? field.offset;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    if (!known.includes(key)) {
      const hint = didYouMean(key, known) || `; expected one of: ${known.join(', ')}`;
      field.validation.report(keyOffset, joinPath(field.path, key), `unknown key "${key}"${hint}`);
      continue;
    }
    pairs.set(key, { keyOffset, value: pair.value });
  }
  return pairs;
}

/**
 * A mapping whose shape depends on the value of `tagKey` (e.g. a window's `type`). `planned` lists values that are
 * recognised but not implemented yet, so they get a clearer message than a typo.
 */
export function tagged<T>(
  tagKey: string,
  variants: Readonly<Record<string, Check<T>>>,
  options: { readonly noun: string; readonly planned?: readonly string[] },
): Check<T> {
  const supported = Object.keys(variants);
  return (field) => {
    const map = field.node;
    if (!isMap(map)) return field.fail(`must be a mapping, got ${describe(map)}`);
    const path = joinPath(field.path, tagKey);
    const tagNode: unknown = map.get(tagKey, true);
    if (!isNodeLike(tagNode)) {
      return field.validation.report(
        field.offset,
        path,
        `required field is missing (one of ${quoteList(supported)})`,
      );
    }
    const tagField = field.validation.field(tagNode, path);
    const tag = tagField && string()(tagField);
    if (tag === undefined || !tagField) return undefined;
    if (options.planned?.includes(tag)) {
      return tagField.fail(
        `${options.noun} "${tag}" is not supported yet; supported: ${quoteList(supported)}`,
      );
    }
    const variant = variants[tag];
    if (!variant) {
      return tagField.fail(
        `must be one of ${quoteList(supported)}, got "${tag}"${didYouMean(tag, supported)}`,
      );
    }
    return variant(field);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

/** A sequence of items each read with `item`; `nonEmpty` requires at least one. */
export function list<T>(item: Check<T>, options: { readonly nonEmpty?: boolean } = {}): Check<T[]> {
  return (field) => {
    const seq = field.node;
    if (!isSeq(seq)) return field.fail(`must be a list, got ${describe(seq)}`);
    if (options.nonEmpty && seq.items.length === 0) return field.fail('must list at least one entry');
    const before = field.validation.issues.length;
    const items: T[] = [];
    seq.items.forEach((node, index) => {
      const path = `${field.path}[${index}]`;
      if (!isNodeLike(node)) {
        field.validation.report(offsetOf(node) ?? field.offset, path, 'list entry is empty');
        return;
      }
      const child = field.validation.field(node, path);
      if (!child) return;
      const value = item(child);
      if (value !== undefined) items.push(value);
    });
    return field.validation.issues.length > before ? undefined : items;
  };
}

/**
 * Wraps a list check: the string field `key` must be unique across the list's items. Duplicates are reported at the
 * later occurrence, whatever else is wrong with the items. With `scalarItems`, an item written as a bare string (a
 * shorthand such as `- psi` for `- test: psi`) counts as that key's value.
 */
export function uniqueBy<T>(
  inner: Check<T[]>,
  key: string,
  options: { readonly scalarItems?: boolean } = {},
): Check<T[]> {
  return (field) => {
    const items = inner(field);
    const seq = field.node;
    if (!isSeq(seq)) return items;
    const seen = new Map<string, { path: string; line: number }>();
    let duplicates = false;
    seq.items.forEach((item, index) => {
      if (!isMap(item) && !options.scalarItems) return;
      const node = isMap(item) ? (item.get(key, true) as Node | undefined) : item;
      if (!isScalar(node) || typeof node.value !== 'string') return;
      const path = isMap(item) ? `${field.path}[${index}].${key}` : `${field.path}[${index}]`;
      const first = seen.get(node.value);
      if (first === undefined) {
        seen.set(node.value, { path, line: field.validation.position(node.range?.[0]).line });
        return;
      }
      duplicates = true;
      const firstUse = `first used at ${first.path}, line ${first.line}`;
      field.validation.report(node.range?.[0], path, `duplicate ${key} "${node.value}" (${firstUse})`);
    });
    return duplicates ? undefined : items;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** A present value: a node that is not null (`key:` with nothing after it parses as a null scalar). */
function isNodeLike(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !(isScalar(value) && value.value === null);
}

function offsetOf(value: unknown): number | undefined {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value) ? value.range?.[0] : undefined;
}

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/** Describes a node's type and value for "must be X, got Y" messages. */
export function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node)) return 'nothing';
  const value = node.value;
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string "${value}"`;
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return typeof value;
}

/** `; did you mean "x"?` for the closest candidate within edit distance 2, or '' when none is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = closest(word, candidates);
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/**
 * The candidate closest to `word` by edit distance (adjacent transpositions count as one edit), if within 2 edits and
 * not a rewrite of most of a short word. Case and `_`/`-` separators are ignored first, so `event_time` finds
 * `eventTime`.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const normal = (text: string): string => text.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = normal(word) === normal(candidate) ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= 2 && bestDistance < word.length ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const previous = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
