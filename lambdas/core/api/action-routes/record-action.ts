import { randomBytes } from 'node:crypto';
import type { RepositoryKey } from '../../pipeline/model.ts';
import type { ApiCallContext } from '../api-context.ts';
import { ApiError } from '../api-error.ts';
import type { ActionEntry, ActionLog, ApiAction } from '../api-ports.ts';

/** A random, URL-safe ID (action and exception IDs): 128 bits. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export interface ActionStart {
  readonly action: ApiAction;
  readonly reason?: string;
  readonly target: Readonly<Record<string, string>>;
  readonly repository?: RepositoryKey;
}

/** An action recorded as requested; `finish` records its outcome under the same ID. */
export interface RecordedAction {
  readonly entry: ActionEntry;
  finish(outcome: string, target?: Readonly<Record<string, string>>): Promise<ActionEntry>;
}

/**
 * Records the action before it acts (`requested`), so an act that crashes half-way is still in the
 * log; the outcome replaces it after. A refusal (an ApiError thrown by the act) is recorded as
 * `refused: <code>` before the error goes on to the caller; any other failure as `failed`.
 */
export async function recordAction<T>(
  log: ActionLog,
  context: ApiCallContext,
  start: ActionStart,
  newId: () => string,
  act: (recorded: RecordedAction) => Promise<T>,
): Promise<T> {
  const entry: ActionEntry = {
    id: newId(),
    action: start.action,
    principal: context.principal.display,
    at: context.now,
    ...(start.reason !== undefined ? { reason: start.reason } : {}),
    target: start.target,
    outcome: 'requested',
    ...(start.repository ? { repository: start.repository } : {}),
  };
  await log.record(entry);
  let finished = false;
  const recorded: RecordedAction = {
    entry,
    finish: async (outcome, target) => {
      const done: ActionEntry = { ...entry, outcome, target: { ...entry.target, ...target } };
      await log.record(done);
      finished = true;
      return done;
    },
  };
  try {
    return await act(recorded);
  } catch (error) {
    if (!finished) {
      const outcome = error instanceof ApiError ? `refused: ${error.code} ${error.message}`.slice(0, 500) : 'failed';
      await log.record({ ...entry, outcome }).catch(() => undefined);
    }
    throw error;
  }
}
