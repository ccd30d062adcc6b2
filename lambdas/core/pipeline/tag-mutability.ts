import type { RepositorySettings } from './repository-settings.ts';
import { wildcardMatches } from './wildcard.ts';

/**
 * Whether ECR refuses to move `tag` to other content in this repository (PutImage or a push of a
 * tag that exists fails with ImageTagAlreadyExistsException). The exclusion filters invert the
 * mode for the tags they match, as ECR's user guide describes the two `_WITH_EXCLUSION` modes
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html; the values and
 * filters in https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageTagMutability.html
 * and https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html):
 * - IMMUTABLE_WITH_EXCLUSION: every tag is immutable except those an exclusion filter matches;
 * - MUTABLE_WITH_EXCLUSION: every tag is mutable except those an exclusion filter matches.
 * Immutability stops overwriting only: a tag can still be deleted, and once deleted anyone may push
 * it again with other content, which is why quarantine asks before it removes one.
 */
export function tagIsImmutable(settings: Pick<RepositorySettings, 'tagMutability' | 'exclusions'>, tag: string): boolean {
  const excluded = (): boolean => settings.exclusions.some((exclusion) => wildcardMatches(exclusion.filter, tag));
  switch (settings.tagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded();
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded();
  }
}
