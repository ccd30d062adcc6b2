import type { Distro } from '../sbom/model.ts';

export type OsPackageType = 'deb' | 'rpm' | 'apk';

/**
 * Which package of an OS package the distribution's advisories name: Debian and Ubuntu the source
 * package at its source version (so binNMUs compare right), Alpine-like the origin at the package
 * version, rpm distributions the binary package itself.
 */
export type OsNaming = 'source' | 'origin' | 'binary';

/** The OSV ecosystem an image's OS packages are looked up in. */
export interface DistroEcosystem {
  /** At the store's granularity, base plus release: `Debian:12`, `Ubuntu:22.04`, `Red Hat:9`. */
  readonly ecosystem: string;
  readonly packageType: OsPackageType;
  readonly naming: OsNaming;
}

export type DistroEcosystemResult = { readonly ecosystem: DistroEcosystem } | { readonly warning: string };

type Rule = (versionId: string | undefined) => string | undefined;

const major = (versionId: string | undefined): string | undefined => /^(\d+)/.exec(versionId ?? '')?.[1];
const majorMinor = (versionId: string | undefined): string | undefined => /^(\d+\.\d+)/.exec(versionId ?? '')?.[1];
const under = (base: string, release: Rule): Rule => (versionId) => {
  const value = release(versionId);
  return value === undefined ? undefined : `${base}:${value}`;
};

/** os-release ID → how osv.dev names the release's ecosystem, with the package type and naming. */
const RULES: Readonly<Record<string, { readonly rule: Rule; readonly packageType: OsPackageType; readonly naming: OsNaming }>> = {
  debian: { rule: under('Debian', debianRelease), packageType: 'deb', naming: 'source' },
  ubuntu: { rule: under('Ubuntu', majorMinor), packageType: 'deb', naming: 'source' },
  // Edge reports a pre-release VERSION_ID such as `3.21.0_alpha20240807`: no release's advisories fit it.
  alpine: { rule: under('Alpine', (v) => (v === undefined || v.includes('_') ? undefined : majorMinor(v) && `v${majorMinor(v)}`)), packageType: 'apk', naming: 'origin' },
  wolfi: { rule: () => 'Wolfi', packageType: 'apk', naming: 'origin' },
  chainguard: { rule: () => 'Chainguard', packageType: 'apk', naming: 'origin' },
  // Red Hat's records name CPE streams (`Red Hat:enterprise_linux:9::baseos`); the store keys them by major.
  rhel: { rule: under('Red Hat', major), packageType: 'rpm', naming: 'binary' },
  centos: { rule: under('Red Hat', major), packageType: 'rpm', naming: 'binary' },
  rocky: { rule: under('Rocky Linux', major), packageType: 'rpm', naming: 'binary' },
  almalinux: { rule: under('AlmaLinux', major), packageType: 'rpm', naming: 'binary' },
  sles: { rule: under('SUSE', suseRelease), packageType: 'rpm', naming: 'binary' },
  'opensuse-leap': { rule: under('openSUSE', (v) => majorMinor(v) && `Leap ${majorMinor(v)}`), packageType: 'rpm', naming: 'binary' },
  'opensuse-tumbleweed': { rule: () => 'openSUSE:Tumbleweed', packageType: 'rpm', naming: 'binary' },
  mariner: { rule: under('Mariner', majorMinor), packageType: 'rpm', naming: 'binary' },
  azurelinux: { rule: under('Azure Linux', majorMinor), packageType: 'rpm', naming: 'binary' },
  photon: { rule: under('Photon OS', majorMinor), packageType: 'rpm', naming: 'binary' },
};

/** Debian releases before 7 are named `4.0`, `5.0`, `6.0` in Debian's advisories; later ones by major. */
function debianRelease(versionId: string | undefined): string | undefined {
  const value = major(versionId);
  return value !== undefined && Number(value) < 7 ? `${value}.0` : value;
}

/** SLES `15.5` → `Linux Enterprise Server 15 SP5`; `15` (the first release) has no service pack. */
function suseRelease(versionId: string | undefined): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(versionId ?? '');
  if (!match) return undefined;
  return `Linux Enterprise Server ${match[1]}${match[2] && match[2] !== '0' ? ` SP${match[2]}` : ''}`;
}

/**
 * The ecosystem to look an image's OS packages up in, or a warning saying why they cannot be: no
 * distribution found, one osv.dev does not cover, or a rolling release (Debian sid, Alpine edge)
 * that no release's advisories describe.
 */
export function distroEcosystem(distro: Distro | undefined): DistroEcosystemResult {
  if (!distro) return { warning: 'no distribution was identified: OS packages are not matched against advisories' };
  const found = RULES[distro.id];
  const named = `${distro.prettyName ?? distro.id}${distro.versionId ? ` (VERSION_ID ${distro.versionId})` : ''}`;
  if (!found) return { warning: `distribution ${JSON.stringify(distro.id)} (${named}) has no advisories Customs can match: OS packages are not matched` };
  const ecosystem = found.rule(distro.versionId);
  if (ecosystem === undefined) return { warning: `${named} is a rolling or unreleased version with no advisory release: OS packages are not matched` };
  return { ecosystem: { ecosystem, packageType: found.packageType, naming: found.naming } };
}
