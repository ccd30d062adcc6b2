import { cpSync, writeFileSync } from 'node:fs';
import { byPackage, cachedScenario, nodeModulesPackages, runTool, writeScenarioApp, type ToolPackage } from './lockfile-scenario.ts';

const YARN1 = 'node_modules/yarn/bin/yarn.js';
const BERRY = 'node_modules/@yarnpkg/cli-dist/bin/yarn.js';
/** Berry without telemetry, the global cache, prompts or colour; the project cache sits in the app so a rerun is offline. */
const BERRY_ENV = { YARN_ENABLE_TELEMETRY: '0', YARN_ENABLE_GLOBAL_CACHE: '0', YARN_ENABLE_INLINE_BUILDS: '0', YARN_ENABLE_PROGRESS_BARS: '0', YARN_ENABLE_COLORS: '0', YARN_ENABLE_IMMUTABLE_INSTALLS: '0', COREPACK_ENABLE_STRICT: '0' };

/**
 * What a yarn installed: every package in node_modules (real name from its package.json, folder
 * name as installed), dev-only when the same lockfile installed for production leaves it out.
 */
function installedVersusProduction(app: string, production: string): ToolPackage[] {
  return byPackage(nodeModulesPackages(app), new Set(nodeModulesPackages(production).map(({ name, version }) => `${name}@${version}`)));
}

/** The scenario app installed by yarn 1.22 (yarn.lock v1), then again with --production from the lock and cache alone. */
export function yarnClassicScenario(): { app: string; expected: ToolPackage[] } {
  return cachedScenario('yarn1', (app) => {
    writeScenarioApp(app);
    const flags = ['--ignore-scripts', '--non-interactive', '--no-progress', `--cache-folder=${app}/../yarn-cache`];
    runTool(YARN1, app, ['install', ...flags]);
    const production = `${app}/../production`;
    cpSync(app, production, { recursive: true, filter: (path) => !path.includes('/node_modules') });
    runTool(YARN1, production, ['install', '--production', '--frozen-lockfile', '--offline', ...flags]);
    return installedVersusProduction(app, production);
  });
}

/** The scenario app installed by yarn 4 with the node-modules linker, then focused on production dependencies in a copy. */
export function yarnBerryScenario(): { app: string; expected: ToolPackage[] } {
  return cachedScenario('berry', (app) => {
    writeScenarioApp(app);
    writeFileSync(`${app}/.yarnrc.yml`, 'nodeLinker: node-modules\nenableScripts: false\ncacheFolder: ./.yarn/cache\n');
    // An empty yarn.lock makes the app a project of its own, not a stray folder of the repository's project.
    writeFileSync(`${app}/yarn.lock`, '');
    runTool(BERRY, app, ['install', '--mode=skip-build'], BERRY_ENV);
    const production = `${app}/../production`;
    cpSync(app, production, { recursive: true, filter: (path) => !path.includes('/node_modules') });
    runTool(BERRY, production, ['workspaces', 'focus', '--all', '--production'], { ...BERRY_ENV, YARN_ENABLE_NETWORK: '0' });
    return installedVersusProduction(app, production);
  });
}
