import { describe, expect, it } from 'vitest';
import {
  CONVENTION_NAMES,
  type ConventionName,
  conventionFor,
  conventionsRecord,
  defaultTestsFor,
  type FeatureKind,
  TEST_NAMES,
  type TestConvention,
  type TestName,
  testsOf,
} from '../../../src/core/drift/conventions.ts';
import { chiSquaredGoodnessOfFit, chiSquaredHomogeneity } from '../../../src/core/stats/chi-squared.ts';
import { evidentlyNumericHellinger, hellingerDistance } from '../../../src/core/stats/hellinger.ts';
import {
  jensenShannonDistance,
  tfdvJensenShannonDivergence,
} from '../../../src/core/stats/jensen-shannon.ts';
import { klDivergence } from '../../../src/core/stats/kl-divergence.ts';
import { lInfinityDistance } from '../../../src/core/stats/l-infinity.ts';
import { psi } from '../../../src/core/stats/psi.ts';
import { twoProportionZFromCounts } from '../../../src/core/stats/two-proportion-z.ts';
import { isDriftwatchError } from '../../../src/errors.ts';
import { expectRelClose } from '../stats/golden-fixture.ts';
import {
  COUNT_BASED_TESTS,
  type Counted,
  countFor,
  dataset,
  decode,
  type Encoded,
  isDrift,
  type PeerCase,
  peers,
  referenceRows,
  uniqueCount,
} from '../stats/peer-fixture.ts';

const TOLERANCE = 1e-9;

interface Computed {
  readonly value: number;
  readonly pValue?: number;
  readonly statistic?: number;
  readonly bucket?: number;
}

/** Runs OUR kernel for a test with the convention's parameters on the counts its binning gives. */
function compute(conv: TestConvention, counted: Counted): Computed {
  const { reference: ref, current: cur } = counted;
  switch (conv.test) {
    case 'psi':
      return { value: psi(ref, cur, conv.zeroRule!) };
    case 'kl':
      return { value: klDivergence(ref, cur, { zero: conv.zeroRule, base: conv.logBase! }) };
    case 'js':
      return conv.form === 'divergence'
        ? { value: tfdvJensenShannonDivergence(ref, cur, { mismatched: counted.mismatched }) }
        : { value: jensenShannonDistance(ref, cur, conv.logBase!) };
    case 'hellinger':
      return conv.hellingerForm === 'bhattacharyya-density'
        ? { value: evidentlyNumericHellinger(ref, cur, counted.edges!) }
        : { value: hellingerDistance(ref, cur, conv.hellingerForm as 'euclidean' | 'bhattacharyya') };
    case 'chi2': {
      const r =
        conv.chi2Variant === 'goodness-of-fit'
          ? chiSquaredGoodnessOfFit(ref, cur)
          : chiSquaredHomogeneity(ref, cur, { correction: conv.yatesCorrection === 'when dof = 1' });
      return {
        value: conv.reports === 'p-value' ? r.pValue : r.statistic,
        pValue: r.pValue,
        statistic: r.statistic,
      };
    }
    case 'z': {
      const r = twoProportionZFromCounts(ref, cur, { pValue: conv.zPValue });
      return { value: r.pValue, pValue: r.pValue, statistic: r.statistic };
    }
    case 'linf':
    case 'normalized_abs_difference': {
      const r = lInfinityDistance(ref, cur, {
        normalization: conv.normalization,
        ties: conv.tieBreak?.startsWith('last') ? 'last' : 'first',
      });
      return { value: r.value, bucket: r.bucket };
    }
    default:
      throw new Error(`${conv.test} is not count-based`);
  }
}

const toolCases = peers.cases.filter((c) => c.error === undefined && c.test !== 'default');
/** TFDV numeric JS on histograms with different boundaries: TFDV re-buckets them assuming uniform mass, which a
 * single reference-fitted layout never needs; those formula-derived values are in the JSON but not reproduced. */
const rebucketed = (c: PeerCase) => c.tool === 'tfdv' && c.sharedBoundaries === false;
const reproduced = toolCases.filter((c) => COUNT_BASED_TESTS.has(c.test) && !rebucketed(c));

function label(c: PeerCase): string {
  return `${c.tool} ${c.test} ${c.kind} ${c.dataset}.${c.column}`;
}

