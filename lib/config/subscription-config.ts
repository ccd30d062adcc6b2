import { z } from 'zod';
import type { AlertAudience } from '../../lambdas/core/alerts/alert-model.ts';

/**
 * SNS subscriptions as the configuration writes them (`customs.alerts.subscriptions`,
 * `customs.operations.subscriptions`): the endpoint checked for its protocol and the filter policy
 * checked against SNS's limits, so a wrong one fails `cdk synth` instead of the deploy.
 */

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const PARTITION = 'aws(?:-[a-z]+)*';
const SQS_QUEUE_ARN = new RegExp(`^arn:${PARTITION}:sqs:${REGION}:\\d{12}:[A-Za-z0-9_-]{1,80}(?:\\.fifo)?$`);
const LAMBDA_FUNCTION_ARN = new RegExp(`^arn:${PARTITION}:lambda:${REGION}:(\\d{12}):function:[A-Za-z0-9_-]{1,64}(?::(?:\\$LATEST|[A-Za-z0-9_-]{1,128}))?$`);

// SNS's limits on one subscription's filter policy.
const MAX_FILTER_ATTRIBUTES = 5;
const MAX_FILTER_COMBINATIONS = 150;

/** One condition on a message attribute: a value, or an operator (`{ "numeric": [">=", 4] }`, `{ "prefix": "team-" }`, ...). */
export type FilterCondition = string | number | boolean | null | { readonly [operator: string]: unknown };
/** An SNS filter policy on message attributes: attribute name → accepted conditions; `$or` → alternative policies. */
export type AttributeFilterPolicy = { readonly [attribute: string]: readonly FilterCondition[] };

const filterCondition = z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), z.unknown())]);

const attributeFilterPolicy: z.ZodType<AttributeFilterPolicy> = z
  .record(z.string().min(1), z.array(filterCondition, { error: (issue) => (issue.code === 'invalid_type' ? 'must be a list of conditions (message attribute policies are flat: nested keys would filter the body)' : undefined) }).min(1, 'must list at least one condition'))
  .superRefine((policy, context) => {
    const branches = policy.$or;
    if (branches === undefined) return;
    branches.forEach((branch, index) => {
      const parsed = attributeFilterPolicy.safeParse(branch);
      if (parsed.success) return;
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', path: ['$or', index, ...issue.path], message: issue.message, input: branch });
    });
  });

export const SUBSCRIPTION_PROTOCOLS = ['email', 'https', 'sqs', 'lambda'] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];

const subscriptionShape = z.strictObject({
  protocol: z.enum(SUBSCRIPTION_PROTOCOLS),
  endpoint: z.string().min(1),
  /** An SNS filter policy on message attributes (FilterPolicyScope MessageAttributes). */
  filterPolicy: attributeFilterPolicy.optional(),
  /** SQS and HTTPS only: the message alone, without SNS's JSON envelope. */
  rawMessageDelivery: z.boolean().optional(),
});

export type SubscriptionConfig = z.output<typeof subscriptionShape>;

/** Why an endpoint does not fit its protocol, or undefined. */
function endpointProblem(protocol: SubscriptionProtocol, endpoint: string): string | undefined {
  switch (protocol) {
    case 'email':
      return z.email().safeParse(endpoint).success ? undefined : 'is not an email address';
    case 'https':
      return URL.canParse(endpoint) && new URL(endpoint).protocol === 'https:' ? undefined : 'is not an https:// URL';
    case 'sqs':
      if (!SQS_QUEUE_ARN.test(endpoint)) return 'is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)';
      return endpoint.endsWith('.fifo') ? 'is a FIFO queue, which only a FIFO topic can deliver to' : undefined;
    case 'lambda':
      return LAMBDA_FUNCTION_ARN.test(endpoint) ? undefined : 'is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)';
  }
}

/** The account of a Lambda function ARN (already validated). */
export function lambdaAccountOf(functionArn: string): string | undefined {
  return LAMBDA_FUNCTION_ARN.exec(functionArn)?.[1];
}

/** The region of an SQS or Lambda ARN (already validated). */
export function arnRegionOf(arn: string): string | undefined {
  return arn.split(':')[3];
}

