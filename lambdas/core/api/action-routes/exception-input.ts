import { isCustomsError } from '../../errors.ts';
import { expiryMs, ignoreExceptionProblem, vexStatementOf } from '../../policy/exception-rules.ts';
import type { z } from 'zod';
import { badRequest } from '../api-error.ts';
import type { StoredException } from '../api-ports.ts';
import type { exceptionBody } from '../routes.ts';

type ExceptionBody = z.output<typeof exceptionBody>;

/**
 * The stored exception a request body asks for, checked as the ignore file and policy VEX are
 * (expiry, package name or purl, path glob, the OpenVEX statement); an expiry already past is
 * refused. Throws ApiError BAD_REQUEST naming the field.
 */
export function exceptionFromBody(body: ExceptionBody, id: string, createdBy: string, now: Date): StoredException {
  if (body.expires !== undefined) {
    const last = expiryMs(body.expires);
    if (last === undefined) throw badRequest('body.expires', `expires ${JSON.stringify(body.expires)} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp`);
    if (last < now.getTime()) throw badRequest('body.expires', `expires ${body.expires} is in the past`);
  }
  const common = {
    id,
    reason: body.reason,
    ...(body.expires !== undefined ? { expires: body.expires } : {}),
    ...(body.repositoryPrefix !== undefined ? { repositoryPrefix: body.repositoryPrefix } : {}),
    createdBy,
    createdAt: now,
  };
  if (body.kind === 'ignore') {
    const exception: StoredException = {
      ...common,
      kind: 'ignore',
      vulnerability: body.vulnerability,
      ...(body.package !== undefined ? { package: body.package } : {}),
      ...(body.path !== undefined ? { path: body.path } : {}),
    };
    const problem = ignoreExceptionProblem(exception);
    if (problem) throw badRequest(`body.${problem.field}`, problem.message);
    return exception;
  }
  try {
    const statement = vexStatementOf(body.statement, 'statement');
    return { ...common, kind: 'vex', vulnerability: statement.vulnerability, statement: body.statement };
  } catch (error) {
    if (isCustomsError(error)) throw badRequest('body.statement', error.message.replace(/^OpenVEX document statement: statement 1: /, 'statement: '));
    throw error;
  }
}
