import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolsRun } from './java-archive-oracle.ts';
import { testCacheDir } from './paths.ts';

/** The one plugin `mvn jar:jar` needs, pinned to a version the local repository holds (Maven runs offline). */
const JAR_PLUGIN = { groupId: 'org.apache.maven.plugins', artifactId: 'maven-jar-plugin', version: '3.4.1' };

/** Whether Maven can build jars offline here: `mvn` on the PATH and the pinned jar plugin in ~/.m2. */
export function mavenOfflineAvailable(): boolean {
  const plugin = join(homedir(), '.m2', 'repository', ...JAR_PLUGIN.groupId.split('.'), JAR_PLUGIN.artifactId, JAR_PLUGIN.version);
  return existsSync(plugin) && toolsRun('mvn');
}

/** A reactor: the aggregator's groupId/artifactId/version and each module's pom.xml by directory. */
export interface MavenReactor {
  readonly parent: { readonly groupId: string; readonly artifactId: string; readonly version: string };
  readonly modules: Readonly<Record<string, string>>;
  /** `-D` properties for the build, as CI pipelines pass `-Drevision=…`. */
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Builds every module's jar with `mvn -o jar:jar` (no compile: the metadata is what matters), so
 * the jars carry the pom.xml and pom.properties Maven's archiver writes after inheritance and
 * interpolation. Cached in the test cache by the reactor's content; returns each module's jar.
 */
export function buildWithMaven(reactor: MavenReactor): Record<string, string> {
  const key = createHash('sha256').update(JSON.stringify({ reactor, JAR_PLUGIN })).digest('hex').slice(0, 16);
  const root = testCacheDir('maven-built-jars', key);
  if (!existsSync(root)) {
    const staging = `${root}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    writeReactor(staging, reactor);
    const defines = Object.entries(reactor.properties ?? {}).map(([name, value]) => `-D${name}=${value}`);
    execFileSync('mvn', ['-o', '-q', '-B', ...defines, 'jar:jar'], { cwd: staging, stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(staging, root);
  }
  return Object.fromEntries(
    Object.keys(reactor.modules).map((module) => {
      const jars = readdirSync(join(root, module, 'target')).filter((name) => name.endsWith('.jar'));
      if (jars.length !== 1) throw new Error(`Maven built ${jars.length} jars for ${module}`);
      return [module, join(root, module, 'target', jars[0]!)];
    }),
  );
}

function writeReactor(dir: string, reactor: MavenReactor): void {
  const { groupId, artifactId, version } = reactor.parent;
  const plugin = `<plugin><groupId>${JAR_PLUGIN.groupId}</groupId><artifactId>${JAR_PLUGIN.artifactId}</artifactId><version>${JAR_PLUGIN.version}</version></plugin>`;
  const modules = Object.keys(reactor.modules).map((module) => `<module>${module}</module>`).join('');
  const aggregator = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <build><pluginManagement><plugins>${plugin}</plugins></pluginManagement></build>
  <modules>${modules}</modules>
</project>
`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), aggregator);
  for (const [module, pom] of Object.entries(reactor.modules)) {
    const file = join(dir, module, 'pom.xml');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, pom);
  }
}
