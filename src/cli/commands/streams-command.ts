import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import {
  type CompatibilityVerdict,
  type RegisteredVersion,
  SchemaRegistryClient,
} from '../../kafka/schema-registry-client.ts';
import {
  monitorNameFor,
  type ScaffoldedTopology,
  scaffoldTopology,
} from '../../streams/scaffold-topology.ts';
import {
  type CheckedField,
  checkFieldUses,
  checkSchemaFields,
  inferEventTimeField,
  parseAvroSchema,
  schemaFieldError,
  sourceFieldUses,
} from '../../streams/schema-fields.ts';
import { loadTopologyFile } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { parseCommandArgs } from '../cli-args.ts';
import { defaultRegistryUrl } from '../connection-defaults.ts';

export const STREAMS_HELP = `driftwatch streams add --schema <file.avsc> (--topology <t.yaml> | --scaffold <new.yaml> --topic <t>) [options]
driftwatch streams check <topology.yaml> [--registry <url>]

add: checks every field a topology uses against an Avro schema (it exists, and its type fits the use), then
registers the schema under the topology's subject. Nothing is registered when a field does not fit. A schema the
subject's compatibility rule refuses exits 1 with the registry's reason; running monitors keep the old schema.
With --scaffold, writes a topology for the stream first (one feature per monitorable field) and validates it.
With a model section, its prediction-side fields are checked too (fields.*, latency.field, errors.field and
segmentField, skew.onlineKeyField and skew.features[].onlineField, embeddings[].field); label fields and offline
skew fields are in other subjects and are not checked.

check: fetches the latest schema registered under the topology's subject and checks the topology's fields against
it (for CI, after someone else changed the schema).

Options of add:
  --schema <file>          the Avro schema (.avsc) of the stream's values
  --topology <file>        an existing topology of the stream
  --scaffold <file>        write a new topology file for the stream (refused if it exists, unless --force)
  --topic <topic>          (scaffold) the topic to monitor
  --name <name>            (scaffold) monitor name (default: from the topic)
  --subject <subject>      (scaffold) registry subject (default <topic>-value)
  --event-time <field>     (scaffold) event-time field (default: the schema's only timestamp-millis field,
                           or event_time)
  --processing-time        (scaffold) no event time: windows use the time events are read
  --model-name <field>     (scaffold) model name field (default model_name)
  --model-version <field>  (scaffold) model version field (default model_version)
  --key <field>            (scaffold) entity or request key field
  --baseline <file>        (scaffold) baseline path, relative to the topology (default baselines/<name>.baseline.json)
  --force                  (scaffold) overwrite an existing file
  --dry-run                check everything and ask the registry whether the schema is compatible, but register
                           and write nothing (a scaffolded topology is printed instead)
  --registry <url>         Confluent-compatible registry API (env DRIFTWATCH_REGISTRY_URL;
                           default http://127.0.0.1:8081/apis/ccompat/v7)
`;

/** The editor schema shipped with driftwatch: the same relative place from src/ and from dist/. */
const TOPOLOGY_JSON_SCHEMA = fileURLToPath(
  new URL('../../../topologies/topology.schema.json', import.meta.url),
);

export interface ScaffoldRequest {
  /** The topology file to write. */
  readonly file: string;
  readonly topic: string;
  readonly name?: string;
  readonly subject?: string;
  /** Event-time field; null for processing time; undefined to infer it from the schema. */
  readonly eventTimeField?: string | null;
  readonly modelNameField?: string;
  readonly modelVersionField?: string;
  readonly keyField?: string;
  readonly baseline?: string;
  readonly force?: boolean;
}

export interface AddStreamOptions {
  readonly schemaFile: string;
  readonly registryUrl: string;
  /** An existing topology of the stream, or `scaffold` to write one. */
  readonly topologyFile?: string;
  readonly scaffold?: ScaffoldRequest;
  readonly dryRun?: boolean;
}

