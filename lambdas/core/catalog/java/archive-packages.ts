import type { LanguageRecord } from '../language-package.ts';
import type { ArchiveCoordinates } from './manifest-coordinates.ts';

/** Where a package was found inside an archive, for records and warnings. */
export interface ArchiveIdentity {
  /** `opt/app/outer.ear!/app.war!/WEB-INF/lib/x.jar`; the image path for a top-level archive. */
  readonly displayPath: string;
  /** Set on nested archives only; a top-level archive's packages take the file's own path. */
  readonly nestedPath?: string;
}

/** Maven's own layout; shaded jars keep it under another prefix (`shaded/v1/META-INF/maven/…`). */
const MAVEN_DIRECTORY = /(?:^|\/)META-INF\/maven\/([^/]+)\/([^/]+)\/[^/]+$/;

/** Whether an entry is a `pom.properties`, wherever the archive keeps it. */
export function isPomProperties(entryName: string): boolean {
  return entryName === 'pom.properties' || entryName.endsWith('/pom.properties');
}

/** Whether an entry is an embedded pom.xml: Maven's place for it, or the archive's root. */
export function isEmbeddedPom(entryName: string): boolean {
  return entryName === 'pom.xml' || (entryName.endsWith('/pom.xml') && entryName.includes('META-INF/'));
}

/** The group and artifact a `META-INF/maven/<group>/<artifact>/` directory names, or undefined elsewhere. */
export function mavenDirectoryCoordinates(entryName: string): { group: string; artifact: string } | undefined {
  const match = MAVEN_DIRECTORY.exec(entryName);
  return match ? { group: match[1]!, artifact: match[2]! } : undefined;
}

/** The directory an entry sits in, to pair a pom.xml with the pom.properties beside it. */
export function entryDirectory(entryName: string): string {
  return entryName.slice(0, entryName.lastIndexOf('/') + 1);
}

/**
 * Coordinates from a `pom.properties`: its own fields, else the Maven directory it sits in. A
 * problem (to warn about) when a field is missing or still an unfiltered `${…}` placeholder.
 */
export function pomPropertiesCoordinates(properties: ReadonlyMap<string, string>, entryName: string): ArchiveCoordinates | { problem: string } {
  const directory = mavenDirectoryCoordinates(entryName);
  const group = properties.get('groupId')?.trim() || directory?.group;
  const artifact = properties.get('artifactId')?.trim() || directory?.artifact;
  const version = properties.get('version')?.trim();
  if (!version) return { problem: 'no version, skipped' };
  if (!group || !artifact) return { problem: 'no groupId or artifactId, skipped' };
  const placeholder = [group, artifact, version].find((field) => field.includes('${'));
  if (placeholder) return { problem: `unresolved placeholder ${JSON.stringify(placeholder.slice(0, 80))}, skipped` };
  return { group, artifact, version };
}

/** The record for coordinates found in the archive at `where`. */
export function archiveRecord(coordinates: ArchiveCoordinates, where: ArchiveIdentity): LanguageRecord {
  const { group, artifact, version } = coordinates;
  return {
    name: artifact,
    version,
    ...(group ? { namespace: group, displayName: `${group}:${artifact}` } : {}),
    ...(where.nestedPath ? { path: where.nestedPath } : {}),
  };
}
