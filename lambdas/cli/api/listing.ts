import type { RouteOutput, RouteRequest } from '../../core/api/route-definition.ts';
import type { Routes } from '../../core/api/routes.ts';
import type { CustomsApiClient, PaginatedOperationId } from '../../adapters/api-client/customs-api-client.ts';
import { CustomsError } from '../../core/errors.ts';
import { stringOption, type OptionValues } from './api-subcommand.ts';

/** The options every listing takes. */
export const PAGE_OPTIONS = {
  limit: { type: 'string' },
  'next-token': { type: 'string' },
  all: { type: 'boolean' },
} as const;

export const PAGE_USAGE = `  --limit N              page size, 1-100 (default 50)
  --next-token TOKEN     continue where the previous page ended
  --all                  follow every page (items of all pages in one answer)
`;

export function pageQuery(values: OptionValues): { limit?: string; nextToken?: string } {
  const limit = stringOption(values, 'limit');
  if (limit !== undefined && !/^\d{1,3}$/.test(limit)) throw new CustomsError('usage', `--limit must be a whole number from 1 to 100, not ${JSON.stringify(limit)}`);
  const nextToken = stringOption(values, 'next-token');
  if (values.all === true && nextToken !== undefined) throw new CustomsError('usage', 'give --all or --next-token, not both');
  return { ...(limit === undefined ? {} : { limit }), ...(nextToken === undefined ? {} : { nextToken }) };
}

/** One page, or with --all every page's items in one answer (the other fields of the first page kept). */
export async function listing<K extends PaginatedOperationId>(client: CustomsApiClient, operationId: K, request: RouteRequest<Routes[K]>, values: OptionValues): Promise<RouteOutput<Routes[K]>> {
  if (values.all !== true) return client.call(operationId, request);
  let first: (RouteOutput<Routes[K]> & { items: unknown[] }) | undefined;
  const items: unknown[] = [];
  for await (const page of client.pages(operationId, request)) {
    const typed = page as RouteOutput<Routes[K]> & { items: unknown[] };
    first ??= typed;
    items.push(...typed.items);
  }
  const { nextToken: _ignored, ...rest } = first as RouteOutput<Routes[K]> & { items: unknown[]; nextToken?: string };
  return { ...rest, items } as RouteOutput<Routes[K]>;
}

/** Where the next page starts, for stderr under a table. */
export function nextNotes(answer: { nextToken?: string | undefined }): string[] {
  return answer.nextToken === undefined ? [] : [`more: --next-token ${answer.nextToken}`];
}
