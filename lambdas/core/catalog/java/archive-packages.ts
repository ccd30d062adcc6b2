import type { LanguageRecord } from '../language-package.ts';
import { nameAndVersionOfFile } from './archive-file-name.ts';

/** Where a package was found inside an archive, for records and warnings. */
export interface ArchiveIdentity {
  /** `opt/app/outer.ear!/app.war!/WEB-INF/lib/x.jar`; the image path for a top-level archive. */
  readonly displayPath: string;
  /** Set on nested archives only; a top-level archive's packages take the file's own path. */
  readonly nestedPath?: string;
}

const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;

/** The Maven group and artifact a `pom.properties` entry's directory names, or undefined for other entries. */
export function pomPropertiesCoordinates(entryName: string): { group: string; artifact: string } | undefined {
  const match = POM_PROPERTIES.exec(entryName);
  return match ? { group: match[1]!, artifact: match[2]! } : undefined;
}

/** A package from `pom.properties`; its own fields win over the directory it sits in. */
export function packageFromPomProperties(properties: ReadonlyMap<string, string>, directory: { group: string; artifact: string }, where: ArchiveIdentity): LanguageRecord | undefined {
  const group = properties.get('groupId') || directory.group;
  const artifact = properties.get('artifactId') || directory.artifact;
  const version = properties.get('version');
  if (!version) return undefined;
  return record(artifact, version, group, where);
}

/**
 * A package for an archive without `pom.properties`: the manifest's Implementation-* attributes,
 * else its OSGi bundle attributes, else the file name. Undefined when none gives a version.
 */
export function packageFromManifestOrName(manifest: ReadonlyMap<string, string>, where: ArchiveIdentity): LanguageRecord | undefined {
  const title = manifest.get('implementation-title');
  const version = manifest.get('implementation-version');
  if (title && version) return record(title, version, manifest.get('implementation-vendor-id'), where);
  // `Bundle-SymbolicName: org.example.core;singleton:=true` carries directives after the name.
  const bundle = manifest.get('bundle-symbolicname')?.split(';')[0]!.trim();
  const bundleVersion = manifest.get('bundle-version');
  if (bundle && bundleVersion) return record(bundle, bundleVersion, undefined, where);
  const fromName = nameAndVersionOfFile(where.displayPath);
  if (fromName?.version) return record(fromName.name, fromName.version, undefined, where);
  return undefined;
}

function record(name: string, version: string, namespace: string | undefined, where: ArchiveIdentity): LanguageRecord {
  return {
    name,
    version,
    ...(namespace ? { namespace, displayName: `${namespace}:${name}` } : {}),
    ...(where.nestedPath ? { path: where.nestedPath } : {}),
  };
}
