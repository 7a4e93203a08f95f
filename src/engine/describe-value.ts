/** Describes a decoded value's type and value for "field X is ..." messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  // JSON.stringify would print NaN and Infinity as null (and throw on a bigint).
  if (typeof value === 'number' || typeof value === 'bigint') return `a ${typeof value} (${String(value)})`;
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
