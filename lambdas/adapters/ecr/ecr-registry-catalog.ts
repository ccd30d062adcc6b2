import { DescribeImagesCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { isDigest } from '../../core/digest.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import type { ListedImage, RegistryCatalog } from '../../core/ports.ts';
import { checkedRegion } from './ecr-registry.ts';

/** The watched repositories as the deployment's configuration names them: every one, or names and prefixes. */
export type WatchedSelection = 'all' | { readonly names: readonly string[]; readonly prefixes: readonly string[] };

export interface EcrRegistryCatalogOptions {
  /** A client of the registry's Region. */
  readonly ecr: ECRClient;
  readonly region: string;
  /** The registry (account) to list; the caller's own when absent. */
  readonly registryId?: string;
  readonly selection: WatchedSelection;
}

// The most DescribeRepositories and DescribeImages return a page; fewer calls for the same listing.
const PAGE_SIZE = 1000;

/** Whether a repository is watched, as the EventBridge rules' repository-name filter decides it (names exactly, prefixes by start). */
export function isWatched(selection: WatchedSelection, repository: string): boolean {
  if (selection === 'all') return true;
  return selection.names.includes(repository) || selection.prefixes.some((prefix) => repository.startsWith(prefix));
}

/**
 * RegistryCatalog over one ECR registry in one Region: DescribeRepositories filtered by the watched
 * selection, and DescribeImages per repository, every page followed through nextToken. Images
 * whose digest is not a valid digest are left out (nothing could scan them). Errors go up as the
 * SDK raised them.
 */
export class EcrRegistryCatalog implements RegistryCatalog {
  private readonly region: string;

  constructor(private readonly options: EcrRegistryCatalogOptions) {
    this.region = checkedRegion(options.region);
  }

  async *repositories(): AsyncIterable<RepositoryKey> {
    let nextToken: string | undefined;
    do {
      const page = await this.options.ecr.send(
        new DescribeRepositoriesCommand({ ...(this.options.registryId ? { registryId: this.options.registryId } : {}), maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const repository of page.repositories ?? []) {
        const name = repository.repositoryName;
        if (!name || !isWatched(this.options.selection, name)) continue;
        const account = repository.registryId ?? this.options.registryId;
        if (!account) throw new Error(`ECR DescribeRepositories named no registry ID for ${name}`);
        yield { account, region: this.region, repository: name };
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  async *images(repository: RepositoryKey): AsyncIterable<ListedImage> {
    let nextToken: string | undefined;
    do {
      const page = await this.options.ecr.send(
        new DescribeImagesCommand({ registryId: repository.account, repositoryName: repository.repository, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const image of page.imageDetails ?? []) {
        const digest = image.imageDigest;
        if (!digest || !isDigest(digest)) continue;
        yield { digest, tags: [...(image.imageTags ?? [])].sort(), ...(image.imagePushedAt ? { pushedAt: image.imagePushedAt } : {}) };
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
}
