/**
 * Paths of fields and named types without a doc, anywhere in an Avro schema (records, unions, arrays, maps): the
 * shipped schemas document every field, and their tests walk them with this. Paths: `Record.field`, `path<TypeName>`
 * for a named type, `path|i` for a union branch, `path[]` for array items, `path{}` for map values.
 */
export function undocumented(type: unknown, path: string): string[] {
  if (Array.isArray(type)) return type.flatMap((t, i) => undocumented(t, `${path}|${i}`));
  if (typeof type !== 'object' || type === null) return [];
  const t = type as {
    type: string;
    name?: string;
    doc?: unknown;
    fields?: unknown[];
    items?: unknown;
    values?: unknown;
  };
  const missing = t.name !== undefined && !isDoc(t.doc) ? [`${path}<${t.name}>`] : [];
  if (t.type === 'record') {
    for (const field of t.fields as { name: string; type: unknown; doc?: unknown }[]) {
      if (!isDoc(field.doc)) missing.push(`${path}.${field.name}`);
      missing.push(...undocumented(field.type, `${path}.${field.name}`));
    }
  }
  if (t.type === 'array') missing.push(...undocumented(t.items, `${path}[]`));
  if (t.type === 'map') missing.push(...undocumented(t.values, `${path}{}`));
  return missing;
}

function isDoc(doc: unknown): boolean {
  return typeof doc === 'string' && doc.trim().length > 0;
}
