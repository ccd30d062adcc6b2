import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { routes } from '../../../lambdas/core/api/routes.ts';

// The admission example in the docs: the repository and digest its expressions take out of an
// image reference are the ones GET /verdict accepts, and its URL is that route's.
const policyPath = new URL('../../../docs/admission/kyverno-customs-verdict.yaml', import.meta.url);
const helper = new URL('../../support/kyverno-jmespath.py', import.meta.url);

interface ContextEntry {
  readonly name: string;
  readonly variable?: { readonly jmesPath: string };
  readonly apiCall?: { readonly method: string; readonly service: { readonly url: string } };
}

function verdictRule(): { context: readonly ContextEntry[] } {
  const policy = parse(readFileSync(policyPath, 'utf8')) as { spec: { rules: { name: string; validate: { foreach: { context?: ContextEntry[] }[] } }[] } };
  const rule = policy.spec.rules.find(({ name }) => name === 'customs-allows-image');
  const context = rule?.validate.foreach[0]?.context;
  if (!context) throw new Error('the example has no customs-allows-image rule with a context');
  return { context };
}

function evaluate(image: string): Record<string, string> {
  const expressions = Object.fromEntries(verdictRule().context.flatMap(({ name, variable }) => (variable ? [[name, variable.jmesPath]] : [])));
  const output = execFileSync('python3', [helper.pathname], { input: JSON.stringify({ expressions, element: { name: 'app', image } }) });
  return JSON.parse(output.toString()) as Record<string, string>;
}

const digest = `sha256:${'ab'.repeat(32)}`;

describe('the Kyverno admission example', () => {
  it.each([
    ['team/payments/api', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/payments/api@${digest}`],
    ['team/payments/api', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/payments/api:1.4.2@${digest}`],
    ['web', `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:latest@${digest}`],
  ])('reads repository %s and the digest out of %s, as GET /verdict accepts them', (repository, image) => {
    const values = evaluate(image);
    expect(values).toEqual({ repository, digest });
    expect(routes.getVerdict.query.safeParse({ repository: values.repository, digest: values.digest }).success).toBe(true);
  });

  it('asks the verdict route by repository and digest', () => {
    const call = verdictRule().context.find(({ apiCall }) => apiCall)?.apiCall;
    expect(call?.method).toBe(routes.getVerdict.method);
    const url = new URL(call!.service.url.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => `<${name}>`));
    expect(url.pathname).toBe(routes.getVerdict.path);
    expect([...url.searchParams.keys()].sort()).toEqual(['digest', 'repository']);
  });
});
