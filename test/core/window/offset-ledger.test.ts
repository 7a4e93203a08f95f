import { describe, expect, it } from 'vitest';
import { OffsetLedger } from '../../../src/core/window/offset-ledger.ts';

describe('OffsetLedger', () => {
  it('has nothing committable for a partition never advanced', () => {
    const ledger = new OffsetLedger();
    expect(ledger.committable(0)).toBeUndefined();
    ledger.hold('w1', 0, 5);
    expect(ledger.committable(0)).toBeUndefined();
    expect(ledger.partitions()).toEqual([]);
  });

  it('commits one past the last processed offset when nothing is held', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 10);
    expect(ledger.committable(0)).toBe(10);
    ledger.advance(0, 25);
    expect(ledger.committable(0)).toBe(25);
  });

  it('never moves the next offset backwards', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 25);
    ledger.advance(0, 10);
    expect(ledger.committable(0)).toBe(25);
  });

  it('committable is min(lowest held, next)', () => {
    const ledger = new OffsetLedger();
    ledger.hold('m/0', 0, 3);
    ledger.advance(0, 10);
    expect(ledger.committable(0)).toBe(3);
    // A hold above next does not matter.
    ledger.hold('m/60000', 0, 40);
    ledger.advance(0, 20);
    expect(ledger.committable(0)).toBe(3);
    ledger.release('m/0');
    expect(ledger.committable(0)).toBe(20);
    ledger.advance(0, 50);
    expect(ledger.committable(0)).toBe(40);
    ledger.release('m/60000');
    expect(ledger.committable(0)).toBe(50);
  });

  it('a holder keeps the lowest offset it was given per partition', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 100);
    ledger.hold('w', 0, 30);
    ledger.hold('w', 0, 50);
    expect(ledger.committable(0)).toBe(30);
    ledger.hold('w', 0, 12);
    expect(ledger.committable(0)).toBe(12);
    expect(ledger.holderCount).toBe(1);
  });

  it('takes the minimum over several holders, and releasing one exposes the next', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 100);
    ledger.hold('a', 0, 40);
    ledger.hold('b', 0, 20);
    ledger.hold('c', 0, 60);
    expect(ledger.holderCount).toBe(3);
    expect(ledger.committable(0)).toBe(20);
    ledger.release('b');
    expect(ledger.committable(0)).toBe(40);
    ledger.release('a');
    expect(ledger.committable(0)).toBe(60);
    ledger.release('c');
    expect(ledger.committable(0)).toBe(100);
    expect(ledger.holderCount).toBe(0);
  });

  it('keeps partitions apart', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 100);
    ledger.advance(1, 7);
    ledger.advance(2, 300);
    ledger.hold('w', 0, 10);
    ledger.hold('w', 2, 250);
    ledger.hold('v', 1, 3);
    expect(ledger.committable(0)).toBe(10);
    expect(ledger.committable(1)).toBe(3);
    expect(ledger.committable(2)).toBe(250);
    ledger.release('w');
    expect(ledger.committable(0)).toBe(100);
    expect(ledger.committable(1)).toBe(3);
    expect(ledger.committable(2)).toBe(300);
    expect(ledger.partitions().sort()).toEqual([0, 1, 2]);
  });

  it('releasing an unknown holder is harmless', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 5);
    ledger.hold('w', 0, 1);
    ledger.release('nope');
    expect(ledger.committable(0)).toBe(1);
    expect(ledger.holderCount).toBe(1);
  });

  it('forget drops the partition and its holds, but not other partitions', () => {
    const ledger = new OffsetLedger();
    ledger.advance(0, 100);
    ledger.advance(1, 200);
    ledger.hold('w', 0, 10);
    ledger.hold('w', 1, 150);
    ledger.forget(0);
    expect(ledger.committable(0)).toBeUndefined();
    expect(ledger.partitions()).toEqual([1]);
    expect(ledger.committable(1)).toBe(150);
    // The partition comes back (reassigned): old holds are gone.
    ledger.advance(0, 120);
    expect(ledger.committable(0)).toBe(120);
  });
});
