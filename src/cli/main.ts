import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { ALERTS_HELP, alertsCommand } from './commands/alerts-command.ts';
import { BACKTEST_HELP, backtestCommand } from './commands/backtest-command.ts';
import { BASELINE_HELP, baselineCommand } from './commands/baseline-command.ts';
import { COMPARE_HELP, compareCommand } from './commands/compare-command.ts';
import { DEMO_HELP, demoCommand } from './commands/demo-command.ts';
import { RUN_HELP, runCommand } from './commands/run-command.ts';
import { STREAMS_HELP, streamsCommand } from './commands/streams-command.ts';
import { VALIDATE_HELP, validateCommand } from './commands/validate-command.ts';

const COMMANDS: Record<string, { help: string; run: (args: readonly string[]) => Promise<number> }> = {
  run: { help: RUN_HELP, run: runCommand },
  validate: { help: VALIDATE_HELP, run: validateCommand },
  demo: { help: DEMO_HELP, run: demoCommand },
  compare: { help: COMPARE_HELP, run: compareCommand },
  baseline: { help: BASELINE_HELP, run: baselineCommand },
  backtest: { help: BACKTEST_HELP, run: backtestCommand },
  streams: { help: STREAMS_HELP, run: streamsCommand },
  alerts: { help: ALERTS_HELP, run: alertsCommand },
};

const HELP = `driftwatch: drift and skew monitoring for production ML, on Kafka

Usage: driftwatch <command> [options]

Commands:
  run <topology.yaml> [...]   run the engine for topology files
  validate <topology.yaml>    check topology files and their baselines
  baseline build --topology <t> (--input <f> | --from-topic [topic])
                              build a baseline from training data or a topic's time range
  baseline show --topology <t>
                              print a baseline (file or published)
  backtest <topology.yaml> --input <f>
                              replay historical events through a topology, print its alerts
  streams add --schema <s.avsc> (--topology <t> | --scaffold <new> --topic <t>)
                              check a schema against a topology and register it
  streams check <topology.yaml>
                              check a topology against its subject's latest schema
  alerts tail [--topic <t>] [--topology <t>] [--json]
                              print alerts, incidents and retrain requests as they arrive
  compare --reference <f> --current <f>
                              compare two data files feature by feature
  demo                        the end-to-end demo on the local stack

driftwatch <command> --help shows a command's options.
`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`driftwatch: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof DriftwatchError) {
      process.stderr.write(`driftwatch ${name}: ${error.message} [${error.code}]\n`);
      if (error.code === ErrorCodes.CLI_USAGE) process.stderr.write(`\n${command.help}`);
      return error.code === ErrorCodes.CLI_USAGE ? 2 : 1;
    }
    process.stderr.write(`driftwatch ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
