import type { ParseArgsConfig } from 'node:util';
import type { CustomsApiClient } from '../../adapters/api-client/customs-api-client.ts';
import { CustomsError } from '../../core/errors.ts';
import type { CliIo } from '../cli-io.ts';

export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface SubcommandInput {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly client: CustomsApiClient;
  readonly io: CliIo;
}

/** What a subcommand answers: the JSON to print, how it reads as a table, and its exit code. */
export interface SubcommandResult {
  readonly json: unknown;
  readonly table: () => string;
  /** Default 0; 1 for a failed gate. */
  readonly code?: number;
  /** Lines for stderr (a gate's reason, where the next page starts). */
  readonly notes?: readonly string[];
  /** Written as is whatever the output mode (an SBOM document). */
  readonly raw?: string;
}

export interface ApiSubcommand {
  readonly name: string;
  /** One line of `customs api --help`. */
  readonly synopsis: string;
  readonly usage: string;
  readonly options: Readonly<NonNullable<ParseArgsConfig['options']>>;
  run(input: SubcommandInput): Promise<SubcommandResult>;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(values: OptionValues, name: string, command: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new CustomsError('usage', `api ${command} needs --${name} (see customs api ${command} --help)`);
  return value;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((one): one is string => typeof one === 'string') : [];
}

export function oneOf<const T extends string>(values: OptionValues, name: string, allowed: readonly T[]): T | undefined {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  const upper = (allowed.includes(value.toUpperCase() as T) ? value.toUpperCase() : value) as T;
  if (!allowed.includes(upper)) throw new CustomsError('usage', `--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return upper;
}

export function booleanText(values: OptionValues, name: string): 'true' | 'false' | undefined {
  const value = stringOption(values, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new CustomsError('usage', `--${name} must be true or false, not ${JSON.stringify(value)}`);
  return value;
}

export function onePositional(positionals: readonly string[], what: string, command: string): string {
  if (positionals.length !== 1) throw new CustomsError('usage', `api ${command} takes one ${what}, got ${positionals.length} (see customs api ${command} --help)`);
  return positionals[0]!;
}

export function noPositionals(positionals: readonly string[], command: string): void {
  if (positionals.length > 0) throw new CustomsError('usage', `api ${command} takes no positional arguments, got ${JSON.stringify(positionals[0])}`);
}
