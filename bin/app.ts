#!/usr/bin/env node
// CDK app entry (cdk.json points here). The stack composes the pipeline's constructs from lib/.
import { App } from 'aws-cdk-lib';
import { CustomsStack } from '../lib/customs-stack.ts';

const app = new App();
new CustomsStack(app, 'Customs', { description: 'Customs: container customs for an ECR registry' });
app.synth();
