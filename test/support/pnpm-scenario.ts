import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { pinnedNpmTool } from './pinned-npm-tool.ts';
import { byPackage, cachedScenario, runTool, writeJson, writeScenarioApp, type ToolPackage } from './lockfile-scenario.ts';

/** The pinned pnpms: 12.23.0 writes, with configDependencies, a tooling document before the project's; 9.15.9 writes one. Both write lockfile v9. */
export const PNPM_TOOLS = { pnpm12: () => pinnedNpmTool('pnpm', '12.23.0', 'bin/pnpm.mjs'), pnpm9: () => 'node_modules/pnpm9/bin/pnpm.cjs' } as const;

/**
 * The scenario app as a pnpm workspace: packages/a depends on packages/b (a `link:`), and kleur is a
 * production dependency of b but a devDependency of a. configDependencies makes pnpm write its
 * tooling document before the project's.
 */
export function pnpmScenario(tool: keyof typeof PNPM_TOOLS): { app: string; expected: ToolPackage[] } {
  return cachedScenario(tool, (app) => {
    // Only a scenario not yet in the cache needs the tool (and the network).
    const pnpm = PNPM_TOOLS[tool]();
    writeScenarioApp(app);
    writeJson(`${app}/packages/a/package.json`, { name: 'a', version: '1.0.0', dependencies: { b: 'workspace:*', '@types/ms': '0.7.34' }, devDependencies: { 'ansi-regex': '5.0.1', kleur: '4.1.5' } });
    writeJson(`${app}/packages/b/package.json`, { name: 'b', version: '1.0.0', dependencies: { kleur: '4.1.5' } });
    writeFileSync(
      `${app}/pnpm-workspace.yaml`,
      'packages:\n  - packages/*\nconfigDependencies:\n  is-positive: "3.1.0+sha512-8ND1j3y9/HP94TOvGzr69/FgbkX2ruOldhLEsTWwcJVfo4oRjwemJmJxt7RJkKYH8tz7vYBP9JcKQY8CLuJ90Q=="\n',
    );
    runTool(pnpm, app, ['install', '--ignore-scripts', '--reporter=silent', `--store-dir=${app}/../pnpm-store`]);
    return byPackage(pnpmList(pnpm, app, []), new Set(pnpmList(pnpm, app, ['--prod']).map(({ name, version }) => `${name}@${version}`)));
  });
}

interface ListNode {
  readonly from?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, ListNode>>;
  readonly devDependencies?: Readonly<Record<string, ListNode>>;
  readonly optionalDependencies?: Readonly<Record<string, ListNode>>;
}

const listNode: z.ZodType<ListNode> = z.lazy(() =>
  z.looseObject({
    from: z.string().optional(),
    version: z.string().optional(),
    dependencies: z.record(z.string(), listNode).optional(),
    devDependencies: z.record(z.string(), listNode).optional(),
    optionalDependencies: z.record(z.string(), listNode).optional(),
  }),
);

/**
 * Every package `pnpm list -r --json --depth Infinity` shows under every workspace project, by its
 * real name (`from`) and the name it is installed under (the key). Workspace links (`link:`) and
 * local directories (`file:dir`, which have no version) are the app's own code.
 */
function pnpmList(pnpm: string, app: string, flags: readonly string[]): Array<{ name: string; version: string; installedAs: string }> {
  const projects = z.array(listNode).parse(JSON.parse(runTool(pnpm, app, ['list', '-r', '--json', '--depth', 'Infinity', ...flags])));
  const found: Array<{ name: string; version: string; installedAs: string }> = [];
  const visit = (node: ListNode): void => {
    for (const [key, child] of Object.entries({ ...node.dependencies, ...node.devDependencies, ...node.optionalDependencies })) {
      if (child.version && !/^(?:link|file):/.test(child.version)) found.push({ name: child.from ?? key, version: child.version, installedAs: key });
      visit(child);
    }
  };
  projects.forEach(visit);
  return found;
}
