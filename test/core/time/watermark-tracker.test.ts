import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/time/clock.ts';
import { type WatermarkOptions, WatermarkTracker } from '../../../src/core/time/watermark-tracker.ts';

const OPTIONS: WatermarkOptions = { outOfOrdernessMs: 5_000, idleTimeoutMs: 30_000, quietCloseMs: 0 };

function tracker(options: Partial<WatermarkOptions> = {}, start = 1_000_000) {
  const clock = new ManualClock(start);
  return { clock, wm: new WatermarkTracker({ ...OPTIONS, ...options }, clock) };
}

describe('WatermarkTracker: event-time watermark', () => {
  it('is -Infinity before any event', () => {
    const { clock, wm } = tracker({ quietCloseMs: 0 });
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    clock.advance(10 * 60_000);
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is a single partition max event time minus the out-of-orderness bound', () => {
    const { wm } = tracker();
    wm.observe(0, 100_000);
    expect(wm.current()).toBe(95_000);
    wm.observe(0, 120_000);
    expect(wm.current()).toBe(115_000);
  });

  it('keeps the max event time of a partition when an older batch arrives', () => {
    const { wm } = tracker();
    wm.observe(0, 120_000);
    wm.observe(0, 100_000);
    expect(wm.current()).toBe(115_000);
  });

  it('is the minimum over active partitions', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 200_000);
    wm.observe(1, 150_000);
    wm.observe(2, 300_000);
    expect(wm.current()).toBe(145_000);
    clock.advance(1_000);
    wm.observe(1, 250_000);
    expect(wm.current()).toBe(195_000);
    wm.observe(0, 400_000);
    expect(wm.current()).toBe(245_000);
  });

  it('stops being held back by a partition silent for idleTimeout (and not before)', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 100_000); // slow partition
    wm.observe(1, 200_000);
    expect(wm.current()).toBe(95_000);
    // Partition 1 keeps delivering; partition 0 falls silent.
    clock.advance(29_999);
    wm.observe(1, 230_000);
    expect(wm.current()).toBe(95_000);
    clock.advance(1);
    expect(wm.current()).toBe(225_000);
  });

  it('a touched (polled, empty) partition stays active and keeps holding the watermark', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 100_000);
    wm.observe(1, 200_000);
    clock.advance(20_000);
    wm.touch(0);
    wm.observe(1, 210_000);
    clock.advance(20_000); // 40s since partition 0's last event, 20s since it was touched
    wm.observe(1, 220_000);
    expect(wm.current()).toBe(95_000);
    clock.advance(10_000); // 30s since the touch
    wm.observe(1, 230_000);
    expect(wm.current()).toBe(225_000);
  });

  it('touch of an unknown partition does not create it', () => {
    const { wm } = tracker();
    wm.touch(3);
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    wm.observe(0, 50_000);
    wm.touch(7);
    expect(wm.current()).toBe(45_000);
  });

  it('is the maximum over all partitions when every partition is idle', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 100_000);
    wm.observe(1, 200_000);
    wm.observe(2, 150_000);
    expect(wm.current()).toBe(95_000);
    clock.advance(30_000);
    expect(wm.current()).toBe(195_000);
  });

  it('never goes backwards when an idle partition wakes up behind it', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 100_000);
    wm.observe(1, 200_000);
    clock.advance(30_000);
    wm.observe(1, 210_000);
    expect(wm.current()).toBe(205_000);
    // Partition 0 wakes up with events far behind: it is active again, but the watermark holds.
    wm.observe(0, 110_000);
    expect(wm.current()).toBe(205_000);
    // It stays put until partition 0 catches up past it.
    wm.observe(1, 400_000);
    expect(wm.current()).toBe(205_000);
    wm.observe(0, 250_000);
    expect(wm.current()).toBe(245_000);
  });

  it('never goes backwards when a new partition appears behind it', () => {
    const { wm } = tracker();
    wm.observe(0, 500_000);
    expect(wm.current()).toBe(495_000);
    wm.observe(5, 10_000);
    expect(wm.current()).toBe(495_000);
  });

  it('forgets a removed partition', () => {
    const { wm } = tracker();
    wm.observe(0, 100_000);
    wm.observe(1, 200_000);
    expect(wm.current()).toBe(95_000);
    wm.remove(0);
    expect(wm.current()).toBe(195_000);
  });
});

