import { describe, expect, it } from 'vitest';
import { StoreLookup } from '../../../../lambdas/core/advisories/store-lookup.ts';
import { matchImage } from '../../../../lambdas/core/matching/match-image.ts';
import { advisoryEcosystemsFor } from '../../../../lambdas/core/matching/package-query.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { sampleImageSbom } from '../../../support/sample-findings.ts';
import { distro, pkg, recordsIn, storeOf } from './matching-support.ts';

/** A language package an OS package installed is left to the distribution's advisories by default. */
describe('OS-owned language packages', () => {
  const owner = pkg('deb', 'python3-requests', '2.28.1+dfsg-1', { name: 'requests', version: '2.28.1+dfsg-1' });
  const owned = { ...pkg('pypi', 'requests', '2.28.1'), owner: { id: owner.id, name: owner.name, type: 'deb' as const } };
  const unowned = { ...pkg('pypi', 'requests', '2.28.1'), id: 'pkg:pypi/requests@2.28.1#usr/local/lib/python3.11/dist-packages/requests-2.28.1.dist-info/METADATA' };
  const lookup = new StoreLookup(storeOf(recordsIn(sharedFixtures('osv', 'PyPI'))));
  const sbom = sampleImageSbom([owner, owned, unowned], { distro: distro('debian', '12') });

  it('matches only the unowned copy against PyPI advisories', async () => {
    const { findings } = await matchImage(sbom, lookup);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((finding) => finding.package.id))).toEqual(new Set([unowned.id]));
  });

  it('matches both copies with matchOsOwned, finding the same vulnerabilities in each', async () => {
    const { findings } = await matchImage(sbom, lookup, { matchOsOwned: true });
    const ids = (id: string): string[] => findings.filter((finding) => finding.package.id === id).map((finding) => finding.id).sort();
    expect(ids(owned.id).length).toBeGreaterThan(0);
    expect(ids(owned.id)).toEqual(ids(unowned.id));
  });

  it('does not ask for PyPI advisories when every PyPI package is OS-owned, unless told to', () => {
    const onlyOwned = [sampleImageSbom([owner, owned], { distro: distro('debian', '12') })];
    expect(advisoryEcosystemsFor(onlyOwned)).toEqual(['Debian']);
    expect(advisoryEcosystemsFor(onlyOwned, { matchOsOwned: true })).toEqual(['Debian', 'PyPI']);
  });
});
