import { describe, expect, it } from 'vitest';
import { categoryOf } from '../../src/engine/category-value.ts';

describe('categoryOf', () => {
  it('reads strings, booleans and numbers as categories, and null or absent as missing', () => {
    expect(categoryOf('web', false)).toBe('web');
    expect(categoryOf(true, false)).toBe('true');
    expect(categoryOf(7, false)).toBe('7');
    expect(categoryOf(null, false)).toBeNull();
    expect(categoryOf(undefined, true)).toBeNull();
  });

  it('takes only true / false for a boolean feature, and calls anything else a type mismatch', () => {
    expect(categoryOf(false, true)).toBe('false');
    expect(categoryOf('true', true)).toBe('true');
    expect(categoryOf('yes', true)).toBeUndefined();
    expect(categoryOf(1, true)).toBeUndefined();
    expect(categoryOf({ a: 1 }, false)).toBeUndefined();
    expect(categoryOf([1], false)).toBeUndefined();
  });
});
