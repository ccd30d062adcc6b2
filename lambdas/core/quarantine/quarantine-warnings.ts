import type { ExpiringLifecycleRule, RepositorySettings } from '../pipeline/repository-settings.ts';
import type { QuarantineWarning } from '../pipeline/quarantine-model.ts';

/**
 * The warnings quarantine attaches to its record and alert, one line each, so the reader learns
 * what quarantine could not promise (README: every warning).
 */

export function lifecycleWarning(rules: readonly ExpiringLifecycleRule[]): QuarantineWarning {
  const named = rules.map((rule) => `rule ${rule.priority}${rule.description ? ` (${rule.description})` : ''}: ${rule.reason}`).join('; ');
  return { code: 'LIFECYCLE_EXPIRY', message: `the repository's lifecycle policy could expire the quarantined image: ${named}` };
}

export function replicationWarning(replicatedTo: RepositorySettings['replicatedTo']): QuarantineWarning {
  const where = replicatedTo.map((target) => `${target.registryId} in ${target.region}`).join(', ');
  return { code: 'REPLICATED', message: `the repository is replicated to ${where}; those copies are not quarantined` };
}

export function pullThroughCacheWarning(cache: NonNullable<RepositorySettings['pullThroughCache']>): QuarantineWarning {
  return {
    code: 'PULL_THROUGH_CACHE',
    message: `the repository is a pull-through cache of ${cache.upstreamRegistryUrl} (prefix ${cache.prefix}): it fetches removed tags from upstream again, so quarantine is not enforced`,
  };
}

export function immutableTagsWarning(tags: readonly string[], choice: 'archive' | 'alert-only' | 'untag'): QuarantineWarning {
  const listed = tags.join(', ');
  const done =
    choice === 'archive'
      ? 'archived instead of untagged (removing an immutable tag frees it for anyone to push other content)'
      : choice === 'alert-only'
        ? 'not quarantined (immutableTags: alert-only; removing an immutable tag frees it for anyone to push other content)'
        : 'untagged as the policy opts in (immutableTags: untag): anyone may now push other content under these names';
  return { code: 'IMMUTABLE_TAGS', message: `immutable tags ${listed}: ${done}` };
}

export function digestPullableWarning(): QuarantineWarning {
  return {
    code: 'DIGEST_PULLABLE',
    message: 'untag stops deploys by the removed tags only: the image stays pullable by its digest, so running services keep working',
  };
}

export function archiveUnsupportedWarning(): QuarantineWarning {
  return { code: 'ARCHIVE_UNSUPPORTED', message: 'archive was asked for but this registry has no storage classes: not quarantined' };
}

export function markerKeptWarning(marker: string): QuarantineWarning {
  return {
    code: 'MARKER_KEPT',
    message: `the marker tag ${marker} was kept: no other tag is on the image now, and removing its last tag would delete it`,
  };
}
