import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig, type CustomsConfigInput } from '../../lib/config/customs-config.ts';
import { createCustomsApp } from '../../lib/customs-app.ts';
import { resourcesOfType, synthCustoms, TEST_ENV } from './synth-customs.ts';

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Template_ = ReturnType<typeof synthCustoms>['template'];

const SQS_ARN = `arn:aws:sqs:${TEST_ENV.region}:${TEST_ENV.account}:team-a-alerts`;
const LAMBDA_HERE = `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:ticketing`;
const LAMBDA_OTHER_ACCOUNT = `arn:aws:lambda:${TEST_ENV.region}:444455556666:function:central-intake`;
const LAMBDA_OTHER_REGION = `arn:aws:lambda:us-east-1:${TEST_ENV.account}:function:ticketing-us`;
const PARTITION_JOIN = (rest: string): unknown => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

const subscriptions: CustomsConfigInput = {
  alerts: {
    subscriptions: [
      { protocol: 'email', endpoint: 'security@example.com', filterPolicy: { severityRank: [{ numeric: ['>=', 4] }] } },
      { protocol: 'sqs', endpoint: SQS_ARN, rawMessageDelivery: true },
      { protocol: 'https', endpoint: 'https://hooks.example.com/customs', filterPolicy: { audience: ['all'], repository: [{ prefix: 'team-a/' }] } },
      { protocol: 'lambda', endpoint: LAMBDA_HERE },
      { protocol: 'lambda', endpoint: LAMBDA_OTHER_ACCOUNT },
      { protocol: 'lambda', endpoint: LAMBDA_OTHER_REGION },
    ],
  },
  operations: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }], oldestMessageAgeSeconds: 900, scanFailuresPerHour: 2 },
};

const defaults = synthCustoms();
const subscribed = synthCustoms(subscriptions);
const shared = synthCustoms({ ...subscriptions, operations: { topic: 'alerts', subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] }, removalPolicy: 'destroy' });

