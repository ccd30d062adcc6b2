import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { randomUUID } from 'node:crypto';
import type { PolicyDocumentInput } from '../../lambdas/core/policy/policy-document.ts';

export interface MotoAlerting {
  readonly clients: { readonly sns: SNSClient; readonly ssm: SSMClient; readonly eventBridge: EventBridgeClient };
  /** The scanner environment's alerting part, pointing at what was made here. */
  readonly env: { readonly alertsTopicArn: string; readonly policyParameterName: string; readonly eventBusName: string; readonly emailImageCap: number };
}

/**
 * An alerts topic, a policy parameter and the default bus on moto_server, for tests and benches
 * that run the scanner whole but do not check its alerts request by request.
 */
export async function motoAlerting(endpoint: string, region: string, policy: PolicyDocumentInput = {}): Promise<MotoAlerting> {
  const config = { endpoint, region, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const sns = new SNSClient(config);
  const ssm = new SSMClient(config);
  const name = `customs-${randomUUID()}`;
  const topic = await sns.send(new CreateTopicCommand({ Name: `${name}-alerts` }));
  const parameter = `/${name}/policy`;
  await ssm.send(new PutParameterCommand({ Name: parameter, Type: 'String', Value: JSON.stringify(policy) }));
  return {
    clients: { sns, ssm, eventBridge: new EventBridgeClient(config) },
    env: { alertsTopicArn: topic.TopicArn!, policyParameterName: parameter, eventBusName: 'default', emailImageCap: 20 },
  };
}
