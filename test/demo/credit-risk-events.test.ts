import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  COUNTRIES,
  CreditRiskEventGenerator,
  DEMO_DRIFT,
} from '../../src/demo/credit-risk-events.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('CreditRiskEventGenerator', () => {
  it('is deterministic per seed', () => {
    const a = new CreditRiskEventGenerator(5);
    const b = new CreditRiskEventGenerator(5);
    for (let i = 0; i < 50; i++) expect(a.next(T0 + i)).toEqual(b.next(T0 + i));
    const c = new CreditRiskEventGenerator(6);
    expect(c.next(T0)).not.toEqual(new CreditRiskEventGenerator(5).next(T0));
  });

  it('makes events within the documented domains', () => {
    const g = new CreditRiskEventGenerator(8);
    for (let i = 0; i < 2000; i++) {
      const e = g.next(T0 + i * 1000.7);
      expect(e.event_time).toBe(Math.floor(T0 + i * 1000.7));
      expect(e.request_id).toBe(`r8-${i + 1}`);
      expect(e.features.age).toBeGreaterThanOrEqual(18);
      expect(e.features.age).toBeLessThanOrEqual(90);
      expect(e.features.amount).toBeGreaterThan(0);
      expect(CHANNELS).toContain(e.features.channel);
      expect(COUNTRIES).toContain(e.features.country);
      expect(e.prediction.score).toBeGreaterThan(0);
      expect(e.prediction.score).toBeLessThan(1);
      expect(e.prediction.label).toBe(e.prediction.score < 0.5 ? 'approve' : 'decline');
    }
  });

  it('drift scales amount by the factor and leaves the draws of the other features alone', () => {
    const plain = new CreditRiskEventGenerator(4, 'x');
    const drifted = new CreditRiskEventGenerator(4, 'x');
    for (let i = 0; i < 200; i++) {
      const p = plain.next(T0);
      const d = drifted.next(T0, DEMO_DRIFT);
      expect(d.features.amount / p.features.amount).toBeCloseTo(1.5, 2);
      expect(d.features.age).toBe(p.features.age);
      expect(d.features.income).toBe(p.features.income);
      expect(d.features.country).toBe(p.features.country);
    }
  });
});
