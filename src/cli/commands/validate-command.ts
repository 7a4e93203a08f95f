import { loadBaseline } from '../../baseline/load-baseline.ts';
import { BatchExtractor } from '../../engine/batch-extractor.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { featureSpecs } from '../../topology/feature-specs.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import { parseCommandArgs } from '../cli-args.ts';

export const VALIDATE_HELP = `driftwatch validate <topology.yaml> [...]

Checks topology files and the baselines they name, without connecting to Kafka. Exits non-zero with every problem
(file, line, column, field) on the first invalid file.
`;

export async function validateCommand(args: readonly string[]): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  if (positionals.length === 0)
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, 'name at least one topology file');
  for (const file of positionals) {
    const topology = await loadTopologyFile(file);
    const baseline = await loadBaseline(topology.baselinePath);
    featureSpecs(topology, baseline, new BatchExtractor(topology).layout);
    process.stdout.write(
      `${file}: ok (monitor ${topology.name}, ${topology.features.length} features, baseline ${baseline.version})\n`,
    );
  }
  return 0;
}
