import { el, replaceChildren, routeLink } from '../dom.ts';
import { ApiFailure, callApi } from '../page-api.ts';
import { when } from './format.ts';

interface ExceptionRecord {
  readonly id: string;
  readonly kind: 'ignore' | 'vex';
  readonly vulnerability: string;
  readonly scope: { readonly repositoryPrefix?: string };
  readonly package?: string;
  readonly reason: string;
  readonly expires?: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lapsed: boolean;
}
interface ExceptionAnswer {
  readonly exception: ExceptionRecord;
  readonly reevaluated: number;
}

function failure(error: unknown): string {
  return error instanceof ApiFailure ? error.message : String(error);
}

/** Exceptions in force and lapsed; add one (an ignore entry with a reason and an expiry) or remove one, each judged again by the API. */
export async function exceptionsView(root: HTMLElement): Promise<void> {
  const records: ExceptionRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await callApi<{ items: readonly ExceptionRecord[]; nextToken?: string }>('/exceptions', { limit: '100', nextToken });
    records.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  const input = (id: string, label: string, attributes: Record<string, string> = {}) => [el('label', { for: id }, label), el('input', { id, name: id, type: 'text', ...attributes })] as const;
  const [vulnerabilityLabel, vulnerability] = input('exception-vulnerability', 'Vulnerability ID or alias', { required: '' });
  const [reasonLabel, reason] = input('exception-reason', 'Reason', { required: '', minlength: '3' });
  const [expiresLabel, expires] = input('exception-expires', 'Expires (YYYY-MM-DD; empty: never)', { type: 'date' });
  const [prefixLabel, prefix] = input('exception-prefix', 'Repositories starting with (empty: all)');
  const [packageLabel, packageName] = input('exception-package', 'Package (name or purl; empty: any)');
  const add = el('button', { type: 'button', id: 'add-exception' }, 'Add exception');
  const message = el('p', { class: 'message', role: 'status', id: 'exception-message' });
  add.addEventListener('click', () => {
    const body: Record<string, string> = { kind: 'ignore', vulnerability: vulnerability.value.trim(), reason: reason.value.trim() };
    if (expires.value) body.expires = expires.value;
    if (prefix.value.trim()) body.repositoryPrefix = prefix.value.trim();
    if (packageName.value.trim()) body.package = packageName.value.trim();
    add.disabled = true;
    callApi<ExceptionAnswer>('/exceptions', {}, { method: 'POST', body }).then(
      (answer) => {
        message.textContent = `Added ${answer.exception.id}; ${answer.reevaluated} image(s) judged again.`;
        void exceptionsView(root);
      },
      (error: unknown) => {
        add.disabled = false;
        message.textContent = failure(error);
      },
    );
  });

  const row = (record: ExceptionRecord) => {
    const removeReason = el('input', { type: 'text', id: `remove-reason-${record.id}`, minlength: '3', placeholder: 'why it is removed' });
    const remove = el('button', { type: 'button', class: 'remove-exception' }, 'Remove');
    const status = el('span', { class: 'message', role: 'status' });
    remove.addEventListener('click', () => {
      remove.disabled = true;
      callApi<ExceptionAnswer>('/exceptions', { id: record.id, reason: removeReason.value.trim() }, { method: 'DELETE' }).then(
        () => void exceptionsView(root),
        (error: unknown) => {
          remove.disabled = false;
          status.textContent = failure(error);
        },
      );
    });
    return el(
      'tr',
      { 'data-id': record.id, 'data-vulnerability': record.vulnerability, 'data-lapsed': String(record.lapsed) },
      el('th', { scope: 'row' }, routeLink(`/vulnerability/${encodeURIComponent(record.vulnerability)}`, record.vulnerability)),
      el('td', {}, record.kind),
      el('td', {}, record.scope.repositoryPrefix ?? 'all repositories'),
      el('td', {}, record.package ?? 'any'),
      el('td', {}, record.reason),
      el('td', {}, record.expires ?? 'never', record.lapsed ? ' (lapsed)' : ''),
      el('td', {}, `${record.createdBy}, ${when(record.createdAt)}`),
      el('td', {}, el('label', { for: `remove-reason-${record.id}` }, 'Reason '), removeReason, ' ', remove, ' ', status),
    );
  };

  replaceChildren(
    root,
    el('p', {}, routeLink('/', 'Registry'), ' / exceptions'),
    el('h1', {}, 'Exceptions'),
    el('table', { id: 'exceptions' }, el('caption', {}, 'Exceptions in force and lapsed'), el('thead', {}, el('tr', {}, ...['Vulnerability', 'Kind', 'Scope', 'Package', 'Reason', 'Expires', 'Added', 'Remove'].map((label) => el('th', { scope: 'col' }, label)))), el('tbody', {}, ...records.map(row))),
    records.length === 0 ? el('p', {}, 'No exceptions.') : undefined,
    el('h2', {}, 'Add an exception'),
    el('div', { class: 'form', id: 'exception-form' }, vulnerabilityLabel, vulnerability, reasonLabel, reason, expiresLabel, expires, prefixLabel, prefix, packageLabel, packageName, add),
    message,
  );
}
