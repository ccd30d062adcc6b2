import { Token, Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { RepositorySelection } from './config/customs-config.ts';
import type { CustomsStack } from './customs-stack.ts';

/**
 * Every cdk-nag finding Customs acknowledges, each on one resource with its reason. This is the one
 * place they are made; test/infra/nag.test.ts snapshot-tests the list, so a new one is a visible change.
 */
export interface NagAcknowledgement {
  readonly resource: IConstruct;
  readonly id: string;
  readonly reason: string;
}

const DLQ_REASON = 'a dead-letter queue of a dead-letter queue would only move the problem; an alarm watches this one.';

export function nagAcknowledgements(stack: CustomsStack): NagAcknowledgement[] {
  const { scanner, events, sboms, findings, advisories, topics } = stack;
  const policy = scanner.role.node.findChild('DefaultPolicy');
  const arnOf = (resource: IConstruct): string => `<${stack.getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;
  return [
    {
      resource: policy,
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        scanner.quarantineRepositories === undefined
          ? 'ecr:GetAuthorizationToken has no resource-level permissions; it is the only action granted on *.'
          : 'ecr:GetAuthorizationToken, and for enforce-mode quarantine the registry-wide reads ecr:DescribePullThroughCacheRules and ecr:DescribeRegistry (pull-through-cache and replication rules), have no resource-level permissions; they are the only actions granted on *.',
    },
    ...repositoryPatternAcknowledgements(stack, stack.config.watchedRepositories, scanner.quarantineRepositories).map(({ pattern, reason }) => ({
      resource: policy,
      id: `AwsSolutions-IAM5[Resource::${pattern}]`,
      reason,
    })),
    {
      resource: policy,
      id: `AwsSolutions-IAM5[Resource::${arnOf(findings.table)}/index/*]`,
      reason: "Queries on the findings table's own global secondary indexes, nothing else.",
    },
    {
      resource: policy,
      id: `AwsSolutions-IAM5[Resource::${arnOf(advisories.table)}/index/*]`,
      reason: "Queries on the advisory table's own global secondary index, nothing else.",
    },
    {
      resource: policy,
      id: `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/*]`,
      reason: "GetObject/PutObject on the SBOM bucket's own objects, whose keys (by digest) are not known in advance.",
    },
    {
      resource: scanner.function,
      id: 'Serverless-LambdaTracing',
      reason: 'X-Ray needs xray:Put* on * and is priced per trace; structured logs and EMF metrics carry repository, digest and timings instead.',
    },
    {
      resource: scanner.function,
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked only by the SQS event source: failed records return to the scan queue and reach its DLQ after 5 receives. A function DLQ serves asynchronous invokes only and would never receive anything.',
    },
    {
      resource: scanner.eventSourceMapping,
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: "An on-failure destination is for stream and Kafka sources; SQS event source mappings reject one (the deploy fails). The scan queue's redrive policy is the failure destination.",
    },
    { resource: events.deadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The scan queue's DLQ: ${DLQ_REASON}` },
    { resource: events.targetDeadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The EventBridge target's DLQ: ${DLQ_REASON}` },
    { resource: events.targetDeadLetterQueue, id: 'AwsSolutions-SQS3', reason: `The EventBridge target's DLQ, for events the rules could not deliver: ${DLQ_REASON}` },
    { resource: topics.deliveryDeadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The SNS subscriptions' DLQ: ${DLQ_REASON}` },
    { resource: topics.deliveryDeadLetterQueue, id: 'AwsSolutions-SQS3', reason: `The SNS subscriptions' DLQ, for alerts SNS could not deliver to a subscriber: ${DLQ_REASON}` },
    {
      resource: sboms.bucket,
      id: 'AwsSolutions-S1',
      reason: 'Only the scanner role reads and writes it; server access logs would need a second bucket and cost per request. CloudTrail S3 data events can be turned on per account when an audit needs them.',
    },
    ...continuousAssessmentAcknowledgements(stack, arnOf),
    ...dailyReviewAcknowledgements(stack, arnOf),
    ...findingsApiAcknowledgements(stack, arnOf),
  ];
}

const TRACING_REASON = 'X-Ray needs xray:Put* on * and is priced per trace; structured logs and EMF metrics carry the sync, ecosystem and digest instead.';

// The advisory sync and the rescan (lib/constructs/advisory-sync.ts, rescan-pipeline.ts).
function continuousAssessmentAcknowledgements(stack: CustomsStack, arnOf: (resource: IConstruct) => string): NagAcknowledgement[] {
  const { advisorySync, rescan, findings, advisories, sboms } = stack;
  const syncPolicy = advisorySync.handler.role.node.findChild('DefaultPolicy');
  const rescanPolicy = rescan.handler.role.node.findChild('DefaultPolicy');
  const changeSets = `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/advisory-changes/*]`;
  return [
    { resource: syncPolicy, id: changeSets, reason: "The sync's change sets only (advisory-changes/ in the SBOM bucket), keyed by a syncId not known in advance." },
    { resource: rescanPolicy, id: `AwsSolutions-IAM5[Resource::${arnOf(findings.table)}/index/*]`, reason: "Queries on the findings table's own global secondary indexes (the image states of a digest), nothing else." },
    { resource: rescanPolicy, id: `AwsSolutions-IAM5[Resource::${arnOf(advisories.table)}/index/*]`, reason: "Reads on the advisory table's own global secondary index, nothing else." },
    { resource: rescanPolicy, id: `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/sboms/*]`, reason: 'GetObject on stored SBOM documents only (sboms/ in the SBOM bucket), keyed by digest: a rescan reads the SBOM of each image it re-evaluates.' },
    { resource: rescanPolicy, id: changeSets, reason: "GetObject on the sync's change sets only (advisory-changes/ in the SBOM bucket), named by the syncId of each rescan message." },
    ...(rescan.quarantineRepositories === undefined
      ? []
      : [
          { resource: rescanPolicy, id: 'AwsSolutions-IAM5[Resource::*]', reason: 'For enforce-mode quarantine on rescan, ecr:DescribePullThroughCacheRules and ecr:DescribeRegistry have no resource-level permissions; they are the only actions granted on *.' },
          ...ecrRepositoryPatterns(stack, rescan.quarantineRepositories).map((pattern) => ({
            resource: rescanPolicy,
            id: `AwsSolutions-IAM5[Resource::${pattern}]`,
            reason: `${QUARANTINE}, with BatchGetImage and DescribeImages to read the image being quarantined or released: ${PATTERN_NATURE}`,
          })),
        ]),
    { resource: advisorySync.handler.function, id: 'Serverless-LambdaTracing', reason: TRACING_REASON },
    { resource: rescan.handler.function, id: 'Serverless-LambdaTracing', reason: TRACING_REASON },
    {
      resource: advisorySync.handler.function,
      id: 'Serverless-LambdaDLQ',
      reason: "Its asynchronous invocations (the schedule's) have an on-failure destination, the failure queue, which records the error with the event as a DLQ does not; continuations fail into their queue's DLQ.",
    },
    {
      resource: rescan.handler.function,
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked only by the SQS event source: failed records return to the rescan queue and reach its DLQ after 5 receives. A function DLQ serves asynchronous invokes only and would never receive anything.',
    },
    {
      resource: advisorySync.continuationSource,
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: "SQS event source mappings reject an on-failure destination; the continuation queue's redrive policy is the failure destination.",
    },
    {
      resource: rescan.eventSourceMapping,
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: "SQS event source mappings reject an on-failure destination; the rescan queue's redrive policy is the failure destination.",
    },
    { resource: rescan.deadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The rescan queue's DLQ: ${DLQ_REASON}` },
    { resource: advisorySync.continuationDeadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The sync continuation queue's DLQ: ${DLQ_REASON}` },
    { resource: advisorySync.scheduleDeadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The sync schedule's DLQ: ${DLQ_REASON}` },
    { resource: advisorySync.scheduleDeadLetterQueue, id: 'AwsSolutions-SQS3', reason: `The sync schedule's DLQ, for ticks EventBridge Scheduler could not deliver: ${DLQ_REASON}` },
    { resource: advisorySync.failureQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The sync function's on-failure destination: ${DLQ_REASON}` },
    { resource: advisorySync.failureQueue, id: 'AwsSolutions-SQS3', reason: `The sync function's on-failure destination, for invocations that failed after Lambda's retries: ${DLQ_REASON}` },
  ];
}

// The daily pass (lib/constructs/daily-review.ts).
function dailyReviewAcknowledgements(stack: CustomsStack, arnOf: (resource: IConstruct) => string): NagAcknowledgement[] {
  const { dailyReview, findings, sboms } = stack;
  const policy = dailyReview.handler.role.node.findChild('DefaultPolicy');
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const everyRepository = `arn:<AWS::Partition>:ecr:${region}:${account}:repository/*`;
  const describes = ecrRepositoryPatterns(stack, stack.config.watchedRepositories);
  const quarantines = dailyReview.quarantineRepositories === undefined ? [] : ecrRepositoryPatterns(stack, dailyReview.quarantineRepositories);
  const patterns = [...new Set([everyRepository, ...describes, ...quarantines])];
  const uses = (pattern: string): string =>
    [
      ...(pattern === everyRepository ? ['ecr:DescribeRepositories, which lists repositories without naming them (a watched prefix cannot be named in advance): it reads names only'] : []),
      ...(describes.includes(pattern) ? ['ecr:DescribeImages on the watched repositories, to find images whose push event was lost and tags to reconcile'] : []),
      ...(quarantines.includes(pattern) ? [`${QUARANTINE}, for verdicts the daily review re-judges`] : []),
    ].join('; and ');
  return [
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(findings.table)}/index/*]`, reason: "Queries on the findings table's own global secondary indexes (repositories' images, the scanner-version index), nothing else." },
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/sboms/*]`, reason: 'GetObject on stored SBOM documents only (sboms/ in the SBOM bucket), keyed by digest: a re-judged verdict may read the SBOM of its image.' },
    ...patterns.map((pattern) => ({ resource: policy, id: `AwsSolutions-IAM5[Resource::${pattern}]`, reason: `${uses(pattern)}: ${PATTERN_NATURE}` })),
    ...(dailyReview.quarantineRepositories === undefined
      ? []
      : [{ resource: policy, id: 'AwsSolutions-IAM5[Resource::*]', reason: 'For enforce-mode quarantine of re-judged verdicts, ecr:DescribePullThroughCacheRules and ecr:DescribeRegistry have no resource-level permissions; they are the only actions granted on *.' }]),
    { resource: dailyReview.handler.function, id: 'Serverless-LambdaTracing', reason: TRACING_REASON },
    {
      resource: dailyReview.handler.function,
      id: 'Serverless-LambdaDLQ',
      reason: "Invoked only asynchronously by its schedule, with an on-failure destination (the failure queue), which records the error with the event as a DLQ does not.",
    },
    { resource: dailyReview.scheduleDeadLetterQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The daily schedule's DLQ: ${DLQ_REASON}` },
    { resource: dailyReview.scheduleDeadLetterQueue, id: 'AwsSolutions-SQS3', reason: `The daily schedule's DLQ, for ticks EventBridge Scheduler could not deliver: ${DLQ_REASON}` },
    { resource: dailyReview.failureQueue, id: 'Serverless-SQSRedrivePolicy', reason: `The daily function's on-failure destination: ${DLQ_REASON}` },
    { resource: dailyReview.failureQueue, id: 'AwsSolutions-SQS3', reason: `The daily function's on-failure destination, for invocations that failed after Lambda's retries: ${DLQ_REASON}` },
  ];
}

// The findings API (lib/constructs/findings-api.ts).
function findingsApiAcknowledgements(stack: CustomsStack, arnOf: (resource: IConstruct) => string): NagAcknowledgement[] {
  const { findingsApi, findings, advisories, sboms } = stack;
  const policy = findingsApi.handler.role.node.findChild('DefaultPolicy');
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const everyRepository = `arn:<AWS::Partition>:ecr:${region}:${account}:repository/*`;
  const describes = ecrRepositoryPatterns(stack, stack.config.watchedRepositories);
  const releases = findingsApi.quarantineRepositories === undefined ? [] : ecrRepositoryPatterns(stack, findingsApi.quarantineRepositories);
  const patterns = [...new Set([everyRepository, ...describes, ...releases])];
  const uses = (pattern: string): string =>
    [
      ...(pattern === everyRepository ? ['ecr:DescribeRepositories, which a backfill uses to list repositories without naming them (a watched prefix cannot be named in advance): it reads names only'] : []),
      ...(describes.includes(pattern) ? ['ecr:DescribeImages on the watched repositories, to list the images a backfill queues'] : []),
      ...(releases.includes(pattern) ? [`${QUARANTINE}, with BatchGetImage and DescribeImages, for a release asked for through the API`] : []),
    ].join('; and ');
  return [
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(findings.table)}/index/*]`, reason: "Queries on the findings table's own global secondary indexes (images by repository, verdict and vulnerability; the action log), nothing else." },
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(advisories.table)}/index/*]`, reason: "Reads on the advisory table's own global secondary index (a vulnerability by any alias), nothing else." },
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/sboms/*]`, reason: 'GetObject on stored SBOM documents only (sboms/ in the SBOM bucket), keyed by digest: the SBOM route serves them, through a presigned URL past the response cap.' },
    { resource: policy, id: `AwsSolutions-IAM5[Resource::${arnOf(sboms.bucket)}/api-answers/*]`, reason: "GetObject/PutObject on the API's large answers only (api-answers/ in the SBOM bucket, expiring after a day), keyed per request: served through presigned URLs past the 6 MB response cap." },
    ...patterns.map((pattern) => ({ resource: policy, id: `AwsSolutions-IAM5[Resource::${pattern}]`, reason: `${uses(pattern)}: ${PATTERN_NATURE}` })),
    ...(findingsApi.quarantineRepositories === undefined
      ? []
      : [{ resource: policy, id: 'AwsSolutions-IAM5[Resource::*]', reason: 'For a release through the API, ecr:DescribePullThroughCacheRules and ecr:DescribeRegistry have no resource-level permissions; they are the only actions granted on *.' }]),
    { resource: findingsApi.handler.function, id: 'Serverless-LambdaTracing', reason: 'X-Ray needs xray:Put* on * and is priced per trace; the access log (request ID, caller, route, status, latency) and structured logs carry each request instead.' },
    {
      resource: findingsApi.handler.function,
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked only synchronously by API Gateway: a failed invocation is the caller\'s error answer and nothing is left to retry. A function DLQ serves asynchronous invokes only and would never receive anything.',
    },
  ];
}

const PATTERN_NATURE = 'a configured prefix (or every repository) is an ARN pattern by nature.';
const READS = 'ECR reads on the watched repositories';
const QUARANTINE = 'ECR quarantine (PutImage, BatchDeleteImage, UpdateImageStorageClass, DescribeRepositories, GetLifecyclePolicy) on the watched repositories an enforce-mode policy reaches';

// One acknowledgement per repository pattern, naming the grants that use it: reads on the watched
// repositories, quarantine on those an enforce-mode policy reaches (always among the watched).
function repositoryPatternAcknowledgements(stack: Stack, watched: RepositorySelection, quarantine: RepositorySelection | undefined): { pattern: string; reason: string }[] {
  const reads = ecrRepositoryPatterns(stack, watched);
  const writes = quarantine === undefined ? [] : ecrRepositoryPatterns(stack, quarantine);
  return [...new Set([...reads, ...writes])].map((pattern) => {
    const uses = [...(reads.includes(pattern) ? [READS] : []), ...(writes.includes(pattern) ? [QUARANTINE] : [])];
    return { pattern, reason: `${uses.join(', and ')} only: ${PATTERN_NATURE}` };
  });
}

// The ECR repository resources holding `*`, rendered as cdk-nag names them.
function ecrRepositoryPatterns(stack: Stack, repositories: RepositorySelection): string[] {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const arn = (name: string): string => `arn:<AWS::Partition>:ecr:${region}:${account}:repository/${name}`;
  if (repositories === 'all') return [arn('*')];
  return repositories.prefixes.map((prefix) => arn(`${prefix}*`));
}

export function acknowledgeNagFindings(stack: CustomsStack): void {
  for (const { resource, id, reason } of nagAcknowledgements(stack)) Validations.of(resource).acknowledge({ id, reason });
}
