/**
 * How a decoded value of a categorical or boolean feature reads as a category, the same in every engine: null or
 * absent is missing (null); a string is itself; a boolean or number its string form; a boolean feature takes only
 * true/false (or their strings). Anything else is a type mismatch (undefined).
 */
export function categoryOf(v: unknown, boolean: boolean): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (boolean) {
    if (v === true || v === 'true') return 'true';
    return v === false || v === 'false' ? 'false' : undefined;
  }
  if (typeof v === 'string') return v;
  return typeof v === 'boolean' || typeof v === 'number' ? String(v) : undefined;
}
