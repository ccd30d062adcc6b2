import type { z } from 'zod';
import { exceptionLapsed } from '../policy/exception-rules.ts';
import type { ActionEntry, StoredException } from './api-ports.ts';
import type { actionRecord, exceptionRecord } from './api-responses.ts';

/** An action log entry as the API answers it, in listings and in each action's answer. */
export function actionRecordOf(entry: ActionEntry): z.output<typeof actionRecord> {
  return {
    id: entry.id,
    action: entry.action,
    principal: entry.principal,
    at: entry.at.toISOString(),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    target: { ...entry.target },
    outcome: entry.outcome,
  };
}

/** An exception as the API answers it, in listings and in the add and remove answers. */
export function exceptionRecordOf(exception: StoredException, now: Date): z.output<typeof exceptionRecord> {
  return {
    id: exception.id,
    kind: exception.kind,
    vulnerability: exception.vulnerability,
    scope: exception.repositoryPrefix !== undefined ? { repositoryPrefix: exception.repositoryPrefix } : {},
    ...(exception.package !== undefined ? { package: exception.package } : {}),
    ...(exception.path !== undefined ? { path: exception.path } : {}),
    reason: exception.reason,
    ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
    ...(exception.statement !== undefined ? { vex: { ...exception.statement } } : {}),
    createdBy: exception.createdBy,
    createdAt: exception.createdAt.toISOString(),
    lapsed: exceptionLapsed(exception, now),
  };
}
