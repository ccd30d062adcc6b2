import { z } from 'zod';
import { CustomsError, messageOf } from '../errors.ts';
import { describeIssue, policyErrorMap } from '../policy/issue-messages.ts';
import type { ExpiringLifecycleRule } from './repository-settings.ts';
import { compilePrefix, compileWildcard, type Wildcard } from './wildcard.ts';

/**
 * Which rules of a repository's ECR lifecycle policy could expire an image quarantine leaves behind:
 * one left untagged, or one whose only tag is its marker (`<markerPrefix><12 hex>`). The policy is
 * whatever the repository's owners wrote, so it is validated: the fields a decision rests on strictly,
 * anything else (fields ECR adds later) let through.
 *
 * Format and evaluation as ECR documents them:
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html (fields;
 * `tagged` needs tagPrefixList or tagPatternList, `untagged` neither; several entries select only
 * images carrying all of them; `*` wildcards, whole-tag match),
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html (template:
 * storageClass standard|archive, countType imageCountMoreThan|sinceImagePushed|sinceImagePulled|
 * sinceImageTransitioned, action expire|transition with targetStorageClass archive) and
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html (rules apply lowest
 * priority first; an image that matches the tag selection of an earlier rule cannot be expired by a
 * later one).
 */

/** The marker's variable part: this many lowercase hex digits after the prefix. */
export const MARKER_HEX_DIGITS = 12;
const HEX = [...'0123456789abcdef'];

const tagList = z.array(z.string().min(1)).min(1);

const selectionSchema = z
  .looseObject({
    tagStatus: z.enum(['tagged', 'untagged', 'any']),
    tagPrefixList: tagList.optional(),
    tagPatternList: tagList.optional(),
    // Lenient on values ECR may add: these only shape the reason line.
    storageClass: z.string().min(1).optional(),
    countType: z.string().min(1),
    countUnit: z.string().min(1).optional(),
    countNumber: z.number().int().min(1),
  })
  .superRefine((selection, context) => {
    const lists = selection.tagPrefixList !== undefined || selection.tagPatternList !== undefined;
    if (selection.tagStatus === 'tagged' && !lists) context.addIssue({ code: 'custom', message: 'is tagged but names neither tagPrefixList nor tagPatternList', input: selection });
    if (selection.tagStatus === 'untagged' && lists) context.addIssue({ code: 'custom', message: 'is untagged but names tagPrefixList or tagPatternList', input: selection });
  });

const ruleSchema = z.looseObject({
  rulePriority: z.number().int().min(1),
  description: z.string().optional(),
  selection: selectionSchema,
  action: z.looseObject({ type: z.enum(['expire', 'transition']), targetStorageClass: z.string().optional() }),
});

const policySchema = z.looseObject({ rules: z.array(ruleSchema) }).superRefine((policy, context) => {
  const seen = new Set<number>();
  policy.rules.forEach((rule, index) => {
    if (seen.has(rule.rulePriority)) context.addIssue({ code: 'custom', path: ['rules', index, 'rulePriority'], message: `${rule.rulePriority} is used by an earlier rule (priorities must be unique)`, input: rule.rulePriority });
    seen.add(rule.rulePriority);
  });
});

type Selection = z.output<typeof selectionSchema>;
type MarkerMatch = 'none' | 'some' | 'all';

/** The rules that could expire a quarantined image, lowest priority first, each with why. */
export function expiringRules(policyText: string, markerPrefix: string): ExpiringLifecycleRule[] {
  const policy = parsePolicy(policyText);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  // Per storage class: an earlier expire rule whose tag selection takes every untagged (or every
  // marker-only) image keeps later rules from expiring those.
  const claimedUntagged = new Set<string>();
  const claimedMarker = new Set<string>();
  const risky: ExpiringLifecycleRule[] = [];
  for (const rule of rules) {
    if (rule.action.type !== 'expire') continue;
    const storage = rule.selection.storageClass ?? 'standard';
    const untagged = rule.selection.tagStatus !== 'tagged';
    const marker = markerMatch(rule.selection, markerPrefix);
    const hitsUntagged = untagged && !claimedUntagged.has(storage);
    const hitsMarker = marker !== 'none' && !claimedMarker.has(storage);
    if (hitsUntagged || hitsMarker) {
      risky.push({
        priority: rule.rulePriority,
        ...(rule.description !== undefined ? { description: rule.description } : {}),
        reason: reasonFor(rule.selection, hitsUntagged, hitsMarker),
      });
    }
    if (untagged) claimedUntagged.add(storage);
    if (marker === 'all') claimedMarker.add(storage);
  }
  return risky;
}