// Every configured subscription filters on `audience` (see alert-model.ts): people read email,
// machines take every per-image message of a storm.
const AUDIENCE_OF: Readonly<Record<SubscriptionProtocol, readonly AlertAudience[]>> = {
  email: ['all', 'people'],
  https: ['all', 'machines'],
  sqs: ['all', 'machines'],
  lambda: ['all', 'machines'],
};

/** The filter policy an alerts subscription gets: the user's, with the protocol's `audience` unless they set one. */
export function alertFilterPolicy(subscription: SubscriptionConfig): AttributeFilterPolicy {
  const policy = subscription.filterPolicy ?? {};
  if ('audience' in policy) return policy;
  return { ...policy, audience: AUDIENCE_OF[subscription.protocol] };
}

/**
 * Operations subscriptions on the alerts topic take only what carries no `audience`: alarm
 * notifications, which carry no message attributes at all.
 */
export const ALARMS_ONLY_FILTER_POLICY: AttributeFilterPolicy = { audience: [{ exists: false }] };

function attributeNames(policy: AttributeFilterPolicy, into = new Set<string>()): Set<string> {
  for (const [name, conditions] of Object.entries(policy)) {
    if (name !== '$or') into.add(name);
    else for (const branch of conditions) attributeNames(branch as AttributeFilterPolicy, into);
  }
  return into;
}

/** SNS's count: the product of each attribute's values, branches of `$or` adding up. */
function combinations(policy: AttributeFilterPolicy): number {
  let total = 1;
  for (const [name, conditions] of Object.entries(policy)) {
    total *= name === '$or' ? conditions.reduce<number>((sum, branch) => sum + combinations(branch as AttributeFilterPolicy), 0) : conditions.length;
  }
  return total;
}

function filterPolicyProblem(policy: AttributeFilterPolicy): string | undefined {
  const names = attributeNames(policy).size;
  if (names > MAX_FILTER_ATTRIBUTES) return `names ${String(names)} attributes (audience included); SNS accepts at most ${String(MAX_FILTER_ATTRIBUTES)}`;
  const count = combinations(policy);
  if (count > MAX_FILTER_COMBINATIONS) return `has ${String(count)} combinations of values (audience included); SNS accepts at most ${String(MAX_FILTER_COMBINATIONS)}`;
  return undefined;
}

function checkShape(subscription: SubscriptionConfig, context: z.RefinementCtx): void {
  const problem = endpointProblem(subscription.protocol, subscription.endpoint);
  if (problem !== undefined) context.addIssue({ code: 'custom', path: ['endpoint'], message: problem, input: subscription.endpoint });
  if (subscription.rawMessageDelivery !== undefined && subscription.protocol !== 'sqs' && subscription.protocol !== 'https') {
    context.addIssue({ code: 'custom', path: ['rawMessageDelivery'], message: 'applies to sqs and https subscriptions only', input: subscription.rawMessageDelivery });
  }
}

/** What identifies a subscription to SNS: one topic holds one subscription per protocol and endpoint. */
export function subscriptionKey(subscription: Pick<SubscriptionConfig, 'protocol' | 'endpoint'>): string {
  return `${subscription.protocol}:${subscription.endpoint}`;
}

/** A subscription to the alerts topic. */
export const alertSubscriptionSchema = subscriptionShape.superRefine((subscription, context) => {
  checkShape(subscription, context);
  const problem = filterPolicyProblem(alertFilterPolicy(subscription));
  if (problem !== undefined) context.addIssue({ code: 'custom', path: ['filterPolicy'], message: problem, input: subscription.filterPolicy });
});

/** A subscription to the alarms; they carry no message attributes, so an attribute filter would drop every one. */
export const operationsSubscriptionSchema = subscriptionShape.superRefine((subscription, context) => {
  checkShape(subscription, context);
  if (subscription.filterPolicy !== undefined) {
    context.addIssue({ code: 'custom', path: ['filterPolicy'], message: 'alarm notifications carry no message attributes, so a filter policy would drop every one', input: subscription.filterPolicy });
  }
});
