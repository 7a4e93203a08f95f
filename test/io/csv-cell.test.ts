import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/io/csv-cell.ts';

describe('csvCell', () => {
  it('reads a cell named like an Object property as text, not as a function', () => {
    expect(csvCell('constructor')).toBe('constructor');
    expect(csvCell('toString')).toBe('toString');
  });

  it('reads decimal literals and nan/inf as numbers, and nothing else', () => {
    expect(csvCell(' 1e3 ')).toBe(1000);
    expect(csvCell('-.5')).toBe(-0.5);
    expect(csvCell('1e400')).toBe(Number.POSITIVE_INFINITY);
    expect(csvCell('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(csvCell('NaN')).toBeNaN();
    expect(csvCell('0x1f')).toBe('0x1f');
    expect(csvCell('0b1')).toBe('0b1');
    expect(csvCell('12abc')).toBe('12abc');
    expect(csvCell('+Infinity')).toBe('+Infinity');
    expect(csvCell('  ')).toBeNull();
  });
});
