import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SigV4Authenticator } from '../../../lambdas/adapters/api-client/sigv4-authenticator.ts';
import { uiCommand } from '../../../lambdas/cli/ui-command.ts';
import { runCli } from '../../support/cli.ts';

const NO_API_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH };

describe('customs ui (usage)', () => {
  it('prints its help', async () => {
    const run = await runCli(['ui', '--help'], { env: NO_API_ENV });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: customs ui --api URL');
    expect((await runCli(['--help'])).stdout).toContain('ui --api URL');
  });

  it.each([
    [[], /^customs: customs ui needs --api URL \(or CUSTOMS_API_URL\)/],
    [['--api', 'not a url'], /^customs: --api "not a url" is not a URL\n$/],
    [['--api', 'ftp://example.com'], /^customs: --api must be an http\(s\) URL/],
    [['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com?x=1'], /^customs: --api must not carry a query or fragment/],
    [['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com', '--port', 'http'], /^customs: --port must be a port number \(0 to 65535\), not "http"\n$/],
    [['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com', '--port', '70000'], /^customs: --port must be a port number/],
    [['--api', 'https://findings.example.com'], /^customs: cannot tell the API's region from findings\.example\.com: give --region/],
    [['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com', 'extra'], /^customs: ui takes no arguments, got "extra"/],
    [['--colour'], /^customs: Unknown option '--colour'/],
  ])('exits 2 with a one-line reason for %j', async (args, message) => {
    const run = await runCli(['ui', ...args], { env: NO_API_ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stdout).toBe('');
  });
});

describe('customs ui (running)', () => {
  it('prints exactly one line with the address and the token in the fragment, serves the page, and stops', async () => {
    const pageDir = mkdtempSync(join(tmpdir(), 'customs-ui-cli-'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>findings</title>\n');
    let stdout = '';
    let stderr = '';
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = uiCommand(['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com/prod', '--page-dir', pageDir], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: NO_API_ENV,
    }, { stopped, authenticator: new SigV4Authenticator({ region: 'eu-west-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } }) });
    try {
      await expect.poll(() => stdout).not.toBe('');
      expect(stdout).toMatch(/^ui: http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}\n$/);
      const address = /^ui: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)![1]!;
      const page = await fetch(`${address}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>findings</title>');
      expect(stderr).toBe('');
    } finally {
      stop();
      expect(await running).toBe(0);
      rmSync(pageDir, { recursive: true, force: true });
    }
  });

  it('warns on stderr when the page is not built', async () => {
    const pageDir = mkdtempSync(join(tmpdir(), 'customs-ui-cli-'));
    let stdout = '';
    let stderr = '';
    try {
      const code = await uiCommand(['--api', 'https://abc.execute-api.eu-west-1.amazonaws.com', '--page-dir', pageDir], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env: NO_API_ENV,
      }, { stopped: Promise.resolve(), authenticator: { authenticate: (request) => Promise.resolve({ ...request.headers }) } });
      expect(code).toBe(0);
      expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(stderr).toContain('npm run build:ui');
    } finally {
      rmSync(pageDir, { recursive: true, force: true });
    }
  });
});
