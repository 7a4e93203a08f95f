import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { buildBaseline, type ReferenceColumn } from '../../baseline/build-baseline.ts';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { type DataColumn, numericAsCategories } from '../../io/column-table.ts';
import { readDataFile } from '../../io/read-data-file.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import { integerOption, parseCommandArgs } from '../cli-args.ts';

export const BASELINE_HELP = `driftwatch baseline build --topology <topology.yaml> --input <training file> [options]

Builds a versioned baseline file from training data (CSV, NDJSON, Parquet, Arrow) for the features a topology
monitors, with the same kernels that count live windows. A feature is read from the column named like the feature,
or like the last segment of its field path (features.amount -> amount).

Options:
  --output <file>     where to write the baseline (default: the baseline path the topology names)
  --bins <n>          quantile buckets for numeric features (default 10)
`;

export async function baselineCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'build') {
    throw new DriftwatchError(
      ErrorCodes.CLI_USAGE,
      `unknown baseline command "${sub ?? ''}"; use: baseline build`,
    );
  }
  const { values } = parseCommandArgs(rest, {
    topology: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    bins: { type: 'string' },
  });
  if (values.topology === undefined || values.input === undefined) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, '--topology and --input are required');
  }
  const bins = integerOption('bins', values.bins, 10);
  const topology = await loadTopologyFile(values.topology);
  const categorical = new Set(topology.features.filter((f) => f.kind === 'categorical').map((f) => f.name));
  const table = await readDataFile(values.input, categorical);
  const columns = new Map<string, ReferenceColumn>();
  for (const feature of topology.features) {
    const candidates = [feature.name, feature.field.split('.').at(-1)!];
    const name = candidates.find((c) => table.columns.has(c));
    if (name === undefined) {
      throw new DriftwatchError(
        ErrorCodes.INPUT_FILE,
        `${values.input}: no column for feature "${feature.name}" (looked for ${[...new Set(candidates)].join(' or ')})`,
        { file: values.input, feature: feature.name },
      );
    }
    columns.set(feature.name, referenceColumn(table.columns.get(name)!, feature.kind, values.input, name));
  }
  const fingerprint = createHash('sha256')
    .update(await readFile(values.input))
    .digest('hex');
  const baseline = buildBaseline(columns, {
    name: topology.name,
    source: { description: basename(values.input), fingerprint: `sha256:${fingerprint}`, rows: table.rows },
    numericBins: bins,
  });
  const output = values.output ?? topology.baselinePath;
  await writeFile(output, `${JSON.stringify(baseline, null, 2)}\n`);
  process.stdout.write(
    `wrote ${relative(process.cwd(), output)} (${baseline.version}, ${table.rows} rows, ${columns.size} features)\n`,
  );
  return 0;
}

function referenceColumn(
  column: DataColumn,
  kind: 'numeric' | 'categorical',
  file: string,
  name: string,
): ReferenceColumn {
  if (kind === 'categorical') {
    if (column.kind === 'categorical') return { kind: 'categorical', values: column.values };
    return { kind: 'categorical', values: numericAsCategories(column) };
  }
  if (column.kind !== 'numeric') {
    throw new DriftwatchError(
      ErrorCodes.INPUT_FILE,
      `${file}: column "${name}" is monitored as numeric but holds text`,
      { file, column: name },
    );
  }
  return { kind: 'numeric', values: column.values, valid: column.valid };
}
