import { isDigest, type Digest } from '../digest.ts';

/** Name/value annotations of one SBOM element (CycloneDX properties, Trivy's SPDX annotations). */
export type SbomProperties = ReadonlyMap<string, readonly string[]>;

export function propertyMap(entries: Iterable<{ readonly name: string; readonly value: string }>): SbomProperties {
  const map = new Map<string, string[]>();
  for (const { name, value } of entries) {
    const values = map.get(name);
    if (values) values.push(value);
    else map.set(name, [value]);
  }
  return map;
}

export function property(properties: SbomProperties, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = properties.get(name)?.find((candidate) => candidate.trim() !== '');
    if (value !== undefined) return value.trim();
  }
  return undefined;
}

/** A digest-valued property; values that are not valid digests are ignored rather than trusted. */
export function digestProperty(properties: SbomProperties, ...names: string[]): Digest | undefined {
  for (const name of names) {
    const value = properties.get(name)?.find((candidate) => isDigest(candidate));
    if (value !== undefined) return value as Digest;
  }
  return undefined;
}

/**
 * Where the producing tool says a package came from, in the property names Customs, Trivy and Syft
 * write. Trivy splits Debian and RPM source versions into epoch, version and release.
 */
export interface SourceHint {
  readonly name: string;
  readonly version?: string;
}

export interface PackageHints {
  readonly customsType?: string;
  readonly architecture?: string;
  /** The source package as Customs records it. */
  readonly customsSource?: SourceHint;
  /** The source package as Trivy records it (SrcName, SrcEpoch, SrcVersion, SrcRelease). */
  readonly trivySource?: SourceHint;
  readonly path?: string;
  readonly layerIndex?: number;
  readonly layerDigest?: Digest;
  readonly layerDiffId?: Digest;
  readonly cataloger?: string;
  readonly dev?: boolean;
  readonly alias?: string;
  readonly versionInferred?: boolean;
}

const TRIVY = 'aquasecurity:trivy:';

export function packageHints(properties: SbomProperties): PackageHints {
  const layerIndex = property(properties, 'customs:layer:index');
  return {
    customsType: property(properties, 'customs:package:type'),
    architecture: property(properties, 'customs:package:architecture'),
    customsSource: customsSource(properties),
    trivySource: trivySource(properties),
    path: property(properties, 'customs:location:path', 'syft:location:0:path', `${TRIVY}FilePath`),
    layerIndex: layerIndex !== undefined && /^\d{1,6}$/.test(layerIndex) ? Number(layerIndex) : undefined,
    layerDigest: digestProperty(properties, 'customs:layer:digest', `${TRIVY}LayerDigest`),
    layerDiffId: digestProperty(properties, 'customs:layer:diff-id', `${TRIVY}LayerDiffID`, 'syft:location:0:layerID'),
    cataloger: property(properties, 'customs:cataloger'),
    dev: property(properties, 'customs:package:dev') === 'true' || undefined,
    alias: property(properties, 'customs:package:alias'),
    versionInferred: property(properties, 'customs:package:version-inferred') === 'true' || undefined,
  };
}

function customsSource(properties: SbomProperties): SourceHint | undefined {
  const name = property(properties, 'customs:package:source-name');
  if (!name) return undefined;
  return { name, version: property(properties, 'customs:package:source-version') };
}

function trivySource(properties: SbomProperties): SourceHint | undefined {
  const name = property(properties, `${TRIVY}SrcName`);
  if (!name) return undefined;
  const version = property(properties, `${TRIVY}SrcVersion`);
  if (!version) return { name };
  const epoch = property(properties, `${TRIVY}SrcEpoch`);
  const release = property(properties, `${TRIVY}SrcRelease`);
  const withRelease = release ? `${version}-${release}` : version;
  return { name, version: epoch && epoch !== '0' ? `${epoch}:${withRelease}` : withRelease };
}
