import { dashboard, quantiles, stat, timeseries } from './build.js';

/** The api processes (job dialoop-api): replies, streams, the reply queue, upstreams and the process. */
export const api = dashboard({
  uid: 'dialoop-api',
  title: 'Dialoop / API and streams',
  description: 'The api processes: replies by outcome, time to first token, streams, open subscriptions and WebSocket connections, the reply queue, the inference upstreams and the database pool.',
  rows: [
    {
      title: 'Replies',
      panels: [
        stat({ title: 'Api processes up', description: 'Api processes Prometheus scrapes successfully.', unit: 'short', queries: [{ expr: 'sum(up{job="dialoop-api"})' }] }),
        stat({ title: 'Streaming replies', description: 'Replies streaming now, over every api process.', unit: 'short', queries: [{ expr: 'sum(dialoop_api_active_generations)' }] }),
        stat({ title: 'WebSocket connections', description: 'Open graphql-ws connections, over every api process.', unit: 'short', queries: [{ expr: 'sum(dialoop_api_ws_connections)' }] }),
        stat({
          title: 'Failed replies (5m)',
          description: 'The share of finished replies that ended FAILED or INTERRUPTED over 5 minutes (0 while none did). DialoopReplyErrorRateHigh fires over 5%.',
          unit: 'percentunit',
          redAbove: 0.05,
          queries: [{ expr: 'dialoop:api_reply_failures:ratio_rate5m or vector(0)' }],
        }),
        timeseries({
          title: 'Replies finished by status',
          description: 'COMPLETE, CANCELLED (by the person), INTERRUPTED (an upstream or process died mid-reply) and FAILED, per second.',
          unit: 'reqps',
          stack: true,
          queries: [{ expr: 'sum by (status) (rate(dialoop_api_generations_total[$__rate_interval]))', legend: '{{status}}' }],
        }),
        timeseries({
          title: 'Time to first token',
          description: 'From the api’s upstream request to the first token (the reply queue’s wait is apart). DialoopTimeToFirstTokenHigh fires when the 5-minute p99 stays over 2 s.',
          unit: 's',
          redAbove: 2,
          queries: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(dialoop_api_time_to_first_token_seconds_bucket[$__rate_interval])))', legend: 'p50' },
            { expr: 'dialoop:api_time_to_first_token_seconds:p99_5m', legend: 'p99 (5m)' },
          ],
        }),
        timeseries({
          title: 'sendMessage time by stage (p99)',
          description: 'Where a send spends its time (authenticate, admit, history, transaction, start…): the write path’s budget is a few milliseconds.',
          unit: 's',
          queries: [{ expr: 'histogram_quantile(0.99, sum by (stage, le) (rate(dialoop_api_stage_seconds_bucket{operation="sendMessage"}[$__rate_interval])))', legend: '{{stage}}' }],
        }),
      ],
    },
    {
      title: 'Streams',
      panels: [
        timeseries({
          title: 'Subscriptions, connections and streaming replies',
          description:
            'By api process: open graphql-ws subscriptions (what the api’s HPA scales on, 250 a pod), the connections that carry them (a connection may hold many or none), and replies streaming. ' +
            'Uneven processes mean the load balancer is not spreading WebSockets.',
          unit: 'short',
          queries: [
            { expr: 'sum by (instance) (dialoop_api_subscriptions_open)', legend: '{{instance}} subscriptions' },
            { expr: 'sum by (instance) (dialoop_api_ws_connections)', legend: '{{instance}} connections' },
            { expr: 'sum by (instance) (dialoop_api_active_generations)', legend: '{{instance}} replies' },
          ],
        }),
        timeseries({
          title: 'Open subscriptions by field',
          description:
            'Subscriptions open over every api process, by root field (messageStream: a reply’s events; trainingRunProgress), and the average per process, the value the api’s HPA ' +
            'compares with its target of 250 (infra/k8s/overlays/prod/hpa.yaml).',
          unit: 'short',
          queries: [
            { expr: 'sum by (field) (dialoop_api_subscriptions_open)', legend: '{{field}}' },
            { expr: 'avg(sum by (instance) (dialoop_api_subscriptions_open))', legend: 'average per process (the HPA’s)' },
          ],
        }),
        timeseries({
          title: 'Stream delivery lag',
          description:
            'From a reply delta received from the model server to its event handed to a live subscriber (the safety filter’s hold-back included; with Redis, the trip through it). ' +
            'DialoopStreamDeliveryLagHigh fires when the 5-minute p99 stays over 500 ms.',
          unit: 's',
          redAbove: 0.5,
          queries: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(dialoop_api_stream_delivery_lag_seconds_bucket[$__rate_interval])))', legend: 'p50' },
            { expr: 'dialoop:api_stream_delivery_lag_seconds:p99_5m', legend: 'p99 (5m)' },
          ],
        }),
        timeseries({
          title: 'Subscriptions lost',
          description:
            'Reply subscriptions that ended before their final event, per second: client_gone (unsubscribed, socket closed, a process drained) and server_error. ' +
            'DialoopSubscriptionsFailing fires on server errors, DialoopSubscriptionsCutOff when over a quarter of subscriptions are cut off.',
          unit: 'ops',
          queries: [{ expr: 'sum by (reason) (rate(dialoop_api_subscriptions_lost_total[$__rate_interval]))', legend: '{{reason}}' }],
        }),
        timeseries({
          title: 'Safety filter hold-back',
          description: 'How long the stream filter held each upstream delta before its last character went out: the delay the filter adds to every stream.',
          unit: 's',
          queries: quantiles('dialoop_api_safety_holdback_seconds', ''),
        }),
        timeseries({
          title: 'Event loop lag (p99)',
          description: 'Every token an api process forwards waits for its event loop. DialoopApiEventLoopLagging fires over 100 ms.',
          unit: 's',
          redAbove: 0.1,
          queries: [{ expr: 'max by (instance) (dialoop_api_nodejs_eventloop_lag_p99_seconds)', legend: '{{instance}}' }],
        }),
        timeseries({
          title: 'Replies of stopped processes settled',
          description: 'Replies of an api process that stopped without draining, settled by this one (with Redis): their streams were cut off.',
          unit: 'short',
          bars: true,
          queries: [{ expr: 'sum by (instance) (increase(dialoop_api_recovered_replies_total[$__rate_interval]))', legend: '{{instance}}' }],
        }),
        timeseries({
          title: 'Time to settle a stopped process’s replies',
          description: 'From a dead api process’s last heartbeat to its replies settled by another (with Redis). Empty until a process dies.',
          unit: 's',
          queries: quantiles('dialoop_api_process_recovery_seconds', ''),
        }),
      ],
    },
    {
      title: 'GraphQL operations',
      panels: [
        stat({
          title: 'Server errors (5m)',
          description: 'The share of GraphQL operations answered INTERNAL_SERVER_ERROR, UPSTREAM_ERROR, UPSTREAM_TIMEOUT or SERVICE_UNAVAILABLE over 5 minutes. DialoopApiErrorRateHigh fires over 2%.',
          unit: 'percentunit',
          redAbove: 0.02,
          queries: [{ expr: 'dialoop:api_graphql_server_errors:ratio_rate5m or vector(0)' }],
        }),
        timeseries({
          title: 'GraphQL operations by type',
          description: 'Queries, mutations and subscriptions started per second (HTTP and WebSocket), every outcome; unknown: did not parse or resolve.',
          unit: 'reqps',
          width: 9,
          stack: true,
          queries: [{ expr: 'sum by (type) (rate(dialoop_api_graphql_operations_total[$__rate_interval]))', legend: '{{type}}' }],
        }),
        timeseries({
          title: 'GraphQL operations by code',
          description: 'Operations that failed per second, by the error code the client got: the client’s (BAD_USER_INPUT, FORBIDDEN, RATE_LIMITED, SAFETY_BLOCKED…) and the server’s.',
          unit: 'reqps',
          width: 9,
          queries: [{ expr: 'sum by (code) (dialoop:api_graphql_operations:rate5m{code!="OK"})', legend: '{{code}}' }],
        }),
      ],
    },
    {
      title: 'Audit trail',
      panels: [
        stat({
          title: 'Since the last checkpoint',
          description: 'How long ago the audit checkpoint job last succeeded on any api process (or the newest one started). DialoopAuditCheckpointOverdue fires past twice its interval.',
          unit: 's',
          queries: [{ expr: 'time() - max(dialoop_api_audit_checkpoint_last_success_timestamp_seconds)' }],
        }),
        stat({
          title: 'Checkpoint interval',
          description: 'AUDIT_CHECKPOINT_INTERVAL_S: how often each api process signs the head of the chain.',
          unit: 's',
          queries: [{ expr: 'max(dialoop_api_audit_checkpoint_interval_seconds)' }],
        }),
        timeseries({
          title: 'Chain verifications by result',
          description: 'Verifications of the audit chain (asked for, and before each checkpoint) per second: valid, broken (DialoopAuditChainBroken), error.',
          unit: 'ops',
          width: 6,
          queries: [{ expr: 'sum by (result) (rate(dialoop_api_audit_chain_verifications_total[$__rate_interval]))', legend: '{{result}}' }],
        }),
        timeseries({
          title: 'Checkpoint runs by outcome',
          description: 'Runs of the periodic checkpoint job per second: ok, broken (the chain does not verify: nothing signed), error.',
          unit: 'ops',
          width: 6,
          queries: [{ expr: 'sum by (outcome) (rate(dialoop_api_audit_checkpoint_runs_total[$__rate_interval]))', legend: '{{outcome}}' }],
        }),
      ],
    },
    {
      title: 'Reply queue',
      panels: [
        timeseries({
          title: 'Replies waiting',
          description: 'Replies waiting for a model server’s slot (with Redis, the shared queue every process reports). DialoopRepliesWaiting fires when it has not been empty for 10 minutes.',
          unit: 'short',
          queries: [{ expr: 'max(dialoop_api_reply_queue_length)', legend: 'waiting' }],
        }),
        timeseries({
          title: 'Queue wait',
          description: 'How long queued replies waited before they started.',
          unit: 's',
          queries: quantiles('dialoop_api_reply_queue_wait_seconds', ''),
        }),
        timeseries({
          title: 'Replies not started at once',
          description: 'upstream_full: a 429 sent the reply back to the queue; queue_full: a send was refused; deadline: a reply waited too long (UPSTREAM_BUSY). DialoopRepliesRefused fires on the last two.',
          unit: 'reqps',
          stack: true,
          queries: [{ expr: 'sum by (reason) (rate(dialoop_api_reply_queue_refusals_total[$__rate_interval]))', legend: '{{reason}}' }],
        }),
      ],
    },
    {
      title: 'Upstreams',
      panels: [
        timeseries({
          title: 'Requests by upstream',
          description: 'Chat completion requests per second by inference upstream (a retry counts again, on its replica).',
          unit: 'reqps',
          stack: true,
          queries: [{ expr: 'sum by (upstream) (rate(dialoop_api_upstream_requests_total[$__rate_interval]))', legend: '{{upstream}}' }],
        }),
        timeseries({
          title: 'Outstanding requests by upstream',
          description: 'Requests in progress: what the balancer compares (least outstanding requests).',
          unit: 'short',
          queries: [{ expr: 'sum by (upstream) (dialoop_api_upstream_outstanding_requests)', legend: '{{upstream}}' }],
        }),
        timeseries({
          title: 'Upstreams in rotation',
          description: '1 while an upstream is in rotation for some api process, 0 once every process has ejected it (its /readyz failed, or it is gone).',
          unit: 'short',
          min: 0,
          max: 1,
          queries: [{ expr: 'max by (upstream) (dialoop_api_upstream_healthy)', legend: '{{upstream}}' }],
        }),
        timeseries({
          title: 'Inference servers: up and in rotation',
          description: 'Servers Prometheus scrapes, and upstreams some api process sends replies to. More up than in rotation for a minute fires DialoopInferenceNotReady.',
          unit: 'short',
          min: 0,
          queries: [
            { expr: 'count(up{job="dialoop-inference"} == 1)', legend: 'up' },
            { expr: 'count(max by (upstream) (dialoop_api_upstream_healthy) == 1)', legend: 'in rotation' },
          ],
        }),
        timeseries({
          title: 'Ejections and retries',
          description: 'Ejections by health checks, and requests that failed before their first token and were sent to another replica.',
          unit: 'short',
          bars: true,
          queries: [
            { expr: 'sum by (upstream) (increase(dialoop_api_upstream_ejections_total[$__rate_interval]))', legend: '{{upstream}} ejected' },
            { expr: 'sum by (upstream) (increase(dialoop_api_upstream_retries_total[$__rate_interval]))', legend: '{{upstream}} retried' },
          ],
        }),
      ],
    },
    {
      title: 'Process',
      panels: [
        timeseries({
          title: 'Database pool',
          description: 'PostgreSQL pool connections: total, idle, and queries waiting for one (DialoopDatabasePoolExhausted).',
          unit: 'short',
          queries: [{ expr: 'sum by (state) (dialoop_api_db_pool_connections)', legend: '{{state}}' }],
        }),
        timeseries({
          title: 'CPU',
          description: 'CPU seconds per second by api process.',
          unit: 'percentunit',
          queries: [{ expr: 'sum by (instance) (rate(dialoop_api_process_cpu_seconds_total[$__rate_interval]))', legend: '{{instance}}' }],
        }),
        timeseries({
          title: 'Memory',
          description: 'Resident memory and JavaScript heap by api process.',
          unit: 'bytes',
          queries: [
            { expr: 'dialoop_api_process_resident_memory_bytes', legend: '{{instance}} resident' },
            { expr: 'sum by (instance) (dialoop_api_nodejs_heap_size_used_bytes)', legend: '{{instance}} heap' },
          ],
        }),
      ],
    },
  ],
});
