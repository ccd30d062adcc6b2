import { parseDigest, type Digest } from '../digest.ts';
import type { Finding } from '../findings/model.ts';
import type { JudgedSbom } from '../policy/image-context.ts';
import type { ImageSbom, Package } from '../sbom/model.ts';
import type { ImageKey, ScanRecord, StoredFinding } from './model.ts';

/** Stands in for a layer a stored finding names that the scan record does not list (no policy reads it). */
const UNKNOWN_LAYER = parseDigest(`sha256:${'0'.repeat(64)}`);

/** What the CLI's policy code reads of one platform image, rebuilt from what the pipeline stored. */
export interface JudgedPlatform {
  readonly sbom: JudgedSbom;
  /** In stored order; each maps back to the stored finding it came from. */
  readonly findings: readonly Finding[];
  readonly storedOf: ReadonlyMap<Finding, StoredFinding>;
}

export interface JudgedImageIdentity {
  readonly key: ImageKey;
  readonly tags: readonly string[];
  readonly kind: 'image' | 'index';
}

/**
 * The core Finding of each stored one, with its package from the SBOM when one is given (it has the
 * source package an ignore entry may name), else the package as the finding recorded it. Texts are
 * not stored, so references are empty: policy never reads them.
 */
export function judgedPlatform(scan: ScanRecord, stored: readonly StoredFinding[], identity: JudgedImageIdentity, sbom?: ImageSbom): JudgedPlatform {
  const inSbom = new Map((sbom?.packages ?? []).map((pkg) => [pkg.id, pkg]));
  const rebuilt = new Map<string, Package>();
  const storedOf = new Map<Finding, StoredFinding>();
  const findings = stored.map((raw) => {
    const pkg = inSbom.get(raw.package.id) ?? rebuilt.get(raw.package.id) ?? packageOf(raw, scan);
    if (!inSbom.has(pkg.id)) rebuilt.set(pkg.id, pkg);
    const finding: Finding = {
      id: raw.id,
      aliases: raw.aliases,
      package: pkg,
      installedVersion: raw.installedVersion,
      fixedVersions: raw.fixedVersions,
      severity: raw.severity,
      references: [],
      advisories: raw.advisories,
      ...(raw.title !== undefined ? { title: raw.title } : {}),
      ...(raw.published !== undefined ? { published: raw.published } : {}),
    };
    storedOf.set(finding, raw);
    return finding;
  });
  return { sbom: judgedSbom(scan, identity, sbom, [...rebuilt.values()]), findings, storedOf };
}

function packageOf(raw: StoredFinding, scan: ScanRecord): Package {
  const { package: pkg } = raw;
  const layer = scan.layers[pkg.layerIndex];
  return {
    id: pkg.id,
    type: pkg.type,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    location: { path: pkg.path, layerIndex: pkg.layerIndex, layerDigest: layer?.digest ?? UNKNOWN_LAYER, layerDiffId: layer?.diffId ?? UNKNOWN_LAYER },
    cataloger: 'stored-finding',
  };
}

/**
 * The image as VEX statements name it: the digest judged in the repository judged, under the tags it
 * has there now. The SBOM says where the digest was first scanned, which may be another repository
 * than the one whose policy applies; its registry host is kept, its path replaced. Without an SBOM
 * the host is the ECR registry the key names, where the pipeline reads images.
 */
function judgedSbom(scan: ScanRecord, identity: JudgedImageIdentity, sbom: ImageSbom | undefined, rebuilt: readonly Package[]): JudgedSbom {
  const { key, tags, kind } = identity;
  const host = sbom ? registryHostOf(sbom.repository) : `${key.account}.dkr.ecr.${key.region}.amazonaws.com`;
  const repository = host !== undefined ? `${host}/${key.repository}` : key.repository;
  const base: ImageSbom = sbom ?? {
    reference: `${repository}@${scan.digest}`,
    repository,
    platform: scan.platform ?? { os: 'unknown', architecture: 'unknown' },
    configDigest: scan.configDigest ?? UNKNOWN_LAYER,
    layers: [],
    packages: [],
    warnings: [],
  };
  const { tag: _firstScannedTag, ...rest } = base;
  const indexDigest: Digest | undefined = kind === 'index' ? key.digest : (scan.indexDigest ?? base.indexDigest);
  return {
    ...rest,
    reference: `${repository}@${scan.digest}`,
    repository,
    platform: scan.platform ?? base.platform,
    manifestDigest: scan.digest,
    ...(indexDigest !== undefined ? { indexDigest } : {}),
    // Without an SBOM only the findings' own packages are known; policyNeedsSbom says when that is not enough.
    packages: sbom ? sbom.packages : rebuilt,
    currentTags: tags,
  };
}

/**
 * The registry host a repository is named with (`registry.example/team/app` → `registry.example`), as
 * Docker tells one from a path: a first segment with a dot or a port, or `localhost`.
 */
function registryHostOf(repository: string): string | undefined {
  const slash = repository.indexOf('/');
  if (slash < 0) return undefined;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}