const idOf = (template: Template_, type: string, prefix: string): string => {
  const ids = Object.keys(resourcesOfType(template, type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0]!;
};
const alertsTopic = (template: Template_): string => idOf(template, 'AWS::SNS::Topic', 'AlertsAlertsTopic');
const operationsTopic = (template: Template_): string => idOf(template, 'AWS::SNS::Topic', 'AlertsOperationsTopic');
const alertsKey = (template: Template_): string => idOf(template, 'AWS::KMS::Key', 'AlertsKey');
const keyStatements = (template: Template_): Statement[] =>
  (resourcesOfType(template, 'AWS::KMS::Key')[alertsKey(template)]!.Properties!.KeyPolicy as { Statement: Statement[] }).Statement;
const scannerStatements = (template: Template_): Statement[] =>
  (resourcesOfType(template, 'AWS::IAM::Policy')[idOf(template, 'AWS::IAM::Policy', 'ScannerRoleDefaultPolicy')]!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
const scannerVariables = (template: Template_): Record<string, unknown> =>
  (resourcesOfType(template, 'AWS::Lambda::Function')[idOf(template, 'AWS::Lambda::Function', 'ScannerFunction')]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const topicPolicyOf = (template: Template_, topicId: string): Statement[] => {
  const policy = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy')).find((candidate) => JSON.stringify(candidate.Properties!.Topics) === JSON.stringify([{ Ref: topicId }]));
  return (policy!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
};

describe('alert topics', () => {
  it('encrypts the alerts and operations topics with one rotating customer-managed key, named for email', () => {
    const key = resourcesOfType(defaults.template, 'AWS::KMS::Key')[alertsKey(defaults.template)]!;
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    const topics = resourcesOfType(defaults.template, 'AWS::SNS::Topic');
    expect(topics[alertsTopic(defaults.template)]!.Properties).toEqual({ DisplayName: 'Customs alerts', KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey(defaults.template), 'Arn'] }, SignatureVersion: '2' });
    expect(topics[operationsTopic(defaults.template)]!.Properties).toEqual({ DisplayName: 'Customs operations', KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey(defaults.template), 'Arn'] }, SignatureVersion: '2' });
  });

  it('refuses publishing without TLS on every topic', () => {
    for (const template of [defaults.template, shared.template]) {
      const policies = Object.values(resourcesOfType(template, 'AWS::SNS::TopicPolicy'));
      expect(policies).toHaveLength(Object.keys(resourcesOfType(template, 'AWS::SNS::Topic')).length);
      for (const policy of policies) {
        expect((policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    }
  });

  it('lets CloudWatch alarms of this account use the key and publish to the topic they notify', () => {
    expect(keyStatements(defaults.template)).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
    });
    const alarmsPublish = {
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account }, ArnLike: { 'aws:SourceArn': PARTITION_JOIN(`:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:*`) } },
    };
    expect(topicPolicyOf(defaults.template, operationsTopic(defaults.template))).toContainEqual({ ...alarmsPublish, Resource: { Ref: operationsTopic(defaults.template) } });
    // Alarms do not publish to a separate alerts topic; when they share it, it lets them.
    expect(topicPolicyOf(defaults.template, alertsTopic(defaults.template)).filter((statement) => statement.Effect === 'Allow')).toEqual([]);
    expect(topicPolicyOf(shared.template, alertsTopic(shared.template))).toContainEqual({ ...alarmsPublish, Resource: { Ref: alertsTopic(shared.template) } });
  });

  it('names the scanner role in the key policy, with only what publishing needs', () => {
    const scannerRole = idOf(defaults.template, 'AWS::IAM::Role', 'ScannerRole');
    const forRole = keyStatements(defaults.template).filter((statement) => JSON.stringify(statement.Principal).includes(scannerRole));
    expect(forRole).toEqual([
      { Sid: expect.stringMatching(/^Publish[A-Za-z0-9]+$/), Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [scannerRole, 'Arn'] } }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' },
    ]);
  });

  it('makes one topic when alarms share the alerts topic, and follows the removal policy', () => {
    expect(Object.keys(resourcesOfType(shared.template, 'AWS::SNS::Topic'))).toEqual([alertsTopic(shared.template)]);
    expect(Object.keys(shared.template.toJSON().Outputs as object)).not.toContain('OperationsTopicArn');
    expect(shared.template.toJSON().Outputs).toMatchObject({ AlertsTopicArn: { Value: { Ref: alertsTopic(shared.template) } } });
    defaults.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    expect(resourcesOfType(shared.template, 'AWS::KMS::Key')[alertsKey(shared.template)]).toMatchObject({ DeletionPolicy: 'Delete' });
  });
});

