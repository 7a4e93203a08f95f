import { expect } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { expectStatisticInput } from '../stats/assertions.ts';

/** Every strict prefix and every single-byte corruption (all positions, or `samples` evenly spaced) must throw. */
export function expectFrameIsGuarded(
  bytes: Uint8Array,
  decode: (b: Uint8Array) => unknown,
  samples = 400,
): void {
  for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / samples))) {
    expectStatisticInput(() => decode(bytes.slice(0, cut)));
  }
  expectStatisticInput(() => decode(bytes.slice(0, bytes.length - 1)));
  const step = Math.max(1, Math.floor(bytes.length / samples));
  for (let i = 0; i < bytes.length; i += step) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const damaged = bytes.slice();
      damaged[i] = damaged[i]! ^ mask;
      expectStatisticInput(() => decode(damaged));
    }
  }
}

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let firstDiff = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff, `first differing byte at ${firstDiff}`).toBe(-1);
}

export type Distribution = 'uniform' | 'normal' | 'heavy-tailed' | 'tied';

export const DISTRIBUTIONS: readonly Distribution[] = ['uniform', 'normal', 'heavy-tailed', 'tied'];

/** n draws: uniform [0,1), standard normal, standard Cauchy (heavy tails both sides), or 7 heavily tied values. */
export function draw(distribution: Distribution, n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (distribution) {
      case 'uniform':
        out[i] = rng.next();
        break;
      case 'normal':
        out[i] = rng.normal();
        break;
      case 'heavy-tailed': {
        let u = rng.next();
        while (u === 0) u = rng.next();
        out[i] = Math.tan(Math.PI * (u - 0.5));
        break;
      }
      case 'tied':
        // Skewed mass on 7 values: rank steps of very different heights.
        out[i] = [-3, 0, 0, 0, 1, 1, 2.5][Math.floor(rng.next() * 7)]!;
        break;
    }
  }
  return out;
}

/** Zipf(s) ranks 0..universe-1 (rank 0 the most frequent), by inverse CDF. */
export function zipf(n: number, universe: number, s: number, seed: number): Int32Array {
  const cumulative = new Float64Array(universe);
  let sum = 0;
  for (let i = 0; i < universe; i++) {
    sum += 1 / (i + 1) ** s;
    cumulative[i] = sum;
  }
  const rng = new SeededRandom(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** Length of the prefix of `sorted` on which `inPrefix` holds (it must hold on a prefix only): a binary search. */
function prefixLength(sorted: Float64Array, inPrefix: (v: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inPrefix(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of sorted values <= x. */
export function countAtMost(sorted: Float64Array, x: number): number {
  return prefixLength(sorted, (v) => v <= x);
}

/** Number of sorted values < x. */
export function countBelow(sorted: Float64Array, x: number): number {
  return prefixLength(sorted, (v) => v < x);
}

/** Splits [0, n) into `parts` contiguous ranges of random lengths (some possibly empty). */
export function randomCuts(n: number, parts: number, rng: SeededRandom): number[] {
  const cuts = [0, n];
  for (let i = 1; i < parts; i++) cuts.push(Math.floor(rng.next() * (n + 1)));
  return cuts.sort((a, b) => a - b);
}

/** Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, rng: SeededRandom): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface MergeOrder<T> {
  name: string;
  combine: (parts: readonly T[]) => T;
}

/**
 * Merge orders for mergeable structures: left fold, right fold, balanced tree and a random permutation, each on
 * fresh copies so the parts are reused across orders.
 */
export function mergeOrders<T>(
  clone: (x: T) => T,
  merge: (into: T, from: T) => void,
  rng: SeededRandom,
): MergeOrder<T>[] {
  const tree = (parts: readonly T[]): T => {
    if (parts.length === 1) return clone(parts[0]!);
    const mid = parts.length >> 1;
    const left = tree(parts.slice(0, mid));
    merge(left, tree(parts.slice(mid)));
    return left;
  };
  return [
    {
      name: 'left fold',
      combine: (parts) => {
        const acc = clone(parts[0]!);
        for (let i = 1; i < parts.length; i++) merge(acc, parts[i]!);
        return acc;
      },
    },
    {
      name: 'right fold',
      combine: (parts) => {
        let acc = clone(parts[parts.length - 1]!);
        for (let i = parts.length - 2; i >= 0; i--) {
          const next = clone(parts[i]!);
          merge(next, acc);
          acc = next;
        }
        return acc;
      },
    },
    { name: 'balanced tree', combine: tree },
    {
      name: 'random order',
      combine: (parts) => {
        const order = permutation(parts.length, rng);
        const acc = clone(parts[order[0]!]!);
        for (let i = 1; i < order.length; i++) merge(acc, parts[order[i]!]!);
        return acc;
      },
    },
  ];
}

export interface MergeOps<T> {
  clone: (x: T) => T;
  merge: (into: T, from: T) => void;
  /** Serializes and decodes: what a part looks like after the wire. */
  roundTrip: (x: T) => T;
}

/**
 * Everything that should equal `whole` (named `wholeName`): `parts` combined in every merge order, then the parts
 * sent through the wire (roundTrip) and merged like the left fold, as 'after serialization'. Each comes with the
 * name its failures are reported under.
 */
export function mergeCandidates<T>(
  wholeName: string,
  whole: T,
  parts: readonly T[],
  ops: MergeOps<T>,
  rng: SeededRandom,
): [string, T][] {
  const candidates: [string, T][] = [[wholeName, whole]];
  for (const order of mergeOrders(ops.clone, ops.merge, rng)) {
    candidates.push([order.name, order.combine(parts)]);
  }
  const decoded = parts.map(ops.roundTrip);
  const wire = ops.clone(decoded[0]!);
  for (let i = 1; i < decoded.length; i++) ops.merge(wire, decoded[i]!);
  candidates.push(['after serialization', wire]);
  return candidates;
}
