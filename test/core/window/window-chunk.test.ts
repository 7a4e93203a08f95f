import { describe, expect, it } from 'vitest';
import { WindowChunk } from '../../../src/core/window/window-chunk.ts';

describe('WindowChunk', () => {
  it('allocates one column per feature at the capacity', () => {
    const chunk = new WindowChunk({ numeric: ['a', 'b'], categorical: ['c'] }, 8, 8);
    expect(chunk.capacity).toBe(8);
    expect(chunk.length).toBe(0);
    expect(chunk.numeric.map((c) => c.length)).toEqual([8, 8]);
    expect(chunk.numericValid.map((c) => c.length)).toEqual([8, 8]);
    expect(chunk.codes.map((c) => c.length)).toEqual([8]);
    expect(chunk.dictionaries).toEqual([[]]);
    expect(chunk.full).toBe(false);
  });

  it('is full at capacity', () => {
    const chunk = new WindowChunk({ numeric: [], categorical: [] }, 2);
    chunk.length = 1;
    expect(chunk.full).toBe(false);
    chunk.length = 2;
    expect(chunk.full).toBe(true);
  });

  it('interns categorical values per column, in first-seen order; null is -1', () => {
    const chunk = new WindowChunk({ numeric: [], categorical: ['x', 'y'] }, 4);
    expect(chunk.code(0, 'web')).toBe(0);
    expect(chunk.code(0, 'mobile')).toBe(1);
    expect(chunk.code(0, 'web')).toBe(0);
    expect(chunk.code(0, null)).toBe(-1);
    expect(chunk.code(1, 'mobile')).toBe(0);
    expect(chunk.code(0, '')).toBe(2);
    expect(chunk.dictionaries).toEqual([['web', 'mobile', ''], ['mobile']]);
  });
});
