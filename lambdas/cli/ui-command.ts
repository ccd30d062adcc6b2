import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Authenticator } from '../adapters/api-client/authenticator.ts';
import { startSigningProxy } from '../adapters/page-server/signing-proxy.ts';
import { CustomsError, messageOf } from '../core/errors.ts';
import { apiUrlOf, sigV4 } from './api/api-connection.ts';
import type { CliIo } from './cli-io.ts';

export const UI_USAGE = `Usage: customs ui --api URL [options]

Serves the findings page on 127.0.0.1 and forwards its calls to the findings API, signed with SigV4
from your AWS credentials (environment, AWS_PROFILE, SSO, container, instance); no credential
reaches the browser. Prints the page's address, with its per-run token after #, and runs until
interrupted (Ctrl-C).

Options:
  --api URL        the findings API's invoke URL (default: CUSTOMS_API_URL)
  --region REGION  the API's region for SigV4 (default: from an execute-api host, else AWS_REGION)
  --port N         the loopback port to listen on (default 0: a free one, printed)
  --page-dir DIR   the built page (default: dist/ui in the Customs checkout; npm run build:ui)
  --help, -h       show this help
`;

const OPTIONS = {
  api: { type: 'string' },
  region: { type: 'string' },
  port: { type: 'string' },
  'page-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface UiCommandHooks {
  /** Resolves when the server should stop; default SIGINT or SIGTERM. */
  readonly stopped?: Promise<unknown>;
  /** Test seam: the signer to use instead of SigV4 from the environment. */
  readonly authenticator?: Authenticator;
}

export async function uiCommand(args: string[], io: CliIo, hooks: UiCommandHooks = {}): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) {
    io.stdout.write(UI_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new CustomsError('usage', `ui takes no arguments, got ${JSON.stringify(positionals[0])} (see customs ui --help)`);
  const base = values.api ?? (io.env.CUSTOMS_API_URL || undefined);
  if (base === undefined) throw new CustomsError('usage', 'customs ui needs --api URL (or CUSTOMS_API_URL) (see customs ui --help)');
  const url = apiUrlOf(base);
  if (url.search !== '' || url.hash !== '') throw new CustomsError('usage', `--api must not carry a query or fragment, got ${JSON.stringify(base)}`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (values.port !== undefined && (!/^\d{1,5}$/.test(values.port) || port > 65_535)) throw new CustomsError('usage', `--port must be a port number (0 to 65535), not ${JSON.stringify(values.port)}`);
  const pageDir = values['page-dir'] === undefined ? defaultPageDir() : resolve(io.cwd ?? process.cwd(), values['page-dir']);
  const authenticator = hooks.authenticator ?? sigV4(values, url, io);

  if (!existsSync(join(pageDir, 'index.html'))) io.stderr.write(`customs ui: the page is not built (no index.html in ${pageDir}): run npm run build:ui\n`);
  let proxy;
  try {
    proxy = await startSigningProxy({
      port,
      apiUrl: base,
      authenticator,
      pageDir,
      onError: (error, what) => io.stderr.write(`customs ui: ${what}: ${messageOf(error)}\n`),
    });
  } catch (error) {
    throw new CustomsError('usage', messageOf(error), { cause: error });
  }
  // The token rides in the fragment, which browsers never send to a server.
  io.stdout.write(`ui: ${proxy.url}/#token=${proxy.token}\n`);
  try {
    await (hooks.stopped ?? signalled());
  } finally {
    await proxy.close();
  }
  return 0;
}

function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveSignal(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * dist/ui beside this module's package: the nearest directory above it holding package.json (the
 * checkout from the sources, lambdas/cli, or from the bundle, dist/cli and its chunks).
 */
function defaultPageDir(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, 'dist', 'ui');
    const parent = dirname(directory);
    if (parent === directory) return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'ui');
    directory = parent;
  }
}
