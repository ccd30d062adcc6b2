import { Template } from 'aws-cdk-lib/assertions';
import type { CustomsConfigInput } from '../../lib/config/customs-config.ts';
import { createCustomsApp } from '../../lib/customs-app.ts';
import type { CustomsStack } from '../../lib/customs-stack.ts';

/** A fixed environment so ARNs and the key policy's account condition are literal in assertions. */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' } as const;

export interface SynthesizedCustoms {
  readonly stack: CustomsStack;
  readonly template: Template;
}

/**
 * Builds the app as bin/app.ts does (cdk-nag plugins included) and synthesizes it once, without
 * bundling the scanner (cfn-lint.test.ts synthesizes bin/app.ts with the real bundle).
 */
export function synthCustoms(config?: CustomsConfigInput): SynthesizedCustoms {
  const { stack } = createCustomsApp({ context: { 'aws:cdk:bundling-stacks': [] } }, { env: TEST_ENV, ...(config ? { config } : {}) });
  return { stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The template's resources of one CloudFormation type, by logical ID. */
export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}
