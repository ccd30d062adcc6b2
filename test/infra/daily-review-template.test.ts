import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAILY_ENVIRONMENT, DAILY_REVIEW_INPUT, DailyReview, type DailyReviewConfig, type DailyReviewProps } from '../../lib/constructs/daily-review.ts';
import { TEST_ENV } from './synth-customs.ts';

/** The daily pass construct in a bare stack, its bundle not built. */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const config: DailyReviewConfig = { schedule: 'cron(15 3 * * ? *)', memoryMiB: 1024, timeoutSeconds: 900, backfillMaxAgeDays: 30, reviewBatchSize: 200, reviewConcurrency: 4, reindexPerRun: 500, deletedRetentionDays: 90 };

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function build(extra: Partial<DailyReviewProps> = {}, more?: (stack: Stack, parts: { findingsTable: Table; sbomBucket: Bucket; scanQueue: Queue }) => void) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Daily', { env: TEST_ENV });
  const findingsTable = new Table(stack, 'Findings', { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING }, billingMode: BillingMode.PAY_PER_REQUEST });
  const sbomBucket = new Bucket(stack, 'Sboms');
  const scanQueue = new Queue(stack, 'ScanQueue');
  const daily = new DailyReview(stack, 'DailyReview', {
    entry: `${projectRoot}/lambdas/handlers/daily-review-handler.ts`,
    projectRoot,
    config,
    findingsTable,
    sbomBucket,
    scanQueue,
    watchedRepositories: { names: ['web'], prefixes: ['team-a/'] },
    logRetention: RetentionDays.ONE_MONTH,
    historyDays: 400,
    alertsTopicArn: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:customs-alerts`,
    policyParameterName: '/customs/policy',
    emailImageCap: 20,
    vexObjects: [],
    ...extra,
  });
  // The statements the table and log group grant, as a role of reference gets them.
  const reference = new Role(stack, 'Reference', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  findingsTable.grantReadWriteData(reference);
  daily.handler.logGroup.grantWrite(reference);
  more?.(stack, { findingsTable, sbomBucket, scanQueue });
  return { stack, daily, findingsTable, sbomBucket, scanQueue, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, stack: Stack, role: Role): Statement[] {
  const roleRef = stack.resolve(role.roleArn) as { 'Fn::GetAtt': [string, string] };
  const logicalId = roleRef['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }[];
  return policies.filter((policy) => policy.Properties.Roles.some((ref) => ref.Ref === logicalId)).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const ecrArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/${name}`]] });

