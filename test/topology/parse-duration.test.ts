import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/topology/parse-duration.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['0s', 0],
    ['1.5s', 1_500],
    ['0.5m', 30_000],
    ['0.1h', 360_000],
    ['2.50s', 2_500],
    ['500', 500],
    ['0', 0],
    [' 5s ', 5_000],
  ])('parses %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads a bare non-negative integer number as milliseconds', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(1500)).toBe(1500);
  });

  it.each([
    ['', /empty string/],
    ['   ', /empty string/],
    ['-5s', /"-5s" is negative/],
    ['5x', /unknown unit "x".*ms, s, m, h, d/],
    ['5S', /unknown unit "S"/],
    ['5M', /unknown unit "M"/],
    ['s', /expected a number followed by a unit/],
    ['5 s', /expected a number followed by a unit/],
    ['1m30s', /expected a number followed by a unit/],
    ['.5s', /expected a number followed by a unit/],
    ['5.s', /expected a number followed by a unit/],
    ['1e3ms', /unknown unit "e"|expected a number/],
    ['1.5', /bare number means milliseconds and must be an integer/],
    ['1.0005s', /not a whole number of milliseconds/],
    ['0.5ms', /not a whole number of milliseconds/],
    ['99999999999999999d', /too large/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });

  it.each([
    [-1, /-1 is negative/],
    [1.5, /must be an integer/],
    [Number.NaN, /must be finite/],
    [Number.POSITIVE_INFINITY, /must be finite/],
    [2 ** 53, /too large/],
  ])('rejects the number %d', (value, message) => {
    expect(() => parseDuration(value)).toThrow(message);
  });

  it('throws plain Errors (the caller adds the location)', () => {
    let thrown: unknown;
    try {
      parseDuration('soon');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
    expect((thrown as Error).message).toBe(
      'invalid duration "soon": expected a number followed by a unit ' +
        '(e.g. "250ms", "5s", "1m", "2h", "1d", or a bare integer of milliseconds)',
    );
  });
});