describe('alert subscriptions', () => {
  type Subscription = { Protocol: string; Endpoint: string; TopicArn: unknown; FilterPolicy?: unknown; FilterPolicyScope?: string; RawMessageDelivery?: boolean; RedrivePolicy: unknown };
  const subscriptionsOf = (template: Template_): Subscription[] => Object.values(resourcesOfType(template, 'AWS::SNS::Subscription')).map((resource) => resource.Properties as unknown as Subscription);
  const endpointOf = (template: Template_, endpoint: string): Subscription => subscriptionsOf(template).find((subscription) => subscription.Endpoint === endpoint)!;

  it('subscribes every configured endpoint, merging the audience into the user’s attribute filter policy', () => {
    const topic = { Ref: alertsTopic(subscribed.template) };
    expect(endpointOf(subscribed.template, 'security@example.com')).toMatchObject({
      Protocol: 'email',
      TopicArn: topic,
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { severityRank: [{ numeric: ['>=', 4] }], audience: ['all', 'people'] },
    });
    expect(endpointOf(subscribed.template, SQS_ARN)).toMatchObject({ Protocol: 'sqs', TopicArn: topic, RawMessageDelivery: true, FilterPolicy: { audience: ['all', 'machines'] } });
    // An audience the user set is theirs.
    expect(endpointOf(subscribed.template, 'https://hooks.example.com/customs')).toMatchObject({ Protocol: 'https', FilterPolicy: { audience: ['all'], repository: [{ prefix: 'team-a/' }] } });
    expect(endpointOf(subscribed.template, LAMBDA_HERE)).toMatchObject({ Protocol: 'lambda', FilterPolicy: { audience: ['all', 'machines'] } });
    expect(endpointOf(subscribed.template, 'security@example.com').RawMessageDelivery).toBeUndefined();
    expect(subscriptionsOf(defaults.template)).toEqual([]);
  });

  it('redrives what SNS cannot deliver to one KMS-encrypted DLQ that only the topics may send to', () => {
    const dlq = idOf(subscribed.template, 'AWS::SQS::Queue', 'AlertsDeliveryDeadLetterQueue');
    const all = subscriptionsOf(subscribed.template);
    expect(all).toHaveLength(7);
    for (const subscription of all) expect(subscription.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
    expect(resourcesOfType(subscribed.template, 'AWS::SQS::Queue')[dlq]!.Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [alertsKey(subscribed.template), 'Arn'] } });
    const policy = Object.values(resourcesOfType(subscribed.template, 'AWS::SQS::QueuePolicy')).find((candidate) => JSON.stringify(candidate.Properties!.Queues) === JSON.stringify([{ Ref: dlq }]))!;
    const allows = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'SnsRedrivesUndeliverable',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [dlq, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': [{ Ref: alertsTopic(subscribed.template) }, { Ref: operationsTopic(subscribed.template) }] } },
      },
    ]);
    expect(keyStatements(subscribed.template)).toContainEqual(
      expect.objectContaining({ Sid: 'SnsRedrivesUndeliverable', Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } } }),
    );
  });

  it('lets SNS invoke a function of this account and region, and leaves other functions to their owners', () => {
    // SNS's permissions (the findings API's function has API Gateway's).
    const permissions = Object.values(resourcesOfType(subscribed.template, 'AWS::Lambda::Permission'))
      .map((permission) => permission.Properties)
      .filter((properties) => properties?.Principal === 'sns.amazonaws.com');
    expect(permissions).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: LAMBDA_HERE, Principal: 'sns.amazonaws.com', SourceArn: { Ref: alertsTopic(subscribed.template) } }]);
    expect(endpointOf(subscribed.template, LAMBDA_OTHER_ACCOUNT)).toMatchObject({ Protocol: 'lambda' });
    expect(endpointOf(subscribed.template, LAMBDA_OTHER_REGION)).toMatchObject({ Protocol: 'lambda' });
  });

  it('in an environment-agnostic stack, makes the permission on the condition that the function is in the deploy’s account and region', () => {
    const { stack } = createCustomsApp({ context: { 'aws:cdk:bundling-stacks': [] } }, { config: { alerts: { subscriptions: [{ protocol: 'lambda', endpoint: LAMBDA_OTHER_ACCOUNT }] } } });
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Condition?: string; Properties?: { Principal?: unknown } }>; Conditions: Record<string, unknown> };
    const permission = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Permission' && resource.Properties?.Principal === 'sns.amazonaws.com')!;
    expect(template.Conditions[permission.Condition!]).toEqual({
      'Fn::And': [{ 'Fn::Equals': ['444455556666', { Ref: 'AWS::AccountId' }] }, { 'Fn::Equals': [TEST_ENV.region, { Ref: 'AWS::Region' }] }],
    });
  });

  it('names subscriptions by protocol and endpoint, so reordering the list replaces none', () => {
    const list = subscriptions.alerts!.subscriptions!;
    const reordered = synthCustoms({ ...subscriptions, alerts: { subscriptions: [...list].reverse() } });
    const ids = (template: Template_): string[] => Object.keys(resourcesOfType(template, 'AWS::SNS::Subscription')).sort();
    expect(ids(reordered.template)).toEqual(ids(subscribed.template));
  });

  it('subscribes operators to the operations topic unfiltered, or to the alerts topic for what carries no audience (the alarms)', () => {
    expect(endpointOf(subscribed.template, 'oncall@example.com')).toEqual(expect.objectContaining({ TopicArn: { Ref: operationsTopic(subscribed.template) } }));
    expect(endpointOf(subscribed.template, 'oncall@example.com').FilterPolicy).toBeUndefined();
    expect(endpointOf(shared.template, 'oncall@example.com')).toMatchObject({
      TopicArn: { Ref: alertsTopic(shared.template) },
      FilterPolicyScope: 'MessageAttributes',
      FilterPolicy: { audience: [{ exists: false }] },
    });
  });
});

