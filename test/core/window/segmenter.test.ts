import { describe, expect, it } from 'vitest';
import { MISSING_SEGMENT, Segmenter } from '../../../src/core/window/segmenter.ts';

describe('Segmenter', () => {
  it('gives the first maxValues values a segment each and folds later ones into other', () => {
    const s = new Segmenter(2, 'other');
    const codes = s.assign(['de', 'fr', 'de', 'it', 'es', 'fr'], 6);
    expect([...codes].map((c) => s.label(c))).toEqual(['de', 'fr', 'de', 'other', 'other', 'fr']);
    expect(s.overflowed).toBe(true);
  });

  it('labels missing values and keeps indices stable across batches', () => {
    const s = new Segmenter(5, 'other');
    const a = s.assign(['x', null], 2);
    const b = s.assign([null, 'x'], 2);
    expect(s.label(a[1]!)).toBe(MISSING_SEGMENT);
    expect([b[0], b[1]]).toEqual([a[1], a[0]]);
    expect(s.overflowed).toBe(false);
  });

  it('shares the index of a real value named like the other label', () => {
    const s = new Segmenter(1, 'other');
    s.assign(['other'], 1);
    const codes = s.assign(['zz'], 1);
    expect(s.label(codes[0]!)).toBe('other');
  });
});
