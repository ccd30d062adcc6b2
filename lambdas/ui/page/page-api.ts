/** The page's one door to the findings API: `api/<route>` beside the page, with the run's token. */
const TOKEN_KEY = 'customs-page-token';

/** Takes the token from `#token=…` (a fragment never reaches a server), keeps it for this tab, and clears it from the address bar. */
export function adoptToken(): string | undefined {
  const match = /^#token=([0-9a-f]{64})$/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]!);
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function callApi<T>(route: string, query: Readonly<Record<string, string | undefined>> = {}, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new ApiFailure(401, 'no page token: open the URL the server printed');
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, value);
  const path = `api${route}${search.size > 0 ? `?${search.toString()}` : ''}`;
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { 'x-customs-page-token': token, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiFailure(response.status, `the API answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const message = typeof json === 'object' && json !== null && 'message' in json ? String((json as { message: unknown }).message) : `HTTP ${response.status}`;
    throw new ApiFailure(response.status, message);
  }
  return json as T;
}

/** Rows per API page: `?pageSize=N` on the page's URL (1–100), else `fallback`. */
export function pageSize(fallback: number): string {
  const asked = Number(new URLSearchParams(location.search).get('pageSize'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 100 ? String(asked) : String(fallback);
}
