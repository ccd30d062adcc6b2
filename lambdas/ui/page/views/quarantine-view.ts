import type { Page, QuarantineItem, ReleaseAnswer } from '../api-types.ts';
import { el, replaceChildren, routeLink } from '../dom.ts';
import { ApiFailure, callApi } from '../page-api.ts';
import { shortDigest, when } from './format.ts';

/** A repository's quarantine records; a quarantined image can be released with a reason (recorded with the action). */
export async function quarantineView(root: HTMLElement, repository: string): Promise<void> {
  const items: QuarantineItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callApi<Page<QuarantineItem>>('/quarantine', { repository, limit: '100', nextToken });
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  const row = (item: QuarantineItem) => {
    const action = el('td', {});
    if (item.state === 'QUARANTINED') action.appendChild(releaseForm(item, () => void quarantineView(root, repository)));
    return el(
      'tr',
      { 'data-digest': item.key.digest, 'data-state': item.state },
      el('th', { scope: 'row' }, routeLink(`/image/${encodeURIComponent(repository)}/${item.key.digest}`, el('code', {}, shortDigest(item.key.digest)))),
      el('td', {}, item.state),
      el('td', {}, item.removedTags.map((tag) => tag.tag).join(', ') || '—'),
      el('td', {}, item.failingIds.join(', ')),
      el('td', {}, when(item.startedAt)),
      action,
    );
  };
  replaceChildren(
    root,
    el('p', {}, routeLink('/', 'Registry'), ' / ', routeLink(`/repository/${encodeURIComponent(repository)}`, repository), ' / quarantine'),
    el('h1', {}, `Quarantine of ${repository}`),
    el('table', { id: 'quarantine' }, el('caption', {}, 'Quarantine records'), el('thead', {}, el('tr', {}, ...['Digest', 'State', 'Tags removed', 'Failing', 'Started', 'Release'].map((label) => el('th', { scope: 'col' }, label)))), el('tbody', {}, ...items.map(row))),
    items.length === 0 ? el('p', {}, 'Nothing was quarantined in this repository.') : undefined,
  );
}

function releaseForm(item: QuarantineItem, done: () => void): HTMLElement {
  const id = `reason-${item.key.digest.slice(7, 19)}`;
  const reason = el('input', { type: 'text', id, required: '', minlength: '3', maxlength: '1000', placeholder: 'why it may run' });
  const button = el('button', { type: 'button', class: 'release' }, 'Release');
  const message = el('span', { class: 'message', role: 'status' });
  button.addEventListener('click', () => {
    if (reason.value.trim().length < 3) {
      message.textContent = 'Give a reason (at least 3 characters): it is recorded with the release.';
      reason.focus();
      return;
    }
    button.disabled = true;
    callApi<ReleaseAnswer>(`/images/${encodeURIComponent(item.key.digest)}/release`, { repository: item.key.repository }, { method: 'POST', body: { reason: reason.value.trim() } }).then(
      (answer) => {
        message.textContent = `Released: ${answer.restoredTags.join(', ') || 'no tag'} restored${answer.keptTags.length > 0 ? `; kept ${answer.keptTags.map((kept) => kept.tag).join(', ')}` : ''}.`;
        setTimeout(done, 600);
      },
      (error: unknown) => {
        button.disabled = false;
        message.textContent = error instanceof ApiFailure ? error.message : String(error);
      },
    );
  });
  return el('span', { class: 'release-form' }, el('label', { for: id }, 'Reason '), reason, ' ', button, ' ', message);
}