export interface AddStreamResult {
  /** The topology file checked (written, unless a dry run). */
  readonly topologyFile: string;
  readonly topology: Topology;
  readonly subject: string;
  readonly checked: readonly CheckedField[];
  /** The scaffold, when one was asked for. */
  readonly scaffolded: ScaffoldedTopology | null;
  /** What the registry holds now; null on a dry run. */
  readonly registered: (RegisteredVersion & { created: boolean }) | null;
  /** The registry's verdict on a dry run; null otherwise. */
  readonly compatibility: CompatibilityVerdict | null;
}

/**
 * Adds a stream: checks the schema against the topology (scaffolding the topology first if asked), then registers
 * the schema. The order matters: a schema that does not fit the topology is never registered, so a running monitor
 * never sees events it cannot read because of a schema this command let through.
 */
export async function addStream(options: AddStreamOptions): Promise<AddStreamResult> {
  const schema = await readSchemaFile(options.schemaFile);
  let topologyFile: string;
  let topology: Topology;
  let scaffolded: ScaffoldedTopology | null = null;
  if (options.scaffold !== undefined) {
    if (options.topologyFile !== undefined) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        'name either an existing topology or one to scaffold',
      );
    }
    ({ topologyFile, topology, scaffolded } = await scaffold(
      schema,
      options.schemaFile,
      options.scaffold,
      options.dryRun === true,
    ));
  } else {
    if (options.topologyFile === undefined) {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, 'name a topology (--topology) or one to scaffold');
    }
    topologyFile = options.topologyFile;
    topology = await loadTopologyFile(topologyFile);
  }
  const { checked, problems } = checkSchemaFields(schema, topology);
  if (problems.length > 0) throw schemaFieldError(problems, options.schemaFile, topologyFile);

  const registry = new SchemaRegistryClient({ url: options.registryUrl });
  const subject = topology.source.subject;
  if (options.dryRun) {
    const compatibility = await registry.checkCompatibility(subject, schema);
    if (!compatibility.compatible) {
      const reason =
        compatibility.messages.length > 0
          ? compatibility.messages.join('; ')
          : 'the registry gave no reason (registering without --dry-run shows the one it gives)';
      throw new DriftwatchError(
        ErrorCodes.SCHEMA_INCOMPATIBLE,
        `registry would refuse ${options.schemaFile} for subject ${subject} as incompatible: ${reason}`,
        { subject, reason },
      );
    }
    return { topologyFile, topology, subject, checked, scaffolded, registered: null, compatibility };
  }
  const registered = await registry.registerVersion(subject, schema);
  return { topologyFile, topology, subject, checked, scaffolded, registered, compatibility: null };
}

export interface CheckStreamResult {
  readonly topology: Topology;
  readonly registered: RegisteredVersion;
  readonly checked: readonly CheckedField[];
}

/** Checks a topology's fields against the latest schema registered under its subject. */
export async function checkStream(topologyFile: string, registryUrl: string): Promise<CheckStreamResult> {
  const topology = await loadTopologyFile(topologyFile);
  const registry = new SchemaRegistryClient({ url: registryUrl });
  const subject = topology.source.subject;
  const registered = await registry.latest(subject);
  if (registered === null) {
    throw new DriftwatchError(
      ErrorCodes.REGISTRY,
      `subject ${subject} of topology ${topologyFile} has no schema in the registry at ${registryUrl}; register one with driftwatch streams add`,
      { subject, topology: topologyFile },
    );
  }
  const { checked, problems } = checkSchemaFields(registered.schema, topology);
  if (problems.length > 0) {
    throw schemaFieldError(
      problems,
      `${subject} version ${registered.version} (schema id ${registered.id})`,
      topologyFile,
    );
  }
  return { topology, registered, checked };
}

export async function streamsCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') return addCommand(rest);
  if (sub === 'check') return checkCommand(rest);
  throw new DriftwatchError(
    ErrorCodes.CLI_USAGE,
    `unknown streams command "${sub ?? ''}"; use: streams add, streams check`,
  );
}

