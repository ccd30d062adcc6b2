import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCleanDemoImage, buildDemoImage, demoAdvisoriesDir } from '../../lambdas/local/demo/demo-image.ts';
import { buildUi } from '../../scripts/build-ui.ts';
import { freePort } from '../support/free-port.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';
import { skopeoCopy } from '../support/skopeo.ts';

/**
 * The findings page in headless Chromium (Debian's, driven by playwright-core) against `npm start`
 * with images pushed: what it lists, filters and pages, a release from the page, hostile advisory
 * text rendered inert, and the page's API door refusing what is not the page.
 */
const HOSTILE_TITLE = `<script>window.__customsXss = 1</script><img src=x onerror="window.__customsXss = 2">" onmouseover="window.__customsXss = 3" '>`;
const HOSTILE_ID = 'TEST-XSS-0001';

let work: string;
let dataDir: string;
let registryPort: number;
let apiPort: number;
let stack: LocalStackProcess;
let uiUrl: string;
let browser: Browser;
/** The tab of the current test (open() replaces it). */
let page: Page;
let opened = false;
const pageErrors: string[] = [];

async function api<T>(path: string): Promise<T> {
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as T;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stack.output()}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

/** `path` opened as the page, with `?pageSize=` when given, keeping the token the stack printed. */
async function open(route: string, pageSize?: number): Promise<void> {
  const url = new URL(uiUrl);
  if (pageSize !== undefined) url.searchParams.set('pageSize', String(pageSize));
  // A new tab each time: the page keeps its token in sessionStorage, which is per tab.
  if (opened) await page.close();
  opened = true;
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(url.href);
  await page.waitForSelector('#repositories tbody tr');
  if (route !== '/') await page.evaluate(`location.hash = ${JSON.stringify(`#${route}`)}`);
}

function rawRequest(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port: apiPort, path, headers }, (response) => {
      response.resume();
      resolveStatus(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the findings page in Chromium', () => {
  beforeAll(async () => {
    await buildUi();
    work = mkdtempSync(join(tmpdir(), 'customs-browser-'));
    dataDir = join(work, 'data');
    const advisories = join(work, 'advisories');
    cpSync(demoAdvisoriesDir(), advisories, { recursive: true });
    // A record written for this test: text meant to break out of markup and attributes.
    writeFileSync(
      join(advisories, `${HOSTILE_ID}.json`),
      JSON.stringify({
        schema_version: '1.6.0',
        id: HOSTILE_ID,
        modified: new Date().toISOString(),
        summary: HOSTILE_TITLE,
        references: [{ type: 'WEB', url: 'javascript:window.__customsXss=4' }],
        affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.12' }] }] }],
      }),
    );
    [registryPort, apiPort] = [await freePort(), await freePort()];
    stack = new LocalStackProcess(['--no-demo', '--data-dir', dataDir, '--registry-port', String(registryPort), '--api-port', String(apiPort), '--advisories', advisories]);
    uiUrl = (await stack.line('ui: ')).slice('ui: '.length);

    const clean = await buildCleanDemoImage(join(work, 'clean'));
    const vulnerable = await buildDemoImage(join(work, 'vulnerable'));
    await skopeoCopy(`oci:${clean.layoutDir}:${clean.tag}`, `docker://127.0.0.1:${registryPort}/web/app:1.1`);
    await skopeoCopy(`oci:${vulnerable.layoutDir}:${vulnerable.tag}`, `docker://127.0.0.1:${registryPort}/web/app:1.0`);
    await skopeoCopy(`oci:${clean.layoutDir}:${clean.tag}`, `docker://127.0.0.1:${registryPort}/web/clean:1`);
    await until('the images judged and the failing one quarantined', async () => {
      const app = await api<{ items: Array<{ verdict?: unknown; quarantined: boolean }> }>('/images?repository=web/app');
      const other = await api<{ items: Array<{ verdict?: unknown }> }>('/images?repository=web/clean');
      return app.items.filter((image) => image.verdict).length === 2 && app.items.some((image) => image.quarantined) && other.items.some((image) => image.verdict);
    });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the repositories with their counts, sorts and filters them, and pages over nextToken', async () => {
    await open('/', 1);
    // One repository per API page: the second arrives with "Load more".
    expect(await page.locator('#repositories tbody tr').count()).toBe(1);
    await page.click('#more-repositories');
    await page.waitForSelector('#repositories tbody tr:nth-child(2)');
    expect(await page.locator('#more-repositories').isHidden()).toBe(true);

    const app = page.locator('tr[data-repository="web/app"]');
    expect(await app.locator('td').nth(0).textContent()).toBe('2');
    expect(await app.locator('td[data-verdict="PASS"]').textContent()).toBe('1');
    expect(await app.locator('td[data-verdict="FAIL"]').textContent()).toBe('1');
    expect(await app.locator('td[data-column="quarantined"]').textContent()).toBe('1');
    const { items } = await api<{ items: Array<{ repository: string; findings: Record<string, number> }> }>('/repositories');
    const critical = items.find((item) => item.repository === 'web/app')!.findings.CRITICAL;
    expect(critical).toBeGreaterThan(0);
    expect(await app.locator('td[data-severity="CRITICAL"]').textContent()).toBe(String(critical));
    expect(await page.locator('tr[data-repository="web/clean"] td[data-verdict="PASS"]').textContent()).toBe('1');
    // The history chart, or its placeholder before the daily pass has recorded a day.
    await page.locator('#history').waitFor();

    // Worst first by default; sorting by name puts web/app first, again reverses it.
    await page.click('button[data-sort="repository"]');
    expect(await page.locator('#repositories tbody tr').first().getAttribute('data-repository')).toBe('web/app');
    await page.click('button[data-sort="repository"]');
    expect(await page.locator('#repositories tbody tr').first().getAttribute('data-repository')).toBe('web/clean');

    await page.fill('#repository-filter', 'clean');
    expect(await page.locator('#repositories tbody tr').count()).toBe(1);
    expect(await page.locator('#repositories tbody tr').first().getAttribute('data-repository')).toBe('web/clean');
  }, 60_000);

  it("shows a repository's images, filtered by verdict on the server and paged", async () => {
    await open('/repository/web%2Fapp', 1);
    await page.waitForSelector('#images tbody tr');
    expect(await page.locator('#images tbody tr').count()).toBe(1);
    await page.click('#more-images');
    await page.waitForSelector('#images tbody tr:nth-child(2)');
    await page.selectOption('#verdict-filter', 'FAIL');
    await expect.poll(async () => [await page.locator('#images tbody tr').count(), await page.locator('#images .verdict-fail').count()]).toEqual([1, 1]);
    await page.selectOption('#verdict-filter', 'PASS');
    await expect.poll(async () => [await page.locator('#images tbody tr').count(), await page.locator('#images .verdict-pass').count()]).toEqual([1, 1]);
  }, 60_000);

  it("shows an image's findings by package with the fix plan, and hostile advisory text as inert text", async () => {
    const { items } = await api<{ items: Array<{ digest: string; verdict?: { verdict: string } }> }>('/images?repository=web/app');
    const vulnerable = items.find((image) => image.verdict?.verdict === 'FAIL')!;
    const { items: findings } = await api<{ items: Array<{ id: string; fixable: boolean }> }>(`/images/${vulnerable.digest}/findings?repository=web/app&limit=100`);
    await open(`/image/web%2Fapp/${vulnerable.digest}`);
    await page.waitForSelector('#findings tbody tr');
    const shownIds = await page.locator('#findings tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(shownIds.sort()).toEqual(findings.map((finding) => finding.id).sort());
    expect(await page.locator('#fix-plan').textContent()).toContain(`remove ${findings.filter((finding) => finding.fixable).length} of ${findings.length} findings`);

    // What the image is, from GET /images/{digest}: distribution, layers.
    const detail = await api<{ scan: { distro?: { name?: string; id: string }; layers: unknown[] } }>(`/images/${vulnerable.digest}?repository=web/app`);
    expect(await page.locator('#image-facts').textContent()).toContain(detail.scan.distro?.name ?? detail.scan.distro!.id);
    expect(await page.locator('#layers tbody tr').count()).toBe(detail.scan.layers.length);
    // What each layer added, from the SBOM: every package is attributed to a layer of this image.
    const { document } = await api<{ document: { components: Array<{ properties?: Array<{ name: string; value: string }> }> } }>(`/images/${vulnerable.digest}/sbom?repository=web/app`);
    const attributed = document.components.filter((component) => component.properties?.some((property) => property.name === 'customs:layer:digest')).length;
    const perLayer = await page.locator('#layers tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-packages'))));
    expect(perLayer.reduce((sum, count) => sum + count, 0)).toBe(attributed);
    expect(attributed).toBeGreaterThan(0);
    // One upgrade line per package with a fix, and every fixable package listed.
    const fixablePackages = new Set(findings.filter((finding) => finding.fixable).map((finding) => (finding as unknown as { package: { name: string } }).package.name));
    expect(new Set(await page.locator('#upgrades li').evaluateAll((items) => items.map((item) => item.getAttribute('data-package'))))).toEqual(fixablePackages);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sbom-download')]);
    const sbom = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { bomFormat: string; components: unknown[] };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.components.length).toBeGreaterThan(0);

    const hostile = page.locator(`tr[data-id="${HOSTILE_ID}"] td.title`);
    expect(await hostile.textContent()).toBe(HOSTILE_TITLE);
    expect(await page.locator('#findings script, #findings img').count()).toBe(0);
    expect(await page.evaluate('window.__customsXss')).toBeUndefined();
    await hostile.hover();
    expect(await page.evaluate('window.__customsXss')).toBeUndefined();
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  }, 60_000);

  it('lists the images a vulnerability affects by its ID or any alias, and advisory freshness and coverage', async () => {
    const { items } = await api<{ items: Array<{ digest: string; verdict?: { verdict: string } }> }>('/images?repository=web/app');
    const vulnerable = items.find((image) => image.verdict?.verdict === 'FAIL')!;
    // CVE-2021-44906 is minimist 1.2.5's, in the vulnerable image only; GHSA-xvch-5gv4-984h is its record.
    for (const id of ['CVE-2021-44906', 'GHSA-xvch-5gv4-984h']) {
      await open(`/vulnerability/${id}`);
      await page.waitForSelector('#affected tbody tr');
      expect(await page.locator('#affected tbody tr').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-repository')}@${row.getAttribute('data-digest')}`))).toEqual([`web/app@${vulnerable.digest}`]);
    }
    await open('/advisories');
    await page.waitForSelector('#coverage tbody tr');
    const coverage = await api<Record<string, number>>('/coverage');
    for (const key of ['images', 'scanned', 'waitingForAdvisories']) expect(await page.locator(`#coverage tr[data-key="${key}"] td`).textContent()).toBe(String(coverage[key]));
    expect(await page.locator('#ecosystems tr[data-ecosystem="npm"] td').first().textContent()).toBe('fresh');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 60_000);

  it('releases a quarantined image from the page, restoring its tag in the registry', async () => {
    const manifest = () => fetch(`http://127.0.0.1:${registryPort}/v2/web/app/manifests/1.0`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } }).then((response) => response.status);
    expect(await manifest()).toBe(404);
    await open('/quarantine/web%2Fapp');
    await page.waitForSelector('#quarantine tr[data-state="QUARANTINED"]');
    await page.click('#quarantine button.release');
    expect(await page.locator('#quarantine .message').textContent()).toContain('Give a reason');
    await page.fill('#quarantine input[type="text"]', 'accepted by the browser test');
    await page.click('#quarantine button.release');
    await page.waitForSelector('#quarantine tr[data-state="RELEASED"]');
    expect(await manifest()).toBe(200);
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  }, 60_000);

  it('adds an exception from the page (the finding is then suppressed), shows the API refusing a bad one, and removes it', async () => {
    const { items } = await api<{ items: Array<{ digest: string; verdict?: { verdict: string } }> }>('/images?repository=web/app');
    const vulnerable = items.find((image) => image.verdict?.verdict === 'FAIL')!;
    const suppressed = async () => {
      const { items: findings } = await api<{ items: Array<{ id: string; aliases: string[]; suppressed?: { reason: string } }> }>(`/images/${vulnerable.digest}/findings?repository=web/app&limit=100`);
      return findings.find((finding) => finding.id === 'CVE-2021-44906' || finding.aliases.includes('CVE-2021-44906'))?.suppressed?.reason;
    };
    expect(await suppressed()).toBeUndefined();
    await open('/exceptions');
    await page.waitForSelector('#exception-form');
    // Refused by the API, which names what is wrong; nothing is added.
    await page.fill('#exception-vulnerability', 'CVE-2021-44906');
    await page.click('#add-exception');
    await expect.poll(() => page.locator('#exception-message').textContent()).not.toBe('');
    expect(await page.locator('#exceptions tbody tr').count()).toBe(0);

    await page.fill('#exception-reason', 'minimist is not reachable from the entry point');
    await page.fill('#exception-expires', '2099-12-31');
    await page.fill('#exception-prefix', 'web/');
    await page.click('#add-exception');
    await page.waitForSelector('#exceptions tr[data-vulnerability="CVE-2021-44906"]');
    expect(await page.locator('#exceptions tr[data-vulnerability="CVE-2021-44906"]').textContent()).toContain('2099-12-31');
    await expect.poll(suppressed, { timeout: 30_000 }).toBe('minimist is not reachable from the entry point');

    await page.fill('#exceptions input[type="text"]', 'the fix shipped');
    await page.click('#exceptions button.remove-exception');
    await expect.poll(() => page.locator('#exceptions tbody tr').count()).toBe(0);
    await expect.poll(suppressed, { timeout: 30_000 }).toBeUndefined();
    expect(pageErrors.filter((error) => !error.includes('400')), pageErrors.join('\n')).toEqual([]);
  }, 90_000);

  it("refuses calls to the page's API without its token, from another origin or for another host", async () => {
    const token = new URL(uiUrl).hash.slice('#token='.length);
    const path = '/ui/api/repositories';
    expect(await rawRequest(path, { 'x-customs-page-token': token })).toBe(200);
    expect(await rawRequest(path, {})).toBe(401);
    expect(await rawRequest(path, { 'x-customs-page-token': 'f'.repeat(64) })).toBe(401);
    expect(await rawRequest(path, { 'x-customs-page-token': token, origin: 'http://evil.example' })).toBe(403);
    expect(await rawRequest(path, { 'x-customs-page-token': token, 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await rawRequest(path, { 'x-customs-page-token': token, host: `evil.example:${apiPort}` })).toBe(403);
    // The page's files hold no data and need no token, but carry its CSP.
    const index = await fetch(`http://127.0.0.1:${apiPort}/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
  }, 30_000);
});
