import { isExpired } from './ignore-rule.ts';
import type { Policy } from './policy.ts';

/** Notes about the policy itself, for the report: ignore entries past their expiry, which no longer apply. */
export function policyWarnings(policy: Policy): string[] {
  return (policy.ignores ?? [])
    .filter((rule) => isExpired(rule, policy.now))
    .map((rule) => `ignore entry for ${rule.id} (reason: ${JSON.stringify(rule.reason)}) in ${rule.source} expired on ${rule.expires ?? '?'} and no longer applies`);
}
