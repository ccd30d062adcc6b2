/**
 * `npm start`: the whole pipeline on this machine (see stack/local-stack.ts). Prints the registry
 * and API addresses when ready and runs until Ctrl-C or SIGTERM, which stop every child process
 * and let work in flight finish (unfinished work stays queued for the next start).
 */
import process from 'node:process';
import { isCustomsError, messageOf } from '../core/errors.ts';
import { onPath } from './local-process.ts';
import { parseStackArgs, STACK_USAGE, type StackConfig } from './stack/stack-config.ts';

// The AWS SDK warns on every start under Node 20 that its 2027 releases need Node 22; the README
// says which Node versions are supported, and the console is for the pipeline's own lines.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name}: ${warning.message}`.includes('NodeVersionSupportWarning')) process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

/** What must be installed, and how, before anything starts (one line each, not a stack trace). */
function missingTools(config: StackConfig): string[] {
  const missing: string[] = [];
  if (!onPath('java')) missing.push('Java 17 is not on PATH (DynamoDB Local runs on it): `npm run setup` installs it');
  if (!onPath('docker-registry')) missing.push('docker-registry (Docker Distribution 2.8) is not on PATH: `npm run setup` installs it');
  if (config.demo && !onPath('skopeo')) missing.push('skopeo is not on PATH (the demo pushes images with it): `npm run setup` installs it, or start with --no-demo');
  return missing;
}

async function run(): Promise<number> {
  let config: StackConfig | 'help';
  try {
    config = parseStackArgs(process.argv.slice(2), process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`customs: ${messageOf(error)}\n${isCustomsError(error) ? 'see npm start -- --help\n' : ''}`);
    return 2;
  }
  if (config === 'help') {
    process.stdout.write(STACK_USAGE);
    return 0;
  }
  const missing = missingTools(config);
  if (missing.length > 0) {
    for (const line of missing) process.stderr.write(`customs: ${line}\n`);
    return 1;
  }

  // Loaded after the warning filter is in place (it loads the AWS SDK).
  const { startLocalStack } = await import('./stack/local-stack.ts');
  const stack = await startLocalStack(config, { write: (line) => process.stdout.write(`${line}\n`), colour: process.stdout.isTTY === true }).catch((error: unknown) => {
    process.stderr.write(`customs: the local stack did not start: ${messageOf(error)}\n`);
    return undefined;
  });
  if (!stack) return 1;

  return await new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('stopping: letting work in flight finish, then stopping the registry and DynamoDB Local\n');
      stack.stop().then(
        () => resolveExit(code),
        (error: unknown) => {
          process.stderr.write(`customs: stopping: ${messageOf(error)}\n`);
          resolveExit(1);
        },
      );
    };
    process.on('SIGINT', () => stop(0));
    process.on('SIGTERM', () => stop(0));
    // A bug must not orphan the registry and DynamoDB Local: stop them, then fail.
    process.on('uncaughtException', (error) => {
      process.stderr.write(`customs: unexpected error: ${error.stack ?? messageOf(error)}\n`);
      stop(1);
    });
  });
}

process.exitCode = await run();
// The SDK's keep-alive sockets and timers must not hold the process once everything stopped.
process.exit();
