import { cdfDistanceIntegral } from './wasserstein.ts';
import type { WeightedSample } from './weighted-sample.ts';

/**
 * Energy distance between two 1-D (weighted) samples, scipy.stats.energy_distance(u, v, u_weights, v_weights):
 * √2·(∫(U − V)²)^½, which in one dimension equals (2E|X − Y| − E|X − X'| − E|Y − Y'|)^½ (Székely) without the
 * O(n·m) pairwise sums. Weights are normalised per sample, as scipy. O(n + m).
 */
export function energyDistance(a: WeightedSample, b: WeightedSample): number {
  return Math.SQRT2 * Math.sqrt(cdfDistanceIntegral('energyDistance', a, b, 2));
}
