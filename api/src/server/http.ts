import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import cors from 'cors';
import express from 'express';
import { GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import { clientRequestId, type Context } from '../context.js';
import type { ApiEnv } from '../env.js';
import { AppError, createFormatError } from '../errors.js';
import { operationCode, type ApiMetrics } from '../metrics.js';
import { auditOperationErrors, exportHandler } from '../modules/audit/index.js';
import type { Authenticated } from '../modules/auth/index.js';
import { abilityFor } from '../modules/rbac/index.js';
import { createSchema } from '../schema.js';
import { timed } from '../stage-timer.js';
import { startGraphqlWs } from '../ws.js';
import { chatRoute } from './chat-rest.js';
import { operatorEndpoints } from './operators.js';
import type { Core } from './services.js';

/** The api's HTTP side, listening. */
export interface HttpSide {
  /** http://host:port — GraphQL at /graphql (HTTP and WebSocket). */
  url: string;
  httpServer: http.Server;
  schema: GraphQLSchema;
  /** Stops Apollo (which closes the WebSocket server) and the operators' port. */
  stop(): Promise<void>;
}

/**
 * Wires the services to the network: GraphQL over HTTP (Apollo, express) and WebSocket
 * (graphql-ws) on one port with the same validation rules and context, the operators' endpoints
 * (/healthz, /readyz, /metrics, on METRICS_PORT when set) and the download routes; then listens.
 */
export async function startHttp({ database, services }: Core, env: ApiEnv, log: Logger, metrics: ApiMetrics): Promise<HttpSide> {
  const { audit, datasets } = services;
  const schema = await createSchema();
  const formatError = createFormatError(log);
  // graphql-armor throws from inside validate() unless told otherwise, which Apollo answers with
  // a 500 and graphql-ws with a closed socket: report to the validation context instead, so a
  // rejected operation is a GRAPHQL_VALIDATION_FAILED error like any other invalid one.
  const reportRejection = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)] };
  const rules: ValidationRule[] = [
    maxDepthRule({ n: env.MAX_QUERY_DEPTH, exposeLimits: true, ...reportRejection }),
    costLimitRule({ maxCost: env.MAX_QUERY_COST, exposeLimits: true, ...reportRejection }),
    // Aliases multiply a field without raising its cost (300 × conversations would fit): cap them.
    maxAliasesRule({ n: env.MAX_QUERY_ALIASES, exposeLimits: true, ...reportRejection }),
  ];

  const contextFor = (who: Authenticated | null, requestId: string, client: Context['client']): Context => {
    const actor = who?.actor ?? null;
    return {
      actor,
      ability: abilityFor(actor),
      requestId,
      services,
      client,
      audit: audit.scopeFor(actor, { requestId, ip: client.ip, userAgent: client.userAgent }),
      log: log.child({ requestId, ...(client.requestId ? { clientRequestId: client.requestId } : {}), userId: actor?.userId }),
    };
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', env.TRUST_PROXY);
  const httpServer = http.createServer(app);
  const wsServer = startGraphqlWs(httpServer, {
    schema,
    rules: [...specifiedRules, ...rules, ...(env.introspection ? [] : [NoSchemaIntrospectionCustomRule])],
    auth: services.auth,
    contextFor,
    formatError,
    connections: metrics.wsConnections,
    subscriptions: metrics.subscriptionsOpen,
    operations: metrics.graphqlOperations,
    audit,
    log,
    recheckMs: env.WS_AUTH_RECHECK_MS,
    origins: env.CONSOLE_ORIGINS,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: env.introspection,
    csrfPrevention: true,
    formatError,
    includeStacktraceInErrorResponses: false,
    validationRules: rules,
    // main.ts owns the signals: replies in flight finish before Apollo stops.
    stopOnTerminationSignals: false,
    plugins: [
      // Nothing is cacheable (every /graphql response says `no-store`, below). Apollo's cache-control
      // plugin would also wrap every field resolver of the schema, which graphql-ws shares: each
      // token of a reply stream would pay for it.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Subscriptions stream over the WebSocket only.
      {
        requestDidStart: async () => ({
          didResolveOperation: async ({ operation }) => {
            if (operation?.operation === 'subscription') {
              throw new GraphQLError('Subscriptions run over the WebSocket (graphql-ws) at this URL', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
            }
          },
        }),
      },
      // Denied and failed operations go to the audit trail (successful ones are recorded by their service).
      {
        requestDidStart: async () => ({
          didEncounterErrors: async ({ contextValue, operation, errors }) => auditOperationErrors(contextValue, operation, errors),
        }),
      },
      // One structured line per HTTP operation, under its request id.
      {
        requestDidStart: async ({ contextValue }) => {
          const started = performance.now();
          return {
            willSendResponse: async ({ operationName, operation, errors, response }) => {
              const elapsed = performance.now() - started;
              metrics.stages.observe({ operation: 'request', stage: 'graphql' }, elapsed / 1000);
              // Counted under the code the client got (formatted): Apollo's own codes, ours, or INTERNAL_SERVER_ERROR.
              const sent = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
              metrics.graphqlOperations.inc({ type: operation?.operation ?? 'unknown', code: operationCode(sent) });
              contextValue.log.info(
                { operationName, ms: Math.round(elapsed * 10) / 10, errors: errors?.map((e) => e.extensions.code ?? 'INTERNAL_SERVER_ERROR') },
                'graphql request',
              );
            },
          };
        },
      },
      { serverWillStart: async () => ({ drainServer: async () => void (await wsServer.dispose()) }) },
    ],
  });
  await apollo.start();

  const metricsServer = await operatorEndpoints(app, { database, services }, env, metrics, log);
  app.get('/exports/audit/:token', exportHandler(audit, services.exportTokens, log));
  app.get('/exports/datasets/:token', datasets.handler());
  /** Every API request gets a request id of the server's own (the one the trail records), and nothing is cacheable. */
  const stamp: express.RequestHandler = (req, res, next) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.clientRequestId = clientRequestId(req.headers['x-request-id']);
    res.setHeader('cache-control', 'no-store');
    res.locals.requestId = requestId;
    next();
  };
  // The plain REST endpoint: sendMessage and its reply in one request (chat-rest.ts; README "POST /chat").
  app.use('/chat', cors({ origin: env.CONSOLE_ORIGINS, methods: ['POST'], allowedHeaders: ['content-type', 'authorization', 'x-request-id'], exposedHeaders: ['x-request-id', 'x-conversation-id', 'x-message-id', 'retry-after'], maxAge: 600 }));
  app.post(
    '/chat',
    stamp,
    express.json({ limit: env.BODY_LIMIT }),
    chatRoute({ authenticate: (header) => services.auth.authenticate(header), contextFor, formatError, maxMessageChars: env.MAX_MESSAGE_CHARS }),
    // Malformed JSON and oversize bodies, in this route's error shape.
    (err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(err);
      const status = err.status ?? 500;
      if (status >= 500) return next(err);
      const message = err.type === 'entity.too.large' ? 'Request body too large' : 'Malformed JSON body';
      res.status(status).json({ error: { code: 'BAD_REQUEST', message } });
    },
  );
  app.all('/chat', (_req, res) => void res.status(405).setHeader('allow', 'POST').json({ error: { code: 'BAD_REQUEST', message: 'Use POST /chat' } }));
  app.use(
    '/graphql',
    // The console calls from its own origin (no cookies: the access token is a header).
    cors({ origin: env.CONSOLE_ORIGINS, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'], exposedHeaders: ['x-request-id'], maxAge: 600 }),
    (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => metrics.stages.observe({ operation: 'request', stage: 'http' }, (performance.now() - started) / 1000));
      stamp(req, res, next);
    },
    express.json({ limit: env.BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const client = { ip: req.ip, userAgent: req.headers['user-agent'], requestId: res.locals.clientRequestId as string | undefined };
        try {
          const who = await timed(metrics.stages, 'request', 'authenticate', () => services.auth.authenticate(req.headers.authorization));
          return contextFor(who, String(res.locals.requestId), client);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          // A refused credential fails every operation that needs one (401, or 403 for a disabled
          // account), while public ones — login, refreshToken — still work: a client holding an
          // expired access token can refresh it.
          const authError = err.code === 'FORBIDDEN' ? new AppError(err.code, err.message, { http: { status: 403 } }) : err;
          return { ...contextFor(null, String(res.locals.requestId), client), authError };
        }
      },
    }),
  );
  // Malformed JSON bodies and oversize requests get a GraphQL-shaped error, not an HTML page.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? 500;
    const message = err.type === 'entity.too.large' ? 'Request body too large' : status === 400 ? 'Malformed JSON body' : 'Internal server error';
    if (status >= 500) log.error({ err }, 'request failed');
    res.status(status).json({ errors: [{ message, extensions: { code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.API_PORT, env.API_HOST, () => resolve());
  });
  const addr = httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : env.API_PORT;
  const host = env.API_HOST.includes(':') ? `[${env.API_HOST}]` : env.API_HOST;
  const url = `http://${host}:${port}`;
  log.info({ url: `${url}/graphql` }, 'api listening');
  return {
    url,
    httpServer,
    schema,
    stop: async () => {
      await apollo.stop();
      await new Promise((r) => (metricsServer ? metricsServer.close(r) : r(undefined)));
    },
  };
}
