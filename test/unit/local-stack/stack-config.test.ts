import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { demoAdvisoriesDir } from '../../../lambdas/local/demo/demo-advisories-dir.ts';
import { duration, parseStackArgs, type StackConfig } from '../../../lambdas/local/stack/stack-config.ts';

// A made-up project directory: parseStackArgs only resolves paths against it, it reads nothing.
const CWD = join('/', 'srv', 'shop');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function config(argv: readonly string[], env: NodeJS.ProcessEnv = {}): StackConfig {
  const parsed = parseStackArgs(argv, env, CWD);
  if (parsed === 'help') throw new Error('expected a configuration, got help');
  return parsed;
}

function usageError(run: () => unknown): CustomsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CustomsError);
    expect((error as CustomsError).code).toBe('usage');
    return error as CustomsError;
  }
  throw new Error('expected a usage error, nothing was thrown');
}

describe('parseStackArgs: defaults', () => {
  it('runs the demo from <cwd>/.customs on ports 5000 and 7070 with the shipped advisories synced every 5 minutes', () => {
    expect(config([])).toEqual({
      dataDir: join(CWD, '.customs'),
      registryPort: 5000,
      apiPort: 7070,
      advisories: demoAdvisoriesDir(),
      demo: true,
      alertWebhooks: [],
      syncEveryMs: 5 * MINUTE,
      reconcileEveryMs: 5 * MINUTE,
    });
  });

  it('syncs an http(s) advisory export hourly, keeps the URL as given, and resolves a local path against cwd', () => {
    const https = config(['--advisories', 'https://osv-vulnerabilities.storage.googleapis.com']);
    expect(https.advisories).toBe('https://osv-vulnerabilities.storage.googleapis.com');
    expect(https.syncEveryMs).toBe(HOUR);
    expect(config(['--advisories', 'HTTP://mirror.example/osv']).syncEveryMs).toBe(HOUR);

    const local = config(['--advisories', 'osv/all.zip']);
    expect(local.advisories).toBe(join(CWD, 'osv', 'all.zip'));
    expect(local.syncEveryMs).toBe(5 * MINUTE);
  });

  it('lets --sync-every override the hourly default of a URL', () => {
    expect(config(['--advisories', 'https://mirror.example/osv', '--sync-every', '10m']).syncEveryMs).toBe(10 * MINUTE);
  });

  it('answers help for --help and -h, before looking at other values', () => {
    expect(parseStackArgs(['--help'], {}, CWD)).toBe('help');
    expect(parseStackArgs(['-h'], {}, CWD)).toBe('help');
    expect(parseStackArgs(['--api-port', '0', '--help'], {}, CWD)).toBe('help');
  });

  it('turns the demo off with --no-demo', () => {
    expect(config(['--no-demo']).demo).toBe(false);
  });
});

describe('parseStackArgs: environment and flags', () => {
  const env: NodeJS.ProcessEnv = {
    CUSTOMS_DATA_DIR: 'state',
    CUSTOMS_REGISTRY_PORT: '5100',
    CUSTOMS_API_PORT: '7100',
    CUSTOMS_ALERT_WEBHOOKS: ' https://hooks.example/a , ,http://127.0.0.1:9000/b,',
    CUSTOMS_SYNC_EVERY: '30s',
    CUSTOMS_RECONCILE_EVERY: '2h',
  };

  it('reads the CUSTOMS_ variables (a relative data dir against cwd, webhooks as a comma list with blanks dropped)', () => {
    expect(config([], env)).toMatchObject({
      dataDir: join(CWD, 'state'),
      registryPort: 5100,
      apiPort: 7100,
      alertWebhooks: ['https://hooks.example/a', 'http://127.0.0.1:9000/b'],
      syncEveryMs: 30_000,
      reconcileEveryMs: 2 * HOUR,
    });
  });

  it('lets flags win over the variables, repeated --alert-webhook replacing the variable list', () => {
    const flagged = config(
      ['--data-dir', '/var/lib/customs', '--registry-port', '5200', '--api-port=7200', '--alert-webhook', 'https://one.example/x', '--alert-webhook', 'https://two.example/y', '--sync-every', '1m', '--reconcile-every', '90s'],
      env,
    );
    expect(flagged).toMatchObject({
      dataDir: '/var/lib/customs',
      registryPort: 5200,
      apiPort: 7200,
      alertWebhooks: ['https://one.example/x', 'https://two.example/y'],
      syncEveryMs: MINUTE,
      reconcileEveryMs: 90_000,
    });
  });

  it('resolves a relative --data-dir against cwd', () => {
    expect(config(['--data-dir', '../elsewhere/.data']).dataDir).toBe(join(CWD, '..', 'elsewhere', '.data'));
  });

  it('ignores an empty CUSTOMS_DATA_DIR', () => {
    expect(config([], { CUSTOMS_DATA_DIR: '' }).dataDir).toBe(join(CWD, '.customs'));
  });

  it('gives webhook URLs in their normal form', () => {
    expect(config(['--alert-webhook', 'HTTPS://Hooks.Example']).alertWebhooks).toEqual(['https://hooks.example/']);
  });
});

