import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../src/core/time/clock.ts';

describe('ManualClock', () => {
  it('starts where told and moves only when told', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.set(5000);
    expect(clock.now()).toBe(5000);
    clock.advance(0);
    expect(clock.now()).toBe(5000);
  });

  it('defaults to 0', () => {
    expect(new ManualClock().now()).toBe(0);
  });

  it('refuses to go backwards', () => {
    const clock = new ManualClock(100);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(99)).toThrow(RangeError);
    expect(clock.now()).toBe(100);
  });
});

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
