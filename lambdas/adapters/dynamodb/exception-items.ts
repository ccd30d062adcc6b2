import { z } from 'zod';
import type { StoredException } from '../../core/api/api-ports.ts';
import { CustomsError } from '../../core/errors.ts';
import { isoDate, issueOf } from './alert-item-schemas.ts';

/**
 * Exceptions added through the API, one partition of the findings table: `pk = EXCEPTIONS`,
 * `sk = EXC#<id>` per exception, and `sk = REVISION` counting changes (and exceptions, for the cap).
 * A VEX statement is kept as its JSON text, so any statement shape round-trips as given.
 */
export const EXCEPTIONS_PK = 'EXCEPTIONS';
export const EXCEPTION_PREFIX = 'EXC#';
export const REVISION_SK = 'REVISION';
export const exceptionSk = (id: string): string => `${EXCEPTION_PREFIX}${id}`;

/** A statement past this is refused: the whole partition is read by every policy refresh. */
export const MAX_STATEMENT_BYTES = 16 * 1024;

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const statementSchema = z.string().transform((text, context) => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Readonly<Record<string, unknown>>;
  } catch {
    // reported below
  }
  context.addIssue({ code: 'custom', message: 'statement is not a JSON object' });
  return z.NEVER;
});

const exceptionItemSchema = z.object({
  id: idSchema,
  kind: z.enum(['ignore', 'vex']),
  vulnerability: z.string().min(1),
  repositoryPrefix: z.string().optional(),
  package: z.string().optional(),
  path: z.string().optional(),
  reason: z.string(),
  expires: z.string().optional(),
  statement: statementSchema.optional(),
  createdBy: z.string(),
  createdAt: isoDate,
});

export const revisionItemSchema = z.object({ revision: z.number().int().nonnegative().default(0), count: z.number().int().nonnegative().default(0) });

/** The item for an exception; refused (CustomsError `usage`) when its id or statement cannot be stored. */
export function exceptionItem(exception: StoredException): Record<string, unknown> {
  if (!idSchema.safeParse(exception.id).success) throw new CustomsError('usage', `exception id ${JSON.stringify(exception.id)} is not 1 to 64 URL-safe characters`);
  const statement = exception.statement !== undefined ? JSON.stringify(exception.statement) : undefined;
  if (statement !== undefined && Buffer.byteLength(statement) > MAX_STATEMENT_BYTES) throw new CustomsError('limit', `the VEX statement of exception ${exception.id} is ${Buffer.byteLength(statement)} bytes, past the ${MAX_STATEMENT_BYTES} an exception may hold`);
  return {
    pk: EXCEPTIONS_PK,
    sk: exceptionSk(exception.id),
    type: 'exception',
    id: exception.id,
    kind: exception.kind,
    vulnerability: exception.vulnerability,
    ...(exception.repositoryPrefix !== undefined ? { repositoryPrefix: exception.repositoryPrefix } : {}),
    ...(exception.package !== undefined ? { package: exception.package } : {}),
    ...(exception.path !== undefined ? { path: exception.path } : {}),
    reason: exception.reason,
    ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
    ...(statement !== undefined ? { statement } : {}),
    createdBy: exception.createdBy,
    createdAt: exception.createdAt.toISOString(),
  };
}

export function readException(item: Record<string, unknown>): StoredException {
  const parsed = exceptionItemSchema.safeParse(item);
  if (!parsed.success) throw new Error(`exception item ${String(item['sk'])} is malformed: ${issueOf(parsed.error)}`);
  const { repositoryPrefix, package: pkg, path, expires, statement, ...rest } = parsed.data;
  return {
    ...rest,
    ...(repositoryPrefix !== undefined ? { repositoryPrefix } : {}),
    ...(pkg !== undefined ? { package: pkg } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(expires !== undefined ? { expires } : {}),
    ...(statement !== undefined ? { statement } : {}),
  };
}

/**
 * Whether a retried add names what is stored: every field but when and by whom it was asked (a
 * retry may carry another time), compared as stored.
 */
export function sameException(stored: Record<string, unknown>, adding: Record<string, unknown>): boolean {
  const content = (item: Record<string, unknown>) => {
    const { createdAt: _at, createdBy: _by, ...rest } = item;
    return JSON.stringify(Object.keys(rest).sort().map((name) => [name, rest[name]]));
  };
  return content(stored) === content(adding);
}