describe('parseStackArgs: usage errors', () => {
  it.each(['0', '65536', 'abc', '80a', '1e3', '', '123456'])('refuses the port %j', (text) => {
    const error = usageError(() => parseStackArgs([`--registry-port=${text}`], {}, CWD));
    expect(error.message).toContain('--registry-port');
    usageError(() => parseStackArgs([], { CUSTOMS_API_PORT: text === '' ? ' ' : text }, CWD));
  });

  it('accepts the ends of the port range', () => {
    expect(config(['--registry-port', '1', '--api-port', '65535'])).toMatchObject({ registryPort: 1, apiPort: 65535 });
  });

  it('refuses the registry and the API on one port, however the ports were given', () => {
    expect(usageError(() => parseStackArgs(['--registry-port', '7070'], {}, CWD)).message).toContain('7070');
    usageError(() => parseStackArgs([], { CUSTOMS_API_PORT: '5000' }, CWD));
    usageError(() => parseStackArgs(['--api-port', '6000'], { CUSTOMS_REGISTRY_PORT: '6000' }, CWD));
  });

  it.each(['5', '5d', '0s', '999ms', '169h', 'soon', '-5m', '1.5h'])('refuses the duration %j', (text) => {
    expect(usageError(() => parseStackArgs([`--sync-every=${text}`], {}, CWD)).message).toContain('--sync-every');
    expect(usageError(() => parseStackArgs([`--reconcile-every=${text}`], {}, CWD)).message).toContain('--reconcile-every');
  });

  it('refuses a bad duration from the environment too', () => {
    usageError(() => parseStackArgs([], { CUSTOMS_SYNC_EVERY: 'weekly' }, CWD));
  });

  it.each(['not a url', 'hooks.example/a', 'ftp://hooks.example/a', 'file:///etc/passwd', 'javascript:alert(1)'])('refuses the webhook %j', (url) => {
    expect(usageError(() => parseStackArgs(['--alert-webhook', url], {}, CWD)).message).toContain('--alert-webhook');
    usageError(() => parseStackArgs([], { CUSTOMS_ALERT_WEBHOOKS: `https://ok.example/,${url}` }, CWD));
  });

  it('refuses unknown flags, positionals and a flag missing its value, pointing at --help', () => {
    expect(usageError(() => parseStackArgs(['--bogus'], {}, CWD)).message).toContain('--help');
    usageError(() => parseStackArgs(['serve'], {}, CWD));
    usageError(() => parseStackArgs(['--api-port'], {}, CWD));
    usageError(() => parseStackArgs(['--no-demo=yes'], {}, CWD));
  });
});

describe('duration', () => {
  it('reads ms, s, m and h', () => {
    expect(duration('1500ms', '--x')).toBe(1500);
    expect(duration('30s', '--x')).toBe(30_000);
    expect(duration('5m', '--x')).toBe(5 * MINUTE);
    expect(duration('1h', '--x')).toBe(HOUR);
    expect(duration(' 2m ', '--x')).toBe(2 * MINUTE);
  });

  it('accepts exactly 1 second to 7 days', () => {
    expect(duration('1000ms', '--x')).toBe(1000);
    expect(duration('1s', '--x')).toBe(1000);
    expect(duration('168h', '--x')).toBe(7 * 24 * HOUR);
    expect(usageError(() => duration('10081m', '--x')).message).toContain('"10081m"');
  });

  it('names the flag and the text in its error', () => {
    const error = usageError(() => duration('5 minutes', '--reconcile-every'));
    expect(error.message).toContain('--reconcile-every');
    expect(error.message).toContain('"5 minutes"');
  });
});
