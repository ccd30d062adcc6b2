import { describe, expect, it } from 'vitest';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { parsePurl } from '../../../../lambdas/core/sbom/parse-purl.ts';
import { formatPurl, type PurlParts } from '../../../../lambdas/core/sbom/purl.ts';
import { seededRandom } from '../../../support/seeded-random.ts';

function malformed(text: string): CustomsError {
  try {
    parsePurl(text);
  } catch (error) {
    if (error instanceof CustomsError) return error;
    throw error;
  }
  throw new Error(`${text} parsed`);
}

describe('parsePurl', () => {
  it('reads what the catalogers write, decoding the version', () => {
    expect(parsePurl('pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&epoch=1')).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'bsdutils',
      version: '2.38.1-5+deb12u3',
      qualifiers: { arch: 'amd64', distro: 'debian-12', epoch: '1' },
    });
    expect(parsePurl('pkg:maven/org.apache.commons/commons-lang3@3.12.0')).toEqual({ type: 'maven', namespace: 'org.apache.commons', name: 'commons-lang3', version: '3.12.0' });
    expect(parsePurl('pkg:golang/github.com/spf13/cobra@v1.8.0')).toEqual({ type: 'golang', namespace: 'github.com/spf13', name: 'cobra', version: 'v1.8.0' });
  });

  it('reads an npm scope whether or not its @ is encoded, and takes the version from the last segment only', () => {
    expect(parsePurl('pkg:npm/%40babel/core@7.24.0')).toEqual({ type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' });
    expect(parsePurl('pkg:npm/@babel/core@7.24.0')).toEqual({ type: 'npm', namespace: '@babel', name: 'core', version: '7.24.0' });
    expect(parsePurl('pkg:npm/@babel/core')).toEqual({ type: 'npm', namespace: '@babel', name: 'core' });
  });

  it('lowercases the type and qualifier keys, decodes qualifier values and cleans the subpath', () => {
    expect(parsePurl('PKG:NPM/lodash@4.17.21?Repository_URL=index.docker.io%2Flibrary&empty=#/lib/./../fp/')).toEqual({
      type: 'npm',
      name: 'lodash',
      version: '4.17.21',
      qualifiers: { repository_url: 'index.docker.io/library' },
      subpath: 'lib/fp',
    });
  });

  it('tolerates pkg:// and trailing slashes, as purl-spec asks', () => {
    expect(parsePurl('pkg://gem/rack@2.2.6/')).toEqual({ type: 'gem', name: 'rack', version: '2.2.6' });
  });

  it('keeps a __proto__ qualifier as an ordinary key', () => {
    const parts = parsePurl('pkg:npm/x@1?__proto__=polluted&arch=amd64');
    expect(Object.getPrototypeOf(parts.qualifiers)).toBe(Object.prototype);
    expect(Object.keys(parts.qualifiers!).sort()).toEqual(['__proto__', 'arch']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['npm/lodash@1', 'does not start with pkg:'],
    ['http://example.com/x', 'does not start with pkg:'],
    ['pkg:npm', 'has no type/name'],
    ['pkg:npm/@1.0.0', 'has no name'],
    ['pkg:1npm/x@1', 'not a valid purl type'],
    ['pkg:npm/x@%E0%A4%A', 'bad percent-encoding'],
    ['pkg:npm/x@1?arch', 'is not key=value'],
    ['pkg:npm/x@1?a%20b=1', 'key "a%20b" is not valid'],
    ['pkg:npm/x@1?arch=a&arch=b', 'arch is repeated'],
  ])('rejects %s as malformed, naming the purl', (text, reason) => {
    const error = malformed(text);
    expect(error.code).toBe('malformed');
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).toContain(reason);
  });

  it('is the inverse of formatPurl on generated purls', () => {
    const random = seededRandom(20250611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    // Unreserved characters, ones formatPurl must encode, and multi-byte UTF-8.
    const alphabet = ['a', 'Z', '0', '.', '-', '_', '~', '+', '@', '/', ':', '?', '#', '%', '&', '=', ' ', 'é', '漢', '😀'];
    const text = (min: number): string => {
      let out = '';
      const length = min + Math.floor(random() * 8);
      while (out.length < length) out += pick(alphabet);
      return out;
    };
    const segment = (): string => {
      const value = text(1).replace(/\//g, '-');
      return value === '.' || value === '..' ? 'dot' : value;
    };
    for (let run = 0; run < 500; run++) {
      const qualifiers: Record<string, string> = {};
      for (let count = Math.floor(random() * 3); count > 0; count--) qualifiers[pick(['arch', 'distro', 'epoch', 'repository_url', 'upstream', 'vcs.url'])] = text(1);
      const namespace = random() < 0.6 ? Array.from({ length: 1 + Math.floor(random() * 3) }, segment).join('/') : undefined;
      const version = random() < 0.8 ? text(1) : undefined;
      const subpath = random() < 0.3 ? Array.from({ length: 1 + Math.floor(random() * 2) }, segment).join('/') : undefined;
      const parts: PurlParts = {
        type: pick(['deb', 'NPM', 'maven', 'golang', 'pypi', 'c++']),
        ...(namespace ? { namespace } : {}),
        name: text(1),
        ...(version ? { version } : {}),
        ...(Object.keys(qualifiers).length > 0 ? { qualifiers } : {}),
        ...(subpath ? { subpath } : {}),
      };
      const purl = formatPurl(parts);
      const parsed = parsePurl(purl);
      expect(parsed, purl).toEqual({ ...parts, type: parts.type.toLowerCase() });
      expect(formatPurl(parsed)).toBe(purl);
    }
  });
});
