import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { parseConfig, type CustomsConfig } from '../../../lib/config/customs-config.ts';
import { CustomsStack } from '../../../lib/customs-stack.ts';

/**
 * What the stack deploys that is paid by the month, counted from the synthesized template (not
 * typed in here), with the configuration defaults the cost is spread by.
 */
export interface DeployedResources {
  readonly config: CustomsConfig;
  readonly alarms: number;
  readonly kmsKeys: number;
  readonly tables: number;
  readonly lambdaArchitecture: string;
  readonly memoryMiB: number;
}

function synth(input: Record<string, unknown>): Record<string, { Type: string; Properties?: Record<string, unknown> }> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack: Stack = new CustomsStack(app, 'CustomsBench', { env: { account: '111122223333', region: 'us-east-1' }, config: input });
  return (app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }).Resources;
}

export function deployedResources(): DeployedResources {
  const config = parseConfig({});
  const resources = Object.values(synth({}));
  const count = (list: typeof resources, type: string): number => list.filter((resource) => resource.Type === type).length;
  const fn = resources.find((resource) => resource.Type === 'AWS::Lambda::Function' && (resource.Properties?.MemorySize as number | undefined) === config.scanner.memoryMiB);
  return {
    config,
    alarms: count(resources, 'AWS::CloudWatch::Alarm'),
    kmsKeys: count(resources, 'AWS::KMS::Key'),
    tables: count(resources, 'AWS::DynamoDB::Table'),
    lambdaArchitecture: ((fn?.Properties?.Architectures as string[] | undefined) ?? ['x86_64'])[0]!,
    memoryMiB: config.scanner.memoryMiB,
  };
}
