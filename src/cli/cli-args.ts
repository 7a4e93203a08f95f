import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import { parseDuration } from '../topology/parse-duration.ts';

/** parseArgs with usage errors turned into DW_CLI_USAGE, so main prints them with the command's help. */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true as const, strict: true as const });
  } catch (error) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, (error as Error).message);
  }
}

export function durationOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--${name}: ${(error as Error).message}`);
  }
}

export function integerOption(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new DriftwatchError(ErrorCodes.CLI_USAGE, `--${name} must be an integer >= ${min}, got ${value}`);
  }
  return n;
}
