import { describe, expect, it } from 'vitest';
import { cumulative, SeededRandom } from '../../../src/core/random/seeded-random.ts';

const draws = (seed: number, n: number, draw: (r: SeededRandom) => number) => {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => draw(r));
};

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draws(42, 100, (r) => r.next())).toEqual(draws(42, 100, (r) => r.next()));
    expect(draws(42, 100, (r) => r.normal())).toEqual(draws(42, 100, (r) => r.normal()));
  });

  it('gives different sequences for different seeds', () => {
    expect(draws(1, 10, (r) => r.next())).not.toEqual(draws(2, 10, (r) => r.next()));
  });

  it('is mulberry32: pinned first values of seed 1', () => {
    // Independent reimplementation of mulberry32 for the first draw.
    const first = (seed: number) => {
      let t = (seed + 0x6d2b79f5) >>> 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    expect(new SeededRandom(1).next()).toBe(first(1));
    expect(new SeededRandom(20260101).next()).toBe(first(20260101));
  });

  it('treats seeds modulo 2^32', () => {
    expect(draws(-1, 5, (r) => r.next())).toEqual(draws(2 ** 32 - 1, 5, (r) => r.next()));
  });

  it('draws uniforms in [0, 1) with a plausible mean', () => {
    const xs = draws(7, 20_000, (r) => r.next());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it('draws standard normals with mean ~0 and variance ~1', () => {
    const xs = draws(9, 20_000, (r) => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('picks indices in proportion to the weights', () => {
    const weights = [0.5, 0.3, 0.2];
    const c = cumulative(weights);
    const seen = [0, 0, 0];
    for (const i of draws(11, 30_000, (r) => r.pick(c))) seen[i]!++;
    weights.forEach((w, i) => {
      expect(Math.abs(seen[i]! / 30_000 - w)).toBeLessThan(0.015);
    });
  });

  it('never picks a zero-weight index', () => {
    const c = cumulative([1, 0, 1]);
    expect(draws(3, 1000, (r) => r.pick(c)).includes(1)).toBe(false);
  });
});

describe('cumulative', () => {
  it('is the running sum', () => {
    expect(cumulative([0.45, 0.35, 0.15, 0.05]).map((x) => Math.round(x * 100) / 100)).toEqual([
      0.45, 0.8, 0.95, 1,
    ]);
    expect(cumulative([])).toEqual([]);
  });
});
