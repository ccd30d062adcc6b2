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
import { routes } from '../../lambdas/core/api/routes.ts';
import { ACCESS_LOG_FIELDS, FINDINGS_API_ENVIRONMENT, FindingsApi, type FindingsApiProps } from '../../lib/constructs/findings-api.ts';
import { resourcesOfType, synthCustoms, TEST_ENV } from './synth-customs.ts';

/** The API construct in a bare stack, its bundle not built (any existing entry serves). */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = `${projectRoot}/lambdas/handlers/daily-review-handler.ts`;
const RULES = [
  { principal: `arn:aws:iam::${TEST_ENV.account}:role/ci`, read: ['team-a/'], act: [] },
  { principal: `arn:aws:iam::${TEST_ENV.account}:role/security`, read: [''], act: [''] },
];

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

interface Parts {
  readonly findingsTable: Table;
  readonly advisoryTable: Table;
  readonly sbomBucket: Bucket;
  readonly scanQueue: Queue;
  readonly rescanQueue: Queue;
}

function build(extra: Partial<FindingsApiProps> = {}, encrypted = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Api', { env: TEST_ENV });
  const table = (id: string) => new Table(stack, id, { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING }, billingMode: BillingMode.PAY_PER_REQUEST });
  const key = encrypted ? new Key(stack, 'QueueKey') : undefined;
  const parts: Parts = {
    findingsTable: table('Findings'),
    advisoryTable: table('Advisories'),
    sbomBucket: new Bucket(stack, 'Sboms'),
    scanQueue: new Queue(stack, 'ScanQueue', key ? { encryptionMasterKey: key } : {}),
    rescanQueue: new Queue(stack, 'RescanQueue', key ? { encryptionMasterKey: key } : {}),
  };
  const api = new FindingsApi(stack, 'FindingsApi', {
    entry: ENTRY,
    projectRoot,
    ...parts,
    watchedRepositories: { names: ['web'], prefixes: ['team-a/'] },
    accessRules: RULES,
    throttle: { rateLimit: 25, burstLimit: 40 },
    advisoryStaleAfterHours: 3,
    memoryMiB: 1024,
    accessLogRetention: RetentionDays.THREE_MONTHS,
    logRetention: RetentionDays.ONE_MONTH,
    historyDays: 400,
    alertsTopicArn: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:customs-alerts`,
    policyParameterName: '/customs/policy',
    emailImageCap: 20,
    vexObjects: [],
    ...extra,
  });
  // What the tables and the log group grant, as a role of reference gets it.
  const reference = new Role(stack, 'Reference', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  parts.findingsTable.grantReadWriteData(reference);
  parts.advisoryTable.grantReadData(reference);
  api.handler.logGroup.grantWrite(reference);
  return { stack, api, reference, key, ...parts, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, stack: Stack, role: Role): Statement[] {
  const logicalId = (stack.resolve(role.roleArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }[];
  return policies.filter((policy) => policy.Properties.Roles.some((ref) => ref.Ref === logicalId)).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const ecrArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/${name}`]] });
const routeKeys = Object.values(routes).map((route) => `${route.method} ${route.path}`);

