import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { validateCommand } from '../../../src/cli/commands/validate-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'dw-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function captured(): () => string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  return () => out;
}

/** The demo topology with its baseline path made absolute and `edit` applied, written to a temp file. */
function variant(name: string, edit: (text: string) => string): string {
  const text = readFileSync('topologies/credit-risk.yaml', 'utf8').replace(
    'baseline: baselines/credit-risk.baseline.json',
    `baseline: ${resolve('topologies/baselines/credit-risk.baseline.json')}`,
  );
  const file = join(dir, name);
  writeFileSync(file, edit(text));
  return file;
}

describe('driftwatch validate', () => {
  it('prints the monitor, the baseline version and every test with its resolved levels', async () => {
    const out = captured();
    expect(await validateCommand(['topologies/credit-risk.yaml'])).toBe(0);
    const text = out();
    expect(text).toMatch(
      /credit-risk\.yaml: ok \(monitor credit-risk, 5 features, baseline credit-risk@[0-9a-f]{12}\)/,
    );
    expect(text).toMatch(/amount\s+psi\s+value >=\s+-\s+0\.2\s+fixed/);
    expect(text).toMatch(/age\s+ks\s+p <\s+-\s+0\.001\s+fixed/);
  });

  it('refuses calibrated levels the baseline has no reference chunks for, naming the feature', async () => {
    const file = variant('calibrated.yaml', (t) =>
      t.replace('    test: psi\n    threshold: 0.2', '    tests:\n      - test: psi\n        calibrate: std'),
    );
    captured();
    await expect(validateCommand([file])).rejects.toThrow(/feature "amount" has calibrated psi levels/);
  });

  it('refuses a feature the baseline lacks', async () => {
    const file = variant('extra.yaml', (t) =>
      t.replace(
        'features:\n',
        'features:\n  - name: tenure\n    field: features.tenure\n    kind: numeric\n',
      ),
    );
    captured();
    await expect(validateCommand([file])).rejects.toThrow(/has no feature "tenure"/);
  });
});
