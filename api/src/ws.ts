import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientRequestId, type Context } from './context.js';
import { AppError, unauthenticated } from './errors.js';
import { auditOperationErrors, type AuditLog } from './modules/audit/index.js';
import type { AuthService, Authenticated } from './modules/auth/index.js';
import { operationCode, type OperationType } from './metrics.js';
import { OperationCache } from './operations.js';

type WsExtra = {
  auth?: Authenticated | null;
  header?: string;
  checkedAt?: number;
  /** Operations (by id) that failed and are counted once their errors are formatted (onNext, onError). */
  failed?: Map<string, OperationType>;
  /**
   * Subscriptions streaming on this socket, each with the series it is counted under
   * (`dialoop_api_subscriptions_open`). Keyed by the subscribe message's payload, the same object
   * in onOperation and onComplete, not by id: a client may reuse an id as soon as it has stopped
   * that subscription, before graphql-ws has called onComplete for it.
   */
  open?: Map<SubscribePayload, Gauge.Internal<'field'>>;
};


export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  /** Validation rules: graphql's own plus the depth, cost and introspection limits. */
  rules: readonly ValidationRule[];
  auth: AuthService;
  contextFor(auth: Authenticated | null, requestId: string, client: Context['client']): Context;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  connections: Gauge;
  /** `dialoop_api_subscriptions_open`: subscriptions streaming, by root field. */
  subscriptions: Gauge<'field'>;
  /** `dialoop_api_graphql_operations_total`: each operation once, when it answers, starts streaming, or is refused. */
  operations: Counter<'type' | 'code'>;
  audit: AuditLog;
  log: Logger;
  /** How long a socket's credential is trusted before its next operation checks it again. */
  recheckMs: number;
  /** Browser origins admitted (CONSOLE_ORIGINS); a handshake with no Origin header (not a browser) passes. */
  origins: readonly string[];
}

/**
 * GraphQL over WebSocket (graphql-ws's graphql-transport-ws protocol) on the api's port and path.
 *
 * The contract: authenticate once in `connection_init` with `{"authorization": "Bearer <token>"}`
 * (access token, API key or OIDC JWT). Close codes: 4401 Unauthorized — no, malformed, invalid or
 * expired token (also on a `subscribe` after the token expired); 4403 Forbidden — the account is
 * disabled; 4500 — an unexpected failure while authenticating. Each operation is then parsed,
 * validated (depth and cost limits included), its variables checked, and authorized by its
 * resolvers like any HTTP request; errors go through the same `formatError`.
 */
