/**
 * An OSV ecosystem string split into the parts an index needs. OSV writes `Base[:release[:…]]`;
 * each distribution puts the release in its own place, so the known shapes are spelled out here.
 */
export interface Ecosystem {
  /** `Debian`, `Ubuntu`, `Red Hat`, `npm`, … as OSV spells it. */
  readonly base: string;
  /** The distribution release the record covers (`12`, `22.04`, `v3.20`), when it names one. */
  readonly release?: string;
  /** Everything after the base when it says more than the release (`22.04:LTS`, `enterprise_linux:9::baseos`). */
  readonly stream?: string;
}

export function parseEcosystem(value: string): Ecosystem {
  const colon = value.indexOf(':');
  if (colon < 0) return { base: value.trim() };
  const base = value.slice(0, colon).trim();
  const rest = value.slice(colon + 1).trim();
  if (rest === '') return { base };
  if (base === 'Red Hat') return redHat(base, rest);
  // `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`, `SUSE:Linux Enterprise Server 15 SP5`: the release is
  // the first part that looks like a version; the rest is kept as the stream.
  const parts = rest.split(':');
  if (parts.length === 1) return { base, release: rest };
  const release = parts.find((part) => /^v?\d+(\.\d+)*$/.test(part)) ?? parts[0];
  return { base, release, stream: rest };
}

/** `Red Hat:enterprise_linux:9::baseos`: the release is the number after the product name. */
function redHat(base: string, rest: string): Ecosystem {
  const parts = rest.split(':');
  const release = parts.find((part) => /^\d+(\.\d+)*$/.test(part));
  return release === undefined ? { base, stream: rest } : { base, release, stream: rest };
}

/** The ecosystem as an index key: base plus release, the granularity a scan looks up by. */
export function ecosystemKey(ecosystem: Ecosystem): string {
  return ecosystem.release === undefined ? ecosystem.base : `${ecosystem.base}:${ecosystem.release}`;
}

/**
 * A package name as the ecosystem compares names: PyPI by PEP 503 normalisation, NuGet and Packagist
 * case-insensitively; everywhere else names are exact.
 */
export function normalizePackageName(base: string, name: string): string {
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (base === 'NuGet' || base === 'Packagist') return name.toLowerCase();
  return name;
}
