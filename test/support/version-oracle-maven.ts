import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

/** Debian's Maven 3.8.7 artifact jar, whose ComparableVersion is the reference order. */
export const MAVEN_ARTIFACT_JAR = '/usr/share/maven/lib/maven-artifact-3.x.jar';

export function mavenOracleAvailable(): boolean {
  if (!existsSync(MAVEN_ARTIFACT_JAR)) return false;
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Asks the real ComparableVersion to order every pair, in one JVM run; returns signums in pair order. */
export function mavenOracleCompare(pairs: readonly (readonly [string, string])[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'customs-maven-oracle-'));
  try {
    const source = join(repoRoot, 'test', 'support', 'MavenVersionOracle.java');
    execFileSync('javac', ['-cp', MAVEN_ARTIFACT_JAR, '-d', dir, source], { stdio: ['ignore', 'ignore', 'inherit'] });
    const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
    const output = execFileSync('java', ['-cp', `${dir}:${MAVEN_ARTIFACT_JAR}`, 'MavenVersionOracle'], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const results = output.trim().split('\n').map(Number);
    if (results.length !== pairs.length) throw new Error(`Maven oracle answered ${results.length} of ${pairs.length} pairs`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