describe('pipeline alarms', () => {
  type AlarmProperties = {
    MetricName: string;
    Namespace: string;
    Dimensions?: { Name: string; Value: unknown }[];
    Threshold: number;
    Period: number;
    EvaluationPeriods: number;
    Statistic: string;
    AlarmActions: unknown[];
    OKActions: unknown[];
    AlarmDescription: string;
    TreatMissingData: string;
  };
  const alarmsOf = (template: Template_): AlarmProperties[] => Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties as unknown as AlarmProperties);
  const alarmOn = (template: Template_, metricName: string, namespace: string): AlarmProperties[] => alarmsOf(template).filter((alarm) => alarm.MetricName === metricName && alarm.Namespace === namespace);

  it('sends every alarm, and its recovery, to the operations topic; with a description and missing data as nothing happened', () => {
    const alarms = alarmsOf(defaults.template);
    // The pipeline's 11, the advisory sync's 5, the rescan's 1 (continuous-assessment-template.test.ts) and the daily pass's 2.
    expect(alarms).toHaveLength(19);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: operationsTopic(defaults.template) }]);
      expect(alarm.OKActions).toEqual([{ Ref: operationsTopic(defaults.template) }]);
      expect(alarm.AlarmDescription).toMatch(/^Customs: .{20,}/);
    }
    // All but the cursor age, where a sync that stopped reporting is as bad as a stale cursor.
    expect(alarms.filter((alarm) => alarm.TreatMissingData !== 'notBreaching').map((alarm) => alarm.MetricName)).toEqual(['OldestAdvisoryCursorAgeSeconds']);
  });

  it('sends them to the alerts topic when configured to share it', () => {
    for (const alarm of alarmsOf(shared.template)) expect(alarm.AlarmActions).toEqual([{ Ref: alertsTopic(shared.template) }]);
  });

  it('watches the rules’ FailedInvocations and the DLQs (scan, EventBridge target, alert delivery)', () => {
    expect(alarmOn(defaults.template, 'FailedInvocations', 'AWS/Events')).toHaveLength(3);
    const queues = alarmOn(defaults.template, 'ApproximateNumberOfMessagesVisible', 'AWS/SQS').map((alarm) => JSON.stringify(alarm.Dimensions));
    for (const prefix of ['EcrEventsDeadLetterQueue', 'EcrEventsTargetDeadLetterQueue', 'AlertsDeliveryDeadLetterQueue']) {
      expect(queues.filter((dimensions) => dimensions.includes(`"${prefix}`))).toHaveLength(1);
    }
  });

  it('counts FAILED scans per hour on the scanner’s EMF series, at the configured threshold', () => {
    const [failures] = alarmOn(subscribed.template, 'ManifestsScanned', 'Customs');
    expect(failures).toMatchObject({ Statistic: 'Sum', Period: 3600, Threshold: 2, EvaluationPeriods: 1 });
    // Powertools writes its `service` default dimension beside the metric's own.
    expect(failures!.Dimensions).toEqual(expect.arrayContaining([{ Name: 'service', Value: 'customs-scanner' }, { Name: 'Status', Value: 'FAILED' }]));
    expect(failures!.Dimensions).toHaveLength(2);
    expect(alarmOn(defaults.template, 'ManifestsScanned', 'Customs')[0]).toMatchObject({ Threshold: 5 });
  });

  it('watches the scanner’s errors and throttles, the scan queue’s oldest message and alert publishing', () => {
    const scanner = { Name: 'FunctionName', Value: { Ref: idOf(subscribed.template, 'AWS::Lambda::Function', 'ScannerFunction') } };
    const onScanner = (alarms: AlarmProperties[]): AlarmProperties[] => alarms.filter((alarm) => JSON.stringify(alarm.Dimensions) === JSON.stringify([scanner]));
    expect(onScanner(alarmOn(subscribed.template, 'Errors', 'AWS/Lambda'))).toEqual([expect.objectContaining({ Dimensions: [scanner], Threshold: 1, Statistic: 'Sum', Period: 300 })]);
    expect(alarmOn(subscribed.template, 'Throttles', 'AWS/Lambda')).toEqual([expect.objectContaining({ Dimensions: [scanner], Threshold: 1, EvaluationPeriods: 3 })]);
    const scanQueue = { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(subscribed.template, 'AWS::SQS::Queue', 'EcrEventsQueue'), 'QueueName'] } };
    expect(alarmOn(subscribed.template, 'ApproximateAgeOfOldestMessage', 'AWS/SQS')).toEqual([expect.objectContaining({ Dimensions: [scanQueue], Threshold: 900, Statistic: 'Maximum' })]);
    expect(alarmOn(defaults.template, 'ApproximateAgeOfOldestMessage', 'AWS/SQS')[0]).toMatchObject({ Threshold: 3600 });
    expect(alarmOn(subscribed.template, 'AlertPublishFailures', 'Customs')).toEqual([expect.objectContaining({ Dimensions: [{ Name: 'service', Value: 'customs-scanner' }], Threshold: 1, Statistic: 'Sum' })]);
  });
});

