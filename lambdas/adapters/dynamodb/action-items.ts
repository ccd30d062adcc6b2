import { z } from 'zod';
import type { ActionEntry } from '../../core/api/api-ports.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import { isoDate, issueOf } from './alert-item-schemas.ts';

/**
 * The action log: every entry under `pk = ACTIONS`, and again under its repository's
 * `pk = ACTIONS#<account>#<region>#<repo>`, both with `sk = <at ISO>#<id>`, so either listing is a
 * descending Query of one partition. The time leads the sort key (newest first); the id makes it
 * unique and lets a second record of the same action (its outcome) land on the same items.
 */
export const ACTIONS_PK = 'ACTIONS';
export const repositoryActionsPk = (repository: RepositoryKey): string => `${ACTIONS_PK}#${repository.account}#${repository.region}#${repository.repository}`;
export const actionSk = (entry: Pick<ActionEntry, 'at' | 'id'>): string => `${entry.at.toISOString()}#${entry.id}`;

const entrySchema = z.object({
  id: z.string().min(1),
  action: z.enum(['rescan', 'backfill', 'release', 'exception-add', 'exception-remove']),
  principal: z.string(),
  at: isoDate,
  reason: z.string().optional(),
  target: z.record(z.string(), z.string()),
  outcome: z.string(),
  account: z.string().optional(),
  region: z.string().optional(),
  repository: z.string().optional(),
});

export function actionItem(pk: string, entry: ActionEntry): Record<string, unknown> {
  return {
    pk,
    sk: actionSk(entry),
    type: 'action',
    id: entry.id,
    action: entry.action,
    principal: entry.principal,
    at: entry.at.toISOString(),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    target: { ...entry.target },
    outcome: entry.outcome,
    ...(entry.repository ? { account: entry.repository.account, region: entry.repository.region, repository: entry.repository.repository } : {}),
  };
}

export function readAction(item: Record<string, unknown>): ActionEntry {
  const parsed = entrySchema.safeParse(item);
  if (!parsed.success) throw new Error(`action item ${String(item['pk'])} ${String(item['sk'])} is malformed: ${issueOf(parsed.error)}`);
  const { reason, account, region, repository, ...rest } = parsed.data;
  return {
    ...rest,
    ...(reason !== undefined ? { reason } : {}),
    ...(account !== undefined && region !== undefined && repository !== undefined ? { repository: { account, region, repository } } : {}),
  };
}