describe('the findings API construct', () => {
  it('has exactly one route per entry of the route table, every one AWS_IAM, none without and no $default', () => {
    const { template } = build();
    const apiRoutes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties!);
    expect(apiRoutes).toHaveLength(Object.keys(routes).length);
    expect(apiRoutes.map((route) => route.RouteKey).sort()).toEqual([...routeKeys].sort());
    expect(apiRoutes.filter((route) => route.AuthorizationType === 'AWS_IAM')).toHaveLength(routeKeys.length);
    expect(apiRoutes.filter((route) => route.AuthorizationType !== 'AWS_IAM')).toEqual([]);
    expect(apiRoutes.map((route) => route.RouteKey)).not.toContain('$default');
    // One HTTP API, one Lambda integration, one invoke permission scoped to this API.
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission')).map((permission) => permission.Properties!);
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(permissions[0]!.SourceArn)).toContain(':execute-api:');
  });

  it('throttles the $default stage and writes a JSON access log line per request to a log group with retention', () => {
    const { stack, api, template } = build();
    const stages = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')).map((stage) => stage.Properties!);
    expect(stages).toHaveLength(1);
    const stage = stages[0]!;
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40 } });
    const settings = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual(stack.resolve(api.accessLogs.logGroupArn));
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({ requestId: '$context.requestId', caller: '$context.identity.userArn', route: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency' });
    const accessLogGroup = resourcesOfType(template, 'AWS::Logs::LogGroup')[stack.getLogicalId(api.accessLogs.node.defaultChild as never)];
    expect(accessLogGroup?.Properties).toMatchObject({ RetentionInDays: 90 });
  });

  it('runs one arm64 Lambda within the integration timeout, with the variables the handler reads', () => {
    const { stack, api, template, findingsTable, advisoryTable, sbomBucket, scanQueue, rescanQueue } = build({ eventBus: 'default' });
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Architectures: ['arm64'], Timeout: 29, MemorySize: 1024 });
    const fn = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))[0]!.Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables).toEqual({
      FINDINGS_TABLE_NAME: stack.resolve(findingsTable.tableName),
      ADVISORY_TABLE_NAME: stack.resolve(advisoryTable.tableName),
      SBOM_BUCKET_NAME: stack.resolve(sbomBucket.bucketName),
      POLICY_PARAMETER_NAME: '/customs/policy',
      ALERTS_TOPIC_ARN: `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:customs-alerts`,
      EVENT_BUS_NAME: 'default',
      SCAN_QUEUE_URL: stack.resolve(scanQueue.queueUrl),
      RESCAN_QUEUE_URL: stack.resolve(rescanQueue.queueUrl),
      API_ACCESS_RULES: JSON.stringify(RULES),
      ADVISORY_STALE_AFTER_HOURS: '3',
      WATCHED_REPOSITORY_NAMES: 'web',
      WATCHED_REPOSITORY_PREFIXES: 'team-a/',
      HISTORY_RETENTION_DAYS: '400',
      EMAIL_IMAGE_CAP: '20',
      POWERTOOLS_SERVICE_NAME: 'customs-findings-api',
      POWERTOOLS_METRICS_NAMESPACE: 'Customs',
    });
    expect(JSON.parse(fn.Environment.Variables[FINDINGS_API_ENVIRONMENT.accessRules] as string)).toEqual(RULES);
    expect(api.url).not.toMatch(/\/$/);
  });

  it('leaves EVENT_BUS_NAME out without a bus, and refuses access rules too large for a Lambda environment', () => {
    const { template } = build();
    const fn = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))[0]!.Properties as { Environment: { Variables: Record<string, unknown> } };
    expect(fn.Environment.Variables).not.toHaveProperty('EVENT_BUS_NAME');
    const many = Array.from({ length: 60 }, (_, index) => ({ principal: `arn:aws:iam::${TEST_ENV.account}:role/team-${index}`, read: [`team-${index}/`], act: [] }));
    expect(() => build({ accessRules: many })).toThrow(/api\.access is \d+ bytes/);
  });

  it('grants exactly: the tables, SBOM reads, large answers, the backfill ECR reads, sends to the scan and rescan queues', () => {
    const { stack, api, reference, template, sbomBucket, scanQueue, rescanQueue } = build();
    const referenceStatements = statementsOf(template, stack, reference);
    expect(statementsOf(template, stack, api.handler.role)).toEqual([
      ...referenceStatements.filter((statement) => JSON.stringify(statement.Action).includes('logs:')),
      ...referenceStatements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:')),
      { Sid: 'ReadSboms', Effect: 'Allow', Action: 's3:GetObject', Resource: stack.resolve(sbomBucket.arnForObjects('sboms/*')) },
      { Sid: 'KeepLargeAnswers', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: stack.resolve(sbomBucket.arnForObjects('api-answers/*')) },
      { Sid: 'ListRepositories', Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: ecrArn('*') },
      { Sid: 'DescribeWatchedImages', Effect: 'Allow', Action: 'ecr:DescribeImages', Resource: [ecrArn('web'), ecrArn('team-a/*')] },
      { Sid: 'SendApiMessages', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [stack.resolve(scanQueue.queueArn), stack.resolve(rescanQueue.queueArn)] },
    ]);
    // Writes reach the findings table only; the advisory table is read.
    const dynamo = referenceStatements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:PutItem'));
    expect(dynamo.map((statement) => statement.Resource)).toEqual([[stack.resolve((stack.node.findChild('Findings') as Table).tableArn)]]);
    expect(referenceStatements.every((statement) => /logs:|dynamodb:/.test(JSON.stringify(statement.Action)))).toBe(true);
  });

  it('with queue keys, enforce mode, events and VEX documents: their statements and nothing wider', () => {
    const { stack, api, template, key } = build(
      { eventBus: 'default', vexObjects: [{ bucket: 'vex-docs', key: 'app.openvex.json' }], quarantineRepositories: { names: ['web'], prefixes: [] }, watchedRepositories: 'all' },
      true,
    );
    const bySid = Object.fromEntries(statementsOf(template, stack, api.handler.role).filter((statement) => statement.Sid).map((statement) => [statement.Sid!, statement]));
    expect(Object.keys(bySid).sort()).toEqual(
      [
        'DescribeWatchedImages',
        'EncryptApiMessages',
        'KeepLargeAnswers',
        'ListRepositories',
        'PutVerdictEvents',
        'QuarantineImages',
        'ReadQuarantineImages',
        'ReadQuarantineRegistrySettings',
        'ReadQuarantineRepositorySettings',
        'ReadSboms',
        'ReadVexDocuments',
        'SendApiMessages',
      ].sort(),
    );
    expect(bySid.EncryptApiMessages).toEqual({ Sid: 'EncryptApiMessages', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: stack.resolve(key!.keyArn) });
    expect(bySid.QuarantineImages).toEqual({ Sid: 'QuarantineImages', Effect: 'Allow', Action: ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:UpdateImageStorageClass'], Resource: ecrArn('web') });
    expect(bySid.ReadQuarantineImages).toEqual({ Sid: 'ReadQuarantineImages', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:DescribeImages'], Resource: ecrArn('web') });
    expect(bySid.ReadQuarantineRegistrySettings!.Resource).toBe('*');
    expect(bySid.DescribeWatchedImages!.Resource).toEqual(ecrArn('*'));
    expect(bySid.ReadVexDocuments!.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::vex-docs/app.openvex.json']] });
    expect(bySid.PutVerdictEvents).toMatchObject({ Action: 'events:PutEvents' });
    expect(api.quarantineRepositories).toEqual({ names: ['web'], prefixes: [] });
  });
});

describe('the findings API in the stack', () => {
  const access = [{ principal: `arn:aws:iam::${TEST_ENV.account}:role/ci`, read: ['team-a/'] }];
  // Synthesized when the first test runs, not while tests are collected.
  let synthesized: ReturnType<typeof synthCustoms> | undefined;
  const synth = () => (synthesized ??= synthCustoms({ watchedRepositories: { prefixes: ['team-a/'] }, api: { access, throttle: { rateLimit: 10 } } }));

  it('answers at FindingsApiUrl, throttled and logged as configured', () => {
    const { stack, template } = synth();
    template.hasOutput('FindingsApiUrl', { Value: stack.resolve(stack.findingsApi.url) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 100 } });
    expect(Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'))).toHaveLength(routeKeys.length);
    const variables = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))
      .map((fn) => (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables)
      .filter((vars) => FINDINGS_API_ENVIRONMENT.accessRules in vars);
    expect(variables).toHaveLength(1);
    expect(JSON.parse(variables[0]![FINDINGS_API_ENVIRONMENT.accessRules] as string)).toEqual([{ ...access[0], act: [] }]);
    expect(variables[0]).toMatchObject({
      SCAN_QUEUE_URL: stack.resolve(stack.events.queue.queueUrl),
      RESCAN_QUEUE_URL: stack.resolve(stack.rescan.queue.queueUrl),
      ADVISORY_STALE_AFTER_HOURS: String(stack.config.advisorySync.maxCursorAgeHours),
      EVENT_BUS_NAME: 'default',
    });
  });

  it('may publish alerts and read the policy parameter, and expires large answers after a day', () => {
    const { stack, template } = synth();
    const role = stack.findingsApi.handler.role;
    const statements = statementsOf(template, stack, role);
    const sids = statements.map((statement) => statement.Sid);
    expect(sids).toEqual(expect.arrayContaining(['PublishAlerts', 'EncryptAlerts']));
    expect(statements.some((statement) => JSON.stringify(statement.Action).includes('ssm:GetParameter'))).toBe(true);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([{ Id: 'ExpireApiAnswers', Prefix: 'api-answers/', ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }]) },
    });
  });
});
