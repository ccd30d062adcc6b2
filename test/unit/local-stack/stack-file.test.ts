import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir, readStackFile, removeStackFile, writeStackFile, type StackFile } from '../../../lambdas/local/stack/stack-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-file-'));
  dirs.push(dir);
  return dir;
}

const STACK: StackFile = { api: 'http://127.0.0.1:7070', registry: '127.0.0.1:5000', pid: 4242 };

describe('stack.json', () => {
  it('reads back what was written, owner-only, leaving no temporary file beside it', async () => {
    const dir = dataDir();
    await writeStackFile(dir, STACK);
    expect(await readStackFile(dir)).toEqual(STACK);
    expect(readdirSync(dir)).toEqual(['stack.json']);
    expect(statSync(join(dir, 'stack.json')).mode & 0o777).toBe(0o600);
  });

  it('replaces an earlier record', async () => {
    const dir = dataDir();
    await writeStackFile(dir, STACK);
    const restarted = { api: 'http://127.0.0.1:7171', registry: '127.0.0.1:5151', pid: 99 };
    await writeStackFile(dir, restarted);
    expect(await readStackFile(dir)).toEqual(restarted);
  });

  it('is gone after removeStackFile, which does not mind it missing', async () => {
    const dir = dataDir();
    await writeStackFile(dir, STACK);
    await removeStackFile(dir);
    expect(readdirSync(dir)).toEqual([]);
    expect(await readStackFile(dir)).toBeUndefined();
    await expect(removeStackFile(dir)).resolves.toBeUndefined();
  });

  it('reads as undefined when there is no record, or no directory', async () => {
    const dir = dataDir();
    expect(await readStackFile(dir)).toBeUndefined();
    expect(await readStackFile(join(dir, 'missing'))).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"api": "http://127.0.0.1:7070",'],
    ['empty', ''],
    ['JSON null', 'null'],
    ['an array', JSON.stringify([STACK])],
    ['an api that is not a URL', JSON.stringify({ ...STACK, api: '127.0.0.1:7070' })],
    ['an empty registry', JSON.stringify({ ...STACK, registry: '' })],
    ['no registry', JSON.stringify({ api: STACK.api, pid: STACK.pid })],
    ['pid 0', JSON.stringify({ ...STACK, pid: 0 })],
    ['a negative pid', JSON.stringify({ ...STACK, pid: -1 })],
    ['a fractional pid', JSON.stringify({ ...STACK, pid: 1.5 })],
    ['a pid as text', JSON.stringify({ ...STACK, pid: '4242' })],
  ])('reads as undefined when the record is %s', async (_what, text) => {
    const dir = dataDir();
    writeFileSync(join(dir, 'stack.json'), text);
    expect(await readStackFile(dir)).toBeUndefined();
  });
});

describe('defaultDataDir', () => {
  const cwd = join('/', 'srv', 'shop');

  it('is .customs in the working directory without CUSTOMS_DATA_DIR, or with it empty', () => {
    expect(defaultDataDir({}, cwd)).toBe(join(cwd, '.customs'));
    expect(defaultDataDir({ CUSTOMS_DATA_DIR: '' }, cwd)).toBe(join(cwd, '.customs'));
  });

  it('is CUSTOMS_DATA_DIR, a relative one resolved against the working directory', () => {
    expect(defaultDataDir({ CUSTOMS_DATA_DIR: '/var/lib/customs' }, cwd)).toBe('/var/lib/customs');
    expect(defaultDataDir({ CUSTOMS_DATA_DIR: 'state/customs' }, cwd)).toBe(join(cwd, 'state', 'customs'));
    expect(defaultDataDir({ CUSTOMS_DATA_DIR: '../shared' }, cwd)).toBe(join('/', 'srv', 'shared'));
  });
});
