import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { readRpmRows, rpmQueryAll, type RpmRow } from '../../support/rpm-oracle.ts';
import { scan } from '../../support/scan.ts';

interface Fixture {
  readonly name: string;
  readonly database: string[];
  /** Where the image keeps it: rpm's classic directory, or SUSE's. */
  readonly directory: string;
  readonly listing: 'oracle.tsv' | 'expected.tsv';
  readonly backend?: 'sqlite' | 'bdb_ro';
  readonly osRelease: string;
}

const osRelease = (name: string) => readFileSync(sharedFixtures('os', 'os-release', `${name}.os-release`), 'utf8');
const FIXTURES: Fixture[] = [
  { name: 'Amazon Linux 2023 (sqlite)', database: ['real', 'amazonlinux2023-sqlite', 'rpmdb.sqlite'], directory: 'var/lib/rpm', listing: 'expected.tsv', backend: 'sqlite', osRelease: osRelease('amazonlinux-2023') },
  { name: 'CBL-Mariner 2.0 (sqlite)', database: ['real', 'cbl-mariner-2.0-sqlite', 'rpmdb.sqlite'], directory: 'var/lib/rpm', listing: 'oracle.tsv', backend: 'sqlite', osRelease: 'ID=mariner\nVERSION_ID="2.0"\n' },
  { name: 'SLE 15 BCI (NDB)', database: ['real', 'sle15-bci-ndb', 'Packages.db'], directory: 'usr/lib/sysimage/rpm', listing: 'expected.tsv', osRelease: 'ID="sles"\nVERSION_ID="15.3"\n' },
  { name: 'SLE 15 BCI, newer (NDB)', database: ['real', 'sle15-bci-ndb-cee58d9', 'Packages.db'], directory: 'usr/lib/sysimage/rpm', listing: 'expected.tsv', osRelease: 'ID="sles"\nVERSION_ID="15.3"\n' },
  { name: 'Debian-built sqlite (epoch, tilde, caret)', database: ['db', 'sqlite', 'rpmdb.sqlite'], directory: 'var/lib/rpm', listing: 'oracle.tsv', backend: 'sqlite', osRelease: 'ID=fedora\nVERSION_ID=39\n' },
  { name: 'Debian-built BerkeleyDB', database: ['db', 'bdb', 'Packages'], directory: 'var/lib/rpm', listing: 'oracle.tsv', backend: 'bdb_ro', osRelease: 'ID=fedora\nVERSION_ID=39\n' },
  { name: 'real BerkeleyDB (libuuid, RHEL 8)', database: ['real', 'libuuid-bdb', 'Packages'], directory: 'var/lib/rpm', listing: 'oracle.tsv', backend: 'bdb_ro', osRelease: osRelease('rhel-9.4') },
  { name: 'real BerkeleyDB (syft)', database: ['real', 'syft-redhat-bdb', 'Packages'], directory: 'var/lib/rpm', listing: 'oracle.tsv', backend: 'bdb_ro', osRelease: osRelease('rocky-9.3') },
];

function imageWith(fixture: Fixture, database: Uint8Array = readFileSync(sharedFixtures('os', 'rpm', ...fixture.database))): string {
  const file = fixture.database.at(-1)!;
  const entries: TarInput[] = [
    { type: 'file', path: 'etc/os-release', content: fixture.osRelease },
    { type: 'file', path: `${fixture.directory}/${file}`, content: database },
  ];
  // SUSE keeps the database in /usr/lib/sysimage/rpm and links the classic path to it.
  if (fixture.directory !== 'var/lib/rpm') entries.push({ type: 'symlink', path: 'var/lib/rpm', target: '../../usr/lib/sysimage/rpm' });
  return layoutOf([{ entries }]);
}

/** Our packages in the fixtures' columns. */
function rows(packages: readonly Package[]): RpmRow[] {
  return packages
    .map((pkg): RpmRow => {
      const [, epoch, versionRelease] = /^(?:(\d+):)?(.+)$/.exec(pkg.version)!;
      const dash = versionRelease!.lastIndexOf('-');
      const source = pkg.source!.version.replace(/^\d+:/, '');
      return [pkg.name, epoch ?? '(none)', versionRelease!.slice(0, dash), versionRelease!.slice(dash + 1), pkg.architecture ?? '(none)', `${pkg.source!.name}-${source}.src.rpm`];
    })
    .sort((a, b) => a.join('\t').localeCompare(b.join('\t')));
}

/** gpg-pubkey rows are imported signing keys, which Customs does not list as packages. */
const withoutKeys = (list: RpmRow[]) => list.filter((row) => row[0] !== 'gpg-pubkey');

