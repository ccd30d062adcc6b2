import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LAYER_ANALYSIS_PREFIX } from '../../lambdas/adapters/s3/s3-layer-analysis-cache.ts';
import { LOAD_REQUEST_PK } from '../../lambdas/adapters/dynamodb/advisory-load-request-keys.ts';
import { ADVISORY_TABLE, FINDINGS_TABLE, type TableSchema } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { routes } from '../../lambdas/core/api/routes.ts';
import { resourcesOfType, synthCustoms, TEST_ENV } from './synth-customs.ts';

// Synthesized once per configuration: the default (SQS-managed keys, every repository) and a
// selective one (names and prefixes, a customer-managed key, destroy on delete).
const defaults = synthCustoms();
const selective = synthCustoms({
  watchedRepositories: { names: ['payments/api', 'web'], prefixes: ['team-a/'] },
  queueEncryption: 'kms',
  removalPolicy: 'destroy',
  scanner: { memoryMiB: 3008, timeoutSeconds: 120, maxConcurrency: 25 },
  retention: { logDays: 90 },
});
const REPOSITORY_ARN = `arn:\${AWS::Partition}:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/`;

describe('the resources the stack holds', () => {
  it('is exactly the pipeline: rules, queues, alarms, function, tables, bucket, topics, key, policy parameter', () => {
    const counts = (types: Record<string, unknown>): Record<string, number> => {
      const result: Record<string, number> = {};
      for (const resource of Object.values(types) as { Type: string }[]) result[resource.Type] = (result[resource.Type] ?? 0) + 1;
      return result;
    };
    const all = defaults.template.toJSON().Resources as Record<string, unknown>;
    // Continuous assessment adds the sync (function, role, scheduler role, schedule, four queues, five
    // alarms, an async invoke config), the rescan (function, role, two queues, an alarm) and the daily
    // pass (function, role, scheduler role, schedule, two queues, two alarms, an async invoke config);
    // the findings API an HTTP API (a route per route-table entry, one integration, the $default
    // stage), its function, role, invoke permission and access log group.
    expect(counts(all)).toEqual({
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Integration': 1,
      'AWS::ApiGatewayV2::Route': Object.keys(routes).length,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::CloudWatch::Alarm': 11 + 5 + 1 + 2,
      'AWS::DynamoDB::Table': 2,
      'AWS::Events::Rule': 3,
      'AWS::IAM::Policy': 1 + 2 + 1 + 2 + 1,
      'AWS::IAM::Role': 1 + 2 + 1 + 2 + 1,
      'AWS::KMS::Key': 1,
      'AWS::Lambda::EventInvokeConfig': 1 + 1,
      'AWS::Lambda::EventSourceMapping': 1 + 1 + 1,
      'AWS::Lambda::Function': 1 + 1 + 1 + 1 + 1,
      'AWS::Lambda::Permission': 1,
      'AWS::Logs::LogGroup': 1 + 1 + 1 + 1 + 2,
      'AWS::S3::Bucket': 1,
      'AWS::S3::BucketPolicy': 1,
      'AWS::Scheduler::Schedule': 1 + 1,
      'AWS::SNS::Topic': 2,
      'AWS::SNS::TopicPolicy': 2,
      'AWS::SQS::Queue': 4 + 4 + 2 + 2,
      'AWS::SQS::QueuePolicy': 4 + 4 + 2 + 2,
      'AWS::SSM::Parameter': 1,
    });
    // The queues' own key, beside the alerts key.
    const withKey = counts(selective.template.toJSON().Resources as Record<string, unknown>);
    expect(withKey['AWS::KMS::Key']).toBe(2);
  });
});

describe('stack outputs', () => {
  it('names the tables, bucket, queues, function, topics and policy parameter a deploy made', () => {
    expect(Object.keys(defaults.template.toJSON().Outputs as object).sort()).toEqual([
      'AdvisorySyncFunctionName',
      'AdvisoryTableName',
      'AlertsTopicArn',
      'DailyReviewFunctionName',
      'FindingsApiUrl',
      'FindingsTableName',
      'OperationsTopicArn',
      'PolicyParameterName',
      'RescanQueueUrl',
      'SbomBucketName',
      'ScanDeadLetterQueueUrl',
      'ScanQueueUrl',
      'ScannerFunctionName',
    ]);
  });
});

