import { el, replaceChildren, routeLink } from '../dom.ts';
import { callApi } from '../page-api.ts';
import { when } from './format.ts';

interface EcosystemStatus {
  readonly ecosystem: string;
  readonly modifiedThrough?: string;
  readonly syncedAt?: string;
  readonly stale: boolean;
  readonly ageHours?: number;
  readonly waitingImages?: number;
}
type Coverage = Readonly<Record<'repositories' | 'images' | 'scanned' | 'failed' | 'unsupported' | 'notImages' | 'waitingForAdvisories' | 'notYetJudged' | 'stale', number>>;

const COVERAGE_LABELS: ReadonlyArray<readonly [keyof Coverage, string]> = [
  ['repositories', 'Repositories'],
  ['images', 'Images'],
  ['scanned', 'Scanned'],
  ['failed', 'Scan failed'],
  ['unsupported', 'Unsupported'],
  ['notImages', 'Not images (attestations, artifacts)'],
  ['waitingForAdvisories', 'Waiting for advisories'],
  ['notYetJudged', 'Not judged yet'],
  ['stale', 'Judged under an older policy or scanner'],
];

/** Advisory freshness per ecosystem and what the scans cover: how far the answers can be trusted. */
export async function advisoriesView(root: HTMLElement): Promise<void> {
  const [status, coverage] = await Promise.all([callApi<{ ecosystems: readonly EcosystemStatus[]; staleAfterHours: number }>('/advisories/status'), callApi<Coverage>('/coverage')]);
  replaceChildren(
    root,
    el('p', {}, routeLink('/', 'Registry'), ' / advisories'),
    el('h1', {}, 'Advisories and coverage'),
    el(
      'table',
      { id: 'ecosystems' },
      el('caption', {}, `Advisory sync per ecosystem (stale after ${status.staleAfterHours} h)`),
      el('thead', {}, el('tr', {}, ...['Ecosystem', 'Fresh', 'Records through', 'Last sync', 'Images waiting'].map((label) => el('th', { scope: 'col' }, label)))),
      el('tbody', {}, ...status.ecosystems.map((row) => el('tr', { 'data-ecosystem': row.ecosystem, 'data-stale': String(row.stale) }, el('th', { scope: 'row' }, row.ecosystem), el('td', { class: row.stale ? 'error' : '' }, row.stale ? 'STALE' : 'fresh'), el('td', {}, when(row.modifiedThrough)), el('td', {}, `${when(row.syncedAt)}${row.ageHours === undefined ? '' : ` (${row.ageHours.toFixed(1)} h ago)`}`), el('td', { class: 'num' }, row.waitingImages ?? 0)))),
    ),
    el('table', { id: 'coverage' }, el('caption', {}, 'Coverage'), el('tbody', {}, ...COVERAGE_LABELS.map(([key, label]) => el('tr', { 'data-key': key }, el('th', { scope: 'row' }, label), el('td', { class: 'num' }, coverage[key]))))),
  );
}
