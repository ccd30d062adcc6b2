import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { compilePolicyCatalogue } from '../../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument, type PolicyDocumentInput } from '../../../../lambdas/core/policy/policy-document.ts';
import { StaticPolicySource } from '../../../../lambdas/core/policy/static-policy-source.ts';

function vexDocument(vulnerability: string, product = 'pkg:deb/debian/libxml2'): Record<string, unknown> {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://example.com/vex/${vulnerability}`,
    author: 'tests',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: vulnerability }, products: [{ '@id': product }], status: 'not_affected', justification: 'vulnerable_code_not_present' }],
  };
}

const S3_TEXT = JSON.stringify(vexDocument('CVE-2024-0727', 'pkg:deb/debian/openssl'));
const S3_TEXTS = new Map([['s3://vex-docs/shared.json', S3_TEXT]]);

function catalogueOf(input: PolicyDocumentInput, texts: ReadonlyMap<string, string> = S3_TEXTS) {
  return compilePolicyCatalogue(parsePolicyDocument(input), texts);
}

const DOCUMENT: PolicyDocumentInput = {
  default: { failOn: 'CRITICAL', ignore: [{ id: 'CVE-2023-44487', reason: 'HTTP/2 is not exposed' }], vex: [{ s3: { bucket: 'vex-docs', key: 'shared.json' } }] },
  overrides: [
    { repositories: { prefixes: ['team-a/'] }, failOn: 'HIGH', ignore: [{ id: 'CVE-2024-1', reason: 'team a accepts it', expires: '2026-06-30' }] },
    { repositories: { prefixes: ['team-a/payments/'] }, failOn: 'MEDIUM', mode: 'enforce' },
    { repositories: { names: ['team-a/payments/api'] }, ignoreUnfixed: true, vex: [{ inline: vexDocument('CVE-2024-25062') }] },
  ],
};

