import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { principalFromIam } from '../../core/api/access-rules.ts';
import type { ApiRequest, ApiResponse } from '../../core/api/api-context.ts';
import { ApiError, badRequest } from '../../core/api/api-error.ts';

/**
 * An API Gateway HTTP API event (payload 2.0, IAM authorization) as the router's request. The query
 * is read from `rawQueryString`, not `queryStringParameters` (which joins a repeated parameter
 * with commas, so `repository=a&repository=b` would pass as one odd value): a repeated one is a 400.
 */
export function apiRequestOf(event: APIGatewayProxyEventV2WithIAMAuthorizer): ApiRequest {
  let principal;
  try {
    principal = principalFromIam(event.requestContext.authorizer?.iam);
  } catch {
    throw new ApiError('UNAUTHENTICATED', 'the request carries no IAM identity');
  }
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.requestContext.http.method,
    rawPath: event.rawPath,
    query: queryOf(event.rawQueryString),
    ...(body !== undefined ? { body } : {}),
    principal,
    requestId: event.requestContext.requestId,
  };
}

function queryOf(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    if (Object.hasOwn(query, name)) throw badRequest(name, `${name} is given more than once`);
    query[name] = value;
  }
  return query;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw badRequest('query', 'the query string is not valid percent-encoding');
  }
}

export function apiResultOf(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body, isBase64Encoded: false };
}
