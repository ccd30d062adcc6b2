import { describe, expect, it } from 'vitest';
import { endOfLife, endOfLifeDate } from '../../../../lambdas/core/distro/end-of-life.ts';
import type { Distro } from '../../../../lambdas/core/sbom/model.ts';

function distro(id: string, versionId?: string, prettyName?: string): Distro {
  return { id, source: 'etc/os-release', ...(versionId === undefined ? {} : { versionId }), ...(prettyName === undefined ? {} : { prettyName }) };
}

const at = (iso: string) => new Date(iso);

describe('endOfLife', () => {
  it('warns about Debian 11 only once its LTS has ended', () => {
    const bullseye = distro('debian', '11');
    expect(endOfLife(bullseye, at('2026-08-31T23:59:59Z'))).toBeUndefined();
    expect(endOfLife(bullseye, at('2026-09-01T00:00:00Z'))).toEqual({
      date: '2026-08-31',
      message: 'debian 11 (bullseye) reached end of life on 2026-08-31: no more security fixes are published for it',
    });
  });

  it('matches Debian by major version', () => {
    expect(endOfLifeDate(distro('debian', '12.4'))).toBe('2028-06-30');
    expect(endOfLife(distro('debian', '10'), at('2025-01-01T00:00:00Z'))?.message).toContain('debian 10 (buster) reached end of life on 2024-06-30');
  });

  it('matches Ubuntu by YY.MM, LTS and interim releases alike', () => {
    expect(endOfLife(distro('ubuntu', '22.04'), at('2027-06-01T12:00:00Z'))).toBeUndefined();
    expect(endOfLife(distro('ubuntu', '22.04'), at('2027-06-02T00:00:00Z'))?.message).toBe(
      'ubuntu 22.04 (jammy) reached end of life on 2027-06-01: no more security fixes are published for it',
    );
    expect(endOfLife(distro('ubuntu', '23.10'), at('2024-07-12T00:00:00Z'))?.date).toBe('2024-07-11');
    expect(endOfLife(distro('ubuntu', '24.04'), at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('matches Alpine by the major.minor branch of VERSION_ID', () => {
    const alpine = distro('alpine', '3.20.3');
    expect(endOfLifeDate(alpine)).toBe('2026-04-01');
    expect(endOfLife(alpine, at('2026-03-31T00:00:00Z'))).toBeUndefined();
    expect(endOfLife(alpine, at('2026-04-02T00:00:00Z'))?.message).toBe('alpine 3.20 reached end of life on 2026-04-01: no more security fixes are published for it');
    // 3.2 is not 3.20.
    expect(endOfLifeDate(distro('alpine', '3.2.0'))).toBeUndefined();
  });

  it('tells CentOS Stream from CentOS Linux by name', () => {
    expect(endOfLifeDate(distro('centos', '8', 'CentOS Linux 8'))).toBe('2021-12-31');
    expect(endOfLifeDate(distro('centos', '8', 'CentOS Stream 8'))).toBe('2024-05-31');
    expect(endOfLife(distro('centos', '9', 'CentOS Stream 9'), at('2027-06-01T00:00:00Z'))?.message).toContain('centos stream 9 reached end of life');
  });

  it('reads the Red Hat family, Amazon Linux and SLES by their own numbering', () => {
    expect(endOfLifeDate(distro('rocky', '9.3'))).toBe('2032-05-31');
    expect(endOfLifeDate(distro('almalinux', '8.10'))).toBe('2029-03-01');
    expect(endOfLife(distro('rhel', '7.9'), at('2024-07-01T00:00:00Z'))?.date).toBe('2024-06-30');
    expect(endOfLife(distro('amzn', '2'), at('2026-06-30T08:00:00Z'))).toBeUndefined();
    expect(endOfLife(distro('amzn', '2'), at('2026-07-01T08:00:00Z'))?.message).toContain('amazon linux 2 reached end of life on 2026-06-30');
    expect(endOfLifeDate(distro('amzn', '2023'))).toBe('2029-06-30');
    expect(endOfLifeDate(distro('amzn', '2018.03'))).toBe('2023-12-31');
    expect(endOfLifeDate(distro('sles', '15.5'))).toBe('2024-12-31');
  });

  it('knows nothing of unlisted distributions, releases or a missing VERSION_ID', () => {
    const later = at('2100-01-01T00:00:00Z');
    for (const unknown of [distro('fedora', '40'), distro('debian'), distro('debian', '7'), distro('ubuntu', '22.10'), distro('toString', '1'), distro('__proto__', '1')]) {
      expect(endOfLife(unknown, later)).toBeUndefined();
      expect(endOfLifeDate(unknown)).toBeUndefined();
    }
  });

  const covered: Array<[string, string]> = [
    ...['8', '9', '10', '11', '12', '13'].map((v): [string, string] => ['debian', v]),
    ...['16.04', '18.04', '20.04', '22.04', '23.04', '23.10', '24.04', '24.10', '25.04'].map((v): [string, string] => ['ubuntu', v]),
    ...Array.from({ length: 13 }, (_, i): [string, string] => ['alpine', `3.${10 + i}.0`]),
    ...['rhel', 'centos'].flatMap((id) => ['7', '8', '9'].filter((v) => !(id === 'centos' && v === '9')).map((v): [string, string] => [id, v])),
    ...['rocky', 'almalinux'].flatMap((id) => ['8', '9'].map((v): [string, string] => [id, v])),
    ['amzn', '2'],
    ['amzn', '2023'],
  ];

  it.each(covered)('%s %s has a real date, with no warning on it and one the day after', (id, versionId) => {
    const release = distro(id, versionId);
    const date = endOfLifeDate(release);
    expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const day = new Date(`${date}T12:00:00Z`);
    expect(day.toISOString().slice(0, 10)).toBe(date);
    expect(endOfLife(release, day)).toBeUndefined();
    expect(endOfLife(release, new Date(day.getTime() + 86_400_000))?.date).toBe(date);
  });
});
