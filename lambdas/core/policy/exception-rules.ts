import type { StoredException } from '../api/api-ports.ts';
import { canonicalJson } from './canonical-json.ts';
import { ignoreEntryProblem, ignoreRulesFromEntries } from './ignore-file.ts';
import type { IgnoreRule } from './ignore-rule.ts';
import { parseOpenVex } from './openvex.ts';
import { parseCalendarDate, parseTimestamp } from './rfc3339.ts';
import type { VexStatement } from './vex-statement.ts';

/**
 * Exceptions added through the findings API, read as the CLI reads its own: an ignore exception is
 * an ignore-file entry (same rule builder, same expiry, package and path rules), a VEX exception an
 * OpenVEX statement (same parser), so an exception suppresses exactly what the same entry in the
 * policy document would.
 */

const VEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/** The last millisecond an expiry lets an exception apply (a date: through the end of that day, UTC); undefined when it is no date. */
export function expiryMs(expires: string): number | undefined {
  const day = parseCalendarDate(expires);
  if (day !== undefined) return day + 86_400_000 - 1;
  return parseTimestamp(expires);
}

export function exceptionLapsed(exception: Pick<StoredException, 'expires'>, now: Date): boolean {
  if (exception.expires === undefined) return false;
  const last = expiryMs(exception.expires);
  return last !== undefined && now.getTime() > last;
}

/** Whether the exception covers a repository: its prefix starts the name (no prefix: every repository). */
export function exceptionCovers(exception: Pick<StoredException, 'repositoryPrefix'>, repository: string): boolean {
  return exception.repositoryPrefix === undefined || repository.startsWith(exception.repositoryPrefix);
}

/** The ignore-file entry an ignore exception is. */
export function ignoreEntryOf(exception: Pick<StoredException, 'vulnerability' | 'reason' | 'expires' | 'package' | 'path'>): Record<string, string> {
  return {
    id: exception.vulnerability,
    reason: exception.reason,
    ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
    ...(exception.package !== undefined ? { package: exception.package } : {}),
    ...(exception.path !== undefined ? { path: exception.path } : {}),
  };
}

/** What is wrong with an ignore exception, as the ignore file would say it, and the field at fault. */
export function ignoreExceptionProblem(exception: Pick<StoredException, 'vulnerability' | 'reason' | 'expires' | 'package' | 'path'>): { field: string; message: string } | undefined {
  const base = { vulnerability: exception.vulnerability, reason: exception.reason };
  for (const field of ['expires', 'package', 'path'] as const) {
    if (exception[field] === undefined) continue;
    const problem = ignoreEntryProblem(ignoreEntryOf({ ...base, [field]: exception[field] }));
    if (problem !== undefined) return { field, message: problem };
  }
  const problem = ignoreEntryProblem(ignoreEntryOf(exception));
  return problem === undefined ? undefined : { field: 'vulnerability', message: problem };
}

/** The single-statement OpenVEX document a VEX exception is read as. */
function vexDocumentText(statement: Readonly<Record<string, unknown>>): string {
  return canonicalJson({ '@context': VEX_CONTEXT, statements: [statement] });
}

/** The statement parsed as policy VEX is; throws CustomsError('malformed') naming what is wrong. */
export function vexStatementOf(statement: Readonly<Record<string, unknown>>, source: string): VexStatement {
  return parseOpenVex(vexDocumentText(statement), source)[0]!;
}

/** The exception's ignore rule or VEX statement, named `exception <id>` in reports. Throws CustomsError('malformed'). */
export function compileException(exception: StoredException): { readonly ignore?: IgnoreRule; readonly vex?: VexStatement } {
  const source = `exception ${exception.id}`;
  if (exception.kind === 'vex') {
    if (!exception.statement) throw new Error(`${source} has no statement`);
    return { vex: vexStatementOf(exception.statement, source) };
  }
  return { ignore: ignoreRulesFromEntries([ignoreEntryOf(exception)], source, () => source)[0]! };
}

/** What of an exception decides a verdict: a policy version changes when any of it does. */
export function exceptionFingerprint(exception: StoredException): unknown {
  return {
    id: exception.id,
    kind: exception.kind,
    vulnerability: exception.vulnerability,
    repositoryPrefix: exception.repositoryPrefix,
    package: exception.package,
    path: exception.path,
    reason: exception.reason,
    expires: exception.expires,
    statement: exception.statement,
  };
}
