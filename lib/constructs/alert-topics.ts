import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ArnPrincipal, PolicyStatement, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlertTopicsProps {
  /** `separate`: an operations topic for the alarms; `alerts`: alarms share the alerts topic. */
  readonly operationsTopic: 'separate' | 'alerts';
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a publisher needs of the key to publish to a topic it encrypts (SNS calls exactly these). */
const PUBLISHER_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * The alerts topic (verdicts, for people and tools) and the operations topic (alarms), encrypted
 * with one customer-managed key (which also encrypts the delivery DLQ). The key's policy names every publisher itself: CloudWatch alarms
 * (SNS's AWS-managed key cannot trust them, and without this they deploy and never notify) and the
 * roles given `grantPublish`. Both topics refuse publishing without TLS. What SNS cannot deliver to a
 * subscriber (a queue whose key does not trust SNS, a function gone) lands in one delivery DLQ
 * instead of being dropped.
 */
export class AlertTopics extends Construct {
  readonly key: Key;
  readonly alertsTopic: Topic;
  /** Where alarms go: the operations topic, or the alerts topic when they share it. */
  readonly operationsTopic: Topic;
  /** Every subscription's redrive target. */
  readonly deliveryDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Customs: alerts and operations topics',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The display name is the sender email subscribers see.
    this.alertsTopic = this.topic('AlertsTopic', 'Customs alerts');
    this.operationsTopic = props.operationsTopic === 'separate' ? this.topic('OperationsTopic', 'Customs operations') : this.alertsTopic;
    this.trustAlarms();
    this.deliveryDeadLetterQueue = this.deadLetterQueue();
  }

  /** sns:Publish on the alerts topic, and the key (in the role's policy and in the key's own). */
  grantPublish(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [this.alertsTopic.topicArn] }));
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'EncryptAlerts', actions: PUBLISHER_KEY_ACTIONS, resources: [this.key.keyArn] }));
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: `Publish${Names.nodeUniqueId(role.node).replace(/[^A-Za-z0-9]/g, '')}`,
        principals: [new ArnPrincipal(role.roleArn)],
        actions: PUBLISHER_KEY_ACTIONS,
        resources: ['*'],
      }),
    );
  }

  // SNS writes an encrypted DLQ only with a customer-managed key that trusts it: this one.
  private deadLetterQueue(): Queue {
    const queue = new Queue(this, 'DeliveryDeadLetterQueue', { encryption: QueueEncryption.KMS, encryptionMasterKey: this.key, enforceSSL: true, retentionPeriod: Duration.days(14) });
    const topics = [...new Set([this.alertsTopic, this.operationsTopic])].map((topic) => topic.topicArn);
    queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SnsRedrivesUndeliverable',
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': topics } },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SnsRedrivesUndeliverable',
        principals: [new ServicePrincipal('sns.amazonaws.com')],
        actions: PUBLISHER_KEY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return queue;
  }

  private topic(id: string, displayName: string): Topic {
    return new Topic(this, id, { displayName, masterKey: this.key, enforceSSL: true, signatureVersion: '2' });
  }

  // Alarm actions publish as cloudwatch.amazonaws.com: they need the key and, once a topic has a
  // policy of its own (the TLS one), an Allow there too. Both are limited to this account's alarms.
  private trustAlarms(): void {
    const stack = Stack.of(this);
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: PUBLISHER_KEY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.operationsTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.operationsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': alarms } },
      }),
    );
  }
}
