import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compilePolicyCatalogue } from '../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument } from '../../../lambdas/core/policy/policy-document.ts';
import { readYaml } from '../../../lambdas/core/policy/read-yaml.ts';
import { runCli } from '../../support/cli.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { scanJson } from '../../support/scan-report.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * `customs scan --policy FILE --repository NAME` judges an image as the pipeline judges NAME's
 * images: the deployed policy document, resolved and versioned by the same code. lodash 4.17.15
 * has two HIGH findings and minimist 1.2.0 one CRITICAL in the shared npm advisories.
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const POLICY = `# what cdk.json holds under customs.policies
default:
  failOn: CRITICAL
  ignore:
    - id: GHSA-xvch-5gv4-984h
      reason: minimist parses only our own build flags
overrides:
  - repositories: { prefixes: [strict/] }
    failOn: HIGH
`;

describe('customs scan --policy', () => {
  let layout: string;
  let policyFile: string;

  beforeAll(() => {
    layout = appLayout({ lodash: '4.17.15', minimist: '1.2.0' });
    policyFile = join(mkdtempSync(join(tmpdir(), 'customs-policy-')), 'policies.yaml');
    writeFileSync(policyFile, POLICY);
  });

  const scan = (repository: string) => scanJson([`oci:${layout}:latest`, '--advisories', NPM_ADVISORIES, '--policy', policyFile, '--repository', repository]);

  it('applies the repository’s resolved policy: its threshold, and the default’s ignore entries added to the override’s', async () => {
    const relaxed = await scan('team/app');
    expect(relaxed.code, relaxed.stderr).toBe(0);
    expect(relaxed.report.gate).toEqual({ threshold: 'CRITICAL', failing: 0, passed: true });
    expect(relaxed.report.images[0]!.suppressed.map((entry) => [entry.finding.id, entry.by, entry.reason])).toEqual([['CVE-2021-44906', 'ignore', 'minimist parses only our own build flags']]);

    const strict = await scan('strict/app');
    expect(strict.code).toBe(1);
    expect(strict.report.gate).toEqual({ threshold: 'HIGH', failing: 2, passed: false });
    expect(strict.report.images[0]!.suppressed.map((entry) => entry.finding.id)).toEqual(['CVE-2021-44906']);
  });

  it('names the policy entry and version the pipeline would record', async () => {
    const catalogue = compilePolicyCatalogue(parsePolicyDocument(readYaml(readFileSync(policyFile, 'utf8'), 'policy')), new Map());
    const { report } = await scan('strict/payments');
    const expected = catalogue.policyFor('strict/payments');
    expect(report.warnings).toContain(`policy: strict/payments is judged by prefix:strict/ (${expected.version}, audit, fail on HIGH)`);
    expect(expected.version).not.toBe(catalogue.policyFor('team/app').version);
  });

  it('refuses a policy without a repository, a second threshold, and a wrong document, naming the setting', async () => {
    const lonely = await runCli(['scan', `oci:${layout}:latest`, '--advisories', NPM_ADVISORIES, '--policy', policyFile]);
    expect([lonely.code, lonely.stderr]).toEqual([2, 'customs: --policy and --repository go together: the policy document, and the repository whose policy to apply\n']);
    const twice = await runCli(['scan', `oci:${layout}:latest`, '--advisories', NPM_ADVISORIES, '--policy', policyFile, '--repository', 'a/b', '--fail-on', 'LOW']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--fail-on and --policy both set the threshold');
    const wrong = join(mkdtempSync(join(tmpdir(), 'customs-policy-')), 'wrong.yaml');
    writeFileSync(wrong, 'overrides:\n  - repositories: { names: [team/app] }\n    failOn: SEVERE\n');
    const bad = await runCli(['scan', `oci:${layout}:latest`, '--advisories', NPM_ADVISORIES, '--policy', wrong, '--repository', 'team/app']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`policy file ${wrong}.overrides[0].failOn`);
  });
});
