import { describe, expect, it } from 'vitest';
import { rescanMarkPk } from '../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { packageIndexPk, waitingIndexPk } from '../../lambdas/adapters/dynamodb/findings-keys.ts';
import { parseConfig, rateSeconds, type CustomsConfigInput } from '../../lib/config/customs-config.ts';
import { ADVISORY_CHANGES_PREFIX, SCHEDULED_SYNC_INPUT, SYNC_ENVIRONMENT } from '../../lib/constructs/advisory-sync.ts';
import { RESCAN_ENVIRONMENT } from '../../lib/constructs/rescan-pipeline.ts';
import { resourcesOfType, synthCustoms, TEST_ENV, type SynthesizedCustoms } from './synth-customs.ts';

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Properties = Record<string, unknown>;

// Defaults (SSE-SQS, hourly); a customer-managed queue key with a faster schedule and other rescan
// sizes; an enforcing policy on prod/ (the rescan may quarantine there).
const defaults = synthCustoms();
const tuned = synthCustoms({
  queueEncryption: 'kms',
  advisorySync: { rate: 'rate(30 minutes)', maxCursorAgeHours: 6, ecosystems: ['Debian', 'npm'], overlapHours: 72, sourceUrl: 'https://osv-mirror.example.com/osv' },
  rescan: { maxConcurrency: 40, digestsPerMessage: 100, memoryMiB: 2048, timeoutSeconds: 600 },
});
const enforcing = synthCustoms({ watchedRepositories: { prefixes: ['prod/', 'dev/'] }, policies: { overrides: [{ repositories: { prefixes: ['prod/'] }, mode: 'enforce' }] } });

/** The one resource of a type whose logical ID starts with `prefix`. */
function idOf({ template }: SynthesizedCustoms, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0]!;
}
const propertiesOf = (synthesized: SynthesizedCustoms, type: string, prefix: string): Properties => resourcesOfType(synthesized.template, type)[idOf(synthesized, type, prefix)]!.Properties!;
const arnOf = (id: string): unknown => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsOf = (bucketId: string, prefix: string): unknown => ({ 'Fn::Join': ['', [arnOf(bucketId), `/${prefix}*`]] });
// A change set is parts under advisory-changes/<syncId>/, listed to be read in order: ListBucket under that prefix only.
const listChangeSets = (bucketId: string): Statement => ({ Sid: 'ListChangeSets', Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf(bucketId), Condition: { StringLike: { 's3:prefix': `${ADVISORY_CHANGES_PREFIX}*` } } });
const statementsOf = (synthesized: SynthesizedCustoms, policyPrefix: string): Statement[] => (propertiesOf(synthesized, 'AWS::IAM::Policy', policyPrefix).PolicyDocument as { Statement: Statement[] }).Statement;

const queue = (synthesized: SynthesizedCustoms, prefix: string): string => idOf(synthesized, 'AWS::SQS::Queue', prefix);
const ids = (synthesized: SynthesizedCustoms) => ({
  sync: idOf(synthesized, 'AWS::Lambda::Function', 'AdvisorySyncFunction'),
  rescan: idOf(synthesized, 'AWS::Lambda::Function', 'RescanFunction'),
  syncLogs: idOf(synthesized, 'AWS::Logs::LogGroup', 'AdvisorySyncLogGroup'),
  rescanLogs: idOf(synthesized, 'AWS::Logs::LogGroup', 'RescanLogGroup'),
  schedulerRole: idOf(synthesized, 'AWS::IAM::Role', 'AdvisorySyncSchedulerRole'),
  scheduleDlq: queue(synthesized, 'AdvisorySyncScheduleDeadLetterQueue'),
  failure: queue(synthesized, 'AdvisorySyncFailureQueue'),
  continuation: queue(synthesized, 'AdvisorySyncContinuationQueue'),
  continuationDlq: queue(synthesized, 'AdvisorySyncContinuationDeadLetterQueue'),
  rescanQueue: queue(synthesized, 'RescanQueue'),
  rescanDlq: queue(synthesized, 'RescanDeadLetterQueue'),
  findings: idOf(synthesized, 'AWS::DynamoDB::Table', 'FindingsTable'),
  advisories: idOf(synthesized, 'AWS::DynamoDB::Table', 'AdvisoriesTable'),
  bucket: idOf(synthesized, 'AWS::S3::Bucket', 'SbomsBucket'),
});
const NEW_QUEUES = ['AdvisorySyncScheduleDeadLetterQueue', 'AdvisorySyncFailureQueue', 'AdvisorySyncContinuationQueue', 'AdvisorySyncContinuationDeadLetterQueue', 'RescanQueue', 'RescanDeadLetterQueue'];
const newQueueIds = (synthesized: SynthesizedCustoms): string[] => NEW_QUEUES.map((prefix) => queue(synthesized, prefix));

