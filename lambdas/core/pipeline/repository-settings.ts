import type { RepositoryKey } from './model.ts';

/**
 * What a repository allows, read from the registry rather than assumed, before quarantine acts on
 * it (the quarantine issue): whether a tag may be pushed again with other content, what could expire
 * a quarantined image, whether the repository re-fetches from upstream, and where it is copied to.
 */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

/** A tag filter an `_WITH_EXCLUSION` mode exempts from it (ECR's WILDCARD filters: `*` matches any run). */
export interface TagMutabilityExclusion {
  readonly filterType: 'WILDCARD';
  readonly filter: string;
}

/** A lifecycle rule that could expire an image quarantine leaves untagged or marked, and why. */
export interface ExpiringLifecycleRule {
  readonly priority: number;
  readonly description?: string;
  /** One line: which images it selects that quarantine produces (untagged ones, the marker prefix…). */
  readonly reason: string;
}

export interface RepositorySettings {
  readonly repository: RepositoryKey;
  readonly tagMutability: TagMutability;
  readonly exclusions: readonly TagMutabilityExclusion[];
  readonly expiringLifecycleRules: readonly ExpiringLifecycleRule[];
  /** Set when the repository is a pull-through cache (it re-fetches upstream: quarantine cannot hold). */
  readonly pullThroughCache?: { readonly prefix: string; readonly upstreamRegistryUrl: string };
  /** Regions and registries this repository is replicated to (their copies are not quarantined). */
  readonly replicatedTo: readonly { readonly region: string; readonly registryId: string }[];
}
