import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';

/** What the local HTTP server knows of a request once its bearer token checked out. */
export interface LocalApiRequest {
  readonly method: string;
  /** The request target as received: path and, after `?`, the raw query string. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly requestId: string;
  readonly now: Date;
}

/** The caller the stack's one access rule names (`principal: 'local'`), in the identity API Gateway's IAM authorizer gives. */
export interface LocalCaller {
  readonly principal: string;
  readonly account: string;
}

/**
 * The API Gateway (HTTP API, payload 2.0, IAM authorization) event a request through the deployed
 * API would reach the Lambda as, so the local API runs the same handler: raw path and query string
 * as sent (the handler decodes them), lower-cased headers, the body base64-encoded as API Gateway
 * does for bytes, and the verified caller where the IAM authorizer puts it.
 */
export function apiGatewayEventOf(request: LocalApiRequest, caller: LocalCaller): APIGatewayProxyEventV2WithIAMAuthorizer {
  const question = request.target.indexOf('?');
  const rawPath = question < 0 ? request.target : request.target.slice(0, question);
  const rawQueryString = question < 0 ? '' : request.target.slice(question + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const hasBody = request.body.byteLength > 0;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: caller.account,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: request.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: request.requestId,
      routeKey: '$default',
      stage: '$default',
      time: request.now.toISOString(),
      timeEpoch: request.now.getTime(),
      authorizer: {
        iam: {
          accessKey: '',
          accountId: caller.account,
          callerId: caller.principal,
          cognitoIdentity: null,
          principalOrgId: '',
          userArn: caller.principal,
          userId: caller.principal,
        },
      },
    },
    ...(hasBody ? { body: request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody,
  };
}
