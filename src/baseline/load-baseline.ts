import { readFile } from 'node:fs/promises';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { BASELINE_FORMAT, type Baseline } from './baseline-types.ts';

/** Reads and checks a baseline file; every problem names the file. */
export async function loadBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${file}: cannot read baseline file`,
      { file },
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `${file}: not valid JSON`,
      { file },
      { cause: error },
    );
  }
  return checkBaseline(value, file);
}

export function checkBaseline(value: unknown, file: string): Baseline {
  const fail = (message: string): never => {
    throw new DriftwatchError(ErrorCodes.BASELINE_INVALID, `${file}: ${message}`, { file });
  };
  if (typeof value !== 'object' || value === null) return fail('a baseline must be a JSON object');
  const b = value as Record<string, unknown>;
  if (b.format !== BASELINE_FORMAT)
    fail(`format must be "${BASELINE_FORMAT}", got ${JSON.stringify(b.format)}`);
  if (typeof b.version !== 'string' || b.version === '') fail('version must be a non-empty string');
  if (typeof b.features !== 'object' || b.features === null) fail('features must be an object');
  for (const [name, raw] of Object.entries(b.features as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) fail(`features.${name} must be an object`);
    const f = raw as Record<string, unknown>;
    const counts = f.counts;
    if (!Array.isArray(counts) || !counts.every((c) => typeof c === 'number' && c >= 0)) {
      fail(`features.${name}.counts must be an array of non-negative numbers`);
    }
    const c = counts as number[];
    if (f.kind === 'numeric') {
      const edges = f.edges;
      if (!Array.isArray(edges) || edges.length === 0 || !edges.every(Number.isFinite)) {
        fail(`features.${name}.edges must be a non-empty array of finite numbers`);
      }
      const e = edges as number[];
      for (let i = 1; i < e.length; i++)
        if (!(e[i]! > e[i - 1]!)) fail(`features.${name}.edges must increase`);
      if (c.length !== Math.max(1, e.length - 1) + 5) {
        fail(`features.${name}.counts has ${c.length} buckets, expected ${Math.max(1, e.length - 1) + 5}`);
      }
    } else if (f.kind === 'categorical') {
      const categories = f.categories;
      if (!Array.isArray(categories) || !categories.every((x) => typeof x === 'string')) {
        fail(`features.${name}.categories must be an array of strings`);
      }
      if (c.length !== (categories as string[]).length + 2) {
        fail(
          `features.${name}.counts has ${c.length} buckets, expected ${(categories as string[]).length + 2}`,
        );
      }
    } else {
      fail(`features.${name}.kind must be "numeric" or "categorical"`);
    }
    if (c.reduce((s, x) => s + x, 0) <= 0) fail(`features.${name} has no reference rows`);
  }
  return value as Baseline;
}
