import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SsmPolicySource } from '../../../../lambdas/adapters/ssm/ssm-policy-source.ts';

const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);

const VEX = JSON.stringify({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/1',
  author: 'Security',
  timestamp: '2026-11-30T12:00:00Z',
  version: 1,
  statements: [{ vulnerability: { name: 'CVE-2021-44906' }, products: [{ '@id': 'pkg:npm/minimist@1.2.0' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
});

/** The part of an S3 body stream the adapter reads. */
function textBody(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

function source(now: { value: number }) {
  return new SsmPolicySource({ ssm: new SSMClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }), parameterName: '/customs/policy', clock: { now: () => new Date(now.value) }, refreshMs: 60_000 });
}

function parameter(document: object, version: number) {
  ssm.on(GetParameterCommand, { Name: '/customs/policy' }).resolves({ Parameter: { Name: '/customs/policy', Value: JSON.stringify(document), Version: version } });
}

afterEach(() => {
  ssm.reset();
  s3.reset();
});

describe('SsmPolicySource', () => {
  it('compiles the parameter with its S3 VEX documents, and reads again only after the refresh interval', async () => {
    parameter({ default: { failOn: 'HIGH', vex: [{ s3: { bucket: 'policies', key: 'team/app.vex.json' } }] } }, 1);
    s3.on(GetObjectCommand, { Bucket: 'policies', Key: 'team/app.vex.json' }).resolves({ Body: textBody(VEX), ContentLength: VEX.length });
    const now = { value: 0 };
    const policies = source(now);
    const policy = (await policies.current()).policyFor('team/app');
    expect(policy).toMatchObject({ failOn: 'HIGH', source: 'default' });
    expect(policy.vex.map((statement) => statement.vulnerability)).toEqual(['CVE-2021-44906']);
    now.value = 59_000;
    await policies.current();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    // An unchanged parameter version is not compiled (nor its VEX documents read) again.
    now.value = 61_000;
    await policies.current();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('picks up a changed parameter at the next refresh', async () => {
    parameter({ default: { failOn: 'CRITICAL' } }, 1);
    const now = { value: 0 };
    const policies = source(now);
    const before = (await policies.current()).policyFor('team/app');
    parameter({ default: { failOn: 'LOW' } }, 2);
    now.value = 120_000;
    const after = (await policies.current()).policyFor('team/app');
    expect([before.failOn, after.failOn]).toEqual(['CRITICAL', 'LOW']);
    expect(after.version).not.toBe(before.version);
  });

  it('keeps the policy it has when a re-read fails, and fails without one', async () => {
    parameter({ default: { failOn: 'MEDIUM' } }, 1);
    const now = { value: 0 };
    const policies = source(now);
    await policies.current();
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    now.value = 120_000;
    expect((await policies.current()).policyFor('x/y').failOn).toBe('MEDIUM');
    await expect(source({ value: 0 }).current()).rejects.toThrow('Rate exceeded');
  });

  it('names the parameter when its value is not JSON, and the setting when the document is wrong', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/customs/policy', Value: '{not json', Version: 1 } });
    await expect(source({ value: 0 }).current()).rejects.toThrow('policy parameter /customs/policy is not JSON');
    ssm.reset();
    parameter({ default: { failOn: 'SEVERE' } }, 1);
    await expect(source({ value: 0 }).current()).rejects.toThrow(/policies\.default\.failOn/);
  });
});
