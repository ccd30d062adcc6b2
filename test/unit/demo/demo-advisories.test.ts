import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { parseOsvRecord } from '../../../lambdas/core/advisories/parse-osv-record.ts';
import type { OsvAffected, OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { loadOsvDirectory } from '../../../lambdas/adapters/osv/load-osv-directory.ts';
import { demoAdvisoriesDir } from '../../../lambdas/local/demo/demo-image.ts';
import { repoRoot } from '../../support/paths.ts';

/**
 * The shipped demo snapshot: every file is an OSV record Customs loads, with a real advisory ID, a
 * source URL and RFC 3339 dates; where the same record is in the shared fixtures (upstream copies),
 * the facts agree: aliases, severity, affected packages and ranges, publication date.
 */
const dir = demoAdvisoriesDir();
const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
const records = files.map((name) => {
  const parsed = parseOsvRecord(readFileSync(join(dir, name)), 1 << 20);
  if (!parsed.ok) throw new Error(`${name}: ${parsed.reason}`);
  return { name, record: parsed.record };
});

const REAL_ID = /^(?:DSA-\d{4,}-\d+|DLA-\d{4,}-\d+|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|CVE-(?:199\d|20[0-2]\d)-\d{4,})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function fixturesRoot(): string | undefined {
  const base = process.env.CUSTOMS_SHARED_FIXTURES ?? join(repoRoot, '..', 'shared', 'fixtures');
  return existsSync(base) ? base : undefined;
}

/** The first `<id>.json` under the fixtures' OSV folders, read at run time (never copied here). */
function fixtureRecord(base: string, id: string): OsvRecord | undefined {
  for (const folder of ['osv', 'osv-corpus']) {
    const root = join(base, folder);
    if (!existsSync(root)) continue;
    const hit = readdirSync(root, { recursive: true, encoding: 'utf8' }).find((path) => path.endsWith(`/${id}.json`) || path === `${id}.json`);
    if (hit) return JSON.parse(readFileSync(join(root, hit), 'utf8')) as OsvRecord;
  }
  return undefined;
}

/** What an advisory asserts, without the prose, purls or per-function notes. */
function facts(record: OsvRecord) {
  const affected = (entry: OsvAffected) => ({
    ecosystem: entry.package?.ecosystem,
    name: entry.package?.name,
    ranges: (entry.ranges ?? []).map((range) => ({ type: range.type, events: range.events })),
  });
  return {
    id: record.id,
    aliases: [...(record.aliases ?? [])].sort(),
    upstream: [...(record.upstream ?? [])].sort(),
    published: record.published,
    severity: (record.severity ?? []).map((entry) => ({ type: entry.type, score: entry.score })),
    label: record.database_specific?.['severity'],
    affected: (record.affected ?? []).map(affected),
  };
}

describe('the shipped demo advisory snapshot', () => {
  it('holds a few records, each file named by its id', () => {
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThanOrEqual(6);
    for (const { name, record } of records) expect(name).toBe(`${record.id}.json`);
  });

  it('loads into the advisory store with nothing malformed or withdrawn', async () => {
    const store = new AdvisoryStore();
    const report = await loadOsvDirectory(dir, store);
    expect(report).toEqual({ seen: records.length, skipped: [] });
    expect(store.counts).toEqual({ loaded: records.length, withdrawn: 0, malformed: 0, otherEcosystems: 0 });
  });

  it.each(records)('$name uses real identifiers, our own summary, its dates and its source', ({ record }) => {
    expect(record.id).toMatch(REAL_ID);
    for (const alias of [...(record.aliases ?? []), ...(record.upstream ?? [])]) expect(alias).toMatch(REAL_ID);
    expect(record.modified).toMatch(RFC3339);
    expect(record.published).toMatch(RFC3339);
    expect(record.summary).toBeTruthy();
    expect(record.details).toBeTruthy();
    const source = record.database_specific?.['source'];
    expect(source).toMatch(/^https:\/\//);
    expect((record.references ?? []).map((reference) => reference.url)).toContain(source);
    for (const entry of record.affected ?? []) expect(entry.ranges?.length).toBeGreaterThan(0);
  });

  // The scan test proves the vectors score CRITICAL; this keeps the snapshot from losing either kind.
  it('covers a Debian 12 source package and a CRITICAL npm package with a CVSS vector', () => {
    const debian = records.filter(({ record }) => record.affected?.some((entry) => entry.package?.ecosystem === 'Debian:12'));
    const npmCritical = records.filter(
      ({ record }) =>
        record.affected?.some((entry) => entry.package?.ecosystem === 'npm') && record.database_specific?.['severity'] === 'CRITICAL' && record.severity?.some((entry) => entry.type === 'CVSS_V3'),
    );
    expect(debian.length).toBeGreaterThan(0);
    expect(npmCritical.length).toBeGreaterThan(0);
  });

  it('agrees with the shared fixtures wherever they hold the same record', (context) => {
    const base = fixturesRoot();
    if (!base) {
      context.skip('the shared fixtures are absent (set CUSTOMS_SHARED_FIXTURES): the demo records were not compared with their upstream copies');
      return;
    }
    const compared: string[] = [];
    for (const { record } of records) {
      const upstream = fixtureRecord(base, record.id);
      if (!upstream) continue;
      compared.push(record.id);
      expect(facts(record), record.id).toEqual(facts(upstream));
      // The prose is ours, not the database's.
      expect(record.summary, record.id).not.toBe(upstream.summary);
      expect(upstream.details?.includes(record.details ?? ''), record.id).toBe(false);
    }
    expect(compared.sort()).toEqual(['GHSA-jf85-cpcp-j695', 'GHSA-p6mc-m468-83gw', 'GHSA-xvch-5gv4-984h']);
  });
});
