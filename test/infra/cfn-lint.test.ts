import { spawn } from 'node:child_process';
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

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

/** A child process to its end, without blocking the worker, so that several can run at once. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ status: null, stdout, stderr, error }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Synthesizes the cdk.json app the way `cdk synth` runs it, into a folder of its own. */
async function synthesize(name: string, context: Record<string, unknown>): Promise<{ outdir: string; synth: Run }> {
  const outdir = join(scratch, name);
  const synth = await run('npx', ['tsx', 'bin/app.ts'], { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) });
  return { outdir, synth };
}

// The two synths and lints are separate processes on separate folders: side by side.
describe('cfn-lint on the synthesized templates', () => {
  it.concurrent.each([
    ['defaults', {}],
    [
      'selective',
      {
        customs: {
          watchedRepositories: { names: ['web'], prefixes: ['team-a/'] },
          queueEncryption: 'kms',
          removalPolicy: 'destroy',
          // Enforce mode adds quarantine's ECR writes on `web` and the registry-wide reads.
          policies: { overrides: [{ repositories: { names: ['web'] }, mode: 'enforce', failOn: 'HIGH', vex: [{ s3: { bucket: 'web-vex', key: 'web.openvex.json' } }] }] },
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
  ])('reports no error (%s)', async (name, context) => {
    const { outdir, synth } = await synthesize(name, context);
    expect(synth.status, synth.stderr).toBe(0);
    const templates = readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
    expect(templates).toEqual(['Customs.template.json']);
    const lint = await run('cfn-lint', ['--format', 'parseable', '--', ...templates.map((file) => join(outdir, file))]);
    expect(lint.error).toBeUndefined();
    const status = lint.status ?? CFN_LINT_FAILED;
    expect(status & CFN_LINT_FAILED, lint.stderr).toBe(0);
    expect(status & CFN_LINT_ERROR, lint.stdout).toBe(0);
  }, 120_000);
});
