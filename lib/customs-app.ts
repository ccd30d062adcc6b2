import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CustomsStack, type CustomsStackProps } from './customs-stack.ts';

export const STACK_ID = 'Customs';

/** The CDK app as `cdk synth` builds it: the stack, checked by cdk-nag's AwsSolutions and Serverless packs. */
export function createCustomsApp(appProps: AppProps = {}, stackProps: Omit<CustomsStackProps, 'description'> = {}): { app: App; stack: CustomsStack } {
  const app = new App(appProps);
  const stack = new CustomsStack(app, STACK_ID, { description: 'Customs: container customs for an ECR registry', ...stackProps });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
