import { nameAndVersionOfFile } from './archive-file-name.ts';

/** Maven coordinates a source gives for an archive; `group` is unknown for some sources. */
export interface ArchiveCoordinates {
  readonly group?: string;
  readonly artifact: string;
  readonly version: string;
}

/** A pom.xml that names the artifact but whose group or version is a placeholder the archive cannot resolve. */
export interface ArtifactHint {
  readonly group?: string;
  readonly artifact: string;
  readonly version?: string;
}

type Manifest = ReadonlyMap<string, string>;

/** Artifact IDs are lowercase by convention; a title with capitals or spaces ("Micronaut Core", "Jackson-core") is a display name. */
const ARTIFACT_LIKE = /^[a-z0-9][a-z0-9._-]*$/;
const GROUP_LIKE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
/** Maven's rule for any ID, for names that come from files rather than a build's metadata. */
const ID_LIKE = /^[A-Za-z0-9_.-]+$/;
const VERSION_LIKE = /^[^\s${}]{1,128}$/;

/**
 * A Jenkins plugin's own coordinates: maven-hpi-plugin writes `Group-Id`, `Short-Name` (the
 * artifactId) and `Plugin-Version` into every .hpi/.jpi. Snapshot builds append ` (private-…)`.
 */
export function jenkinsPluginCoordinates(manifest: Manifest): ArchiveCoordinates | undefined {
  const group = manifest.get('group-id');
  const artifact = manifest.get('short-name');
  const version = manifest.get('plugin-version')?.split(/\s/)[0];
  if (!group || !artifact || !version || !GROUP_LIKE.test(group) || !ID_LIKE.test(artifact) || !VERSION_LIKE.test(version)) return undefined;
  return { group, artifact, version };
}

/**
 * Coordinates for an archive without pom metadata, from its manifest and file name:
 * 1. a pom.xml's artifact (the hint), with its version, else the manifest's or the file name's;
 * 2. an artifact-like Implementation-Title with Implementation-Version;
 * 3. a Maven-style file name (`name-1.2.jar`) or one the bundle name ends with, with the manifest's
 *    version when it has one;
 * 4. Bundle-SymbolicName with its version;
 * 5. a file name without a version, with the manifest's version.
 * The group is Implementation-Vendor-Id, or what a bundle name puts before `.<artifact>`.
 */
export function manifestCoordinates(manifest: Manifest, path: string, hint?: ArtifactHint): ArchiveCoordinates | undefined {
  const file = nameAndVersionOfFile(path);
  const versionOf = (...candidates: Array<string | undefined>) => candidates.find((candidate) => candidate !== undefined && VERSION_LIKE.test(candidate));
  const manifestVersion = versionOf(manifest.get('implementation-version'), manifest.get('bundle-version'));
  // `Bundle-SymbolicName: org.example.core;singleton:=true` carries directives after the name.
  const bundle = manifest.get('bundle-symbolicname')?.split(';')[0]!.trim() || undefined;
  const groupFor = (artifact: string): string | undefined => {
    const vendor = manifest.get('implementation-vendor-id');
    if (vendor && GROUP_LIKE.test(vendor)) return vendor;
    // maven-bundle-plugin names a bundle `<groupId>.<artifactId>` unless the two overlap.
    if (bundle?.endsWith(`.${artifact}`)) return bundle.slice(0, -artifact.length - 1);
    return undefined;
  };
  const found = (artifact: string, version: string | undefined, group = groupFor(artifact)): ArchiveCoordinates | undefined =>
    version ? { ...(group ? { group } : {}), artifact, version } : undefined;

  if (hint) return found(hint.artifact, hint.version ?? manifestVersion ?? (file?.name === hint.artifact ? file.version : undefined), hint.group);
  const title = manifest.get('implementation-title');
  if (title && ARTIFACT_LIKE.test(title)) {
    const fromTitle = found(title, versionOf(manifest.get('implementation-version')));
    if (fromTitle) return fromTitle;
  }
  // A file named the way Maven names artifacts, or the way the bundle name ends, names the artifact.
  if (file && (file.version || bundle?.endsWith(`.${file.name}`))) {
    const fromFile = found(file.name, manifestVersion ?? versionOf(file.version));
    if (fromFile) return fromFile;
  }
  if (bundle) {
    const fromBundle = found(bundle, versionOf(manifest.get('bundle-version'), manifest.get('implementation-version')), undefined);
    if (fromBundle) return fromBundle;
  }
  return file && ID_LIKE.test(file.name) ? found(file.name, manifestVersion) : undefined;
}