describe('golden peers: the fixture', () => {
  it('holds the tool versions and enough cases', () => {
    expect(peers.versions.evidently).toMatch(/^0\.7\./);
    expect(peers.versions.nannyml).toMatch(/^0\.13\./);
    expect(reproduced.length).toBeGreaterThanOrEqual(40);
    for (const tool of ['evidently', 'nannyml', 'tfdv']) {
      expect(reproduced.filter((c) => c.tool === tool).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('records why a tool case has no value (Evidently exact CvM on numpy 2)', () => {
    for (const c of peers.cases.filter((x) => x.error !== undefined)) {
      expect(`${c.tool} ${c.test}`).toBe('evidently cvm');
    }
  });
});

describe('golden peers: count-based statistics reproduced from the CSV data with our kernels and the presets', () => {
  for (const c of reproduced) {
    it(label(c), () => {
      const conv = conventionFor(c.tool, c.test as TestName, c.kind);
      expect(conv.applies).toBe(true);
      const column = dataset(c.dataset)[c.column]!;
      const counted = countFor(conv.input!, column, c.dtype);
      if (c.edges !== undefined) {
        expect(counted.edges, 'edges').toBeDefined();
        expect(Array.from(counted.edges!), 'edges').toEqual(c.edges);
      }
      const got = compute(conv, counted);
      expectRelClose(got.value, decode(c.value as Encoded), TOLERANCE, 'value');
      if (c.pValue !== undefined) expectRelClose(got.pValue!, decode(c.pValue), TOLERANCE, 'p-value');
      if (c.statistic !== undefined)
        expectRelClose(got.statistic!, decode(c.statistic), TOLERANCE, 'statistic');
      if (c.zeroKey !== undefined) {
        const failure = counted.reference.findIndex((r, i) => r !== 0 || counted.current[i] !== 0);
        expect(counted.labels[failure]).toBe(c.zeroKey);
      }
      if (c.argmax !== undefined) {
        // Compare the reported category only where the maximum is unique (ties depend on rounding).
        const diffs = Array.from(counted.reference, (_, i) =>
          Math.abs(
            counted.reference[i]! / (c.test === 'linf' ? sum(counted.reference) : total(counted)) -
              counted.current[i]! / (c.test === 'linf' ? sum(counted.current) : total(counted)),
          ),
        ).sort((a, b) => b - a);
        if (diffs.length < 2 || diffs[0]! - diffs[1]! > 1e-12) {
          expect(counted.labels[got.bucket!]).toBe(c.argmax);
        }
      }
    });
  }

  it('leaves out only sample-based tests and the re-bucketed TFDV histograms', () => {
    const skipped = toolCases.filter((c) => !reproduced.includes(c));
    for (const c of skipped) {
      expect(
        rebucketed(c) || ['wasserstein', 'wasserstein_norm', 'ks', 'cvm', 'ad', 'energy'].includes(c.test),
      ).toBe(true);
    }
  });
});

function sum(a: Float64Array): number {
  return a.reduce((s, x) => s + x, 0);
}

function total(c: Counted): number {
  return sum(c.reference) + sum(c.current);
}

describe('golden peers: default thresholds, drift rules and automatic test choice', () => {
  it("applies each Evidently test's default threshold and drift rule to the tool's value as the tool did", () => {
    const withDrift = toolCases.filter((c) => c.tool === 'evidently' && c.drift !== undefined);
    expect(withDrift.length).toBeGreaterThan(50);
    for (const c of withDrift) {
      const conv = conventionFor('evidently', c.test as TestName, c.kind);
      expect(conv.threshold?.value, label(c)).toBe(c.threshold);
      expect(isDrift(conv, decode(c.value as Encoded)), label(c)).toBe(c.drift);
    }
  });

  it("reproduces Evidently's automatic test choice (registry.py::_get_default_stattest)", () => {
    const defaults = peers.cases.filter((c) => c.tool === 'evidently' && c.test === 'default');
    expect(defaults.length).toBeGreaterThanOrEqual(10);
    for (const c of defaults) {
      const column = dataset(c.dataset)[c.column]!;
      const chosen = defaultTestsFor('evidently', c.kind, referenceRows(column), uniqueCount(column));
      expect(chosen, label(c)).toEqual([c.value]);
      expect(conventionFor('evidently', chosen[0]!, c.kind).threshold?.value, label(c)).toBe(c.threshold);
    }
  });

  it('covers the rest of the automatic choice rules', () => {
    expect(defaultTestsFor('evidently', 'numeric', 1000, 6)).toEqual(['ks']);
    expect(defaultTestsFor('evidently', 'numeric', 1000, 5)).toEqual(['chi2']);
    expect(defaultTestsFor('evidently', 'numeric', 1000, 2)).toEqual(['z']);
    expect(defaultTestsFor('evidently', 'categorical', 1000, 3)).toEqual(['chi2']);
    expect(defaultTestsFor('evidently', 'categorical', 1000, 2)).toEqual(['z']);
    expect(defaultTestsFor('evidently', 'numeric', 1001, 6)).toEqual(['wasserstein_norm']);
    expect(defaultTestsFor('evidently', 'numeric', 1001, 5)).toEqual(['js']);
    expect(defaultTestsFor('evidently', 'categorical', 1001, 50)).toEqual(['js']);
    expect(defaultTestsFor('nannyml', 'numeric', 10, 10)).toEqual(['js']);
    expect(defaultTestsFor('nannyml', 'categorical', 10_000, 3)).toEqual(['js']);
    expect(defaultTestsFor('tfdv', 'categorical', 10_000, 3)).toEqual([]);
    expect(defaultTestsFor('driftwatch', 'numeric', 10, 10)).toEqual(['psi']);
    expect(defaultTestsFor('driftwatch', 'categorical', 10, 10)).toEqual(['js']);
  });
});

describe("the conventions doc's fixture values (statistics-conventions.md, recomputed by its author to 5 digits)", () => {
  const numeric = {
    reference: Array.from({ length: 1000 }, (_, i) => i / 10),
    current: Array.from({ length: 1000 }, (_, i) => i / 10 + 10),
  };
  const categorical = {
    reference: [...'a'.repeat(500), ...'b'.repeat(300), ...'c'.repeat(200)],
    current: [...'a'.repeat(400), ...'b'.repeat(300), ...'c'.repeat(250), ...'d'.repeat(50)],
  };
  const close = (got: number, want: number, digits: number) =>
    expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(0.5 * 10 ** -digits * 1.0001);

  function run(
    name: ConventionName,
    test: TestName,
    kind: FeatureKind,
    data: typeof numeric | typeof categorical,
  ) {
    const conv = conventionFor(name, test, kind);
    const counted = countFor(
      conv.input!,
      { kind, reference: data.reference, current: data.current },
      'float64',
    );
    return compute(conv, counted);
  }

  it('numeric shift (ref i/10, cur i/10 + 10)', () => {
    close(run('evidently', 'psi', 'numeric', numeric).value, 1.25578, 5);
    close(run('evidently', 'kl', 'numeric', numeric).value, 0.62782, 5);
    close(run('evidently', 'js', 'numeric', numeric).value, 0.25289, 5);
    close(run('evidently', 'hellinger', 'numeric', numeric).value, 0.30361, 5);
    close(run('nannyml', 'js', 'numeric', numeric).value, 0.3093, 5);
    close(run('nannyml', 'hellinger', 'numeric', numeric).value, 0.30922, 5);
  });

  it('categorical shift with a new category', () => {
    expect(run('evidently', 'chi2', 'categorical', categorical).value).toBe(0);
    close(run('evidently', 'psi', 'categorical', categorical).value, 0.34358, 5);
    close(run('evidently', 'js', 'categorical', categorical).value, 0.14664, 5);
    const linf = run('tfdv', 'linf', 'categorical', categorical);
    close(linf.value, 0.1, 12);
    close(run('tfdv', 'js', 'categorical', categorical).value, 0.031024, 6);
    close(run('tfdv', 'normalized_abs_difference', 'categorical', categorical).value, 0.05, 12);
    const chi2 = run('nannyml', 'chi2', 'categorical', categorical);
    expect(chi2.pValue! / 2.21e-14).toBeCloseTo(1, 2);
    close(run('nannyml', 'js', 'categorical', categorical).value, 0.17614, 5);
  });

  it('binary (30% vs 36% ones, n = 1000 each)', () => {
    const data = {
      reference: Array.from({ length: 1000 }, (_, i) => (i < 300 ? 1 : 0)),
      current: Array.from({ length: 1000 }, (_, i) => (i < 360 ? 1 : 0)),
    };
    const z = run('evidently', 'z', 'numeric', data);
    close(z.statistic!, -2.8533, 4);
    close(z.value, 0.0043273, 7);
  });
});

describe('conventionFor / conventionsRecord', () => {
  const all = CONVENTION_NAMES.flatMap((name) =>
    TEST_NAMES.flatMap((test) =>
      (['numeric', 'categorical'] as const).map((kind) => conventionFor(name, test, kind)),
    ),
  );

  it('has an entry for every convention, test and kind', () => {
    expect(all.length).toBe(CONVENTION_NAMES.length * TEST_NAMES.length * 2);
    for (const conv of all) {
      if (!conv.applies) {
        expect(conv.note.length, `${conv.convention} ${conv.test}`).toBeGreaterThan(0);
        continue;
      }
      const where = `${conv.convention} ${conv.test} ${conv.kind}`;
      expect(conv.input, where).not.toBeNull();
      expect(conv.threshold, where).not.toBeNull();
      expect(conv.source.length, where).toBeGreaterThan(0);
      expect(conv.note.length, where).toBeGreaterThan(0);
      const sampleBased = ['wasserstein', 'wasserstein_norm', 'ks', 'cvm', 'ad', 'energy'].includes(
        conv.test,
      );
      expect(conv.input!.type === 'samples', where).toBe(sampleBased);
      if (conv.reports === 'p-value' || conv.threshold!.on === 'p-value')
        expect(conv.pValue, where).not.toBeNull();
    }
  });

  it('offers what each tool offers', () => {
    expect(testsOf('evidently', 'numeric')).toEqual([
      'psi',
      'kl',
      'js',
      'hellinger',
      'wasserstein_norm',
      'ks',
      'cvm',
      'ad',
      'energy',
      'chi2',
      'z',
    ]);
    expect(testsOf('evidently', 'categorical')).toEqual(['psi', 'kl', 'js', 'hellinger', 'chi2', 'z']);
    expect(testsOf('nannyml', 'numeric')).toEqual(['js', 'hellinger', 'wasserstein', 'ks']);
    expect(testsOf('nannyml', 'categorical')).toEqual(['js', 'hellinger', 'chi2', 'linf']);
    expect(testsOf('tfdv', 'numeric')).toEqual(['js']);
    expect(testsOf('tfdv', 'categorical')).toEqual(['js', 'linf', 'normalized_abs_difference']);
    expect(testsOf('driftwatch', 'numeric')).not.toContain('z');
  });

  it('pins the driftwatch defaults', () => {
    const p = conventionFor('driftwatch', 'psi', 'numeric');
    expect(p.input).toMatchObject({
      type: 'edges',
      edges: { kind: 'quantile', bins: 10 },
      fitOn: 'reference',
    });
    expect(p.zeroRule).toEqual({ rule: 'replace', epsilon: 1e-4 });
    expect(p.logBase).toBe(Math.E);
    expect(conventionFor('driftwatch', 'js', 'categorical')).toMatchObject({ logBase: 2, form: 'distance' });
    expect(conventionFor('driftwatch', 'ks', 'numeric').pValue).toBe('ks-auto');
    expect(conventionFor('driftwatch', 'wasserstein_norm', 'numeric').wassersteinScale).toMatch(/reference/);
    expect(conventionFor('driftwatch', 'chi2', 'categorical')).toMatchObject({
      chi2Variant: 'homogeneity',
      yatesCorrection: 'never',
    });
  });

  it('renders every applicable convention as strings', () => {
    for (const conv of all) {
      const record = conventionsRecord(conv);
      for (const [key, value] of Object.entries(record)) expect(typeof value, key).toBe('string');
      expect(record.convention).toBe(conv.convention);
      if (conv.applies) expect(record.driftRule ?? record.threshold).toBeDefined();
    }
    expect(conventionsRecord(conventionFor('evidently', 'psi', 'numeric'))).toMatchObject({
      toolName: 'psi',
      logBase: 'e',
      threshold: '0.1',
      driftRule: 'value >= threshold',
      missing: 'dropped',
    });
    expect(conventionsRecord(conventionFor('evidently', 'psi', 'numeric')).zeroRule).toMatch(/min_nonzero/);
    expect(conventionsRecord(conventionFor('evidently', 'ks', 'numeric'))).toMatchObject({
      threshold: '0.05',
      driftRule: 'p-value <= threshold',
    });
    expect(conventionsRecord(conventionFor('nannyml', 'js', 'numeric'))).toMatchObject({
      logBase: '2',
      driftRule: 'value > upper threshold',
      outsideValues: 'leftover bucket',
    });
    expect(conventionsRecord(conventionFor('nannyml', 'chi2', 'categorical'))).toMatchObject({
      reports: 'value',
      driftRule: 'p-value < threshold',
      yatesCorrection: 'when dof = 1',
    });
    expect(conventionsRecord(conventionFor('tfdv', 'linf', 'categorical'))).toMatchObject({
      threshold: 'from the schema (no default)',
      driftRule: 'value > threshold',
    });
    expect(conventionsRecord(conventionFor('tfdv', 'psi', 'numeric'))).toMatchObject({ applies: 'false' });
  });

  it('rejects unknown names with DW_INVALID_OPTION', () => {
    const invalid = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isDriftwatchError(error, 'DW_INVALID_OPTION');
      }
      return false;
    };
    expect(invalid(() => conventionFor('alibi' as ConventionName, 'psi', 'numeric'))).toBe(true);
    expect(invalid(() => conventionFor('evidently', 'mmd' as TestName, 'numeric'))).toBe(true);
    expect(invalid(() => conventionFor('evidently', 'toString' as TestName, 'numeric'))).toBe(true);
    expect(invalid(() => conventionFor('evidently', 'psi', 'text' as FeatureKind))).toBe(true);
    expect(invalid(() => defaultTestsFor('alibi' as ConventionName, 'numeric', 1, 1))).toBe(true);
  });
});
