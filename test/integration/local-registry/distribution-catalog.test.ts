import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributionRegistryCatalog } from '../../../lambdas/adapters/oci-registry/distribution-catalog.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { ListedImage, RegistryCatalog } from '../../../lambdas/core/ports.ts';
import type { RepositoryKey } from '../../../lambdas/core/pipeline/model.ts';
import { freeLoopbackPort } from '../../../lambdas/local/local-process.ts';
import { startLocalRegistry, type RunningLocalRegistry } from '../../../lambdas/local/registry-service.ts';
import { pushTinyImages, tinyImage } from '../../support/distribution-push.ts';
import { closeServer, listenOnLoopback } from '../../support/http-server.ts';

let dataDir: string;
let listener: Server;
let registry: RunningLocalRegistry;
/** Every request path (with query) the catalogue sent. */
const sent: string[] = [];

const at = (repository: string): RepositoryKey => ({ account: '000000000000', region: 'local', repository });
const catalogue = (options: { pageSize?: number; exclude?: (repository: string) => boolean } = {}): DistributionRegistryCatalog =>
  new DistributionRegistryCatalog({
    registry: {
      baseUrl: registry.url,
      fetchImpl: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : input);
        sent.push(`${url.pathname}${url.search}`);
        return fetch(input, init);
      },
    },
    account: '000000000000',
    region: 'local',
    ...options,
  });

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const debian = tinyImage({ id: 'debian', versionId: '12' });
const alpine = tinyImage({ id: 'alpine', versionId: '3.20' });
const doomed = tinyImage({ id: 'debian', versionId: '12' });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'customs-local-catalog-'));
  listener = createServer((_request, response) => response.end());
  const notifyUrl = `http://${await listenOnLoopback(listener)}/events`;
  registry = await startLocalRegistry({ dataDir, port: await freeLoopbackPort(), notifyUrl, notifyToken: 'catalog-test' });
  await pushTinyImages({ host: registry.host }, [
    { image: debian, repository: 'team/app', tags: ['latest', 'v1', '1.0'] },
    { image: alpine, repository: 'team/app', tags: ['v2'] },
    { image: alpine, repository: 'team/worker', tags: ['stable'] },
    { image: doomed, repository: 'scratch', tags: ['gone'] },
    { image: debian, repository: 'customs-quarantine', tags: ['held'] },
  ]);
});

afterAll(async () => {
  await registry?.stop();
  await closeServer(listener);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DistributionRegistryCatalog', () => {
  it('lists every repository across _catalog pages, with the configured account and Region', async () => {
    sent.length = 0;
    const repositories = await all(catalogue({ pageSize: 2 }).repositories());
    expect(repositories).toEqual(['customs-quarantine', 'scratch', 'team/app', 'team/worker'].map(at));
    // Four names in pages of two: the Link header was followed to the end.
    expect(sent.filter((path) => path.startsWith('/v2/_catalog')).length).toBeGreaterThanOrEqual(2);
  });

  it('leaves out the repositories exclude names', async () => {
    const repositories = await all(catalogue({ exclude: (name) => name.startsWith('customs-') }).repositories());
    expect(repositories.map((key) => key.repository)).toEqual(['scratch', 'team/app', 'team/worker']);
  });

  it('lists a repository’s images once per digest with every tag on it, and no push time', async () => {
    const images = await all((catalogue() as RegistryCatalog).images(at('team/app')));
    const expected: ListedImage[] = [
      { digest: debian.digest as Digest, tags: ['1.0', 'latest', 'v1'] },
      { digest: alpine.digest as Digest, tags: ['v2'] },
    ];
    expect([...images].sort((a, b) => a.digest.localeCompare(b.digest))).toEqual([...expected].sort((a, b) => a.digest.localeCompare(b.digest)));
    expect(images.every((image) => image.pushedAt === undefined)).toBe(true);
  });

  it('lists nothing for a repository the registry does not know', async () => {
    expect(await all(catalogue().images(at('nobody/here')))).toEqual([]);
  });

  it('describes a digest with its tags, and as gone once deleted by digest', async () => {
    const reader = catalogue();
    expect(await reader.describe(at('scratch'), doomed.digest as Digest)).toEqual({ exists: true, tags: ['gone'] });
    expect(await reader.describe(at('team/worker'), debian.digest as Digest)).toEqual({ exists: false });

    const deleted = await fetch(`${registry.url}/v2/scratch/manifests/${doomed.digest}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    expect(await reader.describe(at('scratch'), doomed.digest as Digest)).toEqual({ exists: false });
    expect(await all(reader.images(at('scratch')))).toEqual([]);
  });

  it('refuses a repository name the spec does not allow before asking the registry', async () => {
    sent.length = 0;
    await expect(all(catalogue().images(at('../etc')))).rejects.toMatchObject({ code: 'unsafe' });
    await expect(catalogue().describe(at('Team/App'), debian.digest as Digest)).rejects.toMatchObject({ code: 'unsafe' });
    expect(sent).toEqual([]);
  });
});
