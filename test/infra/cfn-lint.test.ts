import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'customs-cfn-lint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// cfn-lint's exit code is a set of bits: 2 error, 4 warning, 8 informational (1 a crash).
const CFN_LINT_ERROR = 2;
const CFN_LINT_FAILED = 1;

/** Synthesizes the cdk.json app the way `cdk synth` runs it, into a folder of its own. */
function synthesize(name: string, context: Record<string, unknown>): string {
  const outdir = join(scratch, name);
  const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  expect(result.status, result.stderr).toBe(0);
  return outdir;
}

describe('cfn-lint on the synthesized templates', () => {
  it.each([
    ['defaults', {}],
    [
      'selective',
      {
        customs: {
          watchedRepositories: { names: ['web'], prefixes: ['team-a/'] },
          queueEncryption: 'kms',
          removalPolicy: 'destroy',
          policies: { overrides: [{ repositories: { names: ['web'] }, failOn: 'HIGH', vex: [{ s3: { bucket: 'web-vex', key: 'web.openvex.json' } }] }] },
          // The app is environment-agnostic: the Lambda permission is made on a condition.
          alerts: {
            subscriptions: [
              { protocol: 'email', endpoint: 'security@example.com', filterPolicy: { severityRank: [{ numeric: ['>=', 4] }] } },
              { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:111122223333:alerts', rawMessageDelivery: true },
              { protocol: 'lambda', endpoint: 'arn:aws:lambda:eu-west-1:111122223333:function:ticketing' },
            ],
            eventBus: 'security-events',
          },
          operations: { topic: 'alerts', subscriptions: [{ protocol: 'https', endpoint: 'https://oncall.example.com/hook' }] },
        },
      },
    ],
  ])('reports no error (%s)', (name, context) => {
    const outdir = synthesize(name, context);
    const templates = readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
    expect(templates).toEqual(['Customs.template.json']);
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates.map((file) => join(outdir, file))], { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    const status = lint.status ?? CFN_LINT_FAILED;
    expect(status & CFN_LINT_FAILED, lint.stderr).toBe(0);
    expect(status & CFN_LINT_ERROR, lint.stdout).toBe(0);
  }, 120_000);
});
