import type { EventPattern } from 'aws-cdk-lib/aws-events';
import type { RepositorySelection } from '../config/customs-config.ts';

/**
 * The EventBridge patterns for the ECR events Customs scans on, one per event kind. Each filters
 * on `detail.repository-name`, never on `resources`: ECR image actions carry `resources: []`, so
 * a resources filter (what `repository.onEvent()` adds) never matches.
 */
export type EcrEventKind = 'image-action' | 'replication' | 'pull-through-cache';

export const ECR_EVENT_KINDS: readonly EcrEventKind[] = ['image-action', 'replication', 'pull-through-cache'];

type RepositoryFilter = readonly (string | { readonly prefix: string })[];

/** The `repository-name` filter of a selection; undefined when every repository is watched. */
export function repositoryNameFilter(repositories: RepositorySelection): RepositoryFilter | undefined {
  if (repositories === 'all') return undefined;
  return [...repositories.names, ...repositories.prefixes.map((prefix) => ({ prefix }))];
}

export function ecrEventPattern(kind: EcrEventKind, repositories: RepositorySelection): EventPattern {
  const filter = repositoryNameFilter(repositories);
  const repository = filter ? { 'repository-name': filter } : {};
  switch (kind) {
    case 'image-action':
      // A DELETE is scanned too: it removes a tag, or the image once ECR no longer has the digest.
      return { source: ['aws.ecr'], detailType: ['ECR Image Action'], detail: { 'action-type': ['PUSH', 'DELETE'], result: ['SUCCESS'], ...repository } };
    case 'replication':
      return { source: ['aws.ecr'], detailType: ['ECR Replication Action'], detail: { result: ['SUCCESS'], ...repository } };
    case 'pull-through-cache':
      // Images cached from an upstream registry never produce a PUSH.
      return { source: ['aws.ecr'], detailType: ['ECR Pull Through Cache Action'], detail: { 'sync-status': ['SUCCESS'], ...repository } };
  }
}