describe('the daily review construct', () => {
  it('schedules the daily pass once a day with a retry policy and a DLQ the scheduler role may write to', () => {
    const { stack, daily, template } = build();
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 3 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: stack.resolve(daily.handler.function.functionArn),
        RoleArn: stack.resolve(daily.schedulerRole.roleArn),
        Input: JSON.stringify(DAILY_REVIEW_INPUT),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: stack.resolve(daily.scheduleDeadLetterQueue.queueArn) },
      },
    });
    expect(statementsOf(template, stack, daily.schedulerRole)).toEqual([
      { Sid: 'InvokeDailyReview', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: stack.resolve(daily.handler.function.functionArn) },
      { Sid: 'ScheduleDeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: stack.resolve(daily.scheduleDeadLetterQueue.queueArn) },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: Match.absent(),
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account, 'aws:SourceArn': Match.anyValue() } },
          },
        ],
      },
    });
  });

  it('invokes asynchronously with two retries and an on-failure queue, both queues alarmed', () => {
    const { stack, daily, template, scanQueue } = build();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: stack.resolve(daily.handler.function.functionName),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnFailure: { Destination: stack.resolve(daily.failureQueue.queueArn) } },
    });
    expect(daily.alarms).toHaveLength(2);
    for (const queue of [daily.scheduleDeadLetterQueue, daily.failureQueue]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: stack.resolve(queue.queueName) }],
        Threshold: 1,
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 1024,
      Environment: {
        Variables: Match.objectLike({
          [DAILY_ENVIRONMENT.watchedNames]: 'web',
          [DAILY_ENVIRONMENT.watchedPrefixes]: 'team-a/',
          [DAILY_ENVIRONMENT.backfillMaxAgeDays]: '30',
          [DAILY_ENVIRONMENT.reindexPerRun]: '500',
          [DAILY_ENVIRONMENT.deletedRetentionDays]: '90',
          [DAILY_ENVIRONMENT.scanQueue]: stack.resolve(scanQueue.queueUrl),
        }),
      },
    });
  });

  it("grants exactly what the steps need: the findings table, ECR reads on the watched repositories, SBOM reads, sends to the scanner's queue and the failure queue", () => {
    const { stack, daily, template, sbomBucket, scanQueue } = build();
    const reference = statementsOf(template, stack, stack.node.findChild('Reference') as Role);
    expect(statementsOf(template, stack, daily.handler.role)).toEqual([
      ...reference.filter((statement) => JSON.stringify(statement.Action).includes('logs:')),
      ...reference.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:')),
      { Sid: 'ListRepositories', Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: ecrArn('*') },
      { Sid: 'DescribeWatchedImages', Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: [ecrArn('web'), ecrArn('team-a/*')] },
      { Sid: 'ReadSboms', Effect: 'Allow', Action: 's3:GetObject', Resource: stack.resolve(sbomBucket.arnForObjects('sboms/*')) },
      { Sid: 'SendDailyMessages', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [stack.resolve(scanQueue.queueArn), stack.resolve(daily.failureQueue.queueArn)] },
    ]);
    // Those two filters cover every statement the reference role was given.
    expect(reference.every((statement) => /logs:|dynamodb:/.test(JSON.stringify(statement.Action)))).toBe(true);
  });

  it('with a queue key, enforce mode, events and VEX documents: their statements and nothing wider', () => {
    let daily!: DailyReview;
    let encryptionKey!: Key;
    const base = build({}, (stack, parts) => {
      encryptionKey = new Key(stack, 'QueueKey');
      daily = new DailyReview(stack, 'Enforcing', {
        entry: `${projectRoot}/lambdas/handlers/daily-review-handler.ts`,
        projectRoot,
        config: { schedule: config.schedule, memoryMiB: 1024, timeoutSeconds: 900, reviewBatchSize: 200, reviewConcurrency: 4, reindexPerRun: 500 },
        ...parts,
        watchedRepositories: 'all',
        encryptionKey,
        logRetention: RetentionDays.ONE_MONTH,
        historyDays: 400,
        alertsTopicArn: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:customs-alerts`,
        eventBus: 'default',
        policyParameterName: '/customs/policy',
        emailImageCap: 20,
        vexObjects: [{ bucket: 'vex-docs', key: 'app.openvex.json' }],
        quarantineRepositories: { names: ['web'], prefixes: [] },
      });
    });
    const { template } = base;
    const statements = statementsOf(template, base.stack, daily.handler.role);
    const bySid = Object.fromEntries(statements.filter((statement) => statement.Sid).map((statement) => [statement.Sid!, statement]));
    expect(Object.keys(bySid).sort()).toEqual(
      ['DescribeWatchedImages', 'EncryptDailyMessages', 'ListRepositories', 'PutVerdictEvents', 'QuarantineImages', 'ReadQuarantineImages', 'ReadQuarantineRegistrySettings', 'ReadQuarantineRepositorySettings', 'ReadSboms', 'ReadVexDocuments', 'SendDailyMessages'].sort(),
    );
    expect(bySid.DescribeWatchedImages!.Resource).toEqual(ecrArn('*'));
    expect(bySid.EncryptDailyMessages).toEqual({ Sid: 'EncryptDailyMessages', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: base.stack.resolve(encryptionKey.keyArn) });
    expect(bySid.QuarantineImages!.Resource).toEqual(ecrArn('web'));
    expect(bySid.ReadQuarantineImages).toEqual({ Sid: 'ReadQuarantineImages', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: ecrArn('web') });
    expect(bySid.ReadVexDocuments!.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::vex-docs/app.openvex.json']] });
    expect(bySid.PutVerdictEvents!.Action).toBe('events:PutEvents');
    // The scheduler role may encrypt its dead letters with the key, and the function's variables say "every repository".
    expect(statementsOf(template, base.stack, daily.schedulerRole).map(({ Sid, Action }) => ({ Sid, Action }))).toEqual([
      { Sid: 'InvokeDailyReview', Action: 'lambda:InvokeFunction' },
      { Sid: 'ScheduleDeadLetters', Action: 'sqs:SendMessage' },
      { Sid: 'EncryptScheduleDeadLetters', Action: ['kms:GenerateDataKey', 'kms:Decrypt'] },
    ]);
    const variables = (Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Description?: string; Environment: { Variables: Record<string, unknown> } } }[])
      .map((fn) => fn.Properties.Environment.Variables)
      .filter((vars) => vars[DAILY_ENVIRONMENT.eventBus] === 'default');
    expect(variables).toHaveLength(1);
    expect(variables[0]).toMatchObject({ [DAILY_ENVIRONMENT.watchedAll]: 'all' });
    expect(variables[0]).not.toHaveProperty(DAILY_ENVIRONMENT.watchedNames);
    expect(variables[0]).not.toHaveProperty(DAILY_ENVIRONMENT.backfillMaxAgeDays);
  });
});
