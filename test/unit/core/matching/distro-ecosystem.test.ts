import { describe, expect, it } from 'vitest';
import { distroEcosystem } from '../../../../lambdas/core/matching/distro-ecosystem.ts';
import { distro } from './matching-support.ts';

describe('distroEcosystem', () => {
  it.each([
    ['debian', '12', 'Debian:12', 'deb', 'source'],
    ['debian', '9', 'Debian:9', 'deb', 'source'],
    ['debian', '4.0', 'Debian:4.0', 'deb', 'source'],
    ['ubuntu', '22.04', 'Ubuntu:22.04', 'deb', 'source'],
    ['alpine', '3.20.3', 'Alpine:v3.20', 'apk', 'origin'],
    ['wolfi', '20230201', 'Wolfi', 'apk', 'origin'],
    ['rhel', '9.4', 'Red Hat:9', 'rpm', 'binary'],
    ['centos', '7', 'Red Hat:7', 'rpm', 'binary'],
    ['rocky', '9.3', 'Rocky Linux:9', 'rpm', 'binary'],
    ['almalinux', '8.10', 'AlmaLinux:8', 'rpm', 'binary'],
    ['sles', '15.5', 'SUSE:Linux Enterprise Server 15 SP5', 'rpm', 'binary'],
    ['opensuse-leap', '15.6', 'openSUSE:Leap 15.6', 'rpm', 'binary'],
    ['mariner', '2.0', 'Mariner:2.0', 'rpm', 'binary'],
    ['photon', '5.0', 'Photon OS:5.0', 'rpm', 'binary'],
  ])('%s %s → %s', (id, versionId, ecosystem, packageType, naming) => {
    expect(distroEcosystem(distro(id, versionId))).toEqual({ ecosystem: { ecosystem, packageType, naming } });
  });

  it('skips rolling releases with a warning', () => {
    expect(distroEcosystem(distro('debian'))).toEqual({ warning: expect.stringContaining('rolling') });
    expect(distroEcosystem(distro('alpine', '3.21.0_alpha20240807'))).toEqual({ warning: expect.stringContaining('3.21.0_alpha20240807') });
  });

  it('names an unknown distribution in its warning', () => {
    expect(distroEcosystem({ ...distro('plan9', '4'), prettyName: 'Plan 9' })).toEqual({ warning: expect.stringContaining('"plan9"') });
  });

  it('warns when no distribution was found', () => {
    expect(distroEcosystem(undefined)).toEqual({ warning: expect.stringContaining('no distribution') });
  });
});