function parsePolicy(text: string): z.output<typeof policySchema> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CustomsError('malformed', `lifecycle policy is not JSON: ${messageOf(error)}`, { cause: error });
  }
  const parsed = policySchema.safeParse(value, { error: policyErrorMap });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => describeIssue(issue, 'the policy'));
  throw new CustomsError('malformed', `lifecycle policy is not valid: ${problems.join('; ')}`);
}

/** Whether the rule's tag selection takes no marker-only image, some of them, or every one. */
function markerMatch(selection: Selection, markerPrefix: string): MarkerMatch {
  if (selection.tagStatus === 'any') return 'all';
  if (selection.tagStatus === 'untagged') return 'none';
  // Every entry must match the image's one tag (ECR selects images carrying all of them).
  const wildcards = [...(selection.tagPrefixList ?? []).map(compilePrefix), ...(selection.tagPatternList ?? []).map(compileWildcard)];
  const template = markerTemplate(markerPrefix);
  if (!someMarkerMatchesAll(wildcards, template)) return 'none';
  return wildcards.every((wildcard) => everyMarkerMatches(wildcard, template)) ? 'all' : 'some';
}

/** The characters each position of a marker may hold. */
function markerTemplate(markerPrefix: string): readonly (readonly string[])[] {
  return [...[...markerPrefix].map((character) => [character]), ...Array.from({ length: MARKER_HEX_DIGITS }, () => HEX)];
}

// Walks every marker at once: the set of pattern states reachable after each position.
function someMarkerMatchesAll(wildcards: readonly Wildcard[], template: readonly (readonly string[])[]): boolean {
  let frontier = new Map<string, readonly ReadonlySet<number>[]>([[keyOf(wildcards.map((w) => w.start)), wildcards.map((w) => w.start)]]);
  for (const characters of template) {
    const next = new Map<string, readonly ReadonlySet<number>[]>();
    for (const states of frontier.values()) {
      for (const character of characters) {
        const stepped = wildcards.map((wildcard, index) => wildcard.step(states[index]!, character));
        if (stepped.some((set) => set.size === 0)) continue;
        next.set(keyOf(stepped), stepped);
      }
    }
    if (next.size === 0) return false;
    frontier = next;
  }
  return [...frontier.values()].some((states) => wildcards.every((wildcard, index) => wildcard.accepts(states[index]!)));
}

function everyMarkerMatches(wildcard: Wildcard, template: readonly (readonly string[])[]): boolean {
  let frontier = new Map<string, ReadonlySet<number>>([[keyOf([wildcard.start]), wildcard.start]]);
  for (const characters of template) {
    const next = new Map<string, ReadonlySet<number>>();
    for (const states of frontier.values()) {
      for (const character of characters) {
        const stepped = wildcard.step(states, character);
        if (stepped.size === 0) return false;
        next.set(keyOf([stepped]), stepped);
      }
    }
    frontier = next;
  }
  return [...frontier.values()].every((states) => wildcard.accepts(states));
}

function keyOf(sets: readonly ReadonlySet<number>[]): string {
  return sets.map((set) => [...set].sort((a, b) => a - b).join(',')).join('|');
}

function reasonFor(selection: Selection, untagged: boolean, marker: boolean): string {
  const archived = selection.storageClass === 'archive' ? 'archived ' : '';
  const markerOnly = 'whose only tag is a quarantine marker';
  if (selection.tagStatus === 'any') {
    const kinds = [...(untagged ? ['untagged ones'] : []), ...(marker ? [`ones ${markerOnly}`] : [])];
    return `expires any ${archived}image ${criterionOf(selection)} (${kinds.join(', and ')})`;
  }
  const what = selection.tagStatus === 'untagged' ? `${archived}untagged images` : `${archived}images ${markerOnly} (${listsOf(selection)})`;
  return `expires ${what} ${criterionOf(selection)}`;
}

function listsOf(selection: Selection): string {
  const lists: string[] = [];
  if (selection.tagPrefixList) lists.push(`tagPrefixList ${JSON.stringify(selection.tagPrefixList)}`);
  if (selection.tagPatternList) lists.push(`tagPatternList ${JSON.stringify(selection.tagPatternList)}`);
  return lists.join(', ');
}

function criterionOf(selection: Selection): string {
  const unit = selection.countUnit ?? 'days';
  switch (selection.countType) {
    case 'imageCountMoreThan':
      return `beyond the newest ${selection.countNumber}`;
    case 'sinceImagePushed':
      return `${selection.countNumber} ${unit} after push`;
    case 'sinceImagePulled':
      return `${selection.countNumber} ${unit} after their last pull`;
    case 'sinceImageTransitioned':
      return `${selection.countNumber} ${unit} after archiving`;
    default:
      return `by ${selection.countType} ${selection.countNumber}`;
  }
}
