/**
 * Regenerates topologies/baselines/credit-risk.baseline.json: 50,000 training rows of the demo model drawn by the
 * seeded generator (no drift), summarised by the same kernels that count live windows.
 *
 *   npx tsx scripts/make-demo-baseline.ts
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { buildBaseline, type ReferenceColumn } from '../src/baseline/build-baseline.ts';
import { CreditRiskEventGenerator } from '../src/demo/credit-risk-events.ts';

export const DEMO_TRAINING_SEED = 20260101;
export const DEMO_TRAINING_ROWS = 50_000;

const generator = new CreditRiskEventGenerator(DEMO_TRAINING_SEED);
const amount = new Float64Array(DEMO_TRAINING_ROWS);
const age = new Float64Array(DEMO_TRAINING_ROWS);
const income = new Float64Array(DEMO_TRAINING_ROWS);
const incomeValid = new Uint8Array(DEMO_TRAINING_ROWS);
const channel: string[] = [];
const country: string[] = [];
const hash = createHash('sha256');
for (let i = 0; i < DEMO_TRAINING_ROWS; i++) {
  const e = generator.next(Date.UTC(2026, 0, 1) + i * 1000);
  hash.update(JSON.stringify(e.features));
  amount[i] = e.features.amount;
  age[i] = e.features.age;
  income[i] = e.features.income ?? Number.NaN;
  incomeValid[i] = e.features.income === null ? 0 : 1;
  channel.push(e.features.channel);
  country.push(e.features.country);
}
const columns = new Map<string, ReferenceColumn>([
  ['amount', { kind: 'numeric', values: amount }],
  ['age', { kind: 'numeric', values: age }],
  ['income', { kind: 'numeric', values: income, valid: incomeValid }],
  ['channel', { kind: 'categorical', values: channel }],
  ['country', { kind: 'categorical', values: country }],
]);
const baseline = buildBaseline(columns, {
  name: 'credit-risk',
  source: {
    description: `demo generator, seed ${DEMO_TRAINING_SEED}, ${DEMO_TRAINING_ROWS} rows`,
    fingerprint: `sha256:${hash.digest('hex')}`,
    rows: DEMO_TRAINING_ROWS,
  },
  numericBins: 10,
  now: () => new Date('2026-01-01T00:00:00Z'),
});
const out = new URL('../topologies/baselines/credit-risk.baseline.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(baseline, null, 2)}\n`);
console.log(`wrote ${out.pathname.split('/').slice(-3).join('/')} (${baseline.version})`);
