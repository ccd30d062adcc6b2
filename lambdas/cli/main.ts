import { CustomsError, isCustomsError, messageOf } from '../core/errors.ts';
import { CUSTOMS_VERSION } from '../core/version.ts';
import type { CliIo } from './cli-io.ts';

export const USAGE = `Usage: customs <command> [options]

Container customs: inspect an image's contents before anyone runs it.

Commands:
  sbom IMAGE     list the packages in an image (customs sbom --help for details)
  scan IMAGE|sbom:FILE --advisories SOURCE
                 match packages against OSV advisories, apply a policy, gate (customs scan --help)
  advisories load --table T --source SOURCE
                 load OSV advisories into the pipeline's advisory table (customs advisories --help)
  backfill --table T --queue-url URL
                 queue the watched ECR images not scanned yet, reconcile tags (customs backfill --help)
  version compare --scheme S
                 order versions as an ecosystem does (customs version --help)
  api COMMAND    ask the findings API: images, findings, verdicts, the CI gate (customs api --help)
  ui --api URL   serve the findings page on 127.0.0.1, calls signed with SigV4 (customs ui --help)

Options:
  --help, -h     show this help
  --version      print the version
`;

/**
 * Runs the CLI; returns the exit code (0 success, 1 a failed --fail-on gate, 2 usage or input error).
 * Every command's module is imported only when that command runs, so --help and --version parse
 * this file, errors and version alone, and each command loads only its own dependencies.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const debug = argv.includes('--debug');
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      case '--version':
        io.stdout.write(`customs ${CUSTOMS_VERSION}\n`);
        return 0;
      case 'sbom': {
        const { sbomCommand } = await import('./sbom-command.ts');
        return await sbomCommand(rest, io);
      }
      case 'scan': {
        const { scanCommand } = await import('./scan-command.ts');
        return await scanCommand(rest, io);
      }
      case 'advisories': {
        // Loaded on demand: only this command needs the AWS SDK, and sbom and scan should not pay for it at start-up.
        const { advisoriesCommand } = await import('./advisories-command.ts');
        return await advisoriesCommand(rest, io);
      }
      case 'backfill': {
        // Loaded on demand, as advisories is: the AWS SDK only for the commands that use it.
        const { backfillCommand } = await import('./backfill-command.ts');
        return await backfillCommand(rest, io);
      }
      case 'version': {
        const { versionCommand } = await import('./version-command.ts');
        return await versionCommand(rest, io);
      }
      case 'api': {
        // Loaded on demand: the signer and credential chain only for the command that uses them.
        const { apiCommand } = await import('./api-command.ts');
        return await apiCommand(rest, io);
      }
      case 'ui': {
        const { uiCommand } = await import('./ui-command.ts');
        return await uiCommand(rest, io);
      }
      default:
        throw new CustomsError('usage', `unknown command ${JSON.stringify(command)} (see customs --help)`);
    }
  } catch (error) {
    io.stderr.write(`customs: ${describe(error)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 2;
  }
}

function describe(error: unknown): string {
  if (isCustomsError(error)) return error.message;
  // node:util parseArgs reports unknown or malformed options this way.
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) return error.message;
  return `unexpected error: ${messageOf(error)}`;
}
