import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EcosystemCursor } from '../../../lambdas/core/advisories/sync-model.ts';
import { deriveEcosystems, waitingEcosystems } from '../../../lambdas/handlers/sync-advisories/sync-ecosystems.ts';
import { cursorAgeSeconds, recordCursorAges } from '../../../lambdas/handlers/sync-advisories/sync-metrics.ts';

describe('deriveEcosystems', () => {
  it('syncs the stored cursors’ bases and the requested ecosystems’ bases, each once', () => {
    const derived = deriveEcosystems(['npm', 'Debian'], ['Debian:12', 'Debian:11', 'Ubuntu:22.04:LTS', 'PyPI', 'npm', 'Red Hat:enterprise_linux:9::baseos']);
    expect(derived.ecosystems).toEqual(['Debian', 'npm', 'PyPI', 'Red Hat', 'Ubuntu']);
    // Only those without a cursor are new (to check the export has them).
    expect(derived.new).toEqual(['PyPI', 'Red Hat', 'Ubuntu']);
    expect(derived.refused).toEqual([]);
  });

  it('refuses a requested name that is no bucket folder, and nothing asked is nothing synced', () => {
    const derived = deriveEcosystems([], ['../secret', 'npm']);
    expect(derived.ecosystems).toEqual(['npm']);
    expect(derived.refused).toEqual([{ requested: '../secret', reason: expect.stringContaining('not an OSV bucket folder') }]);
    expect(deriveEcosystems([], [])).toEqual({ ecosystems: [], new: [], refused: [] });
  });
});

describe('waitingEcosystems', () => {
  it('names each synced base and every requested release of it, as waiting scans name them', () => {
    expect(waitingEcosystems(['Debian', 'npm'], ['Debian:12', 'Debian:11', 'Ubuntu:22.04', 'npm'])).toEqual(['Debian', 'Debian:11', 'Debian:12', 'npm']);
    expect(waitingEcosystems([], ['Debian:12'])).toEqual([]);
  });
});

describe('cursor ages', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  const now = new Date('2026-12-02T12:00:00Z');
  const cursor = (ecosystem: string, fields: Partial<EcosystemCursor>): EcosystemCursor => ({ ecosystem, revision: 1, ...fields });

  it('ages from the last finished sync, or from a first load’s start', () => {
    expect(cursorAgeSeconds(cursor('npm', { syncedAt: new Date('2026-12-02T11:00:00Z') }), now)).toBe(3600);
    expect(cursorAgeSeconds(cursor('Debian', { progress: { phase: 'full', syncId: 's', entriesDone: 0, startedAt: new Date('2026-12-02T09:00:00Z') } }), now)).toBe(3 * 3600);
    expect(cursorAgeSeconds(cursor('npm', {}), now)).toBeUndefined();
  });

  it('emits each run ecosystem’s age with an Ecosystem dimension and the oldest without', () => {
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: unknown) => void lines.push(JSON.parse(String(text)) as Record<string, unknown>));
    const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-advisory-sync' });
    const result = recordCursorAges(
      metrics,
      ['npm', 'Debian', 'PyPI'],
      [cursor('npm', { syncedAt: new Date('2026-12-02T11:59:00Z') }), cursor('Debian', { syncedAt: new Date('2026-12-02T10:00:00Z') }), cursor('Go', { syncedAt: new Date('2026-11-01T00:00:00Z') })],
      now,
    );
    metrics.publishStoredMetrics();
    // Go is not synced by this run (no longer configured): not its age.
    expect(result).toEqual({ ages: { npm: 60, Debian: 7200 }, oldest: 7200 });
    expect(lines.filter((line) => 'AdvisoryCursorAgeSeconds' in line).map((line) => [line.Ecosystem, line.AdvisoryCursorAgeSeconds])).toEqual([
      ['npm', 60],
      ['Debian', 7200],
    ]);
    const oldest = lines.find((line) => 'OldestAdvisoryCursorAgeSeconds' in line)!;
    expect(oldest).toMatchObject({ OldestAdvisoryCursorAgeSeconds: 7200, service: 'customs-advisory-sync' });
    expect(oldest).not.toHaveProperty('Ecosystem');
    expect(recordCursorAges(metrics, [], [], now).oldest).toBe(0);
  });
});
