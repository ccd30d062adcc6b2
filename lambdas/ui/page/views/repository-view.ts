import type { ImageSummary, Page } from '../api-types.ts';
import { el, replaceChildren, routeLink } from '../dom.ts';
import { callApi, pageSize } from '../page-api.ts';
import { severityCells, shortDigest, verdictBadge, when } from './format.ts';

/** A repository's images, newest push first, filtered by verdict and quarantine on the server, paged over nextToken. */
export async function repositoryView(root: HTMLElement, repository: string): Promise<void> {
  const limit = pageSize(25);
  const verdict = el('select', { id: 'verdict-filter' }, el('option', { value: '' }, 'any'), el('option', { value: 'PASS' }, 'PASS'), el('option', { value: 'FAIL' }, 'FAIL'));
  const quarantined = el('select', { id: 'quarantined-filter' }, el('option', { value: '' }, 'any'), el('option', { value: 'true' }, 'quarantined'), el('option', { value: 'false' }, 'not quarantined'));
  const body = el('tbody');
  const more = el('button', { type: 'button', id: 'more-images' }, 'Load more');
  const status = el('p', { class: 'status', role: 'status' });
  let nextToken: string | undefined;
  let shown = 0;

  const load = async (fresh: boolean) => {
    if (fresh) {
      nextToken = undefined;
      shown = 0;
      body.replaceChildren();
    }
    // A filtered page can come back empty with more behind it (the API filters what it read): follow a few.
    let page: Page<ImageSummary>;
    let followed = 0;
    do {
      page = await callApi<Page<ImageSummary>>('/images', { repository, verdict: verdict.value, quarantined: quarantined.value, limit, nextToken });
      nextToken = page.nextToken;
    } while (page.items.length === 0 && nextToken !== undefined && ++followed < 20);
    for (const image of page.items) {
      body.appendChild(
        el(
          'tr',
          { 'data-digest': image.digest },
          el('th', { scope: 'row' }, routeLink(`/image/${encodeURIComponent(repository)}/${image.digest}`, el('code', {}, shortDigest(image.digest)))),
          el('td', {}, image.tags.length > 0 ? image.tags.join(', ') : '—'),
          el('td', {}, verdictBadge(image.verdict?.verdict)),
          ...severityCells(image.verdict?.counts),
          el('td', {}, image.quarantined ? 'yes' : 'no'),
          el('td', {}, when(image.pushedAt)),
        ),
      );
    }
    shown += page.items.length;
    more.hidden = nextToken === undefined;
    status.textContent = `${shown} image${shown === 1 ? '' : 's'} shown${nextToken ? '; more on the server' : ''}`;
  };
  verdict.addEventListener('change', () => void load(true));
  quarantined.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));

  replaceChildren(
    root,
    el('p', {}, routeLink('/', 'Registry'), ' / ', repository),
    el('h1', {}, repository),
    el('p', {}, routeLink(`/quarantine/${encodeURIComponent(repository)}`, 'Quarantine of this repository')),
    el('div', { class: 'filters' }, el('label', { for: 'verdict-filter' }, 'Verdict '), verdict, el('label', { for: 'quarantined-filter' }, ' Quarantine '), quarantined),
    el(
      'table',
      { id: 'images' },
      el('caption', {}, `Images of ${repository}`),
      el('thead', {}, el('tr', {}, ...['Digest', 'Tags', 'Verdict', 'Critical', 'High', 'Medium', 'Low', 'Quarantined', 'Pushed'].map((label) => el('th', { scope: 'col' }, label)))),
      body,
    ),
    more,
    status,
  );
  await load(true);
}