describe('WatermarkTracker: quiet close', () => {
  it('follows the wall clock only after quietCloseMs with no events', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { clock, wm } = tracker({ quietCloseMs: 5_000 }, t0);
    wm.observe(0, t0 - 1_000);
    expect(wm.current()).toBe(t0 - 6_000);
    clock.advance(4_999);
    expect(wm.current()).toBe(t0 - 6_000);
    clock.advance(1);
    // now = t0 + 5s; wall watermark = now - 5s = t0 > t0 - 6s
    expect(wm.current()).toBe(t0);
    clock.advance(60_000);
    expect(wm.current()).toBe(t0 + 60_000);
  });

  it('an event resets the silence, and the watermark does not go back when it does', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { clock, wm } = tracker({ quietCloseMs: 5_000 }, t0);
    wm.observe(0, t0);
    clock.advance(20_000);
    expect(wm.current()).toBe(t0 + 15_000);
    wm.observe(0, t0 + 1_000); // activity again; the event watermark alone would be t0 - 4s
    expect(wm.current()).toBe(t0 + 15_000);
    clock.advance(4_999);
    expect(wm.current()).toBe(t0 + 15_000);
    clock.advance(1);
    expect(wm.current()).toBe(t0 + 20_000);
  });

  it('touches are not activity: a polled but empty stream still closes', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { clock, wm } = tracker({ quietCloseMs: 5_000 }, t0);
    wm.observe(0, t0);
    clock.advance(3_000);
    wm.touch(0);
    clock.advance(2_000);
    wm.touch(0);
    expect(wm.current()).toBe(t0);
  });

  it('does not lower an event watermark that is ahead of the wall clock', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { clock, wm } = tracker({ quietCloseMs: 5_000 }, t0);
    wm.observe(0, t0 + 3_600_000);
    clock.advance(10_000);
    expect(wm.current()).toBe(t0 + 3_600_000 - 5_000);
  });

  it('is disabled by quietCloseMs = 0', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const { clock, wm } = tracker({ quietCloseMs: 0 }, t0);
    wm.observe(0, t0);
    clock.advance(3_600_000);
    expect(wm.current()).toBe(t0 - 5_000);
  });

  it('does not advance before any event', () => {
    const { clock, wm } = tracker({ quietCloseMs: 5_000 }, Date.UTC(2026, 0, 1));
    clock.advance(60_000);
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('WatermarkTracker: assignment and lag', () => {
  it('holds the watermark back for an assigned partition that has not delivered, until it goes idle', () => {
    const { clock, wm } = tracker();
    wm.assign([0, 1]);
    wm.observe(0, 500_000);
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    clock.advance(10_000);
    wm.observe(1, 300_000);
    expect(wm.current()).toBe(295_000);
  });

  it('lets a silent assigned partition stop holding the watermark after the idle timeout', () => {
    const { clock, wm } = tracker();
    wm.assign([0, 1]);
    clock.advance(29_000);
    wm.observe(0, 500_000);
    expect(wm.current()).toBe(Number.NEGATIVE_INFINITY);
    clock.advance(1_000);
    expect(wm.current()).toBe(495_000);
  });

  it('forgets partitions that are no longer assigned', () => {
    const { wm } = tracker();
    wm.observe(0, 500_000);
    wm.observe(1, 100_000);
    expect(wm.current()).toBe(95_000);
    wm.assign([0]);
    expect(wm.current()).toBe(495_000);
  });

  it('never treats a lagging partition as idle', () => {
    const { clock, wm } = tracker();
    wm.observe(0, 500_000);
    wm.observe(1, 100_000, true);
    clock.advance(60_000);
    wm.observe(0, 600_000);
    expect(wm.current()).toBe(95_000);
    wm.observe(1, 200_000, false);
    expect(wm.current()).toBe(195_000);
  });

  it('does not follow the wall clock while a partition lags, however long the silence', () => {
    const { clock, wm } = tracker({ quietCloseMs: 2_000 }, 10_000_000);
    wm.observe(0, 1_000_000, true);
    clock.advance(60_000);
    expect(wm.current()).toBe(995_000);
    wm.touch(0, false);
    clock.advance(2_000);
    expect(wm.current()).toBe(10_060_000);
  });
});
