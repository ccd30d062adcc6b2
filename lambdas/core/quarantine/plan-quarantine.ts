import type { KeptTag, QuarantineMethod, QuarantinePolicy, QuarantineWarning, QuarantineWarningCode } from '../pipeline/quarantine-model.ts';
import { isQuarantineMarker } from '../pipeline/quarantine-model.ts';
import type { RepositorySettings } from '../pipeline/repository-settings.ts';
import { tagIsImmutable } from '../pipeline/tag-mutability.ts';
import {
  archiveUnsupportedWarning,
  digestPullableWarning,
  immutableTagsWarning,
  lifecycleWarning,
  pullThroughCacheWarning,
  replicationWarning,
} from './quarantine-warnings.ts';

export interface QuarantinePlanInput {
  /** Read from the registry, not assumed. */
  readonly settings: RepositorySettings;
  /** Every tag on the digest now (markers are left out here). */
  readonly tags: readonly string[];
  readonly policy: QuarantinePolicy;
  readonly supportsArchive: boolean;
}

export type QuarantinePlan =
  /** Enforce mode applies but quarantine cannot hold or is not allowed: alert once, touch nothing. */
  | { readonly action: 'skip'; readonly code: QuarantineWarningCode; readonly reason: string; readonly warnings: readonly QuarantineWarning[] }
  /** Nothing to do: an untagged digest under `untag` is not deployable by tag already. */
  | { readonly action: 'nothing'; readonly why: string }
  | {
      readonly action: 'quarantine';
      readonly method: QuarantineMethod;
      /** untag: the tags to remove, sorted; archive: none. */
      readonly remove: readonly string[];
      /** archive instead of untag: the immutable tags left on the image, and why. */
      readonly keptTags: readonly KeptTag[];
      readonly warnings: readonly QuarantineWarning[];
    };

/**
 * What quarantine does to one image, decided from the repository's settings and the policy alone
 * (no I/O, so every mutability mode and choice is unit-tested):
 * - a pull-through cache re-fetches removed tags upstream: skipped;
 * - a tag to remove that is immutable (IMMUTABLE, or an `_WITH_EXCLUSION` mode covering it) would be
 *   freed for anyone to push other content: `immutableTags` says archive (default), alert only, or
 *   untag anyway (the explicit opt-in);
 * - archive where the registry has no storage classes: skipped.
 * Warnings name what quarantine cannot promise: lifecycle rules that could expire the image,
 * replicas, and (untag) the digest staying pullable.
 */
export function planQuarantine(input: QuarantinePlanInput): QuarantinePlan {
  const { settings, policy } = input;
  if (settings.pullThroughCache) {
    return skip(pullThroughCacheWarning(settings.pullThroughCache), `pull-through cache of ${settings.pullThroughCache.upstreamRegistryUrl}: removed tags would be fetched again`);
  }
  const tags = [...new Set(input.tags.filter((tag) => !isQuarantineMarker(tag)))].sort();
  const immutable = tags.filter((tag) => tagIsImmutable(settings, tag));
  const warnings: QuarantineWarning[] = [];
  let method = policy.method;
  let keptTags: KeptTag[] = [];
  if (method === 'untag' && immutable.length > 0) {
    const warning = immutableTagsWarning(immutable, policy.immutableTags);
    if (policy.immutableTags === 'alert-only') return skip(warning, `immutable tags ${immutable.join(', ')} and immutableTags alert-only`);
    warnings.push(warning);
    if (policy.immutableTags === 'archive') {
      method = 'archive';
      keptTags = immutable.map((tag) => ({ tag, why: 'immutable' }));
    }
  }
  if (method === 'archive' && !input.supportsArchive) {
    return { action: 'skip', code: 'ARCHIVE_UNSUPPORTED', reason: 'archive is not supported by this registry', warnings: [...warnings, archiveUnsupportedWarning()] };
  }
  if (method === 'untag' && tags.length === 0) return { action: 'nothing', why: 'untagged: no tag to remove' };
  // The rules were judged for an image left untagged or marked only: untag leaves it so, and so does archiving an untagged one.
  if (settings.expiringLifecycleRules.length > 0 && (method === 'untag' || tags.length === 0)) warnings.push(lifecycleWarning(settings.expiringLifecycleRules));
  if (settings.replicatedTo.length > 0) warnings.push(replicationWarning(settings.replicatedTo));
  if (method === 'untag') warnings.push(digestPullableWarning());
  return { action: 'quarantine', method, remove: method === 'untag' ? tags : [], keptTags, warnings };
}

function skip(warning: QuarantineWarning, reason: string): QuarantinePlan {
  return { action: 'skip', code: warning.code, reason, warnings: [warning] };
}
