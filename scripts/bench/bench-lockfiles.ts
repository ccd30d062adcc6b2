/**
 * Parse time of large generated lockfiles: a pnpm-lock.yaml (v9, importers + packages + snapshots)
 * and a yarn berry yarn.lock with the same packages. Run with `npx tsx scripts/bench/bench-lockfiles.ts [packages]`.
 */
import { parsePnpmLock } from '../../lambdas/core/catalog/npm/pnpm-lock.ts';
import { parseYarnLock } from '../../lambdas/core/catalog/npm/yarn-lock.ts';
import { Prng } from './prng.ts';

interface Generated {
  readonly name: string;
  readonly version: string;
  readonly dependencies: ReadonlyArray<{ name: string; version: string }>;
}

function generate(count: number, seed = 1): Generated[] {
  const random = new Prng(seed);
  const packages: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const name = i % 5 === 0 ? `@scope-${i % 97}/pkg-${i}` : `pkg-${i}`;
    // Dependencies point at earlier packages, so the graph is acyclic and every package is reached.
    const picked = i === 0 ? [] : Array.from({ length: random.int(0, 6) }, () => packages[random.int(0, i)]!);
    const dependencies = [...new Map(picked.map(({ name: dep, version }) => [dep, { name: dep, version }])).values()];
    packages.push({ name, version: `${random.int(0, 20)}.${random.int(0, 30)}.${random.int(0, 10)}`, dependencies });
  }
  return packages;
}

const quote = (key: string) => (key.startsWith('@') ? `'${key}'` : key);
const integrity = (i: number) => `sha512-${Buffer.from(`integrity-${i}`.padEnd(64, '.')).toString('base64')}`;

function pnpmLock(packages: readonly Generated[]): string {
  const roots = packages.slice(-200);
  const lines = ["lockfileVersion: '9.0'", '', 'importers:', '', '  .:', '    dependencies:'];
  for (const { name, version } of roots) lines.push(`      ${quote(name)}:`, `        specifier: ^${version}`, `        version: ${version}`);
  lines.push('', 'packages:', '');
  packages.forEach(({ name, version }, i) => lines.push(`  ${quote(`${name}@${version}`)}:`, `    resolution: {integrity: ${integrity(i)}}`, "    engines: {node: '>=14'}", ''));
  lines.push('snapshots:', '');
  for (const { name, version, dependencies } of packages) {
    if (dependencies.length === 0) lines.push(`  ${quote(`${name}@${version}`)}: {}`, '');
    else lines.push(`  ${quote(`${name}@${version}`)}:`, '    dependencies:', ...dependencies.map((dep) => `      ${quote(dep.name)}: ${dep.version}`), '');
  }
  return lines.join('\n');
}

function berryLock(packages: readonly Generated[]): string {
  const lines = ['__metadata:', '  version: 8', '  cacheKey: 10c0', ''];
  packages.forEach(({ name, version, dependencies }, i) => {
    lines.push(`"${name}@npm:^${version}":`, `  version: ${version}`, `  resolution: "${name}@npm:${version}"`);
    if (dependencies.length > 0) lines.push('  dependencies:', ...dependencies.map((dep) => `    ${dep.name.startsWith('@') ? `"${dep.name}"` : dep.name}: "npm:^${dep.version}"`));
    lines.push(`  checksum: 10c0/${Buffer.from(integrity(i)).toString('hex').slice(0, 128)}`, '  languageName: node', '  linkType: hard', '');
  });
  return lines.join('\n');
}

function median(run: () => void, times = 7): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

const count = Number(process.argv[2] ?? 20_000);
const packages = generate(count);
const issues = { warn: (message: string) => { throw new Error(message); } };
for (const [file, text, parse] of [
  ['app/pnpm-lock.yaml', pnpmLock(packages), parsePnpmLock],
  ['app/yarn.lock', berryLock(packages), parseYarnLock],
] as const) {
  const bytes = Buffer.from(text);
  const found = parse({ path: file, bytes }, issues)?.packages.length;
  const ms = median(() => parse({ path: file, bytes }, issues));
  console.log(`${file}: ${count} packages, ${(bytes.length / 1e6).toFixed(1)} MB, ${found} read, median ${ms.toFixed(0)} ms`);
}