async function addCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    schema: { type: 'string' },
    topology: { type: 'string' },
    scaffold: { type: 'string' },
    topic: { type: 'string' },
    name: { type: 'string' },
    subject: { type: 'string' },
    'event-time': { type: 'string' },
    'processing-time': { type: 'boolean' },
    'model-name': { type: 'string' },
    'model-version': { type: 'string' },
    key: { type: 'string' },
    baseline: { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    registry: { type: 'string' },
  });
  const usage = (message: string) => new DriftwatchError(ErrorCodes.CLI_USAGE, message);
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  if (values.schema === undefined) throw usage('--schema is required');
  if ((values.topology === undefined) === (values.scaffold === undefined)) {
    throw usage('name exactly one of --topology <existing file> and --scaffold <new file>');
  }
  const scaffoldOnly = [
    'topic',
    'name',
    'subject',
    'event-time',
    'processing-time',
    'model-name',
    'model-version',
    'key',
    'baseline',
    'force',
  ] as const;
  if (values.topology !== undefined) {
    const misplaced = scaffoldOnly.find((option) => values[option] !== undefined);
    if (misplaced !== undefined) {
      throw usage(`--${misplaced} applies to --scaffold; with --topology the topology file says it`);
    }
  }
  if (values.scaffold !== undefined && values.topic === undefined) throw usage('--scaffold needs --topic');
  if (values['event-time'] !== undefined && values['processing-time']) {
    throw usage('--event-time and --processing-time exclude each other');
  }
  const result = await addStream({
    schemaFile: values.schema,
    registryUrl: values.registry ?? defaultRegistryUrl(),
    dryRun: values['dry-run'] === true,
    ...(values.topology !== undefined ? { topologyFile: values.topology } : {}),
    ...(values.scaffold !== undefined
      ? {
          scaffold: {
            file: values.scaffold,
            topic: values.topic!,
            force: values.force === true,
            eventTimeField: values['processing-time'] ? null : values['event-time'],
            ...defined({
              name: values.name,
              subject: values.subject,
              modelNameField: values['model-name'],
              modelVersionField: values['model-version'],
              keyField: values.key,
              baseline: values.baseline,
            }),
          },
        }
      : {}),
  });
  printAddResult(result, values.schema);
  return 0;
}

async function checkCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { registry: { type: 'string' } });
  if (positionals.length !== 1) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, 'name one topology file');
  }
  const result = await checkStream(positionals[0]!, values.registry ?? defaultRegistryUrl());
  const { registered } = result;
  process.stdout.write(
    `${positionals[0]}: ok against ${registered.subject} version ${registered.version} (schema id ${registered.id}), ${result.checked.length} fields checked\n`,
  );
  process.stdout.write(fieldTable(result.checked));
  return 0;
}

function printAddResult(result: AddStreamResult, schemaFile: string): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const { scaffolded } = result;
  if (scaffolded !== null) {
    const kinds = scaffolded.features.map((f) => `${f.name} (${f.kind})`).join(', ');
    const verb = result.registered === null ? 'would write' : 'wrote';
    out(
      `${verb} ${result.topologyFile}: monitor ${result.topology.name}, ${scaffolded.features.length} features: ${kinds}`,
    );
    for (const s of scaffolded.skipped) out(`  not monitored: ${s.field} (${s.type}): ${s.reason}`);
    if (result.registered === null) process.stdout.write(`\n${scaffolded.yaml}\n`);
  }
  out(`checked ${result.checked.length} fields of ${result.topologyFile} against ${schemaFile}: all fit`);
  process.stdout.write(fieldTable(result.checked));
  const r = result.registered;
  if (r === null) {
    out(
      `dry run: the registry would accept ${schemaFile} under subject ${result.subject}; nothing registered`,
    );
  } else if (r.created) {
    out(`registered ${schemaFile} under subject ${r.subject}: version ${r.version}, schema id ${r.id}`);
  } else {
    out(
      `${schemaFile} is already registered under subject ${r.subject} (version ${r.version}, schema id ${r.id}); nothing changed`,
    );
  }
}

