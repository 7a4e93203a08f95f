import { describe, expect, it } from 'vitest';
import { EpisodeGate } from '../../../src/core/alerting/episode-gate.ts';
import { ErrorCodes } from '../../../src/errors.ts';

describe('EpisodeGate', () => {
  it('opens a key at most once per cooldown, counted from the opening', () => {
    const gate = new EpisodeGate({ cooldownMs: 100, untilRecovered: false });
    expect(gate.tryOpen('a', 1000)).toBe(true);
    expect(gate.tryOpen('a', 1099)).toBe(false);
    expect(gate.tryOpen('b', 1050)).toBe(true); // keys are independent
    expect(gate.canOpen('a', 1100)).toBe(true);
    expect(gate.tryOpen('a', 1100)).toBe(true);
    expect(gate.disarmed().size).toBe(0);
  });

  it('with untilRecovered, stays shut until recover, whatever the time', () => {
    const gate = new EpisodeGate({ cooldownMs: 0, untilRecovered: true });
    expect(gate.tryOpen('v2', 10)).toBe(true);
    expect(gate.tryOpen('v2', 1e12)).toBe(false);
    expect([...gate.disarmed()]).toEqual(['v2']);
    gate.recover('v2');
    expect(gate.disarmed().size).toBe(0);
    // Without a cooldown an earlier time opens too (outputs may come out of order).
    expect(gate.tryOpen('v2', 5)).toBe(true);
  });

  it('end starts the cooldown at the end of the episode', () => {
    const gate = new EpisodeGate({ cooldownMs: 50, untilRecovered: false });
    expect(gate.tryOpen('k', 0)).toBe(true);
    gate.end('k', 200);
    expect(gate.canOpen('k', 249)).toBe(false);
    expect(gate.canOpen('k', 250)).toBe(true);
    gate.end('never-opened', 0);
    expect(gate.canOpen('never-opened', 49)).toBe(false);
  });

  it('rejects a negative cooldown', () => {
    expect(() => new EpisodeGate({ cooldownMs: -1, untilRecovered: false })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
  });
});
