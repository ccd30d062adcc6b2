import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../../lambdas/local/local-process.ts';
import { startLocalRegistry, type RunningLocalRegistry } from '../../../lambdas/local/registry-service.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';
import { pushTestImage } from '../../support/pushed-image.ts';

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly events: readonly { action: string; target: { repository?: string; digest?: string; tag?: string; mediaType?: string } }[];
}

const TOKEN = 'local-notify-token';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let listener: Server;
let notifyUrl: string;
const deliveries: Delivery[] = [];
let dataDir: string;
let running: RunningLocalRegistry | undefined;

async function eventually<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

beforeAll(async () => {
  listener = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Pick<Delivery, 'events'>) });
      response.end();
    });
  });
  notifyUrl = `http://${await listenOnLoopback(listener)}/registry-events`;
});

afterAll(async () => {
  await closeServer(listener);
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const start = async (port?: number): Promise<RunningLocalRegistry> =>
  (running = await startLocalRegistry({ dataDir, port: port ?? (await freeLoopbackPort()), notifyUrl, notifyToken: TOKEN }));

describe('startLocalRegistry', () => {
  it('notifies manifest pushes with the bearer token and the digest, not blob pushes', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'customs-local-registry-'));
    const registry = await start();
    expect(readFileSync(join(dataDir, 'registry', 'config.yml'), 'utf8')).toContain('enabled: true');
    expect(registry.storageRoot).toBe(join(dataDir, 'registry', 'data'));
    const image = await pushTestImage(`${registry.host}/team/app:v1`);
    try {
      const push = await eventually(() => deliveries.flatMap((delivery) => delivery.events.map((event) => ({ delivery, event }))).find(({ event }) => event.action === 'push'));
      expect(push.delivery.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(push.event.target).toMatchObject({ repository: 'team/app', tag: 'v1', digest: image.pushedDigest });
      // Give stragglers a moment: layer and config uploads must not have been sent.
      await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
      const sent = deliveries.flatMap((delivery) => delivery.events);
      expect(sent.every((event) => event.target.digest === image.pushedDigest)).toBe(true);
    } finally {
      image.cleanup();
    }
  });

  it('keeps its images between runs on the same data directory', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'customs-local-registry-'));
    const first = await start();
    const image = await pushTestImage(`${first.host}/kept:v1`);
    image.cleanup();
    await first.stop();
    running = undefined;

    const second = await start();
    const response = await fetch(`${second.url}/v2/kept/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(image.pushedDigest);
  });

  it('names the port when it is taken', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'customs-local-registry-'));
    const squatter = createTcpServer();
    const port = await freeLoopbackPort();
    await new Promise<void>((resolveListen) => squatter.listen(port, '127.0.0.1', () => resolveListen()));
    try {
      await expect(start(port)).rejects.toThrow(`cannot start docker-registry: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise<void>((resolveClose) => squatter.close(() => resolveClose()));
    }
  });

  it('says in one line that docker-registry is missing and how to install it', () => {
    dataDir = mkdtempSync(join(tmpdir(), 'customs-local-registry-'));
    const script = [
      "import { startLocalRegistry } from './lambdas/local/registry-service.ts';",
      `startLocalRegistry({ dataDir: ${JSON.stringify(dataDir)}, port: 1, notifyUrl: 'http://127.0.0.1:9/', notifyToken: 't' })`,
      '  .then(() => process.exit(0), (error) => { process.stderr.write(error.message); process.exit(7); });',
    ].join('\n');
    // Node is started by its absolute path; PATH names only an empty directory.
    const emptyBin = join(dataDir, 'bin');
    mkdirSync(emptyBin);
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, PATH: emptyBin }, encoding: 'utf8' });
    expect(run.status).toBe(7);
    expect(run.stderr).toBe('docker-registry (Docker Distribution 2.8) is not on PATH: `npm run setup` installs it');
    expect(existsSync(join(dataDir, 'registry'))).toBe(false);
  });
});
