import type { QuarantineRecord } from '../../pipeline/quarantine-model.ts';
import { readsEverything } from '../access-rules.ts';
import type { ApiCallContext } from '../api-context.ts';
import { forbidden } from '../api-error.ts';
import { actionRecordOf, exceptionRecordOf } from '../record-answers.ts';
import type { ReadRouteDeps } from './read-routes.ts';
import { iso, limitOf, pageByOffset, prefixesOverlap, repositoryOf, type Input, type Output } from './read-helpers.ts';

/** A repository's quarantine records (one partition query, by digest), optionally in one state. */
export async function listQuarantine(input: Input<'listQuarantine'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listQuarantine'> {
  const { query } = input;
  const records = (await deps.quarantines.list(repositoryOf(query, context))).filter((record) => query.state === undefined || record.state === query.state);
  const page = pageByOffset(records, limitOf(query), context.position);
  return { items: page.items.map(quarantineItemOf), ...(page.next ? { next: page.next } : {}) };
}

function quarantineItemOf(record: QuarantineRecord) {
  const { release } = record;
  return {
    key: { account: record.key.account, region: record.key.region, repository: record.key.repository, digest: record.key.digest },
    id: record.id,
    state: record.state,
    method: record.method,
    trigger: record.trigger,
    startedAt: iso(record.startedAt),
    updatedAt: iso(record.updatedAt),
    failingIds: [...record.verdict.failingIds],
    removedTags: record.removedTags.map((removed) => ({ tag: removed.tag, removedAt: iso(removed.removedAt) })),
    ...(release
      ? { release: { by: release.by, reason: release.reason, requestedAt: iso(release.requestedAt), ...(release.releasedAt ? { releasedAt: iso(release.releasedAt) } : {}), restoredTags: [...release.restoredTags] } }
      : {}),
  };
}

/** The action log, newest first: a repository's, or (for callers who read every repository) all of it. */
export async function listActions(input: Input<'listActions'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listActions'> {
  const { query } = input;
  if (query.repository === undefined && !readsEverything(context.access)) throw forbidden('the whole action log is for callers who may read every repository: name a repository');
  const repository = query.repository !== undefined ? repositoryOf({ ...query, repository: query.repository }, context) : undefined;
  const page = await deps.actions.page(repository, limitOf(query), context.position);
  return { items: page.items.map(actionRecordOf), ...(page.next !== undefined ? { next: page.next } : {}) };
}


/**
 * Exceptions (one partition), oldest first: those scoped to every repository, and those whose
 * prefix can name a repository the caller reads; `repositoryPrefix` and `vulnerability` narrow them.
 */
export async function listExceptions(input: Input<'listExceptions'>, context: ApiCallContext, deps: ReadRouteDeps): Output<'listExceptions'> {
  const { query } = input;
  const visible = (await deps.exceptions.list()).filter(
    (exception) =>
      (exception.repositoryPrefix === undefined || context.access.read.some((prefix) => prefixesOverlap(prefix, exception.repositoryPrefix!))) &&
      (query.repositoryPrefix === undefined || exception.repositoryPrefix === undefined || prefixesOverlap(query.repositoryPrefix, exception.repositoryPrefix)) &&
      (query.vulnerability === undefined || exception.vulnerability === query.vulnerability),
  );
  const page = pageByOffset(visible, limitOf(query), context.position);
  return { items: page.items.map((exception) => exceptionRecordOf(exception, context.now)), ...(page.next ? { next: page.next } : {}) };
}
