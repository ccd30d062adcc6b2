import { describe, expect, it } from 'vitest';
import { jenkinsPluginCoordinates, manifestCoordinates } from '../../../../../lambdas/core/catalog/java/manifest-coordinates.ts';

const manifest = (attributes: Record<string, string>) => new Map(Object.entries(attributes).map(([name, value]) => [name.toLowerCase(), value]));

describe('coordinates from a manifest and a file name', () => {
  it('takes an artifact-like Implementation-Title, with Implementation-Vendor-Id as the group', () => {
    const attributes = manifest({ 'Implementation-Title': 'commons-io', 'Implementation-Version': '2.11.0', 'Implementation-Vendor-Id': 'commons-io' });
    expect(manifestCoordinates(attributes, 'lib/x.jar')).toEqual({ group: 'commons-io', artifact: 'commons-io', version: '2.11.0' });
  });

  it('never takes a display title ("Micronaut Core", "Jackson-core") for the artifact', () => {
    const micronaut = manifest({ 'Implementation-Title': 'Micronaut Core', 'Implementation-Version': '4.2.0', 'Automatic-Module-Name': 'io.micronaut.core' });
    expect(manifestCoordinates(micronaut, 'app/lib/micronaut-core-4.2.0.jar')).toEqual({ artifact: 'micronaut-core', version: '4.2.0' });
    // With no Maven-style file name, a bundle name is the artifact.
    const jackson = manifest({ 'Implementation-Title': 'Jackson-core', 'Implementation-Version': '2.14.1', 'Bundle-SymbolicName': 'com.fasterxml.jackson.core.jackson-core', 'Bundle-Version': '2.14.1' });
    expect(manifestCoordinates(jackson, 'lib/core.jar')).toEqual({ artifact: 'com.fasterxml.jackson.core.jackson-core', version: '2.14.1' });
    // A bundle name `<group>.<artifact>` gives the group of the file's artifact.
    expect(manifestCoordinates(jackson, 'lib/jackson-core-2.14.1.jar')).toEqual({ group: 'com.fasterxml.jackson.core', artifact: 'jackson-core', version: '2.14.1' });
    expect(manifestCoordinates(jackson, 'usr/share/java/jackson-core.jar')).toEqual({ group: 'com.fasterxml.jackson.core', artifact: 'jackson-core', version: '2.14.1' });
    expect(manifestCoordinates(manifest({ 'Implementation-Title': 'My App', 'Implementation-Version': '1.0' }), 'app.jar')).toEqual({ artifact: 'app', version: '1.0' });
  });

  it('prefers the manifest’s version to the file name’s, and reports nothing without a version', () => {
    expect(manifestCoordinates(manifest({ 'Implementation-Version': '1.2.0.RELEASE' }), 'lib/foo-1.2.jar')).toEqual({ artifact: 'foo', version: '1.2.0.RELEASE' });
    expect(manifestCoordinates(manifest({ 'Implementation-Version': '${project.version}' }), 'lib/foo-1.2.jar')).toEqual({ artifact: 'foo', version: '1.2' });
    expect(manifestCoordinates(manifest({ 'Implementation-Title': 'foo' }), 'lib/foo.jar')).toBeUndefined();
    expect(manifestCoordinates(manifest({ 'Bundle-SymbolicName': 'org.x;singleton:=true' }), 'lib/x.jar')).toBeUndefined();
  });

  it('completes a pom.xml’s artifact with the manifest’s version, or the file name’s when it names that artifact', () => {
    const hint = { group: 'org.example', artifact: 'unres' };
    expect(manifestCoordinates(manifest({ 'Implementation-Version': '9.9.9', 'Implementation-Title': 'other' }), 'app.jar', hint)).toEqual({ group: 'org.example', artifact: 'unres', version: '9.9.9' });
    expect(manifestCoordinates(manifest({}), 'lib/unres-9.9.9.jar', hint)).toEqual({ group: 'org.example', artifact: 'unres', version: '9.9.9' });
    expect(manifestCoordinates(manifest({}), 'lib/other-9.9.9.jar', hint)).toBeUndefined();
    expect(manifestCoordinates(manifest({ 'Implementation-Version': '2' }), 'lib/x.jar', { artifact: 'x', version: '1.0' })).toEqual({ artifact: 'x', version: '1.0' });
  });
});

describe('Jenkins plugin manifests', () => {
  it('reads Group-Id, Short-Name and Plugin-Version, dropping a snapshot build’s note', () => {
    const plugin = manifest({ 'Group-Id': 'org.jenkins-ci.plugins', 'Short-Name': 'git-client', 'Plugin-Version': '4.6.0', 'Long-Name': 'Jenkins Git client plugin' });
    expect(jenkinsPluginCoordinates(plugin)).toEqual({ group: 'org.jenkins-ci.plugins', artifact: 'git-client', version: '4.6.0' });
    const snapshot = manifest({ 'Group-Id': 'io.jenkins', 'Short-Name': 'x', 'Plugin-Version': '1.0-SNAPSHOT (private-12/01/2026 22:00-builder)' });
    expect(jenkinsPluginCoordinates(snapshot)).toEqual({ group: 'io.jenkins', artifact: 'x', version: '1.0-SNAPSHOT' });
    expect(jenkinsPluginCoordinates(manifest({ 'Short-Name': 'x', 'Plugin-Version': '1' }))).toBeUndefined();
    expect(jenkinsPluginCoordinates(manifest({ 'Group-Id': 'Some Vendor', 'Short-Name': 'x', 'Plugin-Version': '1' }))).toBeUndefined();
  });
});
