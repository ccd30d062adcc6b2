import { z } from 'zod';
import type { CallerPrincipal, RepositoryAccess } from './api-context.ts';

/**
 * Repository-scoped authorization inside the API: IAM only says a caller may call a route, so
 * configuration maps each principal to the repository prefixes it may read and act on.
 */
export const apiAccessRule = z.strictObject({
  /** An IAM ARN (a role as `arn:aws:iam::A:role/R`, any path), `local`, or a prefix ending in `*`. */
  principal: z.string().min(1),
  /** Repository name prefixes the principal may read ('' is every repository). */
  read: z.array(z.string().max(256)),
  /** Repository name prefixes the principal may act on (readable too). */
  act: z.array(z.string().max(256)).optional(),
});
export type ApiAccessRule = z.infer<typeof apiAccessRule>;

export const apiAccessRules = z.array(apiAccessRule);

/** The rules of a JSON configuration value (API_ACCESS_RULES); throws naming what is wrong. */
export function parseAccessRules(json: string): readonly ApiAccessRule[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('access rules are not JSON');
  }
  const parsed = apiAccessRules.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`access rules are malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The union of every rule naming the principal; no rule, no access. */
export function accessFor(principal: CallerPrincipal, rules: readonly ApiAccessRule[]): RepositoryAccess {
  const read = new Set<string>();
  const act = new Set<string>();
  for (const rule of rules) {
    if (!principalMatches(rule.principal, principal.arn)) continue;
    for (const prefix of rule.read) read.add(prefix);
    for (const prefix of rule.act ?? []) {
      act.add(prefix);
      read.add(prefix);
    }
  }
  return { read: [...read].sort(), act: [...act].sort() };
}

export function canRead(access: RepositoryAccess, repository: string): boolean {
  return access.read.some((prefix) => repository.startsWith(prefix));
}

export function canAct(access: RepositoryAccess, repository: string): boolean {
  return access.act.some((prefix) => repository.startsWith(prefix));
}

/** Whether the caller may read every repository (registry-wide listings). */
export function readsEverything(access: RepositoryAccess): boolean {
  return access.read.includes('');
}

/**
 * Whether a rule's principal names the caller. An assumed-role session and a role are the same
 * principal when account and role name agree (a role ARN may carry a path; the session's does not).
 */
export function principalMatches(pattern: string, arn: string): boolean {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return arn.startsWith(prefix) || canonicalPrincipal(arn).startsWith(canonicalPrincipal(prefix, true));
  }
  return pattern === arn || canonicalPrincipal(pattern) === canonicalPrincipal(arn);
}

const ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** Roles and their sessions as `role:<partition>:<account>:<name>`; anything else as is. */
function canonicalPrincipal(arn: string, partial = false): string {
  const role = ROLE.exec(arn) ?? SESSION.exec(arn);
  if (role) return `role:${role[1]}:${role[2]}:${role[3]}`;
  // A prefix pattern cut inside the role name (`arn:aws:iam::A:role/ci-*`): compare what is there.
  if (partial) {
    const cut = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]*)$/.exec(arn);
    if (cut) return `role:${cut[1]}:${cut[2]}:${cut[3]}`;
  }
  return arn;
}

const iamIdentity = z.object({ userArn: z.string().min(1), accountId: z.string().optional(), accessKey: z.string().optional() });

/**
 * The caller API Gateway's IAM authorization verified (`requestContext.authorizer.iam`). Rules
 * name the principal as given; the session ARN is kept for the action log.
 */
export function principalFromIam(iam: unknown): CallerPrincipal {
  const parsed = iamIdentity.safeParse(iam);
  if (!parsed.success) throw new Error('the request carries no IAM identity');
  const { userArn, accountId } = parsed.data;
  return { arn: userArn, display: userArn, ...(accountId !== undefined && accountId !== '' ? { account: accountId } : {}) };
}