describe('EventBridge events', () => {
  const putEvents = (template: Template_): Statement[] => scannerStatements(template).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('events:')));

  it('lets the scanner put events on the default bus, named in its environment', () => {
    expect(putEvents(defaults.template)).toEqual([
      { Sid: 'PutVerdictEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: PARTITION_JOIN(`:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/default`) },
    ]);
    expect(scannerVariables(defaults.template).EVENT_BUS_NAME).toBe('default');
  });

  it('uses a bus of this account by name, or any bus by ARN, as configured', () => {
    const named = synthCustoms({ alerts: { eventBus: 'security-events' } }).template;
    expect(putEvents(named)[0]!.Resource).toEqual(PARTITION_JOIN(`:events:${TEST_ENV.region}:${TEST_ENV.account}:event-bus/security-events`));
    expect(scannerVariables(named).EVENT_BUS_NAME).toBe('security-events');
    const arn = 'arn:aws:events:eu-west-1:444455556666:event-bus/central-security';
    const byArn = synthCustoms({ alerts: { eventBus: arn } }).template;
    expect(putEvents(byArn)[0]!.Resource).toBe(arn);
    expect(scannerVariables(byArn).EVENT_BUS_NAME).toBe(arn);
  });

  it('grants nothing and names no bus when events are off', () => {
    const off = synthCustoms({ alerts: { events: false } }).template;
    expect(putEvents(off)).toEqual([]);
    expect(scannerVariables(off)).not.toHaveProperty('EVENT_BUS_NAME');
  });
});

