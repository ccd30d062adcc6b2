import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { parseOpenVex } from '../../../../lambdas/core/policy/openvex.ts';
import { repoRoot } from '../../../support/paths.ts';

const SOURCE = 'app.vex.json';

function document(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/1', author: 'me', timestamp: '2026-01-01T00:00:00Z', version: 1, statements, ...extra });
}

const notAffected = {
  vulnerability: { name: 'CVE-2024-25062' },
  products: [{ '@id': 'pkg:deb/debian/libxml2' }],
  status: 'not_affected',
  justification: 'vulnerable_code_not_present',
};

function errorOf(text: string, options: { maxBytes?: number } = {}): CustomsError {
  try {
    parseOpenVex(text, SOURCE, options);
  } catch (error) {
    if (error instanceof CustomsError) return error;
    throw error;
  }
  throw new Error('expected the VEX document to be refused');
}

describe('parseOpenVex', () => {
  it('reads the example document: image products, subcomponents, statuses and timestamps', () => {
    const statements = parseOpenVex(readFileSync(join(repoRoot, 'test/fixtures/policy/openvex.json'), 'utf8'), 'openvex.json');
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatchObject({
      vulnerability: 'CVE-2024-25062',
      ids: ['CVE-2024-25062', 'DEBIAN-CVE-2024-25062'],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: 'The application never validates XML against a DTD.',
      // The statement has no timestamp of its own: it inherits the document's.
      timestamp: '2026-01-10T09:00:00Z',
      time: Date.parse('2026-01-10T09:00:00Z'),
      document: 'openvex.json',
      statement: 1,
    });
    expect(statements[0]!.products[0]).toMatchObject({ purl: { type: 'oci', name: 'app' }, subcomponents: [{ id: 'pkg:deb/debian/libxml2', purl: { type: 'deb', name: 'libxml2' } }] });
    expect(statements[1]).toMatchObject({ status: 'under_investigation', timestamp: '2026-01-05T00:00:00Z' });
    expect(statements[2]).toMatchObject({ status: 'fixed', actionStatement: 'Rebuilt with the patched nghttp2 in 1.0.1.', statement: 3 });
  });

  it('accepts the older namespace with string vulnerabilities, string products and statement-level subcomponents', () => {
    const [statement] = parseOpenVex(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns',
        statements: [{ vulnerability: 'CVE-2023-1', products: ['pkg:oci/app'], subcomponents: ['pkg:apk/alpine/busybox'], status: 'fixed' }],
      }),
      SOURCE,
    );
    expect(statement).toMatchObject({ vulnerability: 'CVE-2023-1', ids: ['CVE-2023-1'], status: 'fixed' });
    expect(statement!.time).toBeUndefined();
    expect(statement!.products[0]!.subcomponents.map((sub) => sub.id)).toEqual(['pkg:apk/alpine/busybox']);
    expect(parseOpenVex(document([notAffected], { '@context': 'https://openvex.dev/ns/v0.0.1' }), SOURCE)).toHaveLength(1);
  });

  it('reads a purl from identifiers and keeps an IRI product as an identifier only', () => {
    const [statement] = parseOpenVex(
      document([{ ...notAffected, products: [{ '@id': 'https://example.com/products/app', identifiers: { purl: 'pkg:deb/debian/libxml2' } }, { '@id': 'https://example.com/other' }] }]),
      SOURCE,
    );
    expect(statement!.products[0]).toMatchObject({ id: 'https://example.com/products/app', purl: { name: 'libxml2' } });
    expect(statement!.products[1]!.purl).toBeUndefined();
  });

  it('prefers the statement timestamp, and last_updated over timestamp', () => {
    const [own, updated] = parseOpenVex(
      document([
        { ...notAffected, timestamp: '2026-03-01T00:00:00Z' },
        { ...notAffected, timestamp: '2026-03-01T00:00:00Z', last_updated: '2026-04-01T00:00:00+02:00' },
      ]),
      SOURCE,
    );
    expect(own!.time).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(updated!.time).toBe(Date.parse('2026-03-31T22:00:00Z'));
  });

  it.each([
    ['a wrong context', document([], { '@context': 'https://example.com/ns' }), 'OpenVEX document app.vex.json: @context "https://example.com/ns" is not an OpenVEX namespace'],
    ['statements that are not a list', document([], { statements: {} }), 'OpenVEX document app.vex.json: statements must be a list, not a mapping'],
    ['a document that is a list', '[]', 'the document must be a mapping, not a list'],
    ['a missing context', JSON.stringify({ statements: [] }), '@context is required'],
    ['an unknown status', document([notAffected, { ...notAffected, status: 'ignored' }]), 'statement 2: status must be one of not_affected, affected, fixed, under_investigation'],
    ['an unknown justification', document([{ ...notAffected, justification: 'trust_me' }]), 'statement 1: justification must be one of component_not_present'],
    ['not_affected without a reason', document([{ ...notAffected, justification: undefined }]), 'statement 1: a not_affected statement needs a justification or an impact_statement'],
    ['no products', document([{ ...notAffected, products: [] }]), 'statement 1: products must list at least 1'],
    ['a product without an identifier', document([{ ...notAffected, products: [{ subcomponents: [] }] }]), 'statement 1: products.0: needs an @id or identifiers.purl'],
    ['a broken product purl', document([{ ...notAffected, products: [{ '@id': 'pkg:deb' }] }]), 'statement 1: products.0: "pkg:deb" is not a valid package URL'],
    ['a vulnerability without a name', document([{ ...notAffected, vulnerability: { '@id': 'https://x' } }]), 'statement 1: vulnerability.name is required'],
    ['a numeric vulnerability', document([{ ...notAffected, vulnerability: 7 }]), 'statement 1: vulnerability must be a mapping, not a number'],
    ['a bad statement timestamp', document([{ ...notAffected, timestamp: 'yesterday' }]), 'statement 1: timestamp "yesterday" is not an RFC 3339 timestamp'],
    ['a bad document timestamp', document([], { timestamp: '2026-02-30T00:00:00Z' }), 'OpenVEX document app.vex.json: timestamp "2026-02-30T00:00:00Z" is not an RFC 3339 timestamp'],
    ['invalid JSON', '{"@context": ', 'OpenVEX document app.vex.json: not valid JSON'],
  ])('refuses %s, naming the document and statement', (_label, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('malformed');
    expect(error.message).toContain(message);
  });

  it('refuses a document above the size cap', () => {
    const error = errorOf(document([notAffected]), { maxBytes: 100 });
    expect(error.code).toBe('limit');
    expect(error.message).toContain('OpenVEX document app.vex.json is');
  });

  it('refuses deeply nested JSON with an error, not a crash', () => {
    const deep = `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}`;
    expect(errorOf(deep).code).toBe('malformed');
  });
});
