import type { Cell } from './column-table.ts';

const SPECIAL = new Map<string, number>([
  ['nan', Number.NaN],
  ['NaN', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * An unquoted CSV cell: empty (or blank) is missing, decimal literals and nan/inf are numbers, the rest is text (a
 * Map, so a cell such as "constructor" stays text). Number() does the parsing (it is several times faster than the rule's regular expression); the only
 * non-decimal literals it accepts that can start like a number are 0x, 0o and 0b, which are excluded, and an
 * overflow to infinity is checked against the rule.
 */
export function csvCell(raw: string): Cell {
  let text = raw;
  if (text.length === 0) return null;
  if (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) {
    text = text.trim();
    if (text === '') return null;
  }
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const n = Number(text);
    if (Number.isFinite(n)) {
      const radix = text.length > 1 && c === 48 ? text.charCodeAt(1) | 0x20 : 0;
      if (radix !== 0x78 && radix !== 0x6f && radix !== 0x62) return n;
    } else if (!Number.isNaN(n) && DECIMAL.test(text)) return n;
  }
  return SPECIAL.get(text) ?? raw;
}