export function startGraphqlWs(httpServer: http.Server, o: GraphqlWsOptions) {
  const origins = new Set(o.origins);
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: 1024 * 1024,
    // A page on another origin may not open the api's socket (403 at the handshake).
    verifyClient: ({ origin }: { origin?: string }) => !origin || origins.has(origin),
  });
  wss.on('connection', (socket, request) => {
    o.connections.inc();
    socket.once('close', () => o.connections.dec());
    writeOncePerEvent(socket, request.socket);
  });
  const operations = new OperationCache(o.schema, o.rules);

  // Open subscriptions, one series per subscription field of the schema (bounded), from 0. A
  // subscription counts from the start of its stream (onOperation) until graphql-ws completes it:
  // onComplete follows its last event, the client's `complete`, an error sent, and the socket's
  // close (graphql-ws then ends every stream of the socket with return(), and each loop calls
  // onComplete; the server's shutdown closes every socket). What is still open when onClose runs
  // (a stream whose error could not be sent never gets onComplete) is let go there.
  const openByField = new Map(Object.keys(o.schema.getSubscriptionType()?.getFields() ?? {}).map((field) => [field, o.subscriptions.labels({ field })]));
  for (const series of openByField.values()) series.inc(0);
  const started = (extra: WsExtra, payload: SubscribePayload, document: DocumentNode, selectionSet: SelectionSetNode) => {
    const series = openByField.get(rootField(document, selectionSet) ?? '');
    if (!series) return;
    (extra.open ??= new Map()).set(payload, series);
    series.inc();
  };
  const ended = (extra: WsExtra, payload: SubscribePayload) => {
    const series = extra.open?.get(payload);
    if (series === undefined) return;
    extra.open!.delete(payload);
    series.dec();
  };
  const format = (err: GraphQLError) => o.formatError(err.toJSON(), err);
  /** Marks an operation as failed: its errors are counted as the client gets them. */
  const failed = (extra: WsExtra, id: string, type: OperationType) => (extra.failed ??= new Map()).set(id, type);
  const countFailed = (extra: WsExtra, id: string, errors: readonly GraphQLFormattedError[]) => {
    const type = extra.failed?.get(id);
    if (type === undefined) return;
    extra.failed!.delete(id);
    o.operations.inc({ type, code: operationCode(errors) });
  };

  /**
   * Closes a socket whose credential was refused — 4403 for a disabled account, else 4401, with
   * our own message only (a close reason must fit in 123 bytes) — and returns the error to report.
   */
  const refuse = (socket: WebSocket, err: unknown, request: http.IncomingMessage, stage: string): GraphQLError => {
    // A refused credential is a denied operation like any other: recorded, anonymously.
    const scope = o.audit.scopeFor(null, {
      requestId: randomUUID(),
      ip: request.socket.remoteAddress,
      userAgent: request.headers['user-agent'],
    });
    const code = err instanceof AppError ? err.code : 'INTERNAL_SERVER_ERROR';
    void o.audit
      .write(scope, { action: 'websocket', outcome: 'DENIED', after: { stage, code } })
      .catch((e: unknown) => o.log.error({ err: e }, 'could not record a refused WebSocket credential'));
    if (!(err instanceof AppError)) {
      o.log.error({ err }, 'authenticating a WebSocket failed');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
      return new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    const forbidden = err.code === 'FORBIDDEN';
    socket.close(forbidden ? CloseCode.Forbidden : CloseCode.Unauthorized, `${forbidden ? 'Forbidden' : 'Unauthorized'}: ${err.message}`.slice(0, 120));
    return err;
  };

  return useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      schema: o.schema,
      execute: operations.execute,
      subscribe: operations.subscribe,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization;
        const header = typeof raw === 'string' ? raw : undefined;
        try {
          const auth = await o.auth.authenticate(header);
          if (!auth) {
            refuse(ctx.extra.socket, unauthenticated('connection_init needs {"authorization": "Bearer <token>"}'), ctx.extra.request, 'connection_init');
            return false;
          }
          ctx.extra.auth = auth;
          ctx.extra.header = header;
          ctx.extra.checkedAt = Date.now();
          return true;
        } catch (err) {
          refuse(ctx.extra.socket, err, ctx.extra.request, 'connection_init');
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        let auth = ctx.extra.auth ?? null;
        // The credential is checked again once `recheckMs` has passed, or at once when the access
        // token has expired: a revoked key, a disabled account, an expired token or a changed role
        // takes effect on open sockets.
        const expired = auth?.expiresAt !== undefined && auth.expiresAt * 1000 < Date.now();
        if (auth && (expired || Date.now() - (ctx.extra.checkedAt ?? 0) > o.recheckMs)) {
          try {
            auth = await o.auth.authenticate(ctx.extra.header);
            ctx.extra.auth = auth;
            ctx.extra.checkedAt = Date.now();
          } catch (err) {
            // graphql-ws needs a non-empty error list here; the socket is already closing.
            failed(ctx.extra, id, 'unknown');
            return [refuse(ctx.extra.socket, err, ctx.extra.request, 'recheck')];
          }
        }
        const prepared = operations.prepare(payload.query);
        if (!prepared.ok) {
          failed(ctx.extra, id, 'unknown');
          return prepared.errors;
        }
        const { document } = prepared;
        // As over HTTP: an operation that cannot be picked, or variables that do not fit their types, are the client's error.
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          failed(ctx.extra, id, 'unknown');
          return [new GraphQLError('Must provide a known operationName when the document has several operations', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        }
        const coerced = getVariableValues(o.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
        if (coerced.errors) failed(ctx.extra, id, operation.operation);
        if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }));
        const req = ctx.extra.request;
        return {
          schema: o.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: o.contextFor(auth, `${randomUUID()}:${id}`, {
            ip: req.socket.remoteAddress,
            userAgent: req.headers['user-agent'],
            requestId: clientRequestId(req.headers['x-request-id']),
          }),
        };
      },
      // A query or mutation is counted when it answers, a subscription when it starts streaming;
      // one that failed when its errors are formatted (onNext, onError).
      onOperation: (ctx, id, payload, args, operationResult) => {
        // graphql-ws hands over the awaited result of execute or subscribe.
        const result = operationResult as Awaited<typeof operationResult>;
        const operation = getOperationAST(args.document, args.operationName);
        const type = operation?.operation ?? 'unknown';
        if (Symbol.asyncIterator in result) {
          o.operations.inc({ type, code: 'OK' });
          if (operation) started(ctx.extra, payload, args.document, operation.selectionSet);
        } else if (!result.errors) o.operations.inc({ type, code: 'OK' });
        else failed(ctx.extra, id, type);
      },
      // Every operation that got to onOperation ends here (a query, mutation or refused
      // subscription too: not counted as open, nothing to let go).
      onComplete: (ctx, _id, payload) => ended(ctx.extra, payload),
      onClose: (ctx) => {
        const open = ctx.extra.open;
        if (!open) return;
        for (const series of open.values()) series.dec();
        open.clear();
      },
      // Called for every event of every stream: plain values pass through without a promise.
      onNext: (ctx, id, _payload, args, result) => {
        if (!result.errors) return result;
        const { errors } = result;
        return auditOperationErrors(args.contextValue as Context, getOperationAST(args.document, args.operationName), errors).then(() => {
          const formatted = errors.map((e) => format(e));
          countFailed(ctx.extra, id, formatted);
          return { ...result, errors: formatted as never };
        });
      },
      onError: (ctx, id, _payload, errors) => {
        const formatted = errors.map((e) => format(e));
        countFailed(ctx.extra, id, formatted);
        return formatted.map((f) => new GraphQLError(f.message, { extensions: f.extensions }));
      },
    },
    wss,
  );
}

