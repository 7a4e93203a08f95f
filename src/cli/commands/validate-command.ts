import { loadBaseline } from '../../baseline/load-baseline.ts';
import { BatchExtractor } from '../../engine/batch-extractor.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { featureSpecs } from '../../topology/feature-specs.ts';
import { resolvePlanLevels } from '../../topology/judge-measurements.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import { parseCommandArgs } from '../cli-args.ts';
import { renderTable } from '../text-table.ts';

export const VALIDATE_HELP = `driftwatch validate <topology.yaml> [...]

Checks topology files and the baselines they name, without connecting to Kafka: the format, every feature against
the baseline, and every test's levels (calibrated levels are computed from the baseline's reference chunks and
printed, so they can be reviewed). Exits non-zero with every problem (file, line, column, field) on the first
invalid file.
`;

export async function validateCommand(args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  if (positionals.length === 0)
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, 'name at least one topology file');
  for (const file of positionals) {
    const topology = await loadTopologyFile(file);
    const baseline = await loadBaseline(topology.baseline.path);
    const { plans } = featureSpecs(topology, baseline, new BatchExtractor(topology).layout);
    const levels = resolvePlanLevels(plans);
    process.stdout.write(
      `${file}: ok (monitor ${topology.name}, ${topology.features.length} features, baseline ${baseline.version})\n`,
    );
    const level = (x: number | null) => (x === null ? '-' : String(Number(x.toPrecision(4))));
    const rows = [['feature', 'test', 'rule', 'warning', 'critical', 'levels']];
    plans.forEach((plan, i) => {
      const l = levels[i]!;
      const rule = l.rule === 'value-above' ? 'value >=' : 'p <';
      rows.push([plan.feature, plan.test, rule, level(l.warning), level(l.critical), l.source]);
    });
    process.stdout.write(renderTable(rows));
  }
  return 0;
}