describe('the advisory sync schedule', () => {
  it('invokes the sync function at the configured rate with its input, retries twice within one interval, then dead-letters', () => {
    for (const [synthesized, rate, seconds] of [
      [defaults, 'rate(1 hour)', 3600],
      [tuned, 'rate(30 minutes)', 1800],
    ] as const) {
      const { sync, schedulerRole, scheduleDlq } = ids(synthesized);
      const schedule = propertiesOf(synthesized, 'AWS::Scheduler::Schedule', 'AdvisorySyncSchedule');
      expect(schedule).toMatchObject({ ScheduleExpression: rate, FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
      const target = schedule.Target as Properties;
      expect(target).toEqual({
        Arn: arnOf(sync),
        RoleArn: arnOf(schedulerRole),
        Input: expect.any(String),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: seconds },
        DeadLetterConfig: { Arn: arnOf(scheduleDlq) },
      });
      // The handler tells a tick from a continuation by this shape.
      expect(JSON.parse(target.Input as string)).toEqual(SCHEDULED_SYNC_INPUT);
    }
  });

  it('runs as a role only Scheduler of this account and its default group may assume', () => {
    const trust = propertiesOf(defaults, 'AWS::IAM::Role', 'AdvisorySyncSchedulerRole').AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'aws:SourceAccount': TEST_ENV.account,
            'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:scheduler:${TEST_ENV.region}:${TEST_ENV.account}:schedule-group/default`]] },
          },
        },
      },
    ]);
  });

  it('lets that role invoke the sync function and send to its own DLQ only; KMS only with a customer-managed key', () => {
    const expected = (synthesized: SynthesizedCustoms): Statement[] => [
      { Sid: 'InvokeAdvisorySync', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(ids(synthesized).sync) },
      { Sid: 'ScheduleDeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(ids(synthesized).scheduleDlq) },
    ];
    expect(statementsOf(defaults, 'AdvisorySyncSchedulerRoleDefaultPolicy')).toEqual(expected(defaults));
    const key = idOf(tuned, 'AWS::KMS::Key', 'QueueKey');
    expect(statementsOf(tuned, 'AdvisorySyncSchedulerRoleDefaultPolicy')).toEqual([
      ...expected(tuned),
      { Sid: 'EncryptScheduleDeadLetters', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(key) },
    ]);
    // The key trusts the account's IAM policies, so the role's own statement is enough for SQS to use it on the role's behalf.
    const keyPolicy = (propertiesOf(tuned, 'AWS::KMS::Key', 'QueueKey').KeyPolicy as { Statement: Statement[] }).Statement;
    expect(keyPolicy).toContainEqual({ Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TEST_ENV.account}:root`]] } }, Action: 'kms:*', Resource: '*' });
    // And the role is attached to no other policy.
    const attached = Object.values(resourcesOfType(tuned.template, 'AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties!.Roles).includes(ids(tuned).schedulerRole));
    expect(attached).toHaveLength(1);
  });
});

describe('the sync function', () => {
  it('retries a failed asynchronous run twice, drops a run older than an interval, and sends what still fails to the failure queue', () => {
    for (const [synthesized, seconds] of [
      [defaults, 3600],
      [tuned, 1800],
    ] as const) {
      expect(propertiesOf(synthesized, 'AWS::Lambda::EventInvokeConfig', 'AdvisorySyncFunctionEventInvokeConfig')).toEqual({
        FunctionName: { Ref: ids(synthesized).sync },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: seconds,
        DestinationConfig: { OnFailure: { Destination: arnOf(ids(synthesized).failure) } },
      });
    }
  });

  it('has scratch space for all.zip, the longest timeout, and names its tables, queues and settings in its environment', () => {
    const { advisories, findings, bucket, rescanQueue, continuation } = ids(defaults);
    const fn = propertiesOf(defaults, 'AWS::Lambda::Function', 'AdvisorySyncFunction');
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 900, EphemeralStorage: { Size: 2048 } });
    expect((fn.Environment as { Variables: Properties }).Variables).toEqual({
      [SYNC_ENVIRONMENT.advisoryTable]: { Ref: advisories },
      [SYNC_ENVIRONMENT.findingsTable]: { Ref: findings },
      [SYNC_ENVIRONMENT.sbomBucket]: { Ref: bucket },
      [SYNC_ENVIRONMENT.rescanQueue]: { Ref: rescanQueue },
      [SYNC_ENVIRONMENT.continuationQueue]: { Ref: continuation },
      [SYNC_ENVIRONMENT.sourceUrl]: 'https://osv-vulnerabilities.storage.googleapis.com',
      [SYNC_ENVIRONMENT.ecosystems]: 'derived',
      [SYNC_ENVIRONMENT.overlapHours]: '48',
      [SYNC_ENVIRONMENT.fullCompareEveryDays]: '7',
      [SYNC_ENVIRONMENT.digestsPerMessage]: '50',
      POWERTOOLS_SERVICE_NAME: 'customs-advisory-sync',
      POWERTOOLS_METRICS_NAMESPACE: 'Customs',
    });
    const variables = (propertiesOf(tuned, 'AWS::Lambda::Function', 'AdvisorySyncFunction').Environment as { Variables: Properties }).Variables;
    expect(variables).toMatchObject({ ADVISORY_ECOSYSTEMS: 'Debian,npm', OVERLAP_HOURS: '72', OSV_SOURCE_URL: 'https://osv-mirror.example.com/osv', RESCAN_DIGESTS_PER_MESSAGE: '100' });
  });

  it('consumes its continuation queue one message at a time, at most two at once, with partial batch failures', () => {
    const mappings = Object.values(resourcesOfType(defaults.template, 'AWS::Lambda::EventSourceMapping')).map((mapping) => mapping.Properties!);
    expect(mappings.filter((mapping) => JSON.stringify(mapping.FunctionName) === JSON.stringify({ Ref: ids(defaults).sync }))).toEqual([
      { FunctionName: { Ref: ids(defaults).sync }, EventSourceArn: arnOf(ids(defaults).continuation), BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } },
    ]);
  });

  it('is allowed exactly its tables, change sets, marks and queues (IAM, exact)', () => {
    const expected = (synthesized: SynthesizedCustoms, kmsKey?: string): Statement[] => {
      const id = ids(synthesized);
      return [
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(id.syncLogs) },
        { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: arnOf(id.continuation) },
        ...(kmsKey ? [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: arnOf(kmsKey) }] : []),
        {
          Sid: 'SyncAdvisoryTable',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          Resource: arnOf(id.advisories),
        },
        { Sid: 'AdvisoryChangeSets', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objectsOf(id.bucket, ADVISORY_CHANGES_PREFIX) },
        listChangeSets(id.bucket),
        { Sid: 'ReadPackageIndex', Effect: 'Allow', Action: 'dynamodb:Query', Resource: arnOf(id.findings), Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PKG#*', 'WAITING#*'] } } },
        { Sid: 'MarkRescans', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'], Resource: arnOf(id.findings), Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RESCAN#*'] } } },
        { Sid: 'SendSyncMessages', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [arnOf(id.rescanQueue), arnOf(id.continuation), arnOf(id.failure)] },
        ...(kmsKey ? [{ Sid: 'EncryptSyncMessages', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(kmsKey) }] : []),
      ];
    };
    expect(statementsOf(defaults, 'AdvisorySyncRoleDefaultPolicy')).toEqual(expected(defaults));
    expect(statementsOf(tuned, 'AdvisorySyncRoleDefaultPolicy')).toEqual(expected(tuned, idOf(tuned, 'AWS::KMS::Key', 'QueueKey')));
    // The conditions are the adapters' own partitions.
    expect(packageIndexPk('Debian:12', 'openssl')).toMatch(/^PKG#/);
    expect(waitingIndexPk('Debian')).toMatch(/^WAITING#/);
    expect(rescanMarkPk('sync-1')).toMatch(/^RESCAN#/);
  });
});

describe('queues', () => {
  it('redrives the continuation and rescan queues to their DLQs after 5 receives, six function timeouts of visibility', () => {
    const id = ids(defaults);
    expect(propertiesOf(defaults, 'AWS::SQS::Queue', 'AdvisorySyncContinuationQueue')).toMatchObject({ VisibilityTimeout: 5400, RedrivePolicy: { deadLetterTargetArn: arnOf(id.continuationDlq), maxReceiveCount: 5 } });
    expect(propertiesOf(defaults, 'AWS::SQS::Queue', 'RescanQueue')).toMatchObject({ VisibilityTimeout: 1800, RedrivePolicy: { deadLetterTargetArn: arnOf(id.rescanDlq), maxReceiveCount: 5 } });
    expect(propertiesOf(tuned, 'AWS::SQS::Queue', 'RescanQueue')).toMatchObject({ VisibilityTimeout: 3600 });
    for (const dlq of ['AdvisorySyncScheduleDeadLetterQueue', 'AdvisorySyncFailureQueue', 'AdvisorySyncContinuationDeadLetterQueue', 'RescanDeadLetterQueue']) {
      expect(propertiesOf(defaults, 'AWS::SQS::Queue', dlq).RedrivePolicy).toBeUndefined();
    }
  });

  it('encrypts every new queue with SSE-SQS, or the customer-managed key when configured, keeps messages 14 days and refuses anything but TLS', () => {
    const key = idOf(tuned, 'AWS::KMS::Key', 'QueueKey');
    for (const [synthesized, encryption] of [
      [defaults, { SqsManagedSseEnabled: true }],
      [tuned, { KmsMasterKeyId: arnOf(key) }],
    ] as const) {
      const queues = resourcesOfType(synthesized.template, 'AWS::SQS::Queue');
      const policies = Object.values(resourcesOfType(synthesized.template, 'AWS::SQS::QueuePolicy'));
      for (const queueId of newQueueIds(synthesized)) {
        expect(queues[queueId]!.Properties).toMatchObject({ ...encryption, MessageRetentionPeriod: 1_209_600 });
        const policy = policies.find((candidate) => JSON.stringify(candidate.Properties!.Queues) === JSON.stringify([{ Ref: queueId }]));
        expect((policy!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: arnOf(queueId), Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ]);
      }
    }
  });
});

describe('the rescan function', () => {
  it('reads the rescan queue a message at a time with partial batch failures, at the configured maximum concurrency', () => {
    for (const [synthesized, concurrency] of [
      [defaults, 5],
      [tuned, 40],
    ] as const) {
      const { rescan, rescanQueue } = ids(synthesized);
      const mappings = Object.values(resourcesOfType(synthesized.template, 'AWS::Lambda::EventSourceMapping')).map((mapping) => mapping.Properties!);
      expect(mappings.filter((mapping) => JSON.stringify(mapping.FunctionName) === JSON.stringify({ Ref: rescan }))).toEqual([
        { FunctionName: { Ref: rescan }, EventSourceArn: arnOf(rescanQueue), BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: concurrency } },
      ]);
    }
    expect(propertiesOf(tuned, 'AWS::Lambda::Function', 'RescanFunction')).toMatchObject({ MemorySize: 2048, Timeout: 600 });
    expect(JSON.stringify(defaults.template.toJSON())).not.toContain('ReservedConcurrentExecutions');
  });

  it('names its tables, bucket, topic, policy and limits in its environment', () => {
    const { findings, advisories, bucket } = ids(defaults);
    const variables = (propertiesOf(defaults, 'AWS::Lambda::Function', 'RescanFunction').Environment as { Variables: Properties }).Variables;
    expect(variables).toEqual({
      [RESCAN_ENVIRONMENT.findingsTable]: { Ref: findings },
      [RESCAN_ENVIRONMENT.advisoryTable]: { Ref: advisories },
      [RESCAN_ENVIRONMENT.sbomBucket]: { Ref: bucket },
      [RESCAN_ENVIRONMENT.historyDays]: '400',
      [RESCAN_ENVIRONMENT.alertsTopic]: { Ref: idOf(defaults, 'AWS::SNS::Topic', 'AlertsAlertsTopic') },
      [RESCAN_ENVIRONMENT.eventBus]: 'default',
      [RESCAN_ENVIRONMENT.policyParameter]: { Ref: idOf(defaults, 'AWS::SSM::Parameter', 'PolicyParameter') },
      [RESCAN_ENVIRONMENT.emailImageCap]: '20',
      [RESCAN_ENVIRONMENT.advisoryMaxAgeHours]: '48',
      POWERTOOLS_SERVICE_NAME: 'customs-rescan',
      POWERTOOLS_METRICS_NAMESPACE: 'Customs',
    });
  });

  it('is allowed its queue, the tables, SBOMs and change sets, alerts, events and the policy: no ECR in audit mode (IAM, exact)', () => {
    const id = ids(defaults);
    const readWrite = ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'];
    const read = ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
    const tableAndIndexes = (table: string): unknown[] => [arnOf(table), { 'Fn::Join': ['', [arnOf(table), '/index/*']] }];
    const streams = ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
    expect(statementsOf(defaults, 'RescanRoleDefaultPolicy')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(id.rescanLogs) },
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: arnOf(id.rescanQueue) },
      { Effect: 'Allow', Action: readWrite, Resource: tableAndIndexes(id.findings) },
      { Effect: 'Allow', Action: streams, Resource: tableAndIndexes(id.findings) },
      { Effect: 'Allow', Action: read, Resource: tableAndIndexes(id.advisories) },
      { Effect: 'Allow', Action: streams, Resource: tableAndIndexes(id.advisories) },
      { Sid: 'ReadSbomsAndChangeSets', Effect: 'Allow', Action: 's3:GetObject', Resource: [objectsOf(id.bucket, 'sboms/'), objectsOf(id.bucket, ADVISORY_CHANGES_PREFIX)] },
      listChangeSets(id.bucket),
      { Sid: 'PutVerdictEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/default`]] } },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: idOf(defaults, 'AWS::SNS::Topic', 'AlertsAlertsTopic') } },
      { Sid: 'EncryptAlerts', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(idOf(defaults, 'AWS::KMS::Key', 'AlertsKey')) },
      { Sid: 'ReadPolicyDocument', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${TEST_ENV.region}:${TEST_ENV.account}:parameter/`, { Ref: idOf(defaults, 'AWS::SSM::Parameter', 'PolicyParameter') }]] } },
    ]);
  });

  it('in enforce mode, quarantines and releases on the enforced repositories only, reading just the image there', () => {
    const statements = statementsOf(enforcing, 'RescanRoleDefaultPolicy');
    const prod = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/prod/*`]] };
    const ecr = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ecr:')));
    expect(ecr).toEqual([
      { Sid: 'QuarantineImages', Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'], Resource: prod },
      { Sid: 'ReadQuarantineRepositorySettings', Effect: 'Allow', Action: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy'], Resource: prod },
      { Sid: 'ReadQuarantineRegistrySettings', Effect: 'Allow', Action: ['ecr:DescribePullThroughCacheRules', 'ecr:DescribeRegistry'], Resource: '*' },
      { Sid: 'ReadQuarantineImages', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:DescribeImages'], Resource: prod },
    ]);
  });

  it('attaches no managed policy to any role', () => {
    for (const role of Object.values(resourcesOfType(defaults.template, 'AWS::IAM::Role'))) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

describe('alarms', () => {
  type Alarm = { MetricName: string; Namespace: string; Threshold: number; Period: number; Statistic: string; TreatMissingData: string; Dimensions?: { Name: string; Value: unknown }[]; AlarmActions: unknown[] };
  const alarm = (synthesized: SynthesizedCustoms, prefix: string): Alarm => propertiesOf(synthesized, 'AWS::CloudWatch::Alarm', prefix) as unknown as Alarm;

  it('alarms when the oldest ecosystem cursor passes the configured age, or when the sync stops reporting', () => {
    expect(alarm(defaults, 'AdvisorySyncCursorAgeAlarm')).toMatchObject({
      Namespace: 'Customs',
      MetricName: 'OldestAdvisoryCursorAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'customs-advisory-sync' }],
      Statistic: 'Maximum',
      // Three hourly intervals by default; two intervals per period, so each holds a report.
      Threshold: 3 * 3600,
      Period: 7200,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: idOf(defaults, 'AWS::SNS::Topic', 'AlertsOperationsTopic') }],
    });
    expect(alarm(tuned, 'AdvisorySyncCursorAgeAlarm')).toMatchObject({ Threshold: 6 * 3600, Period: 3600 });
  });

  it('alarms on a message in any of the new DLQs and on the sync function’s errors', () => {
    for (const [prefix, queuePrefix] of [
      ['AdvisorySyncScheduleDeadLetterQueueAlarm', 'AdvisorySyncScheduleDeadLetterQueue'],
      ['AdvisorySyncFailureQueueAlarm', 'AdvisorySyncFailureQueue'],
      ['AdvisorySyncContinuationDeadLetterQueueAlarm', 'AdvisorySyncContinuationDeadLetterQueue'],
      ['RescanDeadLetterQueueAlarm', 'RescanDeadLetterQueue'],
    ] as const) {
      expect(alarm(defaults, prefix)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue(defaults, queuePrefix), 'QueueName'] } }],
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    expect(alarm(defaults, 'AdvisorySyncErrorsAlarm')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids(defaults).sync } }], Threshold: 1 });
  });
});

