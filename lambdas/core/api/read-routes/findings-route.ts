import type { Digest } from '../../digest.ts';
import type { Finding, Suppression } from '../../findings/model.ts';
import { isAtLeast } from '../../findings/severity-order.ts';
import { policyNeedsSbom } from '../../pipeline/compute-verdict.ts';
import type { ImageKey, ImageState, StoredFinding } from '../../pipeline/model.ts';
import { judgedPlatform } from '../../pipeline/stored-finding-to-finding.ts';
import { compareFindings } from '../../pipeline/verdict-ranking.ts';
import { applyPolicy } from '../../policy/apply-policy.ts';
import type { RepositoryPolicy } from '../../policy/repository-policy.ts';
import type { z } from 'zod';
import type { ApiCallContext } from '../api-context.ts';
import { notFound } from '../api-error.ts';
import type { findingItem } from '../api-responses.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { imageKeyOf, iso, limitOf, pageByOffset, type Input, type Output } from './read-helpers.ts';

type FindingItem = z.output<typeof findingItem>;

/**
 * The image's stored raw findings (every platform child of an index) with `suppressed` from the
 * repository's current policy applied as evaluation applies it (judgedPlatform, applyPolicy): what
 * a verdict counts is what this shows unsuppressed. Worst first; paged by offset over the list.
 */
export async function listFindings(input: Input<'listFindings'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listFindings'> {
  const { query } = input;
  const key = imageKeyOf(query, input.path.digest, context);
  const state = await deps.images.get(key);
  if (!state) throw notFound(`no image ${key.digest} in ${key.repository}`);
  const policy = (await deps.policies.current()).policyFor(key.repository);
  const platforms = state.children.length > 0 ? state.children : [state.digest];
  const perPlatform = await Promise.all(platforms.map((digest) => platformFindings(digest, key, state, policy, context.now, deps)));
  const items = perPlatform
    .flat()
    .filter(
      (item) =>
        (query.severity === undefined || isAtLeast(item.severity, query.severity)) &&
        (query.fixable === undefined || item.fixable === query.fixable) &&
        (query.suppressed === undefined || (item.suppressed !== undefined) === query.suppressed),
    )
    .sort((a, b) => compareFindings(rankOf(a), rankOf(b)));
  return pageByOffset(items, limitOf(query), context.position);
}

async function platformFindings(digest: Digest, key: ImageKey, state: ImageState, policy: RepositoryPolicy, now: Date, deps: ReadRouteDeps): Promise<readonly FindingItem[]> {
  const scan = await deps.results.get(digest);
  if (!scan || (scan.status !== 'SCANNED' && scan.status !== 'ADVISORIES_UNAVAILABLE')) return [];
  const stored = await deps.results.findings(digest);
  if (stored.length === 0) return [];
  const sbom = policyNeedsSbom(policy) && scan.sbom ? await deps.sboms.get(scan.sbom) : undefined;
  const judged = judgedPlatform(scan, stored, { key, tags: state.tags, kind: state.children.length > 0 ? 'index' : 'image' }, sbom);
  const outcome = applyPolicy(judged.findings, judged.sbom, { ignores: policy.ignores, vex: policy.vex, ignoreUnfixed: policy.ignoreUnfixed, now });
  const item = (finding: Finding, suppression?: Suppression): FindingItem => itemOf(finding, judged.storedOf.get(finding)!, digest, suppression);
  return [...outcome.findings.map((finding) => item(finding)), ...outcome.suppressed.map((suppression) => item(suppression.finding, suppression))];
}

function itemOf(finding: Finding, stored: StoredFinding, manifestDigest: Digest, suppression: Suppression | undefined): FindingItem {
  const { package: pkg } = stored;
  return {
    id: finding.id,
    aliases: [...finding.aliases],
    severity: finding.severity.severity,
    ...(finding.severity.source !== undefined ? { severitySource: finding.severity.source } : {}),
    ...(finding.title !== undefined ? { title: finding.title } : {}),
    package: { name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl, path: pkg.path },
    installedVersion: finding.installedVersion,
    fixedVersions: [...finding.fixedVersions],
    fixable: finding.fixedVersions.length > 0,
    manifestDigest,
    firstSeenAt: iso(stored.firstSeen),
    ...(suppression ? { suppressed: { by: suppression.by, reason: suppression.reason, ...(suppression.expires !== undefined ? { expires: suppression.expires } : {}) } } : {}),
  };
}

function rankOf(item: FindingItem) {
  return { severity: item.severity, id: item.id, packageName: item.package.name, manifestDigest: item.manifestDigest as Digest, key: `${item.id}\0${item.package.purl}\0${item.package.path ?? ''}` };
}
