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
  /** SSM parameters (the policy document) by tier: Advanced past 4 KB is billed by the month. */
  readonly parameters: { readonly standard: number; readonly advanced: number };
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
    parameters: {
      standard: resources.filter((resource) => resource.Type === 'AWS::SSM::Parameter' && resource.Properties?.Tier !== 'Advanced').length,
      advanced: resources.filter((resource) => resource.Type === 'AWS::SSM::Parameter' && resource.Properties?.Tier === 'Advanced').length,
    },
    lambdaArchitecture: ((fn?.Properties?.Architectures as string[] | undefined) ?? ['x86_64'])[0]!,
    memoryMiB: config.scanner.memoryMiB,
  };
}
