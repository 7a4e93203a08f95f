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
    const problems: string[] = [];
    let nullIncomes = 0;
    for (let i = 0; i < 2000; i++) {
      const e = g.next(T0 + i * 1000.7);
      const f = e.features;
      if (e.event_time !== Math.floor(T0 + i * 1000.7)) problems.push(`${i}: event_time ${e.event_time}`);
      if (e.request_id !== `r8-${i + 1}`) problems.push(`${i}: request_id ${e.request_id}`);
      if (!(Number.isInteger(f.age) && f.age >= 18 && f.age <= 90)) problems.push(`${i}: age ${f.age}`);
      if (!(f.amount > 0)) problems.push(`${i}: amount ${f.amount}`);
      if (f.income === null) nullIncomes++;
      else if (!(f.income > 0)) problems.push(`${i}: income ${f.income}`);
      if (!(CHANNELS as readonly string[]).includes(f.channel)) problems.push(`${i}: channel ${f.channel}`);
      if (!(COUNTRIES as readonly string[]).includes(f.country)) problems.push(`${i}: country ${f.country}`);
      if (!(e.prediction.score > 0 && e.prediction.score < 1))
        problems.push(`${i}: score ${e.prediction.score}`);
      if (e.prediction.label !== (e.prediction.score < 0.5 ? 'approve' : 'decline'))
        problems.push(`${i}: label`);
    }
    expect(problems).toEqual([]);
    // About 5% of incomes are missing.
    expect(nullIncomes).toBeGreaterThan(50);
    expect(nullIncomes).toBeLessThan(150);
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
