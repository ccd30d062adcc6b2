import { createHash } from 'node:crypto';
import { Aws, CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { CfnSubscription, type ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { arnRegionOf, lambdaAccountOf, subscriptionKey, type AttributeFilterPolicy, type SubscriptionConfig } from '../config/subscription-config.ts';

export interface AlertSubscriptionsProps {
  readonly topic: ITopic;
  /** Validated by the configuration (lib/config/subscription-config.ts). */
  readonly subscriptions: readonly SubscriptionConfig[];
  /** The filter policy each subscription gets; none when undefined. */
  readonly filterPolicyOf: (subscription: SubscriptionConfig) => AttributeFilterPolicy | undefined;
  /** Where SNS moves what it could not deliver (its policy must let SNS send from this topic). */
  readonly deadLetterQueue: IQueue;
}

/**
 * The configured subscriptions of one topic. Endpoints are taken by address or ARN: a subscriber's
 * queue is theirs, and so are its queue policy and key policy (both must let sns.amazonaws.com
 * send, see the README). A Lambda function in this account and region is given the permission SNS
 * needs to invoke it; one elsewhere is its owner's to grant.
 */
export class AlertSubscriptions extends Construct {
  readonly subscriptions: readonly CfnSubscription[];

  constructor(scope: Construct, id: string, props: AlertSubscriptionsProps) {
    super(scope, id);
    this.subscriptions = props.subscriptions.map((subscription) => {
      // Named by what they are, not by position: reordering the list must not replace (and re-confirm) them.
      const name = nameOf(subscription);
      const filterPolicy = props.filterPolicyOf(subscription);
      if (subscription.protocol === 'lambda') this.permitInvoke(`${name}Invoke`, subscription.endpoint, props.topic);
      return new CfnSubscription(this, name, {
        topicArn: props.topic.topicArn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
        redrivePolicy: { deadLetterTargetArn: props.deadLetterQueue.queueArn },
        ...(filterPolicy ? { filterPolicy, filterPolicyScope: 'MessageAttributes' } : {}),
        ...(subscription.rawMessageDelivery !== undefined ? { rawMessageDelivery: subscription.rawMessageDelivery } : {}),
      });
    });
  }

  private permitInvoke(id: string, functionArn: string, topic: ITopic): void {
    const stack = Stack.of(this);
    const account = lambdaAccountOf(functionArn);
    const region = arnRegionOf(functionArn);
    const known = !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
    if (known && (account !== stack.account || region !== stack.region)) return;
    const permission = new CfnPermission(this, id, { action: 'lambda:InvokeFunction', functionName: functionArn, principal: 'sns.amazonaws.com', sourceArn: topic.topicArn });
    // An environment-agnostic stack learns its account and region at deploy time.
    if (!known) {
      permission.cfnOptions.condition = new CfnCondition(this, `${id}Here`, {
        expression: Fn.conditionAnd(Fn.conditionEquals(account ?? '', Aws.ACCOUNT_ID), Fn.conditionEquals(region ?? '', Aws.REGION)),
      });
    }
  }
}

function nameOf(subscription: SubscriptionConfig): string {
  const digest = createHash('sha256').update(subscriptionKey(subscription)).digest('hex').slice(0, 8).toUpperCase();
  return `${subscription.protocol[0]!.toUpperCase()}${subscription.protocol.slice(1)}${digest}`;
}