describe('compilePolicyCatalogue', () => {
  it("takes each quarantine setting an override gives and the default's for the rest, outside the policy version", () => {
    const input: PolicyDocumentInput = {
      default: { mode: 'enforce', quarantine: { immutableTags: 'alert-only' } },
      overrides: [
        { repositories: { prefixes: ['prod/'] }, quarantine: { method: 'archive', enforceOnRescan: true } },
        { repositories: { prefixes: ['dev/'] } },
      ],
    };
    const catalogue = catalogueOf(input);
    expect(catalogue.policyFor('web').quarantine).toEqual({ method: 'untag', immutableTags: 'alert-only', enforceOnRescan: false });
    expect(catalogue.policyFor('prod/api').quarantine).toEqual({ method: 'archive', immutableTags: 'alert-only', enforceOnRescan: true });
    expect(catalogue.policyFor('dev/api').quarantine).toEqual(catalogue.policyFor('web').quarantine);
    // What enforce mode does is not what judges an image: equal verdict settings, equal versions.
    expect(catalogue.policyFor('prod/api').version).toBe(catalogue.policyFor('web').version);
    expect(() => catalogueOf({ default: { quarantine: { method: 'delete' } } } as unknown as PolicyDocumentInput)).toThrow(/policies\.default\.quarantine\.method/);
    expect(() => catalogueOf({ overrides: [{ repositories: { names: ['web'] }, quarantine: { onRescan: true } }] } as unknown as PolicyDocumentInput)).toThrow(/policies\.overrides\[0\]\.quarantine/);
  });

  it('gives the default to a repository no override names', () => {
    const policy = catalogueOf(DOCUMENT).policyFor('team-b/web');
    expect(policy).toMatchObject({ source: 'default', mode: 'audit', failOn: 'CRITICAL', ignoreUnfixed: false });
    expect(policy.ignores.map((rule) => [rule.id, rule.source, rule.entry])).toEqual([['CVE-2023-44487', 'policy default', 1]]);
    expect(policy.vex.map((statement) => [statement.vulnerability, statement.document])).toEqual([['CVE-2024-0727', 's3://vex-docs/shared.json']]);
  });

  it('prefers an exact name to any prefix, and the longest matching prefix to a shorter one', () => {
    const catalogue = catalogueOf(DOCUMENT);
    expect(catalogue.policyFor('team-a/payments/api')).toMatchObject({ source: 'name:team-a/payments/api' });
    expect(catalogue.policyFor('team-a/payments/worker')).toMatchObject({ source: 'prefix:team-a/payments/', failOn: 'MEDIUM', mode: 'enforce' });
    expect(catalogue.policyFor('team-a/web')).toMatchObject({ source: 'prefix:team-a/', failOn: 'HIGH', mode: 'audit' });
    // A prefix is matched on the name's start only.
    expect(catalogue.policyFor('x/team-a/web')).toMatchObject({ source: 'default' });
  });

  it('finds the longest prefix whatever order the overrides are written in', () => {
    const reversed = { ...DOCUMENT, overrides: [...DOCUMENT.overrides!].reverse() };
    expect(catalogueOf(reversed).policyFor('team-a/payments/worker')).toMatchObject({ source: 'prefix:team-a/payments/' });
  });

  it("replaces the default's settings with an override's, and adds its ignore entries and VEX documents after the default's", () => {
    const policy = catalogueOf(DOCUMENT).policyFor('team-a/payments/api');
    // failOn and mode come from the default: the name's override sets neither (overrides do not stack).
    expect(policy).toMatchObject({ failOn: 'CRITICAL', mode: 'audit', ignoreUnfixed: true });
    expect(policy.vex.map((statement) => [statement.vulnerability, statement.document])).toEqual([
      ['CVE-2024-0727', 's3://vex-docs/shared.json'],
      ['CVE-2024-25062', 'policy name:team-a/payments/api vex[0] (inline)'],
    ]);
    const teamA = catalogueOf(DOCUMENT).policyFor('team-a/web');
    expect(teamA.ignores.map((rule) => [rule.id, rule.reason, rule.source, rule.entry, rule.expires])).toEqual([
      ['CVE-2023-44487', 'HTTP/2 is not exposed', 'policy default', 1, undefined],
      ['CVE-2024-1', 'team a accepts it', 'policy prefix:team-a/', 1, '2026-06-30'],
    ]);
    expect(teamA.ignores[1]!.expiresAt).toBe(Date.parse('2026-06-30T23:59:59.999Z'));
  });

  it('gives equal policies equal versions whichever entry they come from', () => {
    const catalogue = catalogueOf({
      default: { failOn: 'HIGH' },
      overrides: [
        { repositories: { names: ['same-as-default'] }, failOn: 'HIGH' },
        { repositories: { prefixes: ['same-too/'] } },
        { repositories: { names: ['stricter'] }, failOn: 'MEDIUM' },
      ],
    });
    const version = catalogue.policyFor('other').version;
    expect(version).toMatch(/^pv1-[0-9a-f]{16}$/);
    expect(catalogue.policyFor('same-as-default').version).toBe(version);
    expect(catalogue.policyFor('same-too/app').version).toBe(version);
    expect(catalogue.policyFor('stricter').version).not.toBe(version);
  });

  it("changes a repository's version when anything that judges it changes, and only then", () => {
    const base = catalogueOf(DOCUMENT);
    const version = (input: PolicyDocumentInput, texts?: ReadonlyMap<string, string>) => catalogueOf(input, texts).policyFor('team-a/web').version;
    const teamA = DOCUMENT.overrides![0]!;
    const withOverride = (override: object): PolicyDocumentInput => ({ ...DOCUMENT, overrides: [{ ...teamA, ...override }, ...DOCUMENT.overrides!.slice(1)] });

    expect(version(DOCUMENT)).toBe(base.policyFor('team-a/web').version);
    expect(version(withOverride({ ignore: [{ id: 'CVE-2024-1', reason: 'team a accepts it', expires: '2026-07-31' }] }))).not.toBe(base.policyFor('team-a/web').version);
    expect(version(withOverride({ ignoreUnfixed: true }))).not.toBe(base.policyFor('team-a/web').version);
    expect(version(withOverride({ mode: 'enforce' }))).not.toBe(base.policyFor('team-a/web').version);
    expect(version(DOCUMENT, new Map([['s3://vex-docs/shared.json', JSON.stringify(vexDocument('CVE-2024-9999'))]]))).not.toBe(base.policyFor('team-a/web').version);
    // Another override's change leaves this repository's version alone, but not the document's.
    const otherChanged: PolicyDocumentInput = { ...DOCUMENT, overrides: [teamA, { ...DOCUMENT.overrides![1]!, failOn: 'LOW' }, DOCUMENT.overrides![2]!] };
    expect(version(otherChanged)).toBe(base.policyFor('team-a/web').version);
    expect(catalogueOf(otherChanged).version).not.toBe(base.version);
    expect(catalogueOf(otherChanged).policyFor('team-a/payments/worker').version).not.toBe(base.policyFor('team-a/payments/worker').version);
  });

  it('versions the document by its content and the text of its S3 documents', () => {
    expect(catalogueOf(DOCUMENT).version).toBe(catalogueOf(structuredClone(DOCUMENT)).version);
    expect(catalogueOf(DOCUMENT).version).toMatch(/^pv1-[0-9a-f]{16}$/);
    expect(catalogueOf(DOCUMENT, new Map([['s3://vex-docs/shared.json', `${S3_TEXT}\n`]])).version).not.toBe(catalogueOf(DOCUMENT).version);
  });

  it('refuses an S3 VEX document that was not loaded, or does not parse, naming it', () => {
    expect(() => catalogueOf(DOCUMENT, new Map())).toThrow(new CustomsError('not-found', 'policy VEX document s3://vex-docs/shared.json was not loaded'));
    expect(() => catalogueOf(DOCUMENT, new Map([['s3://vex-docs/shared.json', '{']]))).toThrow(/^OpenVEX document s3:\/\/vex-docs\/shared\.json: not valid JSON/);
  });
});

describe('StaticPolicySource', () => {
  it('serves the catalogue of the document it was given', async () => {
    const source = StaticPolicySource.fromDocument({ overrides: [{ repositories: { names: ['strict'] }, failOn: 'LOW' }] });
    const catalogue = await source.current();
    expect(catalogue.policyFor('strict')).toMatchObject({ source: 'name:strict', failOn: 'LOW' });
    expect(await source.current()).toBe(catalogue);
  });

  it('validates the document it is given', () => {
    expect(() => StaticPolicySource.fromDocument({ default: { failOn: 'SEVERE' } })).toThrow('policies.default.failOn: must be one of');
  });
});
