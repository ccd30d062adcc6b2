import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dpkgCataloger } from '../../../../../lambdas/core/catalog/dpkg/dpkg-cataloger.ts';
import type { Digest } from '../../../../../lambdas/core/digest.ts';
import { detectDistro } from '../../../../../lambdas/core/distro/detect-distro.ts';
import { SquashedView } from '../../../../../lambdas/core/image/squashed-view.ts';
import { directoryEntries } from '../../../../../tools/image-builder/directory-entries.ts';
import { tarBytes, type TarInput } from '../../../../../tools/image-builder/tar-writer.ts';
import { analyzeTar } from '../../../../support/analyze-tar.ts';
import { sharedFixtures } from '../../../../support/paths.ts';

function catalog(...layers: TarInput[][]) {
  const view = new SquashedView(layers.map((entries) => analyzeTar(tarBytes(entries))));
  const fakeLayers = layers.map((_, index) => ({ digest: `sha256:${String(index).repeat(64)}` as Digest, diffId: `sha256:${String(index + 1).repeat(64)}` as Digest }));
  const warnings: string[] = [];
  const packages = dpkgCataloger.collect(view, { distro: detectDistro(view), layers: fakeLayers, warn: (message) => warnings.push(message) });
  return { packages, warnings };
}

const stanza = (name: string, version: string, extra = '') => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}`;
const status = (...stanzas: string[]): TarInput => ({ type: 'file', path: 'var/lib/dpkg/status', content: stanzas.join('\n') });
const debian12: TarInput = { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' };

describe('dpkg cataloger', () => {
  it('builds purls with the distro, epoch and architecture', () => {
    const { packages } = catalog([debian12, status(stanza('bsdutils', '1:2.38.1-5+deb12u3', 'Source: util-linux (2.38.1-5+deb12u3)\n'), stanza('libc6', '2.36-9+deb12u14', 'Source: glibc\n'))]);
    expect(packages.map((pkg) => [pkg.purl, pkg.source])).toEqual([
      ['pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&epoch=1', { name: 'util-linux', version: '2.38.1-5+deb12u3' }],
      ['pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12', { name: 'glibc', version: '2.36-9+deb12u14' }],
    ]);
  });

  it('uses the os-release ID as the purl namespace', () => {
    const { packages } = catalog([{ type: 'file', path: 'etc/os-release', content: 'ID=ubuntu\nVERSION_ID="22.04"\n' }, status(stanza('bash', '5.1-6ubuntu1'))]);
    expect(packages[0]!.purl).toBe('pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64&distro=ubuntu-22.04');
  });

  it('attributes each package to the layer that introduced it at its version', () => {
    const { packages } = catalog(
      [debian12, status(stanza('base', '1'), stanza('curl', '7.0'))],
      [status(stanza('base', '1'), stanza('curl', '7.1'))],
      [{ type: 'file', path: 'etc/motd', content: 'unrelated layer' }],
      [status(stanza('base', '1'), stanza('curl', '7.1'), stanza('jq', '1.6'))],
    );
    expect(Object.fromEntries(packages.map((pkg) => [pkg.name, pkg.location.layerIndex]))).toEqual({ base: 0, curl: 1, jq: 3 });
    expect(packages.find((pkg) => pkg.name === 'jq')!.location).toEqual({
      path: 'var/lib/dpkg/status',
      layerIndex: 3,
      layerDigest: `sha256:${'3'.repeat(64)}`,
      layerDiffId: `sha256:${'4'.repeat(64)}`,
    });
  });

  it('gives a package removed and installed again to the layer that reinstalled it', () => {
    const { packages } = catalog([status(stanza('a', '1'), stanza('b', '1'))], [status(stanza('a', '1'))], [status(stanza('a', '1'), stanza('b', '1'))]);
    expect(Object.fromEntries(packages.map((pkg) => [pkg.name, pkg.location.layerIndex]))).toEqual({ a: 0, b: 2 });
  });

  it('restarts attribution after the database was deleted and recreated', () => {
    const { packages } = catalog([status(stanza('a', '1'))], [{ type: 'file', path: 'var/lib/dpkg/.wh.status', content: '' }], [status(stanza('a', '1'))]);
    expect(packages[0]!.location.layerIndex).toBe(2);
  });

  it('lists nothing once the database is whited out', () => {
    expect(catalog([status(stanza('a', '1'))], [{ type: 'file', path: 'var/lib/.wh.dpkg', content: '' }]).packages).toEqual([]);
  });

  it.each(['static-debian11', 'syft-image-distroless-deb'])('reads the distroless status.d fixture %s exactly as dpkg-query does', (name) => {
    const dir = sharedFixtures('os', 'distroless', name);
    const { packages } = catalog(directoryEntries(dir).filter((entry) => !entry.path.endsWith('oracle.tsv')));
    const oracle = readFileSync(`${dir}/oracle.tsv`, 'utf8').trim().split('\n').map((line) => line.split('\t'));
    const actual = packages.map((pkg) => [pkg.name, pkg.version, pkg.source!.name, pkg.source!.version, pkg.architecture]);
    expect(actual.sort()).toEqual(oracle.sort());
    for (const pkg of packages) expect(pkg.location.path).toMatch(/^var\/lib\/dpkg\/status\.d\/[^.]+$/);
  });

  it('names the distroless distribution from /usr/lib/os-release', () => {
    const dir = sharedFixtures('os', 'distroless', 'static-debian11');
    const { packages } = catalog(directoryEntries(dir));
    expect(packages.find((pkg) => pkg.name === 'tzdata')!.purl).toBe('pkg:deb/debian/tzdata@2021a-1%2Bdeb11u2?arch=all&distro=debian-11');
  });
});
