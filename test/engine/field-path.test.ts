import { describe, expect, it } from 'vitest';
import { compileFieldPath } from '../../src/engine/field-path.ts';

describe('compileFieldPath', () => {
  const record = {
    event_time: 123,
    features: { amount: 10.5, income: null, nested: { deep: { value: 'x' } } },
    zero: 0,
    empty: '',
  };

  it('reads a top-level field', () => {
    expect(compileFieldPath('event_time')(record)).toBe(123);
    expect(compileFieldPath('zero')(record)).toBe(0);
    expect(compileFieldPath('empty')(record)).toBe('');
  });

  it('reads a two-level field', () => {
    expect(compileFieldPath('features.amount')(record)).toBe(10.5);
    expect(compileFieldPath('features.income')(record)).toBeNull();
  });

  it('reads deeper fields', () => {
    expect(compileFieldPath('features.nested.deep.value')(record)).toBe('x');
    expect(compileFieldPath('features.nested.deep')(record)).toEqual({ value: 'x' });
  });

  it('gives undefined for a missing field at any depth, never throws', () => {
    for (const path of ['nope', 'nope.x', 'features.nope', 'nope.x.y', 'features.nested.nope.value']) {
      expect(compileFieldPath(path)(record)).toBeUndefined();
    }
  });

  it('gives undefined through a null or a non-object parent', () => {
    expect(compileFieldPath('features.income.x')(record)).toBeUndefined();
    expect(compileFieldPath('event_time.x.y')(record)).toBeUndefined();
    expect(compileFieldPath('a.b')({ a: null })).toBeUndefined();
    expect(compileFieldPath('a.b.c')({ a: { b: null } })).toBeUndefined();
  });

  it('gives undefined for a null or undefined record', () => {
    for (const path of ['a', 'a.b', 'a.b.c']) {
      expect(compileFieldPath(path)(null)).toBeUndefined();
      expect(compileFieldPath(path)(undefined)).toBeUndefined();
    }
  });
});
