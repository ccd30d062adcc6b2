import type { Page, RepositorySummary } from '../api-types.ts';
import { el, replaceChildren, routeLink } from '../dom.ts';
import { callApi, pageSize } from '../page-api.ts';
import { severityCells, when } from './format.ts';
import { historyChart } from './history-chart.ts';

type SortKey = 'repository' | 'images' | 'failing' | 'quarantined' | 'critical' | 'lastPushAt';

/** The registry: every repository the caller may read, with counts; sortable, filterable, paged over nextToken. */
export async function registryView(root: HTMLElement): Promise<void> {
  const rows: RepositorySummary[] = [];
  let nextToken: string | undefined;
  let sort: { key: SortKey; descending: boolean } = { key: 'critical', descending: true };
  const filter = el('input', { type: 'search', id: 'repository-filter', placeholder: 'filter by name', 'aria-label': 'Filter repositories by name' });
  const body = el('tbody');
  const more = el('button', { type: 'button', id: 'more-repositories' }, 'Load more');
  const status = el('p', { class: 'status', role: 'status' });

  const header = (label: string, key: SortKey) => {
    const button = el('button', { type: 'button', class: 'sort', 'data-sort': key }, label);
    button.addEventListener('click', () => {
      sort = { key, descending: sort.key === key ? !sort.descending : key !== 'repository' };
      render();
    });
    return el('th', { scope: 'col', 'aria-sort': sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none' }, button);
  };
  const value = (row: RepositorySummary, key: SortKey): string | number => {
    switch (key) {
      case 'repository':
        return row.repository;
      case 'images':
        return row.images;
      case 'failing':
        return row.verdicts.FAIL ?? 0;
      case 'quarantined':
        return row.quarantined;
      case 'critical':
        return row.findings.CRITICAL * 1e6 + row.findings.HIGH;
      case 'lastPushAt':
        return row.lastPushAt ?? '';
    }
  };
  const render = () => {
    const text = filter.value.trim().toLowerCase();
    const shown = rows.filter((row) => row.repository.toLowerCase().includes(text));
    shown.sort((a, b) => {
      const [x, y] = [value(a, sort.key), value(b, sort.key)];
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });
    replaceChildren(
      body,
      ...shown.map((row) =>
        el(
          'tr',
          { 'data-repository': row.repository },
          el('th', { scope: 'row' }, routeLink(`/repository/${encodeURIComponent(row.repository)}`, row.repository)),
          el('td', { class: 'num' }, row.images),
          el('td', { class: 'num', 'data-verdict': 'PASS' }, row.verdicts.PASS ?? 0),
          el('td', { class: 'num', 'data-verdict': 'FAIL' }, row.verdicts.FAIL ?? 0),
          el('td', { class: 'num', 'data-column': 'quarantined' }, row.quarantined > 0 ? routeLink(`/quarantine/${encodeURIComponent(row.repository)}`, row.quarantined) : 0),
          ...severityCells(row.findings),
          el('td', {}, when(row.lastPushAt)),
        ),
      ),
    );
    status.textContent = `${shown.length} of ${rows.length} repositories${nextToken ? ' loaded; more on the server' : ''}`;
    more.hidden = nextToken === undefined;
    for (const th of table.querySelectorAll('thead th')) {
      const key = th.querySelector('button')?.dataset.sort;
      th.setAttribute('aria-sort', key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    }
  };
  const load = async () => {
    const page = await callApi<Page<RepositorySummary>>('/repositories', { nextToken, limit: pageSize(50) });
    rows.push(...page.items);
    nextToken = page.nextToken;
    render();
  };

  const table = el(
    'table',
    { id: 'repositories' },
    el('caption', {}, 'Repositories'),
    el('thead', {}, el('tr', {}, header('Repository', 'repository'), header('Images', 'images'), el('th', { scope: 'col' }, 'Pass'), header('Fail', 'failing'), header('Quarantined', 'quarantined'), header('Critical', 'critical'), el('th', { scope: 'col' }, 'High'), el('th', { scope: 'col' }, 'Medium'), el('th', { scope: 'col' }, 'Low'), header('Last push', 'lastPushAt'))),
    body,
  );
  filter.addEventListener('input', render);
  more.addEventListener('click', () => void load());
  const history = el('div', {});
  replaceChildren(root, el('h1', {}, 'Registry'), history, el('label', { for: 'repository-filter' }, 'Filter '), filter, table, more, status);
  await load();
  // The chart is a summary: the table above must not wait for it, nor fail with it.
  historyChart().then(
    (chart) => history.replaceChildren(chart),
    (error: unknown) => history.replaceChildren(el('p', { class: 'status' }, `History unavailable: ${error instanceof Error ? error.message : String(error)}`)),
  );
}
