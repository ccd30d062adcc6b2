import type { Finding, Suppression } from '../findings/model.ts';
import type { ImageSbom } from '../sbom/model.ts';
import { ignoreMatches, isExpired, type IgnoreRule } from './ignore-rule.ts';
import { ImageContext } from './image-context.ts';
import type { Policy } from './policy.ts';
import type { PolicyTracker } from './policy-tracker.ts';
import { idsOf, normaliseId } from './vulnerability-ids.ts';
import { statementCovers } from './vex-match.ts';
import { suppresses, type VexStatement } from './vex-statement.ts';

export type { Policy } from './policy.ts';

export interface PolicyOutcome {
  /** Findings that remain, in their original order. */
  readonly findings: Finding[];
  readonly suppressed: Suppression[];
}

/**
 * Splits one image's findings into those that remain and those the policy removes. Rules are tried
 * in a fixed order, and the first that removes a finding is the one recorded: unexpired ignore
 * entries, then VEX (not_affected and fixed remove; the latest matching statement decides), then
 * unfixed findings when asked, then the severity filter. Pass the scan's `tracker` to learn later
 * which entries matched nothing.
 */
export function applyPolicy(findings: readonly Finding[], sbom: ImageSbom, policy: Policy, tracker?: PolicyTracker): PolicyOutcome {
  const image = new ImageContext(sbom);
  const ignores = indexByIds((policy.ignores ?? []).filter((rule) => !isExpired(rule, policy.now)), (rule) => [normaliseId(rule.id)]);
  const statements = indexByIds(policy.vex ?? [], (statement) => statement.ids);
  const severities = policy.severities ? new Set(policy.severities) : undefined;
  const kept: Finding[] = [];
  const suppressed: Suppression[] = [];

  for (const finding of findings) {
    const ids = idsOf(finding);
    // Every rule is matched even after one has decided, so the tracker learns of all that apply.
    const ignore = candidates(ignores, ids).filter((rule) => ignoreMatches(rule, ids, finding));
    const vex = candidates(statements, ids).filter((statement) => statementCovers(statement, finding.package, image));
    for (const rule of ignore) tracker?.markIgnore(rule);
    for (const statement of vex) tracker?.markVex(statement);

    const suppression = ignoreSuppression(finding, ignore[0]) ?? vexSuppression(finding, latest(vex)) ?? filterSuppression(finding, policy, severities);
    if (suppression) suppressed.push(suppression);
    else kept.push(finding);
  }
  return { findings: kept, suppressed };
}

function ignoreSuppression(finding: Finding, rule: IgnoreRule | undefined): Suppression | undefined {
  if (!rule) return undefined;
  return { finding, by: 'ignore', reason: rule.reason, ...(rule.expires !== undefined ? { expires: rule.expires } : {}) };
}

function vexSuppression(finding: Finding, statement: VexStatement | undefined): Suppression | undefined {
  if (!statement || !suppresses(statement.status)) return undefined;
  const detail = [statement.impactStatement, statement.status === 'fixed' ? statement.actionStatement : undefined].filter(Boolean).join('; ');
  return {
    finding,
    by: 'vex',
    reason: `VEX ${statement.status}${statement.justification ? ` (${statement.justification})` : ''}${detail ? `: ${detail}` : ''}`,
    vex: { status: statement.status, ...(statement.justification ? { justification: statement.justification } : {}), document: statement.document },
  };
}

function filterSuppression(finding: Finding, policy: Policy, severities: ReadonlySet<string> | undefined): Suppression | undefined {
  if (policy.ignoreUnfixed && finding.fixedVersions.length === 0) return { finding, by: 'unfixed', reason: 'no fixed version is available and unfixed findings are ignored' };
  if (severities && !severities.has(finding.severity.severity)) {
    return { finding, by: 'severity', reason: `severity ${finding.severity.severity} is not among the selected severities (${[...severities].join(', ')})` };
  }
  return undefined;
}

/** OpenVEX: of the statements about one vulnerability and product, the latest wins; on a tie, the one given last. */
function latest(statements: readonly VexStatement[]): VexStatement | undefined {
  let best: VexStatement | undefined;
  for (const statement of statements) {
    if (!best || (statement.time ?? -Infinity) >= (best.time ?? -Infinity)) best = statement;
  }
  return best;
}

interface Indexed<T> {
  readonly byId: ReadonlyMap<string, readonly T[]>;
  readonly order: ReadonlyMap<T, number>;
}

/** Rules by each ID they name, so a finding only looks at the rules about its own vulnerability. */
function indexByIds<T>(rules: readonly T[], idsOfRule: (rule: T) => readonly string[]): Indexed<T> {
  const byId = new Map<string, T[]>();
  const order = new Map<T, number>();
  rules.forEach((rule, position) => {
    order.set(rule, position);
    for (const id of idsOfRule(rule)) {
      const list = byId.get(id) ?? [];
      list.push(rule);
      byId.set(id, list);
    }
  });
  return { byId, order };
}

/** The rules naming any of `ids`, once each, in the order the policy gave them. */
function candidates<T>(index: Indexed<T>, ids: readonly string[]): T[] {
  const found = new Set<T>();
  for (const id of ids) for (const rule of index.byId.get(id) ?? []) found.add(rule);
  return [...found].sort((a, b) => index.order.get(a)! - index.order.get(b)!);
}
