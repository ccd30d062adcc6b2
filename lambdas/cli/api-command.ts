import { parseArgs } from 'node:util';
import { isApiClientError } from '../adapters/api-client/api-client-error.ts';
import { CustomsError } from '../core/errors.ts';
import { actionsCommand, advisoriesCommand, coverageCommand, findingsCommand, historyCommand, imageCommand, imagesCommand, quarantineCommand, repositoriesCommand, sbomCommand, verdictCommand, vulnerabilityCommand } from './api/read-commands.ts';
import { backfillCommand, releaseCommand, rescanCommand } from './api/action-commands.ts';
import type { ApiSubcommand } from './api/api-subcommand.ts';
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE, wantsTable } from './api/api-connection.ts';
import { exceptionsCommand } from './api/exceptions-command.ts';
import { tagCommand } from './api/tag-command.ts';
import type { CliIo } from './cli-io.ts';

const SUBCOMMANDS: readonly ApiSubcommand[] = [
  repositoriesCommand,
  imagesCommand,
  imageCommand,
  findingsCommand,
  sbomCommand,
  tagCommand,
  verdictCommand,
  vulnerabilityCommand,
  quarantineCommand,
  exceptionsCommand,
  releaseCommand,
  rescanCommand,
  backfillCommand,
  coverageCommand,
  historyCommand,
  actionsCommand,
  advisoriesCommand,
];

export const API_USAGE = `Usage: customs api <command> [options]

Asks the findings API (customs api <command> --help for each command's options).

Commands:
${SUBCOMMANDS.map((command) => `  ${command.synopsis}`).join('\n')}

${CONNECTION_USAGE}
Exit codes: 0 done, 1 a failed gate (tag --fail-on, verdict --require-allowed), 2 usage, input or
an API error (its code, HTTP status and field on stderr).
`;

export async function apiCommand(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(API_USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = SUBCOMMANDS.find((one) => one.name === name);
  if (command === undefined) throw new CustomsError('usage', `unknown api command ${JSON.stringify(name)} (see customs api --help)`);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...CONNECTION_OPTIONS, ...command.options } });
  if (values.help === true) {
    io.stdout.write(`${command.usage}\n${CONNECTION_USAGE}`);
    return 0;
  }
  const table = wantsTable(values, io);
  const client = await connect(values, io);
  try {
    const result = await command.run({ values, positionals, client, io });
    if (result.raw !== undefined) io.stdout.write(result.raw);
    else io.stdout.write(table ? result.table() : `${JSON.stringify(result.json, null, 2)}\n`);
    for (const note of result.notes ?? []) io.stderr.write(`customs: api ${name}: ${note}\n`);
    return result.code ?? 0;
  } catch (error) {
    if (!isApiClientError(error)) throw error;
    const status = error.status === 0 ? 'no answer' : `HTTP ${error.status}`;
    const field = error.field === undefined ? '' : ` [field ${error.field}]`;
    const request = error.requestId === undefined ? '' : ` (request ${error.requestId})`;
    io.stderr.write(`customs: api ${name}: ${error.code} (${status})${field}: ${error.message}${request}\n`);
    return 2;
  }
}