/**
 * Gathers what a socket sends in answer to one event (an upstream's chunk, a Redis message, a
 * replay read) into one write: the first send corks the TCP socket (the one the upgrade came on,
 * which ws writes to), and it is uncorked once the promises that event set going have settled
 * (process.nextTick runs after the microtask queue has drained), so the events of several
 * subscriptions that became ready together go out in one `writev`, not one each, and no later
 * than they would have. Each send's callback still fires once its data is written, which is what
 * graphql-ws waits for before it takes the next event of that stream: a slow client holds its
 * streams back (their deltas then wait, joined, in the stream's queue) rather than filling the
 * process's memory.
 */
function writeOncePerEvent(ws: WebSocket, tcp: Duplex) {
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  const send = ws.send.bind(ws) as (data: unknown, cb?: (err?: Error) => void) => void;
  ws.send = ((data: unknown, optionsOrCb?: unknown, cb?: (err?: Error) => void) => {
    if (!corked && ws.readyState === ws.OPEN) {
      corked = true;
      tcp.cork();
      process.nextTick(uncork);
    }
    return (send as (...a: unknown[]) => void)(data, optionsOrCb, cb);
  }) as WebSocket['send'];
}

/** The root field a subscription selects (validation allows one), through its fragments. */
function rootField(document: DocumentNode, selectionSet: SelectionSetNode): string | undefined {
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) return s.name.value;
    const inner =
      s.kind === Kind.INLINE_FRAGMENT
        ? s.selectionSet
        : document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value)?.selectionSet;
    const name = inner && rootField(document, inner);
    if (name) return name;
  }
  return undefined;
}