describe('EventBridge rules', () => {
  const patterns = (template: typeof defaults.template): unknown[] =>
    Object.values(resourcesOfType(template, 'AWS::Events::Rule')).map((rule) => rule.Properties?.EventPattern);

  it('has one rule per ECR event kind, every repository when none are named, never a resources filter', () => {
    expect(patterns(defaults.template)).toEqual([
      { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH', 'DELETE'], result: ['SUCCESS'] } },
      { source: ['aws.ecr'], 'detail-type': ['ECR Replication Action'], detail: { result: ['SUCCESS'] } },
      { source: ['aws.ecr'], 'detail-type': ['ECR Pull Through Cache Action'], detail: { 'sync-status': ['SUCCESS'] } },
    ]);
  });

  it('filters watched repositories by detail.repository-name, names and prefixes', () => {
    const repositories = ['payments/api', 'web', { prefix: 'team-a/' }];
    expect(patterns(selective.template)).toEqual([
      { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH', 'DELETE'], result: ['SUCCESS'], 'repository-name': repositories } },
      { source: ['aws.ecr'], 'detail-type': ['ECR Replication Action'], detail: { result: ['SUCCESS'], 'repository-name': repositories } },
      { source: ['aws.ecr'], 'detail-type': ['ECR Pull Through Cache Action'], detail: { 'sync-status': ['SUCCESS'], 'repository-name': repositories } },
    ]);
  });

  it('targets the scan queue with a dead-letter queue of its own', () => {
    const queues = resourcesOfType(defaults.template, 'AWS::SQS::Queue');
    const [queueId] = Object.entries(queues).find(([id]) => /EcrEventsQueue[0-9A-F]{8}$/.test(id))!;
    const [targetDlqId] = Object.entries(queues).find(([id]) => id.includes('TargetDeadLetterQueue'))!;
    for (const rule of Object.values(resourcesOfType(defaults.template, 'AWS::Events::Rule'))) {
      expect(rule.Properties?.State).toBe('ENABLED');
      expect(rule.Properties?.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [targetDlqId, 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        }),
      ]);
    }
  });

  it('alarms on every rule’s FailedInvocations and on both dead-letter queues', () => {
    const alarms = Object.values(resourcesOfType(defaults.template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties!);
    const failed = alarms.filter((alarm) => alarm.MetricName === 'FailedInvocations');
    expect(failed).toHaveLength(3);
    for (const alarm of failed) {
      expect(alarm).toMatchObject({ Namespace: 'AWS/Events', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm.Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: expect.stringMatching(/Rule[0-9A-F]{8}$/) } }]);
    }
    // Both ECR events DLQs, and the alerts' delivery DLQ (the sync's and rescan's: continuous-assessment-template.test.ts).
    const dlqAlarms = Object.entries(resourcesOfType(defaults.template, 'AWS::CloudWatch::Alarm')).filter(([id, alarm]) => alarm.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible' && !/^(AdvisorySync|Rescan|DailyReview)/.test(id));
    expect(dlqAlarms).toHaveLength(3);
  });
});

