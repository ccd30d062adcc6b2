import { describe, expect, it } from 'vitest';
import { freshnessPk, lookupPartitions, packagePartition, recordChunkSk, recordEcosystems, recordPartitions } from '../../../../lambdas/adapters/dynamodb/advisory-keys.ts';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';

const record = (affected: [string, string][]): OsvRecord => ({ id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: affected.map(([ecosystem, name]) => ({ package: { ecosystem, name } })) });

describe('advisory table keys', () => {
  it('looks a package up in its release and its base ecosystem, by the name the ecosystem compares', () => {
    expect(lookupPartitions('Debian:12', 'glibc')).toEqual(['PKG#Debian:12#glibc', 'PKG#Debian#glibc']);
    expect(lookupPartitions('Ubuntu:22.04:LTS', 'openssl')).toEqual(['PKG#Ubuntu:22.04#openssl', 'PKG#Ubuntu#openssl']);
    expect(lookupPartitions('PyPI', 'Jinja_2.x')).toEqual(['PKG#PyPI#jinja-2-x']);
    expect(lookupPartitions('NuGet', 'Newtonsoft.Json')).toEqual(['PKG#NuGet#newtonsoft.json']);
    expect(lookupPartitions('npm', 'Lodash')).toEqual(['PKG#npm#Lodash']);
  });

  it('stores a record under every package it names, releases apart, duplicates once', () => {
    const stored = record([
      ['Debian:12', 'curl'],
      ['Debian:11', 'curl'],
      ['Debian:12', 'curl'],
      ['PyPI', 'Requests'],
      ['Ubuntu:Pro:22.04:LTS', 'curl'],
    ]);
    expect(recordPartitions(stored)).toEqual(['PKG#Debian:12#curl', 'PKG#Debian:11#curl', 'PKG#PyPI#requests', 'PKG#Ubuntu:22.04#curl']);
    expect(recordEcosystems(stored)).toEqual(['Debian:12', 'Debian', 'Debian:11', 'PyPI', 'Ubuntu:22.04', 'Ubuntu']);
  });

  it('escapes the separator in ecosystems, which come from records', () => {
    expect(packagePartition('a#b', 'c')).toBe('PKG#a%23b#c');
    expect(packagePartition('a%23b', 'c')).toBe('PKG#a%2523b#c');
    expect(freshnessPk('Debian')).toBe('ECO#Debian');
    expect(recordChunkSk('DSA-1-1', 2)).toBe('REC#DSA-1-1#002');
  });
});
