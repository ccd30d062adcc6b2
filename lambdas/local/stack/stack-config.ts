import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CustomsError } from '../../core/errors.ts';
import { demoAdvisoriesDir } from '../demo/demo-advisories-dir.ts';
import { defaultDataDir } from './stack-file.ts';

/** How `npm start` was asked to run. */
export interface StackConfig {
  readonly dataDir: string;
  readonly registryPort: number;
  readonly apiPort: number;
  /** An OSV directory or zip, or an http(s) base URL laid out like osv.dev's export. */
  readonly advisories: string;
  readonly demo: boolean;
  readonly alertWebhooks: readonly string[];
  readonly syncEveryMs: number;
  readonly reconcileEveryMs: number;
}

export const STACK_USAGE = `Usage: npm start -- [options]

Runs the Customs pipeline on this machine: DynamoDB Local, a docker-registry whose pushes are
scanned, judged by DATA_DIR/policy.yaml, alerted and quarantined, the findings API and the
advisory sync, all on 127.0.0.1.

Options (and the variables they default to):
  --data-dir DIR           tables, registry storage, queue, policy, API token  (CUSTOMS_DATA_DIR; default .customs)
  --registry-port N        the registry's port                                  (CUSTOMS_REGISTRY_PORT; default 5000)
  --api-port N             the findings API's port                              (CUSTOMS_API_PORT; default 7070)
  --advisories DIR|ZIP|URL OSV records to sync (default: the shipped demo snapshot; a URL is an
                           osv.dev-shaped export such as https://osv-vulnerabilities.storage.googleapis.com)
  --alert-webhook URL      POST every alert to URL (repeatable)                 (CUSTOMS_ALERT_WEBHOOKS, comma-separated)
  --sync-every DURATION    advisory sync interval, e.g. 30s, 5m, 1h             (CUSTOMS_SYNC_EVERY; default 5m, 1h for a URL)
  --reconcile-every DURATION  catalogue reconciliation interval                 (CUSTOMS_RECONCILE_EVERY; default 5m)
  --no-demo                do not build and push the demo image on a first run
  -h, --help               this text
`;

export function parseStackArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): StackConfig | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        'data-dir': { type: 'string' },
        'registry-port': { type: 'string' },
        'api-port': { type: 'string' },
        advisories: { type: 'string' },
        'alert-webhook': { type: 'string', multiple: true },
        'sync-every': { type: 'string' },
        'reconcile-every': { type: 'string' },
        'no-demo': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new CustomsError('usage', `${error instanceof Error ? error.message : String(error)} (npm start -- --help)`);
  }
  const values = parsed.values;
  if (values.help) return 'help';
  const advisories = values.advisories ?? demoAdvisoriesDir();
  const remote = /^https?:\/\//i.test(advisories);
  const registryPort = port(values['registry-port'] ?? env.CUSTOMS_REGISTRY_PORT ?? '5000', '--registry-port');
  const apiPort = port(values['api-port'] ?? env.CUSTOMS_API_PORT ?? '7070', '--api-port');
  if (registryPort === apiPort) throw new CustomsError('usage', `--registry-port and --api-port are both ${apiPort}`);
  const webhooks = values['alert-webhook'] ?? (env.CUSTOMS_ALERT_WEBHOOKS ?? '').split(',').map((url) => url.trim()).filter((url) => url !== '');
  return {
    dataDir: values['data-dir'] !== undefined ? resolve(cwd, values['data-dir']) : defaultDataDir(env, cwd),
    registryPort,
    apiPort,
    advisories: remote ? advisories : resolve(cwd, advisories),
    demo: values['no-demo'] !== true,
    alertWebhooks: webhooks.map(webhookUrl),
    syncEveryMs: duration(values['sync-every'] ?? env.CUSTOMS_SYNC_EVERY ?? (remote ? '1h' : '5m'), '--sync-every'),
    reconcileEveryMs: duration(values['reconcile-every'] ?? env.CUSTOMS_RECONCILE_EVERY ?? '5m', '--reconcile-every'),
  };
}

function port(text: string, flag: string): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 65535)) throw new CustomsError('usage', `${flag} must be a port number (1-65535), not ${JSON.stringify(text)}`);
  return value;
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function duration(text: string, flag: string): number {
  const match = /^(\d{1,6})(ms|s|m|h)$/.exec(text.trim());
  const value = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!(value >= 1000 && value <= 7 * 86_400_000)) throw new CustomsError('usage', `${flag} must be a duration between 1s and 7 days such as 30s, 5m or 1h, not ${JSON.stringify(text)}`);
  return value;
}

function webhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CustomsError('usage', `--alert-webhook ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CustomsError('usage', `--alert-webhook must be an http(s) URL, not ${JSON.stringify(text)}`);
  return url.href;
}
