import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Authenticator } from '../../adapters/api-client/authenticator.ts';
import { BearerAuthenticator } from '../../adapters/api-client/bearer-authenticator.ts';
import { CustomsApiClient } from '../../adapters/api-client/customs-api-client.ts';
import { regionOfHost, SigV4Authenticator } from '../../adapters/api-client/sigv4-authenticator.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import { defaultDataDir, readStackFile, type StackFile } from '../../local/stack/stack-file.ts';
import type { CliIo } from '../cli-io.ts';
import { stringOption, type OptionValues } from './api-subcommand.ts';

/** Options every `customs api` command takes. */
export const CONNECTION_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  table: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CONNECTION_USAGE = `Connection and output (every command):
  --api URL              the API's URL (default: CUSTOMS_API_URL, else the running local stack's)
  --token TOKEN          a bearer token (the local stack; default: CUSTOMS_API_TOKEN)
  --token-file FILE      read the bearer token from FILE
  --data-dir DIR         the local stack's data directory, where its address and api-token are
                         found when no token is given (default: CUSTOMS_DATA_DIR, else .customs)
                         without a token for a URL other than the local stack's, requests are signed
                         with SigV4 from the standard AWS credential chain (environment, AWS_PROFILE,
                         SSO, container, instance)
  --region REGION        the API's region for SigV4 (default: from an execute-api host, else AWS_REGION)
  --json | --table       force JSON or a table (default: a table on a terminal, JSON otherwise)
  --timeout-ms N         per request (default 35000)
`;

/** A local stack (npm start) recorded in the data directory, if one is running there. */
interface LocalStackFound {
  readonly dataDir: string;
  readonly stack: StackFile;
}

async function localStack(values: OptionValues, io: CliIo): Promise<LocalStackFound | undefined> {
  const cwd = io.cwd ?? process.cwd();
  const given = stringOption(values, 'data-dir');
  const dataDir = given !== undefined ? resolve(cwd, given) : defaultDataDir(io.env, cwd);
  const stack = await readStackFile(dataDir);
  if (stack === undefined && given !== undefined) throw new CustomsError('usage', `--data-dir ${given}: no local stack is running there (start one with npm start)`);
  return stack === undefined ? undefined : { dataDir, stack };
}

/** The local stack's token, read only for requests to that stack's own address. */
async function localStackToken(local: LocalStackFound | undefined, url: URL): Promise<string | undefined> {
  if (local === undefined || new URL(local.stack.api).origin !== url.origin) return undefined;
  const path = join(local.dataDir, 'api-token');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new CustomsError('usage', `the local stack's token ${path}: ${messageOf(error)}`);
  }
}

async function bearerToken(values: OptionValues, io: CliIo): Promise<string | undefined> {
  const token = stringOption(values, 'token');
  const file = stringOption(values, 'token-file');
  if (token !== undefined && file !== undefined) throw new CustomsError('usage', 'give --token or --token-file, not both');
  if (token !== undefined) return token;
  if (file !== undefined) {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new CustomsError('usage', `--token-file ${file}: ${messageOf(error)}`);
    }
  }
  return io.env.CUSTOMS_API_TOKEN || undefined;
}

/** Credentials from the environment the CLI was given when it names keys, else the standard chain (also `customs ui`'s). */
export function sigV4(values: OptionValues, url: URL, io: CliIo): Authenticator {
  const region = stringOption(values, 'region') ?? (regionOfHost(url.hostname) === undefined ? io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION : undefined);
  if (region === undefined && regionOfHost(url.hostname) === undefined) throw new CustomsError('usage', `cannot tell the API's region from ${url.hostname}: give --region (or AWS_REGION)`);
  const accessKeyId = io.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = io.env.AWS_SECRET_ACCESS_KEY;
  const credentials =
    accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(io.env.AWS_SESSION_TOKEN ? { sessionToken: io.env.AWS_SESSION_TOKEN } : {}) }
      : fromNodeProviderChain(io.env.AWS_PROFILE ? { profile: io.env.AWS_PROFILE } : {});
  return new SigV4Authenticator({ ...(region === undefined ? {} : { region }), credentials });
}

/** --api's value as a URL: http or https, else a usage error naming it. */
export function apiUrlOf(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new CustomsError('usage', `--api ${JSON.stringify(base)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CustomsError('usage', `--api must be an http(s) URL, not ${JSON.stringify(base)}`);
  return url;
}

export async function connect(values: OptionValues, io: CliIo): Promise<CustomsApiClient> {
  const local = await localStack(values, io);
  const base = stringOption(values, 'api') ?? (io.env.CUSTOMS_API_URL || undefined) ?? local?.stack.api;
  if (base === undefined) throw new CustomsError('usage', 'customs api needs --api URL (or CUSTOMS_API_URL), or a local stack running (npm start)');
  const url = apiUrlOf(base);
  const timeout = stringOption(values, 'timeout-ms');
  if (timeout !== undefined && !/^\d{1,7}$/.test(timeout)) throw new CustomsError('usage', `--timeout-ms must be a whole number of milliseconds, not ${JSON.stringify(timeout)}`);
  const token = (await bearerToken(values, io)) ?? (await localStackToken(local, url));
  const authenticator = token === undefined ? sigV4(values, url, io) : new BearerAuthenticator(token);
  return new CustomsApiClient({ baseUrl: base, authenticator, ...(timeout === undefined ? {} : { timeoutMs: Number(timeout) }) });
}

/** A table on a terminal, JSON otherwise; --json and --table force one. */
export function wantsTable(values: OptionValues, io: CliIo): boolean {
  if (values.json === true && values.table === true) throw new CustomsError('usage', 'give --json or --table, not both');
  if (values.json === true) return false;
  if (values.table === true) return true;
  return io.stdout.isTTY === true;
}
