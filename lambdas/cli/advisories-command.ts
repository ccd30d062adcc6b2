import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { CollectingAdvisoryStore } from '../adapters/dynamodb/advisory-collecting-store.ts';
import { loadAdvisoryTable, type LoadTableReport } from '../adapters/dynamodb/advisory-loader.ts';
import { loadAdvisories } from '../adapters/osv/load-advisories.ts';
import { CustomsError } from '../core/errors.ts';
import type { CliIo } from './cli-io.ts';

export const ADVISORIES_USAGE = `Usage: customs advisories load --table TABLE --source DIR|ZIP|URL [options]

Loads OSV advisories into the pipeline's advisory table, where the scanner reads them per package.
Safe to rerun: records already stored unchanged (or newer) are not rewritten, and each ecosystem's
freshness is recorded only after its records are written.

  --table TABLE                 the advisory table's name
  --source DIR|ZIP|URL          what customs scan --advisories accepts: a directory of OSV JSON
                                records, an all.zip, its URL, or an osv.dev-style bucket URL
                                (repeatable; a later source's copy of a record wins)
  --ecosystem NAME              load only this OSV ecosystem (Debian, npm, …; repeatable); required
                                for a bucket URL, which is asked for NAME/all.zip
  --region REGION               AWS region (default: AWS_REGION)
  --endpoint URL                DynamoDB endpoint (DynamoDB Local: http://127.0.0.1:8000)
  --quiet                       print only problems

Exit codes: 0 loaded (refused records are listed on standard error), 2 usage or input error.
`;

export async function advisoriesCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout.write(ADVISORIES_USAGE);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== 'load') throw new CustomsError('usage', `advisories takes the subcommand load (see customs advisories --help)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      source: { type: 'string', multiple: true },
      ecosystem: { type: 'string', multiple: true },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      quiet: { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(ADVISORIES_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new CustomsError('usage', `advisories load takes no positional arguments, got ${JSON.stringify(positionals[0])}`);
  const table = values.table;
  if (!table) throw new CustomsError('usage', 'advisories load needs --table TABLE');
  const sources = values.source ?? [];
  if (sources.length === 0) throw new CustomsError('usage', 'advisories load needs --source DIR|ZIP|URL');
  const ecosystems = values.ecosystem ?? [];
  const bucket = sources.find((source) => /^https?:\/\//i.test(source) && !new URL(source).pathname.endsWith('.zip'));
  if (bucket !== undefined && ecosystems.length === 0) throw new CustomsError('usage', `--source ${bucket} is a bucket: name what to load from it with --ecosystem`);
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new CustomsError('usage', 'advisories load needs --region (or AWS_REGION)');

  // Everything is read and validated before the first write, so a bad source changes nothing.
  const store = new CollectingAdvisoryStore(ecosystems.length > 0 ? { ecosystems } : {});
  const notes: string[] = [];
  for (const source of sources) notes.push(...(await loadAdvisories(source, store, { ecosystems })));
  const client = new DynamoDBClient({ region, ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}) });
  try {
    const report = await loadAdvisoryTable(client, table, store.records, { source: sources.join(' ') });
    for (const note of notes) io.stderr.write(`customs: ${note}\n`);
    for (const problem of [...store.malformed, ...report.refused]) io.stderr.write(`customs: advisories: ${problem.source}: ${problem.reason}\n`);
    if (!values.quiet) io.stdout.write(summary(table, store.records.length, report));
    return 0;
  } finally {
    client.destroy();
  }
}

function summary(table: string, offered: number, report: LoadTableReport): string {
  const lines = [
    `advisories: ${offered} records into ${table}: ${report.written} written, ${report.unchanged} unchanged, ${report.refused.length} refused, ${report.deleted} stale items deleted (${report.writeCalls} BatchWriteItem calls)`,
    ...report.ecosystems.map((freshness) => `  ${freshness.ecosystem}: ${freshness.records} records, newest modified ${freshness.cursor ?? 'none'}, loaded ${freshness.loadedAt}`),
  ];
  return `${lines.join('\n')}\n`;
}
