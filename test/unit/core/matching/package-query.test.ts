import { describe, expect, it } from 'vitest';
import { advisoryEcosystemsFor, packageQuery } from '../../../../lambdas/core/matching/package-query.ts';
import type { DistroEcosystem } from '../../../../lambdas/core/matching/distro-ecosystem.ts';
import { sampleImageSbom } from '../../../support/sample-findings.ts';
import { distro, pkg } from './matching-support.ts';

const debian: DistroEcosystem = { ecosystem: 'Debian:12', packageType: 'deb', naming: 'source' };
const alpine: DistroEcosystem = { ecosystem: 'Alpine:v3.20', packageType: 'apk', naming: 'origin' };
const redHat: DistroEcosystem = { ecosystem: 'Red Hat:9', packageType: 'rpm', naming: 'binary' };

describe('packageQuery', () => {
  it('looks Debian packages up by source name and compares the source version', () => {
    const binNmu = pkg('deb', 'libxml2-utils', '2.9.14+dfsg-1.3+b1', { name: 'libxml2', version: '2.9.14+dfsg-1.3' });
    expect(packageQuery(binNmu, debian)).toEqual({ ecosystem: 'Debian:12', name: 'libxml2', version: '2.9.14+dfsg-1.3' });
  });

  it('looks Alpine packages up by origin at the package version', () => {
    const utils = pkg('apk', 'musl-utils', '1.2.5-r0', { name: 'musl', version: '1.2.5-r0' });
    expect(packageQuery(utils, alpine)).toEqual({ ecosystem: 'Alpine:v3.20', name: 'musl', version: '1.2.5-r0' });
  });

  it('looks rpm packages up by binary name and version', () => {
    const libs = pkg('rpm', 'openssl-libs', '1:3.0.7-27.el9', { name: 'openssl', version: '1:3.0.7-27.el9' });
    expect(packageQuery(libs, redHat)).toEqual({ ecosystem: 'Red Hat:9', name: 'openssl-libs', version: '1:3.0.7-27.el9' });
  });

  it('leaves OS packages unmatched without a distribution ecosystem or of another manager', () => {
    expect(packageQuery(pkg('deb', 'bash', '5.2-1', { name: 'bash', version: '5.2-1' }), undefined)).toBeUndefined();
    expect(packageQuery(pkg('deb', 'bash', '5.2-1', { name: 'bash', version: '5.2-1' }), alpine)).toBeUndefined();
  });

  it.each([
    ['npm', 'npm'],
    ['pypi', 'PyPI'],
    ['maven', 'Maven'],
    ['gem', 'RubyGems'],
    ['cargo', 'crates.io'],
    ['nuget', 'NuGet'],
    ['composer', 'Packagist'],
  ] as const)('%s packages query %s whatever the distribution', (type, ecosystem) => {
    expect(packageQuery(pkg(type, 'thing', '1.0.0'), debian)).toEqual({ ecosystem, name: 'thing', version: '1.0.0' });
  });

  it('compares Go versions without the v the cataloger writes', () => {
    expect(packageQuery(pkg('golang', 'stdlib', 'v1.21.3'), undefined)).toEqual({ ecosystem: 'Go', name: 'stdlib', version: '1.21.3' });
  });
});

describe('advisoryEcosystemsFor', () => {
  it('lists the base ecosystems the packages would be looked up in', () => {
    const debianImage = sampleImageSbom([pkg('deb', 'bash', '5.2-1', { name: 'bash', version: '5.2-1' }), pkg('npm', 'lodash', '4.17.20')], { distro: distro('debian', '12') });
    const redHatImage = sampleImageSbom([pkg('rpm', 'bash', '5.1-6.el9'), pkg('pypi', 'requests', '2.0.0')], { distro: distro('rhel', '9.4') });
    expect(advisoryEcosystemsFor([debianImage, redHatImage])).toEqual(['Debian', 'PyPI', 'Red Hat', 'npm']);
  });
});
