import { describe, expect, it } from 'vitest';
import { renderFields, renderTable, shortDigest } from '../../../../lambdas/cli/api/render-table.ts';
import { parseDigestReference, parseTagReference } from '../../../../lambdas/cli/api/image-reference.ts';

describe('terminal tables', () => {
  it('pads columns to the widest cell, right-aligns numbers, shows absent values as -', () => {
    const rows = [
      { name: 'team/app', images: 3, quarantined: true },
      { name: 'b', images: 120, quarantined: false, note: 'x' },
    ];
    const text = renderTable<(typeof rows)[number] & { note?: string }>(
      [
        { header: 'NAME', value: (row) => row.name },
        { header: 'IMAGES', value: (row) => row.images, align: 'right' },
        { header: 'Q', value: (row) => row.quarantined },
        { header: 'NOTE', value: (row) => row.note },
      ],
      rows,
    );
    expect(text).toBe(['NAME      IMAGES  Q    NOTE', 'team/app       3  yes  -', 'b            120  no   x', ''].join('\n'));
  });

  it('says (none) under the header of an empty table, and escapes control characters from stored text', () => {
    expect(renderTable([{ header: 'ID', value: (row: { id: string }) => row.id }], [])).toBe('ID\n(none)\n');
    expect(renderTable([{ header: 'ID', value: (row: { id: string }) => row.id }], [{ id: 'a\u001b[31mb' }])).toBe('ID\na\\x1b[31mb\n');
  });

  it('lines up name-value fields and leaves absent ones out', () => {
    expect(renderFields([['verdict', 'PASS'], ['reason', undefined], ['quarantined', false]])).toBe('verdict      PASS\nquarantined  no\n');
    expect(shortDigest(`sha256:${'a'.repeat(64)}`)).toBe('sha256:aaaaaaaaaaaa');
  });
});

describe('image references', () => {
  const digest = `sha256:${'c'.repeat(64)}`;
  it('reads REPO@DIGEST, REPO:TAG@DIGEST and ECR references (account and region from the host)', () => {
    expect(parseDigestReference(`team/app@${digest}`)).toEqual({ repository: 'team/app', digest });
    expect(parseDigestReference(`team/app:v1@${digest}`)).toEqual({ repository: 'team/app', digest });
    expect(parseDigestReference(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@${digest}`)).toEqual({ repository: 'team/app', digest, account: '123456789012', region: 'eu-west-1' });
    expect(parseTagReference('123456789012.dkr.ecr.us-east-2.amazonaws.com/team/app:1.2.3')).toEqual({ repository: 'team/app', tag: '1.2.3', account: '123456789012', region: 'us-east-2' });
    expect(parseTagReference('team/sub/app:latest')).toEqual({ repository: 'team/sub/app', tag: 'latest' });
  });

  it('refuses what is not one, naming it', () => {
    expect(() => parseDigestReference('team/app:v1')).toThrow(/is not REPOSITORY@sha256:DIGEST/);
    expect(() => parseDigestReference('team/app@sha256:abc')).toThrow(/64 lower-case hex/);
    expect(() => parseTagReference('team/app')).toThrow(/is not REPOSITORY:TAG/);
    expect(() => parseTagReference('Team/App:v1')).toThrow(/not a repository name/);
    expect(() => parseTagReference('team/app:-bad')).toThrow(/not a tag/);
  });
});
