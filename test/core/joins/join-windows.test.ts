import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../../src/core/joins/join-windows.ts';
import { ErrorCodes, isDriftwatchError } from '../../../src/errors.ts';

function windows(sizeMs = 10, delayMs = 5) {
  const emitted: [number, number, number[]][] = [];
  const w = new JoinWindows<number[]>(sizeMs, delayMs, () => []);
  const close = (watermark: number) =>
    w.close(watermark, (start, end, acc) => emitted.push([start, end, acc]));
  return { w, emitted, close };
}

describe('JoinWindows', () => {
  it('closes a window when its last ms + delay is below the watermark, in start order, once', () => {
    const { w, emitted, close } = windows();
    w.at(25).push(25);
    w.at(3).push(3);
    w.at(-1).push(-1); // floor division: window [-10, 0)
    w.at(9).push(9);
    close(14); // window [0, 10): 9 + 5 = 14 is not below 14
    expect(emitted).toEqual([[-10, 0, [-1]]]);
    close(15);
    expect(emitted.slice(1)).toEqual([[0, 10, [3, 9]]]);
    close(15);
    close(Number.POSITIVE_INFINITY);
    expect(emitted.map((e) => e[0])).toEqual([-10, 0, 20]);
    expect(w.openCount).toBe(0);
  });

  it('throws when a result would be added to a window that has closed (a join invariant)', () => {
    const { w, close } = windows();
    close(15);
    expect(() => w.at(9)).toThrow(/closed/);
    expect(w.at(10)).toEqual([]);
  });

  it('rejects a size that is not a positive integer', () => {
    let error: unknown;
    try {
      windows(0);
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
  });
});
