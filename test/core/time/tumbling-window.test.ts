import { describe, expect, it } from 'vitest';
import { tumblingWindowStart } from '../../../src/core/time/tumbling-window.ts';

describe('tumblingWindowStart', () => {
  it('aligns positive times to the epoch', () => {
    expect(tumblingWindowStart(0, 60_000)).toBe(0);
    expect(tumblingWindowStart(1, 60_000)).toBe(0);
    expect(tumblingWindowStart(59_999, 60_000)).toBe(0);
    expect(tumblingWindowStart(123_456, 60_000)).toBe(120_000);
  });

  it('puts the end boundary in the next window (windows are [start, start + size))', () => {
    expect(tumblingWindowStart(60_000, 60_000)).toBe(60_000);
    expect(tumblingWindowStart(119_999, 60_000)).toBe(60_000);
    expect(tumblingWindowStart(120_000, 60_000)).toBe(120_000);
  });

  it('keeps negative times in the window below them (floor, not truncation)', () => {
    expect(tumblingWindowStart(-1, 60_000)).toBe(-60_000);
    expect(tumblingWindowStart(-59_999, 60_000)).toBe(-60_000);
    expect(tumblingWindowStart(-60_000, 60_000)).toBe(-60_000);
    expect(tumblingWindowStart(-60_001, 60_000)).toBe(-120_000);
  });

  it('returns a start s with s <= t < s + size for many times and sizes', () => {
    for (const size of [1, 7, 1000, 60_000, 3_600_000]) {
      for (const t of [-1e12, -123_457, -size, -1, 0, 1, size - 1, size, 1_767_225_600_123]) {
        const s = tumblingWindowStart(t, size);
        expect(s).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(s + size);
        expect(s % size === 0).toBe(true);
      }
    }
  });

  it('works on real epoch milliseconds', () => {
    const t = Date.UTC(2026, 0, 1, 12, 34, 56, 789);
    expect(tumblingWindowStart(t, 60_000)).toBe(Date.UTC(2026, 0, 1, 12, 34));
    expect(tumblingWindowStart(t, 3_600_000)).toBe(Date.UTC(2026, 0, 1, 12));
  });
});
