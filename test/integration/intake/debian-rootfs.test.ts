import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { debianRootfs, dpkgQueryPackages, umociImage } from '../../support/debian-rootfs.ts';
import { runCli } from '../../support/cli.ts';
import { cycloneDx16Validator, describeErrors } from '../../support/cyclonedx-schema.ts';
import { scan } from '../../support/scan.ts';
import { skopeoCopy } from '../../support/skopeo.ts';

/**
 * The acceptance check for intake and dpkg: a real debootstrap rootfs, packed by umoci, pushed to a
 * real registry and copied by skopeo into every transport, lists exactly what dpkg-query lists.
 */
describe('a debootstrap bookworm image', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-debian-'));
  const registryImage = `${inject('registryHost')}/customs/debian:bookworm`;
  let expected: string[];

  beforeAll(async () => {
    const rootfs = debianRootfs();
    expected = dpkgQueryPackages(rootfs);
    umociImage(rootfs, join(work, 'umoci'), 'bookworm');
    await skopeoCopy(`oci:${join(work, 'umoci')}:bookworm`, `docker://${registryImage}`);
    await skopeoCopy(`docker://${registryImage}`, `oci:${join(work, 'layout')}:bookworm`);
    await skopeoCopy(`docker://${registryImage}`, `oci-archive:${join(work, 'image.oci.tar')}:bookworm`);
    await skopeoCopy(`docker://${registryImage}`, `docker-archive:${join(work, 'image.docker.tar')}:customs/debian:bookworm`);
  }, 600_000);

  it('has a sensible number of packages to compare', () => {
    expect(expected.length).toBeGreaterThan(50);
  });

  it.each([
    ['the registry', () => registryImage],
    ['an OCI layout', () => `oci:${join(work, 'layout')}:bookworm`],
    ['an OCI archive', () => `oci-archive:${join(work, 'image.oci.tar')}:bookworm`],
    ['a docker archive', () => `docker-archive:${join(work, 'image.docker.tar')}`],
  ])('read from %s, lists exactly the packages dpkg-query lists', async (_, reference) => {
    const result = await scan(reference());
    expect(result.images).toHaveLength(1);
    const [image] = result.images;
    expect(image!.packages.map((pkg) => `${pkg.name}\t${pkg.version}`).sort()).toEqual(expected);
    expect(image!.distro).toMatchObject({ id: 'debian', versionId: '12', codename: 'bookworm' });
    expect(image!.warnings).toEqual([]);
    const libc = image!.packages.find((pkg) => pkg.name === 'libc6')!;
    expect(libc.purl).toMatch(/^pkg:deb\/debian\/libc6@2\.36-9%2Bdeb12u\d+\?arch=amd64&distro=debian-12$/);
    expect(libc.source?.name).toBe('glibc');
    expect(image!.layers[libc.location.layerIndex]!.digest).toBe(libc.location.layerDigest);
  });

  it('gives the registry image its manifest digest and the docker archive none', async () => {
    const fromRegistry = (await scan(registryImage)).images[0]!;
    const fromArchive = (await scan(`docker-archive:${join(work, 'image.docker.tar')}`)).images[0]!;
    expect(fromRegistry.manifestDigest).toMatch(/^sha256:/);
    expect(fromArchive.manifestDigest).toBeUndefined();
    expect(fromArchive.configDigest).toBe(fromRegistry.configDigest);
    expect(fromArchive.layers.map((layer) => layer.diffId)).toEqual(fromRegistry.layers.map((layer) => layer.diffId));
    expect(fromArchive.repository).toBe('docker.io/customs/debian');
    expect(fromArchive.tag).toBe('bookworm');
  });

  it('renders its SBOM as CycloneDX 1.6 that validates against the official schema', async () => {
    const run = await runCli(['sbom', registryImage, '--format', 'cyclonedx-json']);
    expect(run.code).toBe(0);
    const bom = JSON.parse(run.stdout) as { components: Array<{ type: string; purl?: string }> };
    const validate = cycloneDx16Validator();
    expect(validate(bom), describeErrors(validate.errors).join('\n')).toBe(true);
    expect(bom.components.filter((component) => component.type === 'library')).toHaveLength(expected.length);
    expect(bom.components.find((component) => component.type === 'operating-system')).toMatchObject({ name: 'debian', version: '12' });
  });
});
