/** A compiled dotted field path (`features.amount`) that reads a decoded Avro record without allocating. */
export type FieldGetter = (record: unknown) => unknown;

export function compileFieldPath(path: string): FieldGetter {
  const parts = path.split('.');
  if (parts.length === 1) {
    const key = parts[0]!;
    return (record) =>
      record !== null && typeof record === 'object' ? (record as Record<string, unknown>)[key] : undefined;
  }
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (record) =>
      ((record as Record<string, Record<string, unknown> | null> | null)?.[a] ?? undefined)?.[b];
  }
  return (record) => {
    let value: unknown = record;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}
