import { describe, expect, it } from 'vitest';
import { vectorCell } from '../../src/io/vector-cell.ts';

describe('vectorCell', () => {
  it('writes numbers and bigints as JSON text that parses back to the same doubles', () => {
    const values = [0.1, -0, 1 / 3, 5e-324, 1.7976931348623157e308, Math.fround(0.2)];
    const cell = vectorCell(values);
    expect(cell.kind).toBe('vector');
    const text = (cell as { text: string }).text;
    expect(JSON.parse(text)).toEqual([0.1, 0, 1 / 3, 5e-324, 1.7976931348623157e308, 0.20000000298023224]);
    expect(vectorCell([1n, -2n, 3])).toEqual({ kind: 'vector', text: '[1,-2,3]' });
    expect(vectorCell([])).toEqual({ kind: 'vector', text: '[]' });
    expect(vectorCell(new Float32Array([0.5, 2]))).toEqual({ kind: 'vector', text: '[0.5,2]' });
  });

  it('names the first null, then the first non-finite element', () => {
    expect(vectorCell([1, Number.POSITIVE_INFINITY, null, null])).toEqual({
      kind: 'invalid',
      reason: 'null at position 2; a vector needs a number at every position',
    });
    expect(vectorCell([1, 2, Number.NEGATIVE_INFINITY, Number.NaN])).toEqual({
      kind: 'invalid',
      reason: '-Infinity at position 2; a vector needs finite numbers',
    });
  });

  it('calls an array holding anything but numbers and nulls nested', () => {
    expect(vectorCell([1, '2'])).toEqual({ kind: 'nested' });
    expect(vectorCell([null, [1]])).toEqual({ kind: 'nested' });
    expect(vectorCell([true])).toEqual({ kind: 'nested' });
  });
});
