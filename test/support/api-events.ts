import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';

export interface ApiEventOptions {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** As the client sends it (percent-encode yourself to test encoded digests). */
  readonly path: string;
  /** A repeated parameter as an array (API Gateway joins its values with commas in queryStringParameters). */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  /** Send the body base64-encoded, as API Gateway does for binary media. */
  readonly base64?: boolean;
  /** The IAM principal API Gateway verified: a role session or user ARN. */
  readonly principalArn?: string;
  readonly requestId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_TEST_PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/customs-reader/session';

let counter = 0;

/** An API Gateway HTTP API (payload 2.0) event with IAM authorization, as the findings API Lambda receives it. */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEventV2WithIAMAuthorizer {
  const principalArn = options.principalArn ?? DEFAULT_TEST_PRINCIPAL;
  const accountId = /^arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec(principalArn)?.[1] ?? '123456789012';
  const pairs = Object.entries(options.query ?? {}).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as const] : value.map((one) => [name, one] as const)));
  const rawQueryString = pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of pairs) queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const requestId = options.requestId ?? `test-request-${String(++counter)}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString,
    headers: { host: 'api.example.test', ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(pairs.length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'testapi',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'customs-test' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: {
        iam: {
          accessKey: 'ASIATESTACCESSKEY',
          accountId,
          callerId: 'AROATESTCALLER:session',
          cognitoIdentity: null,
          principalOrgId: 'o-test',
          userArn: principalArn,
          userId: 'AROATESTCALLER:session',
        },
      },
    },
    ...(text !== undefined ? { body: options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text } : {}),
    isBase64Encoded: options.base64 === true,
  };
}
