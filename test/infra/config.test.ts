import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromContext, parseConfig } from '../../lib/config/customs-config.ts';
import { createCustomsApp } from '../../lib/customs-app.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'customs-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('configuration', () => {
  it('fills every default', () => {
    expect(parseConfig({})).toEqual({
      watchedRepositories: 'all',
      scanner: { memoryMiB: 1769, timeoutSeconds: 300, maxConcurrency: 10, batchSize: 1 },
      retention: { logDays: 30, historyDays: 400, sbomNoncurrentVersionDays: 30, layerAnalysisDays: 30 },
      removalPolicy: 'retain',
      queueEncryption: 'sqs-managed',
      monthlyScanVolume: 10_000,
      advisoryMaxAgeHours: 48,
    });
  });

  it('keeps what is set and defaults the rest of its group', () => {
    const config = parseConfig({ watchedRepositories: { prefixes: ['team-a/'] }, scanner: { maxConcurrency: 50 } });
    expect(config.watchedRepositories).toEqual({ names: [], prefixes: ['team-a/'] });
    expect(config.scanner).toEqual({ memoryMiB: 1769, timeoutSeconds: 300, maxConcurrency: 50, batchSize: 1 });
  });

  it('reads the context as an object (cdk.json) or a JSON string (-c customs=...)', () => {
    expect(configFromContext(undefined).watchedRepositories).toBe('all');
    expect(configFromContext('{"watchedRepositories":{"names":["web"]}}').watchedRepositories).toEqual({ names: ['web'], prefixes: [] });
    expect(() => configFromContext('{watchedRepositories')).toThrow('context customs is not JSON');
  });

  it.each([
    [{ scanner: { timeoutSeconds: 901 } }, 'customs.scanner.timeoutSeconds'],
    [{ scanner: { memoryMiB: 64 } }, 'customs.scanner.memoryMiB'],
    [{ scanner: { maxConcurrency: 1 } }, 'customs.scanner.maxConcurrency'],
    [{ scanner: { batchSize: 11 } }, 'customs.scanner.batchSize'],
    [{ retention: { logDays: 31 } }, 'customs.retention.logDays'],
    [{ retention: { historyDays: 0 } }, 'customs.retention.historyDays'],
    [{ retention: { layerAnalysisDays: 0 } }, 'customs.retention.layerAnalysisDays'],
    [{ removalPolicy: 'snapshot' }, 'customs.removalPolicy'],
    [{ queueEncryption: 'aes' }, 'customs.queueEncryption'],
    [{ monthlyScanVolume: -1 }, 'customs.monthlyScanVolume'],
    [{ advisoryMaxAgeHours: 0.5 }, 'customs.advisoryMaxAgeHours'],
    [{ watchedRepositories: { names: ['Payments'] } }, 'customs.watchedRepositories.names.0'],
    [{ watchedRepositories: { prefixes: ['/team'] } }, 'customs.watchedRepositories.prefixes.0'],
    [{ watchedRepositories: {} }, 'customs.watchedRepositories'],
    [{ watchedRepositories: 'some' }, 'customs.watchedRepositories'],
    [{ scanner: { memory: 1024 } }, 'customs.scanner'],
  ])('refuses %j, naming %s', (input, setting) => {
    expect(() => parseConfig(input)).toThrow(`${setting}:`);
  });

  it('fails building the app from a bad context, naming the setting', () => {
    expect(() => createCustomsApp({ context: { customs: { scanner: { timeoutSeconds: 1000 } } } })).toThrow('customs.scanner.timeoutSeconds: Too big');
  });

  it('fails `cdk synth` (the cdk.json app with the CLI’s context) with the setting named and a non-zero exit', () => {
    // The CDK CLI hands context to the app in CDK_CONTEXT_JSON and the output folder in CDK_OUTDIR.
    const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: join(scratch, 'out'), CDK_CONTEXT_JSON: JSON.stringify({ customs: { retention: { logDays: 2 } } }) },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('customs.retention.logDays: must be one of');
  });
});
