import { parseDigest } from '../../digest.ts';
import type { ImageKey } from '../../pipeline/model.ts';
import type { ApiCallContext } from '../api-context.ts';

/** The image an image-scoped route means: account and region default to the API's own. */
/** The digest was validated by the route's schema (sha256, 64 hex digits). */
export function imageKeyOf(digest: string, query: { readonly repository: string; readonly account?: string | undefined; readonly region?: string | undefined }, context: ApiCallContext): ImageKey {
  return { account: query.account ?? context.home.account, region: query.region ?? context.home.region, repository: query.repository, digest: parseDigest(digest) };
}

export function repositoryOf(key: ImageKey): Omit<ImageKey, 'digest'> {
  return { account: key.account, region: key.region, repository: key.repository };
}
