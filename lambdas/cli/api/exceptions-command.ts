import { readFile } from 'node:fs/promises';
import { CustomsError, messageOf } from '../../core/errors.ts';
import { onePositional, requiredOption, stringOption, type ApiSubcommand, type OptionValues } from './api-subcommand.ts';
import { listing, nextNotes, PAGE_OPTIONS, PAGE_USAGE, pageQuery } from './listing.ts';
import { renderFields, renderTable } from './render-table.ts';
import type { CustomsApiClient } from '../../adapters/api-client/customs-api-client.ts';

export const EXCEPTIONS_USAGE = `Usage: customs api exceptions add --vulnerability ID --reason TEXT [--expires DATE]
                                [--repository-prefix P] [--package NAME] [--path GLOB]
       customs api exceptions add --vex FILE --reason TEXT [--expires DATE] [--repository-prefix P]
       customs api exceptions list [--repository-prefix P] [--vulnerability ID] [page options]
       customs api exceptions remove ID --reason TEXT

An exception suppresses a vulnerability (an ignore entry, or one OpenVEX statement read from FILE)
in every repository or those starting with --repository-prefix; the affected images are judged again.

  --expires DATE         YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time; default: never
  --package NAME         only this package (name or purl)
  --path GLOB            only packages at this location
${PAGE_USAGE}`;

async function add(values: OptionValues, client: CustomsApiClient) {
  const reason = requiredOption(values, 'reason', 'exceptions add');
  const expires = stringOption(values, 'expires');
  const prefix = stringOption(values, 'repository-prefix');
  const common = { reason, ...(expires === undefined ? {} : { expires }), ...(prefix === undefined ? {} : { repositoryPrefix: prefix }) };
  const vexFile = stringOption(values, 'vex');
  if (vexFile !== undefined) {
    if (values.vulnerability !== undefined || values.package !== undefined || values.path !== undefined) throw new CustomsError('usage', '--vex takes the vulnerability and products from the statement: give no --vulnerability, --package or --path');
    let statement: unknown;
    try {
      statement = JSON.parse(await readFile(vexFile, 'utf8'));
    } catch (error) {
      throw new CustomsError('usage', `--vex ${vexFile}: ${messageOf(error)}`);
    }
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) throw new CustomsError('usage', `--vex ${vexFile}: one OpenVEX statement (a JSON object)`);
    return client.call('addException', { path: {}, query: {}, body: { kind: 'vex', ...common, statement: statement as Record<string, unknown> } });
  }
  const vulnerability = requiredOption(values, 'vulnerability', 'exceptions add');
  const pkg = stringOption(values, 'package');
  const path = stringOption(values, 'path');
  return client.call('addException', { path: {}, query: {}, body: { kind: 'ignore', vulnerability, ...common, ...(pkg === undefined ? {} : { package: pkg }), ...(path === undefined ? {} : { path }) } });
}

export const exceptionsCommand: ApiSubcommand = {
  name: 'exceptions',
  synopsis: 'exceptions add|list|remove             ignore entries and VEX statements',
  usage: EXCEPTIONS_USAGE,
  options: {
    vulnerability: { type: 'string' },
    reason: { type: 'string' },
    expires: { type: 'string' },
    'repository-prefix': { type: 'string' },
    package: { type: 'string' },
    path: { type: 'string' },
    vex: { type: 'string' },
    ...PAGE_OPTIONS,
  },
  async run({ values, positionals, client }) {
    const [action, ...rest] = positionals;
    if (action === 'add' || action === 'remove') {
      const answer = action === 'add' ? (onePositionalNone(rest, 'exceptions add'), await add(values, client)) : await client.call('removeException', { path: {}, query: { id: onePositional(rest, 'exception ID', 'exceptions remove'), reason: requiredOption(values, 'reason', 'exceptions remove') }, body: undefined });
      const { exception } = answer;
      return {
        json: answer,
        table: () =>
          renderFields([
            [action === 'add' ? 'added' : 'removed', exception.id],
            ['vulnerability', exception.vulnerability],
            ['scope', exception.scope.repositoryPrefix ?? '(every repository)'],
            ['expires', exception.expires],
            ['re-evaluated', answer.reevaluated],
          ]),
      };
    }
    if (action === 'list') {
      onePositionalNone(rest, 'exceptions list');
      const prefix = stringOption(values, 'repository-prefix');
      const vulnerability = stringOption(values, 'vulnerability');
      const answer = await listing(client, 'listExceptions', { path: {}, query: { ...(prefix === undefined ? {} : { repositoryPrefix: prefix }), ...(vulnerability === undefined ? {} : { vulnerability }), ...pageQuery(values) }, body: undefined }, values);
      return {
        json: answer,
        notes: nextNotes(answer),
        table: () =>
          renderTable(
            [
              { header: 'ID', value: (row) => row.id },
              { header: 'KIND', value: (row) => row.kind },
              { header: 'VULNERABILITY', value: (row) => row.vulnerability },
              { header: 'SCOPE', value: (row) => row.scope.repositoryPrefix ?? '*' },
              { header: 'EXPIRES', value: (row) => row.expires },
              { header: 'LAPSED', value: (row) => row.lapsed },
              { header: 'BY', value: (row) => row.createdBy },
              { header: 'REASON', value: (row) => row.reason },
            ],
            answer.items,
          ),
      };
    }
    throw new CustomsError('usage', `api exceptions takes add, list or remove (see customs api exceptions --help)`);
  },
};

function onePositionalNone(rest: readonly string[], command: string): void {
  if (rest.length > 0) throw new CustomsError('usage', `api ${command} takes no further arguments, got ${JSON.stringify(rest[0])}`);
}
