import { digestParam, repositoryName, tagName } from '../../core/api/api-params.ts';
import { CustomsError } from '../../core/errors.ts';

/** Which registry an image lives in, when the reference names it (an ECR host). */
export interface RegistryScope {
  readonly account?: string;
  readonly region?: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\//;

function splitRegistry(reference: string): { rest: string; scope: RegistryScope } {
  const match = ECR_HOST.exec(reference);
  if (!match) return { rest: reference, scope: {} };
  return { rest: reference.slice(match[0].length), scope: { account: match[1]!, region: match[2]! } };
}

function checkedRepository(repository: string, reference: string): string {
  if (!repositoryName.safeParse(repository).success) throw new CustomsError('usage', `${JSON.stringify(reference)}: ${JSON.stringify(repository)} is not a repository name (lower-case path components separated by /)`);
  return repository;
}

/** `REPO@sha256:…` (or an ECR reference with its host) → repository, digest and the registry it names. */
export function parseDigestReference(reference: string): RegistryScope & { repository: string; digest: string } {
  const { rest, scope } = splitRegistry(reference);
  const at = rest.lastIndexOf('@');
  if (at === -1) throw new CustomsError('usage', `${JSON.stringify(reference)} is not REPOSITORY@sha256:DIGEST`);
  const digest = rest.slice(at + 1);
  if (!digestParam.safeParse(digest).success) throw new CustomsError('usage', `${JSON.stringify(reference)}: the digest must be sha256: and 64 lower-case hex digits`);
  // A tag before the digest (repo:tag@sha256:…) is ignored: the digest decides.
  const named = rest.slice(0, at).replace(/:[^/:]*$/, '');
  return { ...scope, repository: checkedRepository(named, reference), digest };
}

/** `REPO:TAG` (or an ECR reference with its host) → repository, tag and the registry it names. */
export function parseTagReference(reference: string): RegistryScope & { repository: string; tag: string } {
  const { rest, scope } = splitRegistry(reference);
  const colon = rest.lastIndexOf(':');
  if (colon === -1 || rest.includes('@')) throw new CustomsError('usage', `${JSON.stringify(reference)} is not REPOSITORY:TAG`);
  const tag = rest.slice(colon + 1);
  if (!tagName.safeParse(tag).success) throw new CustomsError('usage', `${JSON.stringify(reference)}: ${JSON.stringify(tag)} is not a tag`);
  return { ...scope, repository: checkedRepository(rest.slice(0, colon), reference), tag };
}
