/**
 * Regenerates the README's screenshots of the findings page (docs/screenshots/*.png): starts
 * `npm start` on free ports with a scratch data directory (its first run pushes the demo images),
 * waits for the demo to be judged, and photographs the main views in headless Chromium (Debian's,
 * through playwright-core). `npx tsx scripts/screenshots.ts [OUTDIR]`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freeLoopbackPort } from '../lambdas/local/local-process.ts';
import { buildUi } from './build-ui.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(process.argv[2] ?? join(REPO_ROOT, 'docs', 'screenshots'));
mkdirSync(outdir, { recursive: true });
await buildUi();

const work = mkdtempSync(join(tmpdir(), 'customs-screenshots-'));
const [registryPort, apiPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
const stack = spawn('npm', ['start', '--', '--data-dir', join(work, 'data'), '--registry-port', String(registryPort), '--api-port', String(apiPort)], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
stack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(probe()).catch(() => false))) {
    if (Date.now() > deadline || stack.exitCode !== null) throw new Error(`no ${what}:\n${output}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

try {
  await until('ui: line', () => /^ui: /m.test(output));
  const uiUrl = /^ui: (\S+)$/m.exec(output)![1]!;
  const token = readFileSync(join(work, 'data', 'api-token'), 'utf8').trim();
  const images = async () => {
    const response = await fetch(`http://127.0.0.1:${apiPort}/images?repository=demo/app`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { items: Array<{ digest: string; verdict?: { verdict: string }; quarantined: boolean }> }).items;
  };
  await until('demo images judged and quarantined', async () => {
    const items = await images();
    return items.filter((image) => image.verdict).length === 2 && items.some((image) => image.quarantined);
  });
  const vulnerable = (await images()).find((image) => image.verdict?.verdict === 'FAIL')!;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(uiUrl);
  const shots: Array<[string, string, string]> = [
    ['registry', '#/', '#repositories tbody tr'],
    ['repository', '#/repository/demo%2Fapp', '#images tbody tr'],
    ['image', `#/image/demo%2Fapp/${vulnerable.digest}`, '#findings tbody tr'],
    ['quarantine', '#/quarantine/demo%2Fapp', '#quarantine tbody tr'],
  ];
  for (const [name, hash, ready] of shots) {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    await page.waitForSelector(ready);
    await page.screenshot({ path: join(outdir, `${name}.png`), fullPage: true });
    console.log(`screenshots: ${name}.png`);
  }
  await browser.close();
} finally {
  if (stack.exitCode === null) process.kill(-stack.pid!, 'SIGINT');
  await new Promise((resolveExit) => (stack.exitCode === null ? stack.once('exit', resolveExit) : resolveExit(undefined)));
  rmSync(work, { recursive: true, force: true });
}