describe('SQS queues', () => {
  it('encrypts with SQS-managed keys by default, and the scan queue redrives to its DLQ after 5 receives', () => {
    const queues = Object.entries(resourcesOfType(defaults.template, 'AWS::SQS::Queue')).filter(([id]) => id.startsWith('EcrEvents'));
    expect(queues).toHaveLength(3);
    for (const [, queue] of queues) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
      expect(queue.Properties?.KmsMasterKeyId).toBeUndefined();
    }
    const [dlqId] = queues.find(([id]) => /EcrEventsDeadLetterQueue[0-9A-F]{8}$/.test(id))!;
    defaults.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800, // 6 × the 300 s function timeout
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    selective.template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 720, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
  });

  it('refuses anything but TLS on every queue', () => {
    const policies = Object.values(resourcesOfType(defaults.template, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(12);
    for (const policy of policies) {
      expect((policy.Properties?.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }),
      );
    }
  });

  it('lets only the rules send events to the queue and to the target DLQ', () => {
    const statements = Object.entries(resourcesOfType(defaults.template, 'AWS::SQS::QueuePolicy'))
      .filter(([id]) => id.startsWith('EcrEvents'))
      .map(([, policy]) => policy)
      .flatMap(
      (policy) => (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const sends = statements.filter((statement) => statement.Effect === 'Allow');
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const statement of sends) {
      expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
      const actions = [statement.Action].flat();
      expect(actions).toContain('sqs:SendMessage');
      expect(actions.every((action) => ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].includes(action as string))).toBe(true);
      expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': expect.anything() } });
    }
  });

  it('with a customer-managed key, encrypts every queue with it and lets EventBridge use it', () => {
    const [keyId, key] = Object.entries(resourcesOfType(selective.template, 'AWS::KMS::Key')).find(([id]) => id.startsWith('QueueKey'))!;
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    const queues = Object.entries(resourcesOfType(selective.template, 'AWS::SQS::Queue'))
      .filter(([id]) => id.startsWith('EcrEvents'))
      .map(([, queue]) => queue);
    expect(queues).toHaveLength(3);
    for (const queue of queues) expect(queue.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const statements = (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual({
      Sid: 'EventBridgeSendsEcrEvents',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
    });
  });
});

describe('scanner function', () => {
  it('runs on arm64 with the newest Node.js runtime, JSON logs, and the configured memory and timeout', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1769,
      Timeout: 300,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: { Ref: Match.stringLikeRegexp('ScannerLogGroup') } },
    });
    selective.template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 3008, Timeout: 120 });
    expect(JSON.stringify(defaults.template.toJSON())).not.toContain('ReservedConcurrentExecutions');
  });

  it('names its table, bucket and advisory settings in its environment', () => {
    const [, scanner] = Object.entries(resourcesOfType(defaults.template, 'AWS::Lambda::Function')).find(([id]) => id.startsWith('ScannerFunction'))!;
    const variables = scanner.Properties!.Environment as { Variables: Record<string, unknown> };
    expect(variables.Variables).toMatchObject({
      FINDINGS_TABLE_NAME: { Ref: expect.stringMatching(/^FindingsTable/) },
      ADVISORY_TABLE_NAME: { Ref: expect.stringMatching(/^AdvisoriesTable/) },
      SBOM_BUCKET_NAME: { Ref: expect.stringMatching(/^SbomsBucket/) },
      ADVISORY_MAX_AGE_HOURS: '48',
      HISTORY_RETENTION_DAYS: '400',
    });
  });

  it('reads the scan queue with partial batch failures and the event source’s maximum concurrency', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EcrEventsQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
      BatchSize: 1,
    });
    selective.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 25 } });
  });

  it('keeps its logs for the configured retention', () => {
    defaults.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    defaults.template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    selective.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('scanner IAM, least privilege', () => {
  type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
  const statementsOf = (template: typeof defaults.template): Statement[] =>
    Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ScannerRoleDefaultPolicy'))
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  const ECR_READS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages', 'ecr:BatchCheckLayerAvailability'];

  it('reads ECR on watched repositories only: names exactly, prefixes as patterns', () => {
    const read = statementsOf(selective.template).find((statement) => statement.Sid === 'ReadWatchedRepositories')!;
    expect(read.Action).toEqual(ECR_READS);
    const arn = (name: string): unknown => ({ 'Fn::Join': ['', [REPOSITORY_ARN.split('${AWS::Partition}')[0], { Ref: 'AWS::Partition' }, REPOSITORY_ARN.split('${AWS::Partition}')[1] + name]] });
    expect(read.Resource).toEqual([arn('payments/api'), arn('web'), arn('team-a/*')]);
    const all = statementsOf(defaults.template).find((statement) => statement.Sid === 'ReadWatchedRepositories')!;
    expect(all.Resource).toEqual(arn('*'));
  });

  it('grants ecr:GetAuthorizationToken, and nothing else, on *', () => {
    for (const template of [defaults.template, selective.template]) {
      const onStar = statementsOf(template).filter((statement) => statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*')));
      expect(onStar).toEqual([{ Sid: 'RegistryToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
    }
  });

  it('writes its own log group, reads and writes its own table and bucket, reads the advisories', () => {
    const statements = statementsOf(defaults.template);
    const resourcesText = (statement: Statement): string => JSON.stringify(statement.Resource);
    const logs = statements.find((statement) => resourcesText(statement).includes('ScannerLogGroup'))!;
    expect(logs.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const findings = statements.find((statement) => resourcesText(statement).includes('FindingsTable'))!;
    expect(findings.Action).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem']));
    const onAdvisories = statements.filter((statement) => resourcesText(statement).includes('AdvisoriesTable'));
    const advisories = onAdvisories.find((statement) => statement.Sid !== 'RequestAdvisoryLoads')!;
    expect(advisories.Action).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem']));
    expect(advisories.Action).not.toContain('dynamodb:PutItem');
    // Its one write on the advisory table: UpdateItem of load-request items, by their partition key.
    const writes = onAdvisories.filter((statement) => [statement.Action].flat().some((action) => !/^dynamodb:(BatchGetItem|Query|GetItem|Scan|ConditionCheckItem|DescribeTable|GetRecords|GetShardIterator)$/.test(action)));
    expect(writes).toEqual([
      {
        Sid: 'RequestAdvisoryLoads',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AdvisoriesTable/), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [LOAD_REQUEST_PK] } },
      },
    ]);
    const sbom = statements.find((statement) => statement.Sid === 'SbomDocuments')!;
    expect(sbom).toMatchObject({ Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^SbomsBucket/), 'Arn'] }, '/*']] } });
    // ListBucket on the bucket itself (so a missing cached analysis is a 404), and nothing else on it.
    const listing = statements.filter((statement) => [statement.Action].flat().includes('s3:ListBucket'));
    expect(listing).toEqual([{ Sid: 'LayerAnalysisMisses', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SbomsBucket/), 'Arn'] } }]);
    const queue = statements.find((statement) => resourcesText(statement).includes('EcrEventsQueue'))!;
    expect(queue.Action).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
  });

  it('attaches no managed policy', () => {
    defaults.template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('decrypts the scan queue with the customer-managed key when there is one', () => {
    const kms = statementsOf(selective.template).find((statement) => JSON.stringify(statement.Resource).includes('QueueKey'));
    expect(kms?.Action).toContain('kms:Decrypt');
  });
});

