import { z } from 'zod';
import { isDigest, parseDigest, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { MANIFEST_ACCEPT } from '../../core/image/media-types.ts';
import { DEFAULT_LIMITS } from '../../core/limits.ts';
import type { RegistryImage } from '../../core/pipeline/model.ts';
import { validRepositoryName, validTagName } from './distribution-names.ts';
import type { LocalRegistryHttp } from './local-registry-http.ts';
import { discardBody, readCapped } from './response-body.ts';

/**
 * Reading tags from a Distribution 2.8 registry over its API, shared by the local quarantine and
 * the local catalogue: tags/list (every page), the digest a tag names (HEAD), and which tags sit on
 * a digest. Distribution keeps no digest-to-tags index, so the last means a HEAD per tag.
 */
const tagListSchema = z.object({ name: z.string(), tags: z.array(z.string()).nullable() });
const TAG_HEAD_CONCURRENCY = 8;
// Pages followed at most (2.8 answers every tag in one page unless asked for fewer).
const MAX_PAGES = 1_000;

export function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

/** The digest a tag names now; undefined when the tag (or the repository) does not exist. */
export async function tagDigestOf(http: LocalRegistryHttp, repository: string, tag: string): Promise<Digest | undefined> {
  const what = `tag ${tag} of ${http.host}/${repository}`;
  const response = await http.send({ method: 'HEAD', path: manifestPath(repository, tag), headers: { Accept: MANIFEST_ACCEPT }, what, accept: [404] });
  await discardBody(response);
  if (response.status === 404) return undefined;
  const digest = response.headers.get('docker-content-digest');
  if (!digest || !isDigest(digest)) throw new CustomsError('malformed', `${what}: the registry named no valid Docker-Content-Digest`);
  return digest;
}

/**
 * Every tag of the repository (none when the registry does not know it). Names the spec does not
 * allow are left out: not ours to HEAD or to build a path from. Past `maxTags`, a `limit` error.
 */
export async function listTags(http: LocalRegistryHttp, repository: string, maxTags = Number.POSITIVE_INFINITY): Promise<string[]> {
  const what = `tags of ${http.host}/${repository}`;
  const listPath = `/v2/${repository}/tags/list`;
  const tags: string[] = [];
  let path: string | undefined = listPath;
  for (let page = 0; path && page < MAX_PAGES; page++) {
    const response = await http.send({ method: 'GET', path, what, accept: [404] });
    if (response.status === 404) {
      await discardBody(response);
      return tags;
    }
    const body = await readCapped(response, DEFAULT_LIMITS.maxManifestBytes, what);
    const parsed = tagListSchema.safeParse(parseJson(body.toString('utf8')));
    if (!parsed.success) throw new CustomsError('malformed', `${what}: the registry answered an unexpected document`);
    for (const tag of parsed.data.tags ?? []) if (isValid(validTagName, tag)) tags.push(tag);
    if (tags.length > maxTags) throw new CustomsError('limit', `${http.host}/${repository} has more than ${maxTags} tags`);
    path = nextPage(response.headers.get('link'), listPath);
  }
  return tags;
}

/** The given tags grouped by the digest each names now (a tag gone since it was listed is left out), tags sorted. */
export async function tagsByDigest(http: LocalRegistryHttp, repository: string, tags: readonly string[]): Promise<Map<Digest, string[]>> {
  const byDigest = new Map<Digest, string[]>();
  await inParallel(tags, TAG_HEAD_CONCURRENCY, async (tag) => {
    const digest = await tagDigestOf(http, repository, tag);
    if (digest === undefined) return;
    const onDigest = byDigest.get(digest);
    if (onDigest) onDigest.push(tag);
    else byDigest.set(digest, [tag]);
  });
  for (const onDigest of byDigest.values()) onDigest.sort();
  return byDigest;
}

/** Whether the registry holds the manifest `digest` in the repository now, and every tag on it. */
export async function describeImage(http: LocalRegistryHttp, repositoryName: string, digestText: string, maxTags?: number): Promise<RegistryImage> {
  const repository = validRepositoryName(repositoryName);
  const digest = parseDigest(digestText);
  const what = `manifest ${digest} of ${http.host}/${repository}`;
  const head = await http.send({ method: 'HEAD', path: manifestPath(repository, digest), headers: { Accept: MANIFEST_ACCEPT }, what, accept: [404] });
  await discardBody(head);
  if (head.status === 404) return { exists: false };
  const byDigest = await tagsByDigest(http, repository, await listTags(http, repository, maxTags));
  return { exists: true, tags: byDigest.get(digest) ?? [] };
}

/**
 * RFC 5988 `Link: </v2/...?last=…&n=…>; rel="next"`, kept to the list it continues (`listPath`):
 * a link elsewhere is not followed.
 */
export function nextPage(link: string | null, listPath: string): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) return undefined;
  const next = new URL(match[1]!, 'http://registry.invalid');
  return next.pathname === listPath ? `${next.pathname}${next.search}` : undefined;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a name passes one of distribution-names.ts's checks. */
export function isValid(check: (name: string) => string, name: string): boolean {
  try {
    check(name);
    return true;
  } catch {
    return false;
  }
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
