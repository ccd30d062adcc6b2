import type { ImageKey } from '../../core/pipeline/model.ts';

/**
 * The local registry has no accounts or regions; image keys still carry them (they are the same
 * keys as on AWS), so the stack names one of each. The region has an AWS region's shape so the
 * API's `region` parameter accepts it; no AWS region is called this.
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'xx-local-1';

/** How alerts and events name a repository of the local registry: `127.0.0.1:PORT/name`. */
export function localRepositoryId(registryHost: string): (key: ImageKey) => string {
  return (key) => `${registryHost}/${key.repository}`;
}