describe('DynamoDB tables', () => {
  type KeyElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };
  type CfnTable = {
    KeySchema: KeyElement[];
    GlobalSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: { ProjectionType: string } }[];
    AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
    TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
  };
  const keyOf = (elements: KeyElement[], type: KeyElement['KeyType']): string | undefined => elements.find((element) => element.KeyType === type)?.AttributeName;
  // The template read back into the shared contract's shape, to compare with it whole.
  const schemaOf = (table: CfnTable): TableSchema => ({
    partitionKey: keyOf(table.KeySchema, 'HASH')!,
    sortKey: keyOf(table.KeySchema, 'RANGE')!,
    indexes: table.GlobalSecondaryIndexes.map((index) => ({ name: index.IndexName, partitionKey: keyOf(index.KeySchema, 'HASH')!, sortKey: keyOf(index.KeySchema, 'RANGE')! })),
    timeToLive: table.TimeToLiveSpecification.AttributeName,
  });
  const tables = Object.entries(resourcesOfType(defaults.template, 'AWS::DynamoDB::Table'));
  const tableNamed = (prefix: string): CfnTable => tables.find(([id]) => id.startsWith(prefix))![1].Properties as unknown as CfnTable;

  it('creates the findings and advisory tables from the shared key schema, every key a string, every index projecting all', () => {
    expect(schemaOf(tableNamed('FindingsTable'))).toEqual(FINDINGS_TABLE);
    expect(schemaOf(tableNamed('AdvisoriesTable'))).toEqual(ADVISORY_TABLE);
    for (const [, { Properties }] of tables) {
      const table = Properties as unknown as CfnTable;
      expect(table.AttributeDefinitions.every((definition) => definition.AttributeType === 'S')).toBe(true);
      expect(table.GlobalSecondaryIndexes.every((index) => index.Projection.ProjectionType === 'ALL')).toBe(true);
      expect(table.TimeToLiveSpecification.Enabled).toBe(true);
    }
  });

  it('is on demand, with point-in-time recovery and KMS encryption at rest', () => {
    defaults.template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('retains tables with deletion protection by default, and drops both when told to destroy', () => {
    defaults.template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    selective.template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    selective.template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('SBOM bucket', () => {
  it('blocks public access, encrypts with Bucket Keys, versions and expires old versions', () => {
    defaults.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          // Cached layer analyses, under the prefix the cache writes, expire on their own.
          Match.objectLike({ Id: 'ExpireLayerAnalyses', Prefix: LAYER_ANALYSIS_PREFIX, ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
        ]),
      },
    });
    defaults.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('denies requests without TLS or below TLS 1.2 in its bucket policy', () => {
    const policy = Object.values(resourcesOfType(defaults.template, 'AWS::S3::BucketPolicy'))[0]!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }));
  });
});
