import type { Digest } from '../../digest.ts';
import type { ApiCallContext } from '../api-context.ts';
import { notFound } from '../api-error.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { imageKeyOf, iso, isQuarantinedNow, repositoryOf, verdictSummaryOf, type Input, type Output } from './read-helpers.ts';

/**
 * What a tag names now, from its history (one partition query, oldest first): the last move, when
 * it tagged a live image that still carries the tag; that image's verdict and quarantine.
 */
export async function getTag(input: Input<'getTag'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getTag'> {
  const { query } = input;
  const repository = repositoryOf(query, context);
  const history = await deps.images.tagHistory(repository, query.tag);
  const last = history.at(-1);
  if (!last) throw notFound(`no tag ${query.tag} in ${query.repository}`);
  const key = { ...repository, digest: last.digest };
  const [state, stored, quarantine] = await Promise.all([deps.images.get(key), deps.verdicts.get(key), deps.quarantines.get(key)]);
  const current: Digest | undefined = last.action === 'tagged' && state && !state.deletedAt && state.tags.includes(query.tag) ? last.digest : undefined;
  const record = quarantine?.record;
  // Quarantined: the digest the tag last named is quarantined and the tag is one it took away (or still names it).
  const quarantined = isQuarantinedNow(record) && (current !== undefined || record!.removedTags.some((removed) => removed.tag === query.tag));
  return {
    repository: query.repository,
    tag: query.tag,
    ...(current !== undefined ? { digest: current } : {}),
    ...(stored && (current !== undefined || quarantined) ? { verdict: verdictSummaryOf(stored.verdict) } : {}),
    quarantined,
    history: history.map((event) => ({ at: iso(event.at), action: event.action, digest: event.digest })),
  };
}

/**
 * The stored verdict of a digest, for admission controllers: two item reads by key (verdict and
 * quarantine, in parallel), nothing listed. `allowed` is PASS, any verdict when the policy only
 * audits, or a FAIL released from quarantine when it fails for no ID the release did not accept
 * (the rule that keeps enforcement from quarantining it again), so admission agrees with
 * the registry, where the release put the tags back. UNKNOWN (never judged, or no such image) is
 * not allowed.
 */
export async function getVerdict(input: Input<'getVerdict'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'getVerdict'> {
  const { query } = input;
  const key = imageKeyOf(query, query.digest, context);
  const [stored, quarantine] = await Promise.all([deps.verdicts.get(key), deps.quarantines.get(key)]);
  const verdict = stored?.verdict;
  const release = quarantine?.record.state === 'RELEASED' ? quarantine.record.release : undefined;
  // Enforcement's rule (enforce-verdicts.ts): a released image fails for nothing its release did not accept.
  const released = verdict?.verdict === 'FAIL' && release !== undefined && verdict.failingIds.every((id) => release.failingIds.includes(id));
  return {
    repository: query.repository,
    digest: query.digest,
    verdict: verdict?.verdict ?? 'UNKNOWN',
    allowed: verdict !== undefined && (verdict.verdict === 'PASS' || verdict.mode === 'audit' || released),
    released,
    failingCount: verdict?.failingCount ?? 0,
    failingIds: [...(verdict?.failingIds ?? [])],
    quarantined: isQuarantinedNow(quarantine?.record),
    ...(verdict ? { evaluatedAt: iso(verdict.evaluatedAt) } : {}),
  };
}
