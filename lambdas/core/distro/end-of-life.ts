import type { Distro } from '../sbom/model.ts';

/**
 * When each distribution release stops getting security fixes without a paid extension: the date
 * its free security support ends (Debian LTS, Ubuntu standard support, RHEL maintenance support…).
 * Dates are the last supported day; an image is end of life from the day after.
 */
interface Release {
  readonly version: string;
  readonly codename?: string;
  readonly date: string;
}

interface Family {
  /** How the message names the distribution. */
  readonly name: string;
  /**
   * How many dot-separated parts of VERSION_ID name a release when it is not one exactly: `3.20.3` is
   * Alpine 3.20, `9.3` Rocky 9.
   */
  readonly parts: number;
  readonly releases: readonly Release[];
}

const FAMILIES: Readonly<Record<string, Family>> = {
  // wiki.debian.org/LTS: the end of each release's LTS period.
  debian: {
    name: 'debian',
    parts: 1,
    releases: [
      { version: '8', codename: 'jessie', date: '2020-06-30' },
      { version: '9', codename: 'stretch', date: '2022-06-30' },
      { version: '10', codename: 'buster', date: '2024-06-30' },
      { version: '11', codename: 'bullseye', date: '2026-08-31' },
      { version: '12', codename: 'bookworm', date: '2028-06-30' },
      { version: '13', codename: 'trixie', date: '2030-06-30' },
    ],
  },
  // ubuntu.com/about/release-cycle, exact days from Canonical's distro-info-data `eol` column.
  ubuntu: {
    name: 'ubuntu',
    parts: 2,
    releases: [
      { version: '16.04', codename: 'xenial', date: '2021-04-30' },
      { version: '18.04', codename: 'bionic', date: '2023-05-31' },
      { version: '20.04', codename: 'focal', date: '2025-05-29' },
      { version: '22.04', codename: 'jammy', date: '2027-06-01' },
      { version: '23.04', codename: 'lunar', date: '2024-01-25' },
      { version: '23.10', codename: 'mantic', date: '2024-07-11' },
      { version: '24.04', codename: 'noble', date: '2029-05-31' },
      { version: '24.10', codename: 'oracular', date: '2025-07-10' },
      { version: '25.04', codename: 'plucky', date: '2026-01-15' },
    ],
  },
  // alpinelinux.org/releases: end of support of each branch's main repository.
  alpine: {
    name: 'alpine',
    parts: 2,
    releases: [
      { version: '3.10', date: '2021-05-01' },
      { version: '3.11', date: '2021-11-01' },
      { version: '3.12', date: '2022-05-01' },
      { version: '3.13', date: '2022-11-01' },
      { version: '3.14', date: '2023-05-01' },
      { version: '3.15', date: '2023-11-01' },
      { version: '3.16', date: '2024-05-23' },
      { version: '3.17', date: '2024-11-22' },
      { version: '3.18', date: '2025-05-09' },
      { version: '3.19', date: '2025-11-01' },
      { version: '3.20', date: '2026-04-01' },
      { version: '3.21', date: '2026-11-01' },
      { version: '3.22', date: '2027-05-01' },
      { version: '3.23', date: '2027-11-01' },
    ],
  },
  // access.redhat.com/support/policy/updates/errata: end of Maintenance Support (7: Maintenance Support 2).
  rhel: {
    name: 'rhel',
    parts: 1,
    releases: [
      { version: '7', date: '2024-06-30' },
      { version: '8', date: '2029-05-31' },
      { version: '9', date: '2032-05-31' },
    ],
  },
  // centos.org: CentOS Linux 7 ended with RHEL 7; CentOS Linux 8 was cut short at the end of 2021.
  centos: {
    name: 'centos',
    parts: 1,
    releases: [
      { version: '7', date: '2024-06-30' },
      { version: '8', date: '2021-12-31' },
    ],
  },
  // centos.org/centos-stream: Stream 8 ended 2024-05-31; Stream 9's expected end.
  'centos-stream': {
    name: 'centos stream',
    parts: 1,
    releases: [
      { version: '8', date: '2024-05-31' },
      { version: '9', date: '2027-05-31' },
    ],
  },
  // wiki.rockylinux.org/rocky/version: end of life (security support). Rocky began at 8.
  rocky: {
    name: 'rocky',
    parts: 1,
    releases: [
      { version: '8', date: '2029-05-31' },
      { version: '9', date: '2032-05-31' },
    ],
  },
  // wiki.almalinux.org/release-notes: end of security support. AlmaLinux began at 8.
  almalinux: {
    name: 'almalinux',
    parts: 1,
    releases: [
      { version: '8', date: '2029-03-01' },
      { version: '9', date: '2032-05-31' },
    ],
  },
  // aws.amazon.com/amazon-linux-2/faqs (AL2, extended to mid-2026) and docs.aws.amazon.com/linux
  // release cadence (AL2023); the Amazon Linux AMI 2018.03 ended with 2023.
  amzn: {
    name: 'amazon linux',
    parts: 1,
    releases: [
      { version: '2018.03', date: '2023-12-31' },
      { version: '2', date: '2026-06-30' },
      { version: '2023', date: '2029-06-30' },
    ],
  },
  // suse.com/lifecycle: end of General Support of each service pack (VERSION_ID `15.5` is 15 SP5).
  sles: {
    name: 'sles',
    parts: 2,
    releases: [
      { version: '12.5', date: '2024-10-31' },
      { version: '15.1', date: '2021-01-31' },
      { version: '15.2', date: '2021-12-31' },
      { version: '15.3', date: '2022-12-31' },
      { version: '15.4', date: '2023-12-31' },
      { version: '15.5', date: '2024-12-31' },
      { version: '15.6', date: '2025-12-31' },
      { version: '15.7', date: '2031-07-31' },
    ],
  },
};

export interface EndOfLife {
  readonly date: string;
  readonly message: string;
}

/** The warning for an image whose distribution release is past its end of life at `now`; else undefined. */
export function endOfLife(distro: Distro, now: Date): EndOfLife | undefined {
  const found = lookup(distro);
  if (!found) return undefined;
  const { family, release } = found;
  // The date is the last supported day (UTC): the release is end of life from the next midnight.
  if (now.getTime() < Date.parse(`${release.date}T00:00:00Z`) + 86_400_000) return undefined;
  const name = `${family.name} ${release.version}${release.codename ? ` (${release.codename})` : ''}`;
  return { date: release.date, message: `${name} reached end of life on ${release.date}: no more security fixes are published for it` };
}

/** The end-of-life date of the distribution release, past or future, for reports; undefined when unknown. */
export function endOfLifeDate(distro: Distro): string | undefined {
  return lookup(distro)?.release.date;
}

function lookup(distro: Distro): { family: Family; release: Release } | undefined {
  const key = familyKey(distro);
  if (!Object.hasOwn(FAMILIES, key) || distro.versionId === undefined) return undefined;
  const family = FAMILIES[key]!;
  const exact = distro.versionId.trim();
  const prefix = exact.split('.').slice(0, family.parts).join('.');
  const release = family.releases.find((r) => r.version === exact) ?? family.releases.find((r) => r.version === prefix);
  return release && { family, release };
}

// CentOS Stream says ID=centos like CentOS Linux, with the same VERSION_ID; only its name tells.
function familyKey(distro: Distro): string {
  if (distro.id === 'centos' && /stream/i.test(distro.prettyName ?? '')) return 'centos-stream';
  return distro.id;
}
