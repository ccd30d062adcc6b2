import type { RepositorySelection } from '../config/customs-config.ts';
import type { PolicyDocument } from '../../lambdas/core/policy/policy-document.ts';

/** Repository names and name prefixes, as a selection lists them; `all` is the empty prefix. */
interface Patterns {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
}

const EVERY_REPOSITORY: Patterns = { names: [], prefixes: [''] };

/**
 * The watched repositories that a policy in `enforce` mode can reach, where quarantine may write:
 * every watched repository when the default enforces, else those the enforcing overrides name or
 * prefix, intersected with the watched selection. `undefined` when nothing can be enforced, so audit
 * deployments get no ECR write permission at all.
 *
 * It may be wider than exact (an enforcing prefix keeps a longer audit prefix inside it, and an
 * enforcing default keeps the audit overrides), never narrower: IAM cannot subtract from a pattern.
 */
export function quarantineScope(document: PolicyDocument, watched: RepositorySelection): RepositorySelection | undefined {
  const enforcing = document.default.mode === 'enforce' ? EVERY_REPOSITORY : enforcingOverrides(document);
  const scope = simplified(intersection(enforcing, watched === 'all' ? EVERY_REPOSITORY : watched));
  if (scope.prefixes.includes('')) return 'all';
  if (scope.names.length + scope.prefixes.length === 0) return undefined;
  return { names: [...scope.names], prefixes: [...scope.prefixes] };
}

// An override without `mode` takes the default's, which is audit here.
function enforcingOverrides(document: PolicyDocument): Patterns {
  const overrides = document.overrides.filter((override) => override.mode === 'enforce');
  return { names: overrides.flatMap((override) => override.repositories.names), prefixes: overrides.flatMap((override) => override.repositories.prefixes) };
}

/** The repositories both selections cover, pair by pair: a name inside a prefix, or the longer of two nested prefixes. */
function intersection(a: Patterns, b: Patterns): Patterns {
  const names: string[] = [];
  const prefixes: string[] = [];
  for (const name of a.names) if (b.names.includes(name) || b.prefixes.some((prefix) => name.startsWith(prefix))) names.push(name);
  for (const name of b.names) if (a.prefixes.some((prefix) => name.startsWith(prefix))) names.push(name);
  for (const first of a.prefixes) {
    for (const second of b.prefixes) {
      if (first.startsWith(second)) prefixes.push(first);
      else if (second.startsWith(first)) prefixes.push(second);
    }
  }
  return { names, prefixes };
}

/** Without repeats, prefixes inside shorter ones, or names a prefix already covers. */
function simplified({ names, prefixes }: Patterns): Patterns {
  const distinctPrefixes = [...new Set(prefixes)];
  const keptPrefixes = distinctPrefixes.filter((prefix) => !distinctPrefixes.some((other) => other !== prefix && prefix.startsWith(other)));
  const keptNames = [...new Set(names)].filter((name) => !keptPrefixes.some((prefix) => name.startsWith(prefix)));
  return { names: keptNames, prefixes: keptPrefixes };
}
