import type { FindingItem, Page } from '../api-types.ts';
import { el, replaceChildren, routeLink } from '../dom.ts';
import { callApi } from '../page-api.ts';
import { severityBadge, shortDigest } from './format.ts';
import { imageFacts } from './image-facts.ts';

/** Every finding of an image (all pages), grouped by package, the fix plan first, suppressed ones apart with reason and expiry. */
export async function imageView(root: HTMLElement, repository: string, digest: string): Promise<void> {
  const findings: FindingItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callApi<Page<FindingItem>>(`/images/${encodeURIComponent(digest)}/findings`, { repository, limit: '100', nextToken });
    findings.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  const active = findings.filter((finding) => finding.suppressed === undefined);
  const suppressed = findings.filter((finding) => finding.suppressed !== undefined);
  const packages = new Map<string, FindingItem[]>();
  for (const finding of active) {
    const key = `${finding.package.type}/${finding.package.name}@${finding.installedVersion}`;
    packages.set(key, [...(packages.get(key) ?? []), finding]);
  }
  const fixable = [...packages.values()].filter((group) => group.some((finding) => finding.fixable));
  const removable = fixable.reduce((sum, group) => sum + group.filter((finding) => finding.fixable).length, 0);

  replaceChildren(
    root,
    el('p', {}, routeLink('/', 'Registry'), ' / ', routeLink(`/repository/${encodeURIComponent(repository)}`, repository), ' / ', shortDigest(digest)),
    el('h1', {}, `${repository}@${shortDigest(digest)}`),
    el('p', { class: 'digest' }, el('code', {}, digest)),
    await imageFacts(repository, digest),
    el('p', { id: 'fix-plan', class: 'fix-plan' }, active.length === 0 ? 'No findings.' : `Upgrade these ${fixable.length} package${fixable.length === 1 ? '' : 's'} to remove ${removable} of ${active.length} finding${active.length === 1 ? '' : 's'}.`),
    fixable.length === 0
      ? undefined
      : el(
          'ol',
          { id: 'upgrades', 'aria-label': 'Upgrades, most findings removed first' },
          ...fixable
            .map((group) => ({ group, removes: group.filter((finding) => finding.fixable).length }))
            .sort((a, b) => b.removes - a.removes)
            .map(({ group, removes }) =>
              el('li', { 'data-package': group[0]!.package.name }, `${group[0]!.package.name} ${group[0]!.installedVersion}, fixed in ${[...new Set(group.flatMap((finding) => finding.fixedVersions))].join(' / ')}: upgrading past them removes ${removes} finding${removes === 1 ? '' : 's'}`, el('span', { class: 'bar', 'data-width': String(removes) }, '■'.repeat(Math.min(removes, 40)))),
            ),
        ),
    el(
      'table',
      { id: 'findings' },
      el('caption', {}, 'Findings by package'),
      el('thead', {}, el('tr', {}, ...['Package', 'Installed', 'Fixed in', 'Vulnerability', 'Severity', 'Source', 'Title'].map((label) => el('th', { scope: 'col' }, label)))),
      el(
        'tbody',
        {},
        ...[...packages.entries()].flatMap(([key, group]) =>
          group.map((finding, index) =>
            el(
              'tr',
              { 'data-id': finding.id, 'data-package': key },
              index === 0 ? el('th', { scope: 'rowgroup', rowspan: String(group.length) }, `${finding.package.name}`, el('span', { class: 'type' }, ` (${finding.package.type})`)) : undefined,
              index === 0 ? el('td', { rowspan: String(group.length) }, finding.installedVersion) : undefined,
              el('td', {}, finding.fixedVersions.length > 0 ? finding.fixedVersions.join(', ') : 'no fix yet'),
              el('td', {}, routeLink(`/vulnerability/${encodeURIComponent(finding.id)}`, finding.id), finding.aliases.length > 0 ? el('span', { class: 'aliases' }, ` ${finding.aliases.join(', ')}`) : undefined),
              el('td', {}, severityBadge(finding.severity)),
              el('td', {}, finding.severitySource ?? '—'),
              el('td', { class: 'title' }, finding.title ?? ''),
            ),
          ),
        ),
      ),
    ),
    suppressed.length === 0
      ? undefined
      : el(
          'table',
          { id: 'suppressed' },
          el('caption', {}, 'Suppressed findings'),
          el('thead', {}, el('tr', {}, ...['Vulnerability', 'Package', 'By', 'Reason', 'Expires'].map((label) => el('th', { scope: 'col' }, label)))),
          el('tbody', {}, ...suppressed.map((finding) => el('tr', { 'data-id': finding.id }, el('td', {}, finding.id), el('td', {}, `${finding.package.name}@${finding.installedVersion}`), el('td', {}, finding.suppressed!.by), el('td', {}, finding.suppressed!.reason), el('td', {}, finding.suppressed!.expires ?? 'never')))),
        ),
  );
}
