import { describe, expect, it } from 'vitest';
import { parseTimeText } from '../../src/baseline/time-value.ts';

describe('parseTimeText', () => {
  const t = Date.UTC(2025, 0, 1);
  it('reads epoch milliseconds and ISO 8601, a time without a zone as UTC', () => {
    expect(parseTimeText(String(t))).toBe(t);
    expect(parseTimeText('2025-01-01')).toBe(t);
    expect(parseTimeText('2025-01-01T00:00:00Z')).toBe(t);
    expect(parseTimeText('2025-01-01T00:00:00.250')).toBe(t + 250);
    expect(parseTimeText('2025-01-01 00:30')).toBe(t + 1_800_000);
    expect(parseTimeText('2025-01-01T01:00:00+01:00')).toBe(t);
    expect(parseTimeText('2025-01-01T01:00:00+0100')).toBe(t);
    expect(parseTimeText(' 2025-01-01T00:00:00z ')).toBe(t);
  });

  it('gives NaN for anything else', () => {
    for (const text of ['', 'yesterday', '2025-13-01', '2025-01-01T25:00', '1.5', '2025-01-01+01:00']) {
      expect(parseTimeText(text), text).toBeNaN();
    }
  });
});
