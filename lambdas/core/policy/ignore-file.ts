// The ignore file: findings a team has looked at and accepted, each with a reason and optionally an
// expiry. YAML, one document:
//
//   ignore:
//     - id: CVE-2023-44487        # required: the finding's ID or any alias (GHSA-…, PYSEC-…, DSA-…),
//                                 #   case-insensitive
//       reason: "HTTP/2 is not exposed; SEC-123"   # required, non-empty: shown in every report
//       expires: 2026-12-31       # optional: YYYY-MM-DD (applies through the end of that day, UTC)
//                                 #   or an RFC 3339 timestamp; afterwards the entry no longer
//                                 #   applies and every scan warns about it
//       package: openssl          # optional: a package name (binary or source package), or a purl
//                                 #   (pkg:deb/debian/openssl, @version and ?qualifiers optional and
//                                 #   only compared when given)
//       path: /usr/lib/python3*/**   # optional: glob on the file the package was found in; `*` and
//                                 #   `?` stay within a path segment, `**` spans segments
//
// An entry with `package` and `path` applies only where both match. Unknown fields are rejected so a
// typo (`pacakge:`) cannot silently widen an entry to every package. An empty file ignores nothing.
import { z } from 'zod';
import { CustomsError } from '../errors.ts';
import { compilePathGlob, type IgnoreRule, type PackageScope } from './ignore-rule.ts';
import { describeIssue, policyErrorMap } from './issue-messages.ts';
import { parsePurl } from './package-url.ts';
import { checkDocumentSize, MAX_IGNORE_FILE_BYTES } from './policy-limits.ts';
import { readYaml } from './read-yaml.ts';
import { parseCalendarDate, parseTimestamp } from './rfc3339.ts';

const text = z.string().trim().min(1);

const entrySchema = z.strictObject({
  id: text,
  reason: text,
  // A YAML date is a string under the core schema; an explicit `!!timestamp` arrives as a Date.
  expires: z.union([z.string().trim().min(1), z.date()], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a date (YYYY-MM-DD)') }).optional(),
  package: text.optional(),
  path: text.optional(),
});

const fileSchema = z.strictObject({ ignore: z.array(z.unknown()).nullish() });

export interface IgnoreFileOptions {
  readonly maxBytes?: number;
}

/** The entries of an ignore file; `source` names it in error messages. Throws CustomsError('malformed'). */
export function parseIgnoreFile(content: string, source: string, options: IgnoreFileOptions = {}): IgnoreRule[] {
  const what = `ignore file ${source}`;
  checkDocumentSize(content, options.maxBytes ?? MAX_IGNORE_FILE_BYTES, what);
  const document = readYaml(content, what);
  if (document === null || document === undefined) return [];
  const file = fileSchema.safeParse(document, { error: policyErrorMap });
  if (!file.success) throw malformed(what, describeIssue(file.error.issues[0]!, 'the document'));
  return ignoreRulesFromEntries(file.data.ignore ?? [], source);
}

/**
 * Ignore entries given as values (an ignore file's list, or the pipeline's policy document), read
 * with the same rules and messages. `source` becomes each rule's `source`; `locate` names the 1-based
 * entry in error messages. Throws CustomsError('malformed').
 */
export function ignoreRulesFromEntries(
  entries: readonly unknown[],
  source: string,
  locate: (entry: number) => string = (entry) => `ignore file ${source}: entry ${entry}`,
): IgnoreRule[] {
  return entries.map((value, index) => {
    try {
      return toRule(value, source, index + 1);
    } catch (error) {
      if (error instanceof EntryProblem) throw malformed(locate(index + 1), error.message);
      throw error;
    }
  });
}

/** What is wrong with one ignore entry, in the words ignoreRulesFromEntries uses; undefined when nothing is. */
export function ignoreEntryProblem(value: unknown): string | undefined {
  try {
    toRule(value, 'entry', 1);
    return undefined;
  } catch (error) {
    if (error instanceof EntryProblem) return error.message;
    throw error;
  }
}

/** An entry's fault, worded to read after the entry's name; the caller says which entry. */
class EntryProblem extends Error {}

function toRule(value: unknown, source: string, entry: number): IgnoreRule {
  const parsed = entrySchema.safeParse(value, { error: policyErrorMap });
  if (!parsed.success) throw new EntryProblem(describeIssue(parsed.error.issues[0]!));
  const { id, reason, expires, package: pkg, path } = parsed.data;
  return {
    id,
    reason,
    ...(expires !== undefined ? expiryOf(expires) : {}),
    ...(pkg !== undefined ? { package: scopeOf(pkg) } : {}),
    ...(path !== undefined ? { path, pathRegex: compilePathGlob(path) } : {}),
    source,
    entry,
  };
}

function expiryOf(value: string | Date): { expires: string; expiresAt: number } {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new EntryProblem('expires is not a valid date');
    // A timestamp at midnight UTC is how YAML represents a plain date: keep the whole-day meaning.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? { expires: iso.slice(0, 10), expiresAt: endOfDay(ms) } : { expires: iso, expiresAt: ms };
  }
  const day = parseCalendarDate(value);
  if (day !== undefined) return { expires: value, expiresAt: endOfDay(day) };
  const instant = parseTimestamp(value);
  if (instant !== undefined) return { expires: value, expiresAt: instant };
  throw new EntryProblem(`expires ${JSON.stringify(value)} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp`);
}

function endOfDay(startOfDay: number): number {
  return startOfDay + 24 * 60 * 60 * 1000 - 1;
}

function scopeOf(value: string): PackageScope {
  if (!/^pkg:/i.test(value)) return { kind: 'name', name: value };
  const purl = parsePurl(value);
  if (!purl) throw new EntryProblem(`package ${JSON.stringify(value)} is not a valid package URL`);
  return { kind: 'purl', text: value, purl };
}

function malformed(where: string, message: string): CustomsError {
  return new CustomsError('malformed', `${where}: ${message}`);
}
