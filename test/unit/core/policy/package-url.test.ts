import { describe, expect, it } from 'vitest';
import { parsePurl, type ParsedPurl } from '../../../../lambdas/core/policy/package-url.ts';
import { purlMatches } from '../../../../lambdas/core/policy/purl-match.ts';

function purl(text: string): ParsedPurl {
  const parsed = parsePurl(text);
  if (!parsed) throw new Error(`not a purl: ${text}`);
  return parsed;
}

describe('parsePurl', () => {
  it('decodes every component and lowercases the type and qualifier keys', () => {
    expect(parsePurl('pkg:DEB/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?ARCH=amd64&distro=debian-12#usr/lib')).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'libstdc++6',
      version: '12.2.0-14+deb12u1',
      qualifiers: { arch: 'amd64', distro: 'debian-12' },
      subpath: 'usr/lib',
    });
  });

  it('reads an unencoded npm scope as namespace, not as a version separator', () => {
    expect(parsePurl('pkg:npm/@babel/core')).toMatchObject({ namespace: '@babel', name: 'core' });
    expect(parsePurl('pkg:npm/%40babel/core@7.24.0')).toMatchObject({ namespace: '@babel', name: 'core', version: '7.24.0' });
  });

  it('reads an OCI digest version', () => {
    expect(parsePurl('pkg:oci/app@sha256%3Aabc?repository_url=registry.example/team/app')).toMatchObject({ type: 'oci', name: 'app', version: 'sha256:abc', qualifiers: { repository_url: 'registry.example/team/app' } });
  });

  it.each(['openssl', 'https://example.com/pkg:deb/x', 'pkg:', 'pkg:deb', 'pkg:/openssl', 'pkg:deb/debian/%E0%A4%A', 'pkg:1deb/x'])('refuses %s', (text) => {
    expect(parsePurl(text)).toBeUndefined();
  });
});

describe('purlMatches', () => {
  const installed = purl('pkg:deb/debian/libxml2@2.9.14%2Bdfsg-1.3?arch=amd64&distro=debian-12');

  it('matches on type, namespace and name when the pattern has no version', () => {
    expect(purlMatches(purl('pkg:deb/debian/libxml2'), installed)).toBe(true);
    expect(purlMatches(purl('pkg:deb/ubuntu/libxml2'), installed)).toBe(false);
    expect(purlMatches(purl('pkg:rpm/debian/libxml2'), installed)).toBe(false);
    expect(purlMatches(purl('pkg:deb/debian/libxml2-utils'), installed)).toBe(false);
  });

  it('compares versions after decoding, whichever side encoded them', () => {
    expect(purlMatches(purl('pkg:deb/debian/libxml2@2.9.14+dfsg-1.3'), installed)).toBe(true);
    expect(purlMatches(purl('pkg:deb/debian/libxml2@2.9.14%2bdfsg-1.3'), installed)).toBe(true);
    expect(purlMatches(purl('pkg:deb/debian/libxml2@2.9.14+dfsg-1.4'), installed)).toBe(false);
  });

  it('compares only the qualifiers the pattern gives', () => {
    expect(purlMatches(purl('pkg:deb/debian/libxml2?arch=amd64'), installed)).toBe(true);
    expect(purlMatches(purl('pkg:deb/debian/libxml2?arch=arm64'), installed)).toBe(false);
    expect(purlMatches(purl('pkg:deb/debian/libxml2?epoch=1'), installed)).toBe(false);
  });

  it('normalises PyPI names as the purl spec asks', () => {
    expect(purlMatches(purl('pkg:pypi/Typing_Extensions@4.9.0'), purl('pkg:pypi/typing-extensions@4.9.0'))).toBe(true);
    expect(purlMatches(purl('pkg:npm/Typing_Extensions'), purl('pkg:npm/typing-extensions'))).toBe(false);
  });
});
