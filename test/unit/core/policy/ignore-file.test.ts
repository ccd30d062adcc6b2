import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { parseIgnoreFile } from '../../../../lambdas/core/policy/ignore-file.ts';
import { isExpired } from '../../../../lambdas/core/policy/ignore-rule.ts';
import { repoRoot } from '../../../support/paths.ts';

const SOURCE = '.customs-ignore.yaml';

function errorOf(text: string, options: { maxBytes?: number } = {}): CustomsError {
  try {
    parseIgnoreFile(text, SOURCE, options);
  } catch (error) {
    if (error instanceof CustomsError) return error;
    throw error;
  }
  throw new Error('expected the ignore file to be refused');
}

describe('parseIgnoreFile', () => {
  it('reads the example file with dates, names, purls and globs', () => {
    const rules = parseIgnoreFile(readFileSync(join(repoRoot, 'test/fixtures/policy/customs-ignore.yaml'), 'utf8'), 'customs-ignore.yaml');
    expect(rules).toHaveLength(3);
    expect(rules[0]).toMatchObject({ id: 'CVE-2023-44487', reason: 'HTTP/2 is not exposed; tracked in SEC-123', expires: '2026-12-31', package: { kind: 'name', name: 'nghttp2' }, source: 'customs-ignore.yaml', entry: 1 });
    expect(rules[1]).toMatchObject({ id: 'GHSA-j8r2-6x86-q33q', path: '/usr/lib/python3*/**', entry: 2 });
    expect(rules[1]!.pathRegex!.test('/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA')).toBe(true);
    expect(rules[2]!.package).toMatchObject({ kind: 'purl', purl: { type: 'deb', namespace: 'debian', name: 'libxml2' } });
  });

  it('reads an empty file, an empty list and a null list as no entries', () => {
    expect(parseIgnoreFile('', SOURCE)).toEqual([]);
    expect(parseIgnoreFile('# nothing yet\n', SOURCE)).toEqual([]);
    expect(parseIgnoreFile('ignore: []\n', SOURCE)).toEqual([]);
    expect(parseIgnoreFile('ignore:\n', SOURCE)).toEqual([]);
  });

  it('makes a date expire at the end of that day, UTC', () => {
    const [rule] = parseIgnoreFile('ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2026-01-31\n', SOURCE);
    expect(isExpired(rule!, new Date('2026-01-31T23:59:59.999Z'))).toBe(false);
    expect(isExpired(rule!, new Date('2026-02-01T00:00:00.000Z'))).toBe(true);
  });

  it('makes a timestamp expire just after that instant', () => {
    const [rule] = parseIgnoreFile('ignore:\n  - id: CVE-1\n    reason: r\n    expires: "2026-01-31T12:00:00+02:00"\n', SOURCE);
    expect(rule!.expires).toBe('2026-01-31T12:00:00+02:00');
    expect(isExpired(rule!, new Date('2026-01-31T10:00:00.000Z'))).toBe(false);
    expect(isExpired(rule!, new Date('2026-01-31T10:00:00.001Z'))).toBe(true);
  });

  it('keeps the whole-day meaning of an explicit !!timestamp date and of a quoted date', () => {
    const rules = parseIgnoreFile('ignore:\n  - id: CVE-1\n    reason: r\n    expires: !!timestamp 2026-01-31\n  - id: CVE-2\n    reason: r\n    expires: "2026-01-31"\n', SOURCE);
    for (const rule of rules) {
      expect(rule.expires).toBe('2026-01-31');
      expect(isExpired(rule, new Date('2026-01-31T18:00:00Z'))).toBe(false);
      expect(isExpired(rule, new Date('2026-02-01T00:00:01Z'))).toBe(true);
    }
  });

  it('has no expiry when none is given', () => {
    const [rule] = parseIgnoreFile('ignore:\n  - id: CVE-1\n    reason: r\n', SOURCE);
    expect(rule!.expiresAt).toBeUndefined();
    expect(isExpired(rule!, new Date('2999-01-01T00:00:00Z'))).toBe(false);
  });

  it.each([
    ['a missing reason', 'ignore:\n  - id: CVE-1\n    reason: r\n  - id: CVE-2\n', 'entry 2: reason is required'],
    ['an empty reason', 'ignore:\n  - id: CVE-1\n    reason: "   "\n', 'entry 1: reason must not be empty'],
    ['a missing id', 'ignore:\n  - reason: r\n', 'entry 1: id is required'],
    ['a numeric id', 'ignore:\n  - id: 44487\n    reason: r\n', 'entry 1: id must be a string, not a number'],
    ['a list as reason', 'ignore:\n  - id: CVE-1\n    reason: [a, b]\n', 'entry 1: reason must be a string, not a list'],
    ['an unknown field', 'ignore:\n  - id: CVE-1\n    reason: r\n    pacakge: openssl\n', 'entry 1: unknown field "pacakge"'],
    ['an entry that is not a mapping', 'ignore:\n  - CVE-1\n', 'entry 1: must be a mapping, not a string'],
    ['an impossible date', 'ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2026-02-30\n', 'entry 1: expires "2026-02-30" is not a date (YYYY-MM-DD) or an RFC 3339 timestamp'],
    ['a date in another format', 'ignore:\n  - id: CVE-1\n    reason: r\n    expires: 31/12/2026\n', 'entry 1: expires "31/12/2026" is not a date'],
    ['a numeric expiry', 'ignore:\n  - id: CVE-1\n    reason: r\n    expires: 20261231\n', 'entry 1: expires must be a date (YYYY-MM-DD)'],
    ['a broken purl', 'ignore:\n  - id: CVE-1\n    reason: r\n    package: "pkg:/openssl"\n', 'entry 1: package "pkg:/openssl" is not a valid package URL'],
    ['an unknown top-level field', 'ignores:\n  - id: CVE-1\n', 'ignore file .customs-ignore.yaml: unknown field "ignores"'],
    ['a list at the top', '- id: CVE-1\n  reason: r\n', 'the document must be a mapping, not a list'],
    ['ignore that is not a list', 'ignore: CVE-1\n', 'ignore must be a list, not a string'],
  ])('refuses %s, naming the file, entry and field', (_label, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('malformed');
    expect(error.message).toContain(`ignore file ${SOURCE}`);
    expect(error.message).toContain(message);
  });

  it('refuses duplicate keys, custom tags, several documents and invalid YAML', () => {
    expect(errorOf('ignore:\n  - id: CVE-1\n    id: CVE-2\n    reason: r\n').message).toMatch(/not valid YAML: Map keys must be unique/);
    expect(errorOf('ignore:\n  - id: !!js/function "x"\n    reason: r\n').message).toMatch(/not valid YAML: Unresolved tag/);
    expect(errorOf('ignore:\n  - id: !custom CVE-1\n    reason: r\n').message).toMatch(/not valid YAML: Unresolved tag/);
    expect(errorOf('ignore: []\n---\nignore: []\n').message).toMatch(/not valid YAML: .*multiple documents/);
    expect(errorOf('ignore: [\n').code).toBe('malformed');
  });

  it('refuses a file above the size cap before parsing it', () => {
    const huge = `ignore:\n${'  - id: CVE-1\n    reason: r\n'.repeat(60_000)}`;
    const error = errorOf(huge);
    expect(error.code).toBe('limit');
    expect(error.message).toMatch(/ignore file \.customs-ignore\.yaml is 1\.\d MiB, above the 1 MiB limit/);
    expect(errorOf('ignore: []\n', { maxBytes: 4 }).code).toBe('limit');
  });

  it('refuses an alias bomb instead of expanding it', () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (let level = 1; level < 10; level++) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      bomb += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    }
    const error = errorOf(bomb);
    expect(error.code).toBe('malformed');
    expect(error.message).toMatch(/alias/i);
  });

  it('refuses deeply nested input with an error, not a crash', () => {
    const error = errorOf(`ignore: ${'['.repeat(50_000)}`);
    expect(error.code).toBe('malformed');
  });

  it('does not let a __proto__ key through', () => {
    expect(errorOf('__proto__:\n  polluted: true\nignore: []\n').message).toContain('unknown field "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