function fieldTable(fields: readonly CheckedField[]): string {
  const pathWidth = Math.max(0, ...fields.map((f) => f.path.length));
  const useWidth = Math.max(0, ...fields.map((f) => f.use.length));
  return fields.map((f) => `  ${f.path.padEnd(pathWidth)}  ${f.use.padEnd(useWidth)}  ${f.type}\n`).join('');
}

/** Reads an .avsc file: DW_SCHEMA_INVALID naming the file when it is not JSON or not an Avro record schema. */
async function readSchemaFile(file: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.SCHEMA_INVALID,
      `cannot read schema file ${file}: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.SCHEMA_INVALID,
      `${file} is not JSON: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
  return parseAvroSchema(json, file);
}

/**
 * Writes the scaffolded topology and loads it back, so what is registered next is checked against the file exactly
 * as the engine will read it. The source fields are checked before anything is written: a schema without the named
 * event-time or model fields leaves no half-made file behind. A dry run writes to a temporary directory instead.
 */
async function scaffold(
  schema: object,
  schemaFile: string,
  request: ScaffoldRequest,
  dryRun: boolean,
): Promise<{ topologyFile: string; topology: Topology; scaffolded: ScaffoldedTopology }> {
  const file = request.file;
  if (!dryRun && existsSync(file) && request.force !== true) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${file} exists; pass --force to overwrite it, or --topology ${file} to use it`,
      { file },
    );
  }
  const eventTimeField =
    request.eventTimeField !== undefined ? request.eventTimeField : inferEventTimeField(schema);
  if (eventTimeField === undefined) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `cannot tell which field of ${schemaFile} is the event time (no single timestamp-millis field, no event_time); name it with --event-time <field>, or pass --processing-time`,
      { file: schemaFile },
    );
  }
  const source = {
    eventTimeField,
    modelNameField: request.modelNameField ?? 'model_name',
    modelVersionField: request.modelVersionField ?? 'model_version',
    keyField: request.keyField ?? null,
  };
  const sourceCheck = checkFieldUses(schema, sourceFieldUses(source));
  if (sourceCheck.problems.length > 0) {
    throw schemaFieldError(
      sourceCheck.problems,
      schemaFile,
      `${file} (not written; other source fields can be named with --event-time, --model-name, --model-version, --key)`,
    );
  }
  const name = request.name ?? monitorNameFor(request.topic);
  const directory = path.dirname(path.resolve(file));
  const scaffolded = scaffoldTopology(schema, {
    name,
    topic: request.topic,
    ...(request.subject !== undefined ? { subject: request.subject } : {}),
    ...source,
    baseline: request.baseline ?? `baselines/${name}.baseline.json`,
    schemaRef: relativeRef(directory, TOPOLOGY_JSON_SCHEMA),
    schemaSource: path.basename(schemaFile),
  });
  if (scaffolded.features.length === 0) {
    throw new DriftwatchError(
      ErrorCodes.SCHEMA_FIELD,
      `${schemaFile} has no field a drift test could watch (${scaffolded.skipped.map((s) => `${s.field}: ${s.reason}`).join('; ')}); nothing written`,
      { file: schemaFile },
    );
  }
  if (dryRun) {
    const scratch = await mkdtemp(path.join(tmpdir(), 'driftwatch-scaffold-'));
    try {
      const scratchFile = path.join(scratch, path.basename(file));
      await writeFile(scratchFile, scaffolded.yaml);
      return { topologyFile: file, topology: await loadTopologyFile(scratchFile), scaffolded };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  await mkdir(directory, { recursive: true });
  await writeFile(file, scaffolded.yaml);
  return { topologyFile: file, topology: await loadTopologyFile(file), scaffolded };
}

/** A relative reference from `directory` to `target`, with `/` separators as editors expect in `$schema`. */
function relativeRef(directory: string, target: string): string {
  const relative = path.relative(directory, target).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** The entries of `values` that are set, so optional properties stay absent rather than undefined. */
function defined<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