describe('policy parameter', () => {
  const parameterOf = (template: Template_): { Type: string; Value: string; Tier: string } =>
    Object.values(resourcesOfType(template, 'AWS::SSM::Parameter'))[0]!.Properties as unknown as { Type: string; Value: string; Tier: string };
  const policies: CustomsConfigInput['policies'] = {
    default: { failOn: 'HIGH', ignore: [{ id: 'CVE-2023-44487', reason: 'HTTP/2 is not exposed', expires: '2026-12-31' }] },
    overrides: [{ repositories: { prefixes: ['team-a/'] }, mode: 'enforce', vex: [{ s3: { bucket: 'team-a-vex', key: 'statements/app.openvex.json' } }] }],
  };
  const withPolicies = synthCustoms({ policies });
  // An ignore entry of about 200 bytes as JSON, to grow the document past SSM's tiers.
  const ignores = (count: number): NonNullable<NonNullable<CustomsConfigInput['policies']>['default']>['ignore'] =>
    Array.from({ length: count }, (_, index) => ({ id: `CVE-2024-${String(10_000 + index)}`, reason: `Reviewed: the vulnerable code path is not reachable in our build (${'x'.repeat(100)})`, expires: '2027-01-31' }));

  it('holds the validated document, defaults filled in, as JSON in a Standard parameter', () => {
    const parameter = parameterOf(withPolicies.template);
    expect(parameter.Type).toBe('String');
    expect(parameter.Tier).toBe('Standard');
    expect(JSON.parse(parameter.Value)).toEqual(parseConfig({ policies }).policies);
    expect(JSON.parse(parameterOf(defaults.template).Value)).toEqual({ default: { mode: 'audit', failOn: 'CRITICAL', ignoreUnfixed: false, ignore: [], vex: [], quarantine: { method: 'untag', immutableTags: 'archive', enforceOnRescan: false } }, overrides: [] });
    expect(withPolicies.template.toJSON().Outputs).toMatchObject({ PolicyParameterName: { Value: { Ref: idOf(withPolicies.template, 'AWS::SSM::Parameter', 'PolicyParameter') } } });
  });

  it('switches to the Advanced tier past 4 KB, and refuses past 8 KB with what to do', () => {
    const large = parameterOf(synthCustoms({ policies: { default: { ignore: ignores(25) } } }).template);
    expect(Buffer.byteLength(large.Value)).toBeGreaterThan(4096);
    expect(large.Tier).toBe('Advanced');
    expect(() => synthCustoms({ policies: { default: { ignore: ignores(45) } } })).toThrow(/customs\.policies: the policy document is \d+ bytes as JSON, more than an SSM parameter holds \(8192\); move inline VEX documents to S3/);
  });

  it('lets the scanner GetParameter on it, and nothing else of SSM', () => {
    const ssm = scannerStatements(withPolicies.template).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('ssm:')));
    const parameter = idOf(withPolicies.template, 'AWS::SSM::Parameter', 'PolicyParameter');
    expect(ssm).toEqual([
      {
        Sid: 'ReadPolicyDocument',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:${TEST_ENV.region}:${TEST_ENV.account}:parameter/`, { Ref: parameter }]] },
      },
    ]);
  });
});

describe('scanner: alerts environment and permissions', () => {
  it('names the alerts topic, policy parameter and email cap in its environment', () => {
    const variables = scannerVariables(subscribed.template);
    expect(variables).toMatchObject({
      ALERTS_TOPIC_ARN: { Ref: alertsTopic(subscribed.template) },
      POLICY_PARAMETER_NAME: { Ref: idOf(subscribed.template, 'AWS::SSM::Parameter', 'PolicyParameter') },
      EMAIL_IMAGE_CAP: '20',
      POWERTOOLS_SERVICE_NAME: 'customs-scanner',
    });
    expect(scannerVariables(synthCustoms({ alerts: { emailImageCap: 5 } }).template).EMAIL_IMAGE_CAP).toBe('5');
  });

  it('publishes to the alerts topic only (alarms publish to operations), with the alerts key', () => {
    const statements = scannerStatements(subscribed.template);
    const sns = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sns:')));
    expect(sns).toEqual([{ Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: alertsTopic(subscribed.template) } }]);
    const kms = statements.filter((statement) => JSON.stringify(statement.Resource).includes('AlertsKey'));
    expect(kms).toEqual([{ Sid: 'EncryptAlerts', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [alertsKey(subscribed.template), 'Arn'] } }]);
  });

  it('reads exactly the S3 VEX documents the policies name, each once', () => {
    const vex = { s3: { bucket: 'shared-vex', key: 'base-images.openvex.json' } };
    const { template } = synthCustoms({
      policies: { default: { vex: [vex] }, overrides: [{ repositories: { names: ['web'] }, vex: [vex, { s3: { bucket: 'web-vex', key: 'web/app.json' } }] }] },
    });
    const reads = scannerStatements(template).filter((statement) => statement.Sid === 'ReadVexDocuments');
    expect(reads).toEqual([{ Sid: 'ReadVexDocuments', Effect: 'Allow', Action: 's3:GetObject', Resource: [PARTITION_JOIN(':s3:::shared-vex/base-images.openvex.json'), PARTITION_JOIN(':s3:::web-vex/web/app.json')] }]);
    expect(scannerStatements(defaults.template).filter((statement) => statement.Sid === 'ReadVexDocuments')).toEqual([]);
  });
});
