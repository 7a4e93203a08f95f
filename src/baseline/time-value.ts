/**
 * Reads a point in time given as text: epoch milliseconds (an integer) or an ISO 8601 date or date-time. A date-time
 * without a zone is read as UTC, not as the machine's local time, so a build gives the same result on every machine.
 * Returns NaN for anything else.
 */
export function parseTimeText(text: string): number {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    t,
  );
  if (iso === null) return Number.NaN;
  const [, date, time, zone] = iso;
  if (time === undefined) return zone === undefined ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  // Date.parse wants the offset as +hh:mm.
  const offset = zone === undefined ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2').toUpperCase();
  return Date.parse(`${date}T${time}${offset}`);
}
