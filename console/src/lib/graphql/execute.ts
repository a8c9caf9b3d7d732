import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/** An error the api answered with (`extensions.code`), or a network failure (code NETWORK_ERROR). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
    /** `extensions.reason`, where the api names why (e.g. LAST_ACTIVE_ADMIN). */
    readonly reason?: string,
    /** `extensions.errors`: each problem of a refused input, where the api lists them (a CSV's bad lines). */
    readonly details?: readonly string[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Doc<R, V> = DocumentTypeDecoration<R, V> & { toString(): string };

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string; reason?: unknown; errors?: unknown } }[];
}

/**
 * One GraphQL operation over HTTP: the data, or an `ApiError` carrying the first error's
 * message and code. Used by the browser client and by the console's session routes alike.
 */
export async function execute<R, V>(url: string, doc: Doc<R, V>, variables: V | undefined, init: { token?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<R> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
      cache: 'no-store',
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('The api cannot be reached', 'NETWORK_ERROR');
  }
  let body: GraphQLResponse<R>;
  try {
    body = (await res.json()) as GraphQLResponse<R>;
  } catch {
    throw new ApiError(`The api answered HTTP ${res.status} without GraphQL`, 'NETWORK_ERROR', res.status);
  }
  const first = body.errors?.[0];
  if (first) {
    const reason = first.extensions?.reason;
    const details = first.extensions?.errors;
    throw new ApiError(
      first.message,
      first.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
      res.status,
      typeof reason === 'string' ? reason : undefined,
      Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : undefined,
    );
  }
  if (!body.data) throw new ApiError('The api answered without data', 'INTERNAL_SERVER_ERROR', res.status);
  return body.data;
}
