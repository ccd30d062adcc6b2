import type { LanguageRecord } from '../language-package.ts';
import { archiveRecord, entryDirectory, isEmbeddedPom, isPomProperties, pomPropertiesCoordinates, type ArchiveIdentity } from './archive-packages.ts';
import { parseJavaProperties } from './java-properties.ts';
import { jenkinsPluginCoordinates, manifestCoordinates, type ArchiveCoordinates, type ArtifactHint } from './manifest-coordinates.ts';
import { parseManifest } from './manifest.ts';
import { pomCoordinates } from './pom-xml.ts';

/** An archive's entry names and a way to read one (undefined after the reader warned it is damaged). */
export interface ArchiveEntries {
  readonly names: readonly string[];
  read(name: string): Uint8Array | undefined;
}

/**
 * The Maven packages one archive describes, in order of trust:
 * 1. every `pom.properties`, wherever it sits (shaded jars carry several, even two versions of one library);
 * 2. every embedded pom.xml with no pom.properties beside it, with Maven's inheritance from `<parent>`;
 * 3. a Jenkins plugin manifest (`Group-Id`, `Short-Name`, `Plugin-Version`);
 * 4. failing all of those, the manifest or the file name (see manifestCoordinates).
 * Identical coordinates are reported once.
 */
export function archivePackages(archive: ArchiveEntries, where: ArchiveIdentity, warn: (message: string) => void): LanguageRecord[] {
  const found = new Map<string, ArchiveCoordinates>();
  const add = (coordinates: ArchiveCoordinates) => {
    const key = `${coordinates.group}:${coordinates.artifact}@${coordinates.version}`;
    if (!found.has(key)) found.set(key, coordinates);
  };
  const warnAbout = (name: string, problem: string) => warn(`${where.displayPath}!/${name}: ${problem}`);

  const properties = archive.names.filter(isPomProperties);
  for (const name of properties) {
    const bytes = archive.read(name);
    if (!bytes) continue;
    const coordinates = pomPropertiesCoordinates(parseJavaProperties(bytes), name);
    if ('problem' in coordinates) warnAbout(name, coordinates.problem);
    else add(coordinates);
  }

  const described = new Set(properties.map(entryDirectory));
  let hint: ArtifactHint | undefined;
  for (const name of archive.names.filter((entry) => isEmbeddedPom(entry) && !described.has(entryDirectory(entry)))) {
    const bytes = archive.read(name);
    if (!bytes) continue;
    const result = pomCoordinates(bytes);
    if ('problem' in result) {
      warnAbout(name, `${result.problem}, skipped`);
      continue;
    }
    const { group, artifact, version } = result.coordinates;
    if (artifact && group && version) add({ group, artifact, version });
    // The first pom missing a field still names the artifact should nothing better describe the archive.
    else if (artifact) hint ??= { ...(group ? { group } : {}), artifact, ...(version ? { version } : {}) };
  }

  const manifestName = archive.names.find((name) => name.toUpperCase() === 'META-INF/MANIFEST.MF');
  const manifestBytes = manifestName ? archive.read(manifestName) : undefined;
  const manifest = manifestBytes ? parseManifest(manifestBytes) : new Map<string, string>();
  const plugin = jenkinsPluginCoordinates(manifest);
  if (plugin) add(plugin);

  if (found.size === 0) {
    const fallback = manifestCoordinates(manifest, where.displayPath, hint);
    if (fallback) add(fallback);
  }
  return [...found.values()].map((coordinates) => archiveRecord(coordinates, where));
}
