import { z } from 'zod';
import type { Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { RegistryImage, RepositoryKey } from '../../core/pipeline/model.ts';
import type { ListedImage, RegistryCatalog, RegistryImageReader } from '../../core/ports.ts';
import { validRepositoryName } from './distribution-names.ts';
import { describeImage, isValid, listTags, nextPage, parseJson, tagsByDigest } from './distribution-tags.ts';
import { LocalRegistryHttp, type LocalRegistryEndpoint } from './local-registry-http.ts';
import { readCapped } from './response-body.ts';

/**
 * The local stack's registry (Distribution 2.8) as backfill and reconciliation read it: its
 * repositories from `/v2/_catalog`, each repository's tagged images from tags/list and a HEAD per
 * tag. Distribution lists no untagged manifests and records no push time, so images pushed by digest
 * only are not listed and `pushedAt` is absent. The registry has one namespace: every repository is
 * given the configured account and Region.
 */
export interface DistributionRegistryCatalogOptions {
  readonly registry: LocalRegistryEndpoint;
  readonly account: string;
  readonly region: string;
  /** Repositories left out of `repositories()` (the quarantine's own, say). */
  readonly exclude?: (repository: string) => boolean;
  /** Names per `_catalog` page; 1000 by default. */
  readonly pageSize?: number;
}

/** More repositories than this, or more tags in one repository, is refused rather than half-listed. */
export const MAX_CATALOG_REPOSITORIES = 10_000;
export const MAX_REPOSITORY_TAGS = 10_000;

const catalogSchema = z.object({ repositories: z.array(z.string()).nullable() });
const CATALOG_PATH = '/v2/_catalog';

export class DistributionRegistryCatalog implements RegistryCatalog, RegistryImageReader {
  private readonly http: LocalRegistryHttp;
  private readonly pageSize: number;

  constructor(private readonly options: DistributionRegistryCatalogOptions) {
    this.http = new LocalRegistryHttp(options.registry);
    this.pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new CustomsError('usage', `catalog page size ${this.pageSize} is not a positive integer`);
  }

  async *repositories(): AsyncIterable<RepositoryKey> {
    const what = `repositories of ${this.http.host}`;
    let path: string | undefined = `${CATALOG_PATH}?n=${this.pageSize}`;
    let seen = 0;
    while (path) {
      const response = await this.http.send({ method: 'GET', path, what });
      const body = await readCapped(response, DEFAULT_LIMITS.maxManifestBytes, what);
      const parsed = catalogSchema.safeParse(parseJson(body.toString('utf8')));
      if (!parsed.success) throw new CustomsError('malformed', `${what}: the registry answered an unexpected document`);
      const names = parsed.data.repositories ?? [];
      seen += names.length;
      if (seen > MAX_CATALOG_REPOSITORIES) throw new CustomsError('limit', `${this.http.host} has more than ${MAX_CATALOG_REPOSITORIES} repositories`);
      for (const name of names) {
        // A name the spec does not allow could not be asked about (or joined to a path).
        if (!isValid(validRepositoryName, name) || this.options.exclude?.(name)) continue;
        yield this.key(name);
      }
      path = nextPage(response.headers.get('link'), CATALOG_PATH);
    }
  }

  async *images(repository: RepositoryKey): AsyncIterable<ListedImage> {
    const name = validRepositoryName(repository.repository);
    const tags = await listTags(this.http, name, MAX_REPOSITORY_TAGS);
    const byDigest = await tagsByDigest(this.http, name, tags);
    for (const [digest, onDigest] of [...byDigest].sort(([a], [b]) => a.localeCompare(b))) yield { digest, tags: onDigest };
  }

  async describe(repository: RepositoryKey, digest: Digest): Promise<RegistryImage> {
    return await describeImage(this.http, repository.repository, digest, MAX_REPOSITORY_TAGS);
  }

  private key(repository: string): RepositoryKey {
    return { account: this.options.account, region: this.options.region, repository };
  }
}