describe('change sets', () => {
  it('expire from the SBOM bucket after the rescan queue’s retention, old versions a day later', () => {
    const rules = ((propertiesOf(defaults, 'AWS::S3::Bucket', 'SbomsBucket').LifecycleConfiguration as { Rules: Properties[] }).Rules).filter((rule) => rule.Id === 'ExpireAdvisoryChangeSets');
    expect(rules).toEqual([{ Id: 'ExpireAdvisoryChangeSets', Prefix: ADVISORY_CHANGES_PREFIX, ExpirationInDays: 15, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }]);
  });
});

describe('configuration', () => {
  it('reads rate expressions as EventBridge Scheduler writes them', () => {
    expect(rateSeconds('rate(1 hour)')).toBe(3600);
    expect(rateSeconds('rate(30 minutes)')).toBe(1800);
    expect(rateSeconds('rate(1 day)')).toBe(86_400);
    for (const bad of ['rate(1 hours)', 'rate(2 hour)', 'rate(0 minutes)', 'cron(0 * * * ? *)', 'rate(1h)', ' rate(1 hour)']) expect(rateSeconds(bad), bad).toBeUndefined();
  });

  it.each([
    [{ advisorySync: { rate: 'every hour' } }, 'customs.advisorySync.rate: must be a rate expression'],
    [{ advisorySync: { rate: 'rate(2 hour)' } }, 'customs.advisorySync.rate: must be a rate expression'],
    [{ advisorySync: { rate: 'rate(1 minute)' } }, 'customs.advisorySync.rate: must be a rate expression from 5 minutes to 12 hours'],
    [{ advisorySync: { rate: 'rate(13 hours)' } }, 'customs.advisorySync.rate: must be a rate expression from 5 minutes to 12 hours'],
    [{ advisorySync: { rate: 'rate(1 day)' } }, 'customs.advisorySync.rate: must be a rate expression from 5 minutes to 12 hours'],
    [{ advisorySync: { rate: 'cron(0 * * * ? *)' } }, 'customs.advisorySync.rate'],
    [{ advisorySync: { sourceUrl: 'http://osv.example.com' } }, 'customs.advisorySync.sourceUrl: must be an https URL'],
    [{ advisorySync: { ecosystems: [] } }, 'customs.advisorySync.ecosystems'],
    [{ advisorySync: { ecosystems: ['Debian/12'] } }, 'customs.advisorySync.ecosystems'],
    [{ advisorySync: { timeoutSeconds: 901 } }, 'customs.advisorySync.timeoutSeconds'],
    [{ advisorySync: { interval: 'hourly' } }, 'customs.advisorySync'],
    [{ rescan: { maxConcurrency: 1 } }, 'customs.rescan.maxConcurrency'],
    [{ rescan: { digestsPerMessage: 1001 } }, 'customs.rescan.digestsPerMessage'],
  ] as [CustomsConfigInput, string][])('refuses %j naming the setting', (input, message) => {
    expect(() => parseConfig(input)).toThrow(message);
  });

  it('defaults the cursor-age alarm to three sync intervals, at least an hour', () => {
    expect(parseConfig({ advisorySync: { rate: 'rate(4 hours)' } }).advisorySync.maxCursorAgeHours).toBe(12);
    expect(parseConfig({ advisorySync: { rate: 'rate(12 hours)' } }).advisorySync.maxCursorAgeHours).toBe(36);
    expect(parseConfig({ advisorySync: { rate: 'rate(5 minutes)' } }).advisorySync.maxCursorAgeHours).toBe(1);
    expect(parseConfig({ advisorySync: { rate: 'rate(5 minutes)', maxCursorAgeHours: 2 } }).advisorySync.maxCursorAgeHours).toBe(2);
  });
});

describe('the daily pass in the stack', () => {
  it('runs on the configured schedule with the configured limits, feeding the scanner queue', () => {
    const { template } = synthCustoms({ dailyReview: { schedule: 'cron(0 5 * * ? *)', reindexPerRun: 50, deletedRetentionDays: 90, backfillMaxAgeDays: 7 } });
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((schedule) => schedule.Properties as Properties);
    const daily = schedules.find((schedule) => (schedule.ScheduleExpression as string).startsWith('cron('));
    expect(daily).toMatchObject({ ScheduleExpression: 'cron(0 5 * * ? *)', ScheduleExpressionTimezone: 'UTC' });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties as Properties);
    const environment = functions.map((fn) => (fn.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {}).find((variables) => 'REINDEX_PER_RUN' in variables);
    expect(environment).toMatchObject({ REINDEX_PER_RUN: '50', DELETED_RETENTION_DAYS: '90', BACKFILL_MAX_AGE_DAYS: '7', SCAN_QUEUE_URL: expect.anything() });
  });

  it('refuses a schedule that is not a Scheduler expression, naming the field', () => {
    expect(() => synthCustoms({ dailyReview: { schedule: '0 3 * * *' } })).toThrow(/dailyReview\.schedule/);
  });
});
