import type { ImageKey } from '../../pipeline/model.ts';
import type { QuarantineRecord } from '../../pipeline/quarantine-model.ts';
import type { ApiCallContext } from '../api-context.ts';
import { notFound } from '../api-error.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { hasAtLeast, imageKeyOf, imageSummaryOf, iso, isQuarantinedNow, limitOf, repositoryOf, type Input, type Output } from './read-helpers.ts';

/**
 * One page of the repository's images (gsi1, newest push first) with their verdicts (one batch
 * read) and quarantine records (one partition query). Filters apply to the page the store gave, so
 * a filtered page may hold fewer than `limit`; follow `nextToken` to the end.
 */
export async function listImages(input: Input<'listImages'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listImages'> {
  const { query } = input;
  const repository = repositoryOf(query, context);
  const page = await deps.listing.page(repository, limitOf(query), context.position);
  const keys: ImageKey[] = page.items.map((state) => ({ account: state.account, region: state.region, repository: state.repository, digest: state.digest }));
  const [verdicts, records] = await Promise.all([keys.length > 0 ? deps.verdicts.getMany(keys) : Promise.resolve([]), page.items.length > 0 ? deps.quarantines.list(repository) : Promise.resolve([])]);
  const quarantineOf = new Map<string, QuarantineRecord>(records.map((record) => [record.key.digest, record]));
  const items = page.items.flatMap((state, index) => {
    const stored = verdicts[index];
    const record = quarantineOf.get(state.digest);
    if (query.verdict !== undefined && stored?.verdict.verdict !== query.verdict) return [];
    if (query.severity !== undefined && !(stored && hasAtLeast(stored.verdict.counts, query.severity))) return [];
    if (query.quarantined !== undefined && isQuarantinedNow(record) !== query.quarantined) return [];
    return [imageSummaryOf(state, stored, record)];
  });
  return { items, ...(page.next !== undefined ? { next: page.next } : {}) };
}

/** One image state with its verdict, platforms, stored scan (a platform manifest's) and quarantine. */
export async function getImage(input: Input<'getImage'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getImage'> {
  const key = imageKeyOf(input.query, input.path.digest, context);
  const state = await deps.images.get(key);
  if (!state) throw notFound(`no image ${key.digest} in ${key.repository}`);
  const isIndex = state.children.length > 0;
  const [stored, quarantine, scan] = await Promise.all([deps.verdicts.get(key), deps.quarantines.get(key), isIndex ? Promise.resolve(undefined) : deps.results.get(key.digest)]);
  const record = quarantine?.record;
  return {
    ...imageSummaryOf(state, stored, record),
    children: [...state.children],
    parents: [...state.parents],
    platforms: (stored?.verdict.platforms ?? []).map((platform) => ({
      digest: platform.digest,
      ...(platform.platform ? { platform: { os: platform.platform.os, architecture: platform.platform.architecture, ...(platform.platform.variant !== undefined ? { variant: platform.platform.variant } : {}) } } : {}),
      status: platform.status,
      verdict: platform.verdict,
      ...(platform.reason !== undefined ? { reason: platform.reason } : {}),
      scannedAt: iso(platform.scannedAt),
    })),
    ...(scan
      ? {
          scan: {
            status: scan.status,
            scannerVersion: scan.scannerVersion,
            finishedAt: iso(scan.finishedAt),
            ...(scan.distro
              ? { distro: { id: scan.distro.id, ...(scan.distro.versionId !== undefined ? { version: scan.distro.versionId } : {}), ...(scan.distro.prettyName !== undefined ? { name: scan.distro.prettyName } : {}) } }
              : {}),
            packages: scan.packageCount,
            layers: scan.layers.map((layer) => ({ digest: layer.digest, size: layer.size })),
            advisories: scan.advisories.map((advisory) => ({ ecosystem: advisory.ecosystem, ...(advisory.loadedAt ? { loadedAt: iso(advisory.loadedAt) } : {}) })),
          },
        }
      : {}),
    ...(record ? { quarantine: { id: record.id, state: record.state, method: record.method, startedAt: iso(record.startedAt), removedTags: record.removedTags.map((removed) => removed.tag) } } : {}),
  };
}