describe('rpm databases packed into images', () => {
  it.each(FIXTURES)('$name: exactly the listed packages', async (fixture) => {
    const [image] = (await scan(`oci:${imageWith(fixture)}`)).images;
    const listing = readRpmRows(sharedFixtures('os', 'rpm', ...fixture.database.slice(0, -1), fixture.listing));
    expect(rows(image!.packages)).toEqual(withoutKeys(listing));
    expect(image!.warnings).toEqual([]);
    expect(image!.packages.every((pkg) => pkg.type === 'rpm' && pkg.location.path === `${fixture.directory}/${fixture.database.at(-1)}`)).toBe(true);
  });

  it.each(FIXTURES.filter((fixture) => fixture.backend))('$name: agrees with `rpm -qa` run live', async (fixture) => {
    const [image] = (await scan(`oci:${imageWith(fixture)}`)).images;
    const live = rpmQueryAll(sharedFixtures('os', 'rpm', ...fixture.database), fixture.backend!);
    expect(live.length).toBeGreaterThan(0);
    expect(rows(image!.packages)).toEqual(withoutKeys(live));
  });

  it('writes purls with the os-release namespace, the release and the epoch only when set', async () => {
    const amazon = (await scan(`oci:${imageWith(FIXTURES[0]!)}`)).images[0]!.packages;
    expect(amazon.find((pkg) => pkg.name === 'bash')!.purl).toMatch(/^pkg:rpm\/amzn\/bash@5\.2\.15-1\.amzn2023\.0\.\d+\?arch=x86_64&distro=amzn-2023$/);
    const built = (await scan(`oci:${imageWith(FIXTURES[4]!)}`)).images[0]!.packages;
    const purls = Object.fromEntries(built.map((pkg) => [pkg.name, pkg.purl]));
    expect(purls['osfix-beta']).toBe('pkg:rpm/fedora/osfix-beta@4.5-7.fc39?arch=noarch&distro=fedora-39&epoch=2');
    expect(purls['osfix-epsilon']).toBe('pkg:rpm/fedora/osfix-epsilon@0.9-12.el9_3?arch=noarch&distro=fedora-39&epoch=0');
    expect(purls['osfix-gamma']).toBe('pkg:rpm/fedora/osfix-gamma@3.0.0~rc1-0.2.fc39?arch=noarch&distro=fedora-39');
    expect(purls['osfix-delta']).toBe('pkg:rpm/fedora/osfix-delta@2.1%5E20240115git1a2b3c-3.fc39?arch=noarch&distro=fedora-39');
    expect(built.find((pkg) => pkg.name === 'osfix-beta')!.version).toBe('2:4.5-7.fc39');
  });

  it('reads only the newest database format when an old one lingers', async () => {
    const sqlite = FIXTURES[4]!;
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: 'etc/os-release', content: sqlite.osRelease },
          { type: 'file', path: 'var/lib/rpm/rpmdb.sqlite', content: readFileSync(sharedFixtures('os', 'rpm', ...sqlite.database)) },
          { type: 'file', path: 'var/lib/rpm/Packages', content: readFileSync(sharedFixtures('os', 'rpm', 'real', 'syft-redhat-bdb', 'Packages')) },
        ],
      },
    ]);
    const names = (await scan(`oci:${dir}`)).images[0]!.packages.map((pkg) => pkg.name);
    expect(names).not.toContain('dive');
    expect(names).toHaveLength(5);
  });

  describe('damaged databases', () => {
    // Cut where some package headers lie before the damage (rows are stored in page order).
    it.each([
      ['sqlite', FIXTURES[1]!, 0.6],
      ['NDB', FIXTURES[2]!, 0.6],
      ['BerkeleyDB', FIXTURES[5]!, 0.9],
    ])('a truncated %s database keeps what was read before the damage and warns, naming the file', async (_, fixture, kept) => {
      const whole = readFileSync(sharedFixtures('os', 'rpm', ...fixture.database));
      const [image] = (await scan(`oci:${imageWith(fixture, whole.subarray(0, Math.floor(whole.length * kept)))}`)).images;
      const path = `${fixture.directory}/${fixture.database.at(-1)}`;
      const warning = image!.warnings.find((text) => text.includes(path));
      expect(warning, image!.warnings.join('\n')).toMatch(/database is damaged; \d+ packages read before the damage are kept/);
      const complete = withoutKeys(readRpmRows(sharedFixtures('os', 'rpm', ...fixture.database.slice(0, -1), fixture.listing)));
      expect(image!.packages.length).toBeGreaterThan(0);
      expect(image!.packages.length).toBeLessThan(complete.length);
      for (const row of rows(image!.packages)) expect(complete).toContainEqual(row);
    });

    it('a database that is not one at all is a warning, not a crash', async () => {
      const [image] = (await scan(`oci:${imageWith(FIXTURES[0]!, Buffer.from('not a database'.repeat(100)))}`)).images;
      expect(image!.packages).toEqual([]);
      expect(image!.warnings.some((text) => text.startsWith('layer 1: rpm: var/lib/rpm/rpmdb.sqlite: the sqlite database is damaged'))).toBe(true);
    });
  });
});
