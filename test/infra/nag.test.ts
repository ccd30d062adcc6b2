import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { createCustomsApp } from '../../lib/customs-app.ts';
import { nagAcknowledgements } from '../../lib/nag-suppressions.ts';
import { synthCustoms, TEST_ENV } from './synth-customs.ts';

// Template.fromStack in synthCustoms already ran both packs as validation plugins (a finding
// would have thrown); here each pack is run again on the tree to read its report.
const configurations = {
  defaults: synthCustoms(),
  selective: synthCustoms({ watchedRepositories: { names: ['web'], prefixes: ['team-a/', 'team-b/'] }, queueEncryption: 'kms', removalPolicy: 'destroy' }),
  named: synthCustoms({ watchedRepositories: { names: ['web'] } }),
  // Enforce mode: quarantine's ECR writes on the enforced repositories, registry reads on `*`.
  enforcing: synthCustoms({ watchedRepositories: { prefixes: ['prod/', 'dev/'] }, policies: { overrides: [{ repositories: { prefixes: ['prod/'] }, mode: 'enforce' }] } }),
  // Every subscription protocol, alarms on the alerts topic, S3 VEX documents and a bus by ARN.
  alerting: synthCustoms({
    watchedRepositories: { prefixes: ['team-a/'] },
    policies: { default: { vex: [{ s3: { bucket: 'team-vex', key: 'base.openvex.json' } }] } },
    alerts: {
      subscriptions: [
        { protocol: 'email', endpoint: 'security@example.com' },
        { protocol: 'https', endpoint: 'https://hooks.example.com/customs' },
        { protocol: 'sqs', endpoint: `arn:aws:sqs:${TEST_ENV.region}:${TEST_ENV.account}:alerts` },
        { protocol: 'lambda', endpoint: `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:ticketing` },
      ],
      eventBus: 'arn:aws:events:eu-west-1:444455556666:event-bus/central',
    },
    operations: { topic: 'alerts', subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] },
  }),
};

describe('cdk-nag', () => {
  for (const [name, { stack }] of Object.entries(configurations)) {
    it(`finds nothing unacknowledged in AwsSolutions and Serverless (${name})`, () => {
      for (const pack of [new AwsSolutionsChecks(stack), new ServerlessChecks(stack)]) {
        const report = pack.validateScope(stack);
        const findings = report.violations.flatMap((violation) =>
          violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`),
        );
        expect(findings, pack.name).toEqual([]);
        expect(report.success).toBe(true);
      }
    });
  }

  it('fails synthesis on a finding nobody acknowledged (the packs run as validation plugins of the app)', () => {
    const { app, stack } = createCustomsApp({ context: { 'aws:cdk:bundling-stacks': [] } }, { env: TEST_ENV });
    new Queue(stack, 'Unacknowledged', { enforceSSL: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4[\s\S]*Customs\/Unacknowledged/);
  });

  it('acknowledges only on single resources, each with its reason (snapshot)', () => {
    for (const { stack } of Object.values(configurations)) {
      const acknowledgements = nagAcknowledgements(stack);
      const list = acknowledgements.map(({ resource, id, reason }) => ({ resource: resource.node.path, id, reason }));
      expect(list.every((entry) => entry.reason.length > 30)).toBe(true);
      // A stack- or app-wide acknowledgement would hide findings on resources added later.
      expect(acknowledgements.every(({ resource }) => resource !== stack && resource.node.scope !== undefined && resource.node.path !== stack.node.path)).toBe(true);
      expect(list).toMatchSnapshot(stack.config.watchedRepositories === 'all' ? 'every repository' : JSON.stringify(stack.config.watchedRepositories));
    }
  });
});
