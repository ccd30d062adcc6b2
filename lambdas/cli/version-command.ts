import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CustomsError, messageOf } from '../core/errors.ts';
import { SCHEME_NAMES, schemeNamed } from '../core/versions/schemes.ts';
import type { CliIo } from './cli-io.ts';

export const VERSION_USAGE = `Usage: customs version compare --scheme SCHEME < pairs.tsv

Compares versions the way an ecosystem orders them. Reads lines "A<TAB>B" on standard input and
prints -1, 0 or 1 per line (A before, equal to, or after B), or "error: …" for a version the scheme
cannot read. SCHEME is one of: ${SCHEME_NAMES.join(' ')}
`;

export async function versionCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h') {
    io.stdout.write(VERSION_USAGE);
    return 0;
  }
  if (subcommand !== 'compare') throw new CustomsError('usage', `version takes the subcommand compare (see customs version --help)`);
  const { values } = parseArgs({ args: rest, options: { scheme: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout.write(VERSION_USAGE);
    return 0;
  }
  if (!values.scheme) throw new CustomsError('usage', `version compare needs --scheme (one of ${SCHEME_NAMES.join(', ')})`);
  const scheme = schemeNamed(values.scheme);
  const lines = createInterface({ input: io.stdin ?? Readable.from([]), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const [a, b, ...extra] = line.split('\t');
    if (b === undefined || extra.length > 0) {
      io.stdout.write(`error: expected two versions separated by a tab, got ${JSON.stringify(line.slice(0, 80))}\n`);
      continue;
    }
    try {
      io.stdout.write(`${scheme.compare(a!, b)}\n`);
    } catch (error) {
      io.stdout.write(`error: ${messageOf(error)}\n`);
    }
  }
  return 0;
}
