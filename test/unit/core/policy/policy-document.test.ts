import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { ignoreRulesFromEntries, parseIgnoreFile } from '../../../../lambdas/core/policy/ignore-file.ts';
import { parsePolicyDocument, policyDocumentSchema, vexObjectsOf } from '../../../../lambdas/core/policy/policy-document.ts';

const VEX = {
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/1',
  author: 'tests',
  timestamp: '2026-01-01T00:00:00Z',
  version: 1,
  statements: [{ vulnerability: { name: 'CVE-2024-25062' }, products: [{ '@id': 'pkg:deb/debian/libxml2' }], status: 'not_affected', justification: 'vulnerable_code_not_present' }],
};

function problemOf(value: unknown): string {
  try {
    parsePolicyDocument(value);
  } catch (error) {
    if (error instanceof CustomsError && error.code === 'malformed') return error.message;
    throw error;
  }
  throw new Error('expected the policy document to be refused');
}

describe('parsePolicyDocument', () => {
  it('fills in the defaults when nothing is written', () => {
    const expected = { default: { mode: 'audit', failOn: 'CRITICAL', ignoreUnfixed: false, ignore: [], vex: [], quarantine: { method: 'untag', immutableTags: 'archive', enforceOnRescan: false } }, overrides: [] };
    expect(parsePolicyDocument(undefined)).toEqual(expected);
    expect(parsePolicyDocument({})).toEqual(expected);
    expect(parsePolicyDocument({ default: {} })).toEqual(expected);
  });

  it('keeps what an override leaves out unset, so the default applies', () => {
    const document = parsePolicyDocument({ default: { failOn: 'HIGH', mode: 'enforce' }, overrides: [{ repositories: { prefixes: ['team-a/'] }, ignoreUnfixed: true }] });
    expect(document.default).toMatchObject({ failOn: 'HIGH', mode: 'enforce' });
    expect(document.overrides[0]).toEqual({ repositories: { names: [], prefixes: ['team-a/'] }, ignoreUnfixed: true, ignore: [], vex: [] });
  });

  it('reads ignore entries and both kinds of VEX reference', () => {
    const document = parsePolicyDocument({
      default: { ignore: [{ id: 'CVE-2023-44487', reason: 'HTTP/2 is not exposed', expires: '2026-12-31', package: 'nghttp2', path: '/usr/lib/**' }], vex: [{ inline: VEX }] },
      overrides: [{ repositories: { names: ['payments/api'] }, vex: [{ s3: { bucket: 'vex-docs', key: 'payments/api.openvex.json' } }] }],
    });
    expect(document.default.ignore[0]).toMatchObject({ id: 'CVE-2023-44487', package: 'nghttp2' });
    expect(document.default.vex).toEqual([{ inline: VEX }]);
    expect(document.overrides[0]!.vex).toEqual([{ s3: { bucket: 'vex-docs', key: 'payments/api.openvex.json' } }]);
  });

  it('rejects unknown fields at every level, naming where', () => {
    expect(problemOf({ defaults: {} })).toBe('policies: unknown field "defaults"');
    expect(problemOf({ default: { failon: 'HIGH' } })).toBe('policies.default: unknown field "failon"');
    expect(problemOf({ overrides: [{ repositories: { names: ['a1'], prefix: ['b'] } }] })).toBe('policies.overrides[0].repositories: unknown field "prefix"');
    expect(problemOf({ default: { vex: [{ s3: { bucket: 'vex-docs', key: 'k', region: 'x' } }] } })).toBe('policies.default.vex[0].s3: unknown field "region"');
  });

  it('names every wrong setting by its path', () => {
    const message = problemOf({ default: { mode: 'strict', failOn: 'SEVERE', ignoreUnfixed: 'yes' }, overrides: {} });
    expect(message.split('; ')).toEqual([
      'policies.default.mode: must be one of audit, enforce',
      'policies.default.failOn: must be one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN',
      'policies.default.ignoreUnfixed: must be true or false, not a string',
      'policies.overrides: must be a list, not a mapping',
    ]);
  });

  it('uses the ECR rules for repository names and prefixes', () => {
    expect(problemOf({ overrides: [{ repositories: { names: ['Payments'] } }] })).toBe('policies.overrides[0].repositories.names[0]: is not an ECR repository name');
    expect(problemOf({ overrides: [{ repositories: { prefixes: ['/team'] } }] })).toBe('policies.overrides[0].repositories.prefixes[0]: is not the start of an ECR repository name');
    expect(() => parsePolicyDocument({ overrides: [{ repositories: { names: ['team/app_1.x'], prefixes: ['team-'] } }] })).not.toThrow();
  });

  it('requires an override to name a repository', () => {
    expect(problemOf({ overrides: [{ repositories: {} }] })).toBe('policies.overrides[0].repositories: must name at least one repository (names or prefixes)');
    expect(problemOf({ overrides: [{ failOn: 'HIGH' }] })).toBe('policies.overrides[0].repositories: is required');
  });

  it('refuses a name or prefix given twice, within one override or across two', () => {
    expect(problemOf({ overrides: [{ repositories: { prefixes: ['team-a/'] } }, { repositories: { names: ['x1'], prefixes: ['team-a/'] } }] })).toBe(
      'policies.overrides[1].repositories.prefixes[0]: repeats "team-a/", already in overrides[0]',
    );
    expect(problemOf({ overrides: [{ repositories: { names: ['app', 'app'] } }] })).toBe('policies.overrides[0].repositories.names[1]: repeats "app", already earlier in this override');
    // A name and a prefix are different selections, even when spelled alike.
    expect(() => parsePolicyDocument({ overrides: [{ repositories: { names: ['app'] } }, { repositories: { prefixes: ['app'] } }] })).not.toThrow();
  });

  it('checks ignore entries with the ignore file rules and messages, naming the entry by its path', () => {
    const entries = [{ id: 'CVE-1', reason: 'fine' }, { id: 'CVE-2' }];
    expect(problemOf({ overrides: [{ repositories: { names: ['a1'] } }, { repositories: { names: ['b1'] }, ignore: entries }] })).toBe('policies.overrides[1].ignore[1]: reason is required');
    // The same entry in an ignore file says the same thing.
    expect(() => parseIgnoreFile('ignore:\n  - id: CVE-2\n', 'f.yaml')).toThrow('ignore file f.yaml: entry 1: reason is required');
    expect(problemOf({ default: { ignore: [{ id: 'CVE-1', reason: 'r', expires: 'next week' }] } })).toBe(
      'policies.default.ignore[0]: expires "next week" is not a date (YYYY-MM-DD) or an RFC 3339 timestamp',
    );
    expect(problemOf({ default: { ignore: [{ id: 'CVE-1', reason: 'r', pacakge: 'x' }] } })).toBe('policies.default.ignore[0]: unknown field "pacakge"');
    expect(problemOf({ default: { ignore: [{ id: 'CVE-1', reason: 'r', package: 'pkg:' }] } })).toBe('policies.default.ignore[0]: package "pkg:" is not a valid package URL');
  });

  it('reads inline VEX documents with the OpenVEX reader', () => {
    const statement = { ...VEX.statements[0], justification: undefined };
    expect(problemOf({ default: { vex: [{ inline: { ...VEX, statements: [statement] } }] } })).toBe(
      'policies.default.vex[0].inline: statement 1: a not_affected statement needs a justification or an impact_statement',
    );
    expect(problemOf({ default: { vex: [{ inline: { ...VEX, '@context': 'https://example.com/ns' } }] } })).toMatch(/^policies\.default\.vex\[0\]\.inline: @context "https:\/\/example\.com\/ns" is not an OpenVEX namespace/);
  });

  it('wants exactly one of inline and s3 in a VEX reference, and a bucket and key IAM can grant exactly', () => {
    expect(problemOf({ default: { vex: [{}] } })).toBe('policies.default.vex[0]: must give exactly one of inline (an OpenVEX document) or s3 ({ bucket, key })');
    expect(problemOf({ default: { vex: [{ inline: VEX, s3: { bucket: 'vex-docs', key: 'k' } }] } })).toBe('policies.default.vex[0]: must give exactly one of inline (an OpenVEX document) or s3 ({ bucket, key })');
    expect(problemOf({ default: { vex: [{ s3: { bucket: 'Vex_Docs', key: 'k' } }] } })).toBe('policies.default.vex[0].s3.bucket: is not an S3 bucket name');
    expect(problemOf({ default: { vex: [{ s3: { bucket: 'vex-docs', key: 'team/*.json' } }] } })).toBe('policies.default.vex[0].s3.key: must not contain * or ? (IAM would read them as wildcards)');
  });

  it('names the document as the caller says', () => {
    expect(() => parsePolicyDocument({ default: { failOn: 'high' } }, 'customs.policies')).toThrow('customs.policies.default.failOn: must be one of');
  });

  it('is a zod schema the configuration can embed', () => {
    const result = policyDocumentSchema.safeParse({ overrides: [{ repositories: { names: ['a1'] }, ignore: [{ id: 'CVE-1' }] }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['overrides', 0, 'ignore', 0]]);
  });
});

describe('vexObjectsOf', () => {
  it('lists each S3 document once, in the order the policies name them, and no inline ones', () => {
    const document = parsePolicyDocument({
      default: { vex: [{ s3: { bucket: 'vex-docs', key: 'all.json' } }, { inline: VEX }] },
      overrides: [
        { repositories: { names: ['a1'] }, vex: [{ s3: { bucket: 'vex-docs', key: 'a.json' } }, { s3: { bucket: 'vex-docs', key: 'all.json' } }] },
        { repositories: { names: ['b1'] }, vex: [{ s3: { bucket: 'other-vex', key: 'a.json' } }] },
      ],
    });
    expect(vexObjectsOf(document)).toEqual([
      { bucket: 'vex-docs', key: 'all.json' },
      { bucket: 'vex-docs', key: 'a.json' },
      { bucket: 'other-vex', key: 'a.json' },
    ]);
  });
});

describe('ignoreRulesFromEntries', () => {
  it('makes the rules an ignore file would, with the given source', () => {
    const fromFile = parseIgnoreFile('ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2026-01-31\n    package: pkg:deb/debian/openssl\n    path: /usr/**\n', 'f.yaml');
    const fromValues = ignoreRulesFromEntries([{ id: 'CVE-1', reason: 'r', expires: '2026-01-31', package: 'pkg:deb/debian/openssl', path: '/usr/**' }], 'f.yaml');
    expect(fromValues).toEqual(fromFile);
  });

  it('names a wrong entry as the caller locates it', () => {
    expect(() => ignoreRulesFromEntries([{ id: 'x', reason: 'r' }, { id: '', reason: 'r' }], 'policy default', (entry) => `policy default: ignore[${String(entry - 1)}]`)).toThrow(
      'policy default: ignore[1]: id must not be empty',
    );
  });
});
