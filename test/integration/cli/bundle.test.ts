import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../../scripts/build-cli.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';

/**
 * The CLI bundled by esbuild as `npm run prepare` builds it (an ESM entry and its chunks) runs a
 * whole scan: every dependency (the YAML parser, the CVSS calculator, zstd) must work from the
 * bundle, not only from node_modules.
 */
describe('the bundled CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-bundle-'));
  let bundle: string;

  beforeAll(async () => {
    ({ bundle } = await buildCli(join(work, 'cli')));
  }, 120_000);

  it('scans with an ignore file and CVSS-rated advisories, and gates', () => {
    const image = layoutOf([{ entries: [{ type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.15' }) }] }]);
    const ignores = join(work, 'ignore.yaml');
    writeFileSync(ignores, 'ignore:\n  - id: CVE-2020-8203\n    reason: not reachable\n');
    const run = spawnSync(process.execPath, [bundle, 'scan', `oci:${image}`, '--advisories', sharedFixtures('osv', 'npm'), '--ignore-file', ignores, '--fail-on', 'HIGH', '--format', 'json', '--quiet'], { cwd: work, encoding: 'utf8' });
    expect(run.stderr).toMatch(/gate failed/);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { images: Array<{ findings: Array<{ id: string; severity: { kind: string } }>; suppressed: Array<{ finding: { id: string } }> }> };
    const [result] = report.images;
    expect(result!.suppressed.map((entry) => entry.finding.id)).toEqual(['CVE-2020-8203']);
    expect(result!.findings.find((finding) => finding.id === 'CVE-2021-23337')!.severity.kind).toBe('cvss');
  });
});
