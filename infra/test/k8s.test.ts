/**
 * The Kubernetes manifests (infra/k8s): every overlay is rendered by `kubectl kustomize` (offline),
 * every object is validated against the Kubernetes schemas of kubernetes-models 4.5.1, and then
 * checked for what schemas miss — unknown fields, selectors against pod labels, what HPAs, PDBs,
 * Services, Ingresses and ServiceMonitors point at, container resources, probes and security,
 * Secrets and ConfigMaps against the README, variables against each process's env.ts, the drain
 * arithmetic, the Prometheus Adapter rules against the metrics the code exports, and NetworkPolicies
 * evaluated edge by edge. Each checker returns the problems it finds; the last block feeds every
 * checker a broken copy and expects it to say so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const K8S = fileURLToPath(new URL('../k8s/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${REPO}${path}`, 'utf8');

// ---------------------------------------------------------------------------------------------
// Rendering

type Labels = Record<string, string>;
/** A rendered object; fields below metadata are read loosely (the schemas check their types). */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels; annotations?: Labels };
  [field: string]: any;
}

function render(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => {
    if (d.errors.length > 0) throw new Error(`${dir}: ${d.errors[0]!.message}`);
    return d.toJSON() as K8sObject;
  });
}

const OVERLAYS = readdirSync(`${K8S}overlays`).sort();
const rendered = new Map(OVERLAYS.map((o) => [o, render(`${K8S}overlays/${o}`)]));
const objectsOf = (overlay: string) => structuredClone(rendered.get(overlay)!);

const id = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;
const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const find = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

/** A pod template: a Deployment's, a StatefulSet's or a Job's. */
interface Pod {
  owner: string;
  labels: Labels;
  spec: any;
  /** Serves (probes, preStop) rather than runs to completion. */
  serving: boolean;
}
const WORKLOADS = ['Deployment', 'StatefulSet', 'Job'];
const podsOf = (objs: K8sObject[]): Pod[] =>
  objs
    .filter((o) => WORKLOADS.includes(o.kind))
    .map((o) => ({ owner: id(o), labels: o.spec?.template?.metadata?.labels ?? {}, spec: o.spec?.template?.spec ?? {}, serving: o.kind !== 'Job' }));
const containersOf = (pod: Pod): any[] => [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];

/** Kubernetes label selector semantics (matchLabels and matchExpressions; empty selects everything). */
function selects(selector: any, labels: Labels | undefined): boolean {
  if (!labels) return false;
  for (const [k, v] of Object.entries<string>(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In' ? has && e.values.includes(labels[e.key]) :
      e.operator === 'NotIn' ? !has || !e.values.includes(labels[e.key]) :
      e.operator === 'Exists' ? has :
      e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}
const emptySelector = (s: any) => Object.keys(s?.matchLabels ?? {}).length === 0 && (s?.matchExpressions ?? []).length === 0;

/** CPU and memory quantities (`500m`, `2`, `768Mi`, `4Gi`) as numbers. */
function quantity(q: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const unit: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

// ---------------------------------------------------------------------------------------------
// What the manifests are checked against: the README's Secret table, each process's variables,
// the Prometheus Adapter rules and the metrics the code exports.

/** The README's "## Kubernetes deployment" section. */
function readmeSection(): string {
  const text = read('infra/README.md');
  const start = text.indexOf('\n## Kubernetes deployment\n');
  if (start < 0) return '';
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}
/** Rows `| \`secret\` | \`KEY\`, \`KEY\` | …` of the section: Secret name → documented keys. */
function documentedSecrets(section: string): Map<string, Set<string>> {
  const docs = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([a-z0-9.-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    const keys = [...(cells[2] ?? '').matchAll(/`([A-Za-z0-9_.-]+)`/g)].map((m) => m[1]!);
    docs.set(name, new Set([...(docs.get(name) ?? []), ...keys]));
  }
  return docs;
}
/** The variables a process reads: the keys of the zod object in its src/env.ts. */
const envKeys = (path: string) => new Set([...read(path).matchAll(/^\s+([A-Z][A-Z0-9_]+):\s/gm)].map((m) => m[1]!));

interface AdapterRule {
  seriesQuery: string;
  resources?: { overrides?: Record<string, { resource: string }> };
  name?: { matches?: string; as?: string };
  metricsQuery: string;
}

interface Context {
  overlay: string;
  secretDocs: Map<string, Set<string>>;
  /** Variables each container may be given, by container name. */
  env: Record<string, Set<string>>;
  /** Custom metrics the Prometheus Adapter serves (custom.metrics.k8s.io: Pods and Object metrics). */
  adapterMetrics: Set<string>;
  /** External metrics it serves (external.metrics.k8s.io). */
  adapterExternalMetrics: Set<string>;
  shutdownGraceDefaultMs: number;
}

const adapterValues = parse(readFileSync(`${K8S}prometheus-adapter/values.yaml`, 'utf8')) as { rules: { default: boolean; custom: AdapterRule[]; external?: AdapterRule[] } };
const adapterMetricName = (r: AdapterRule) => r.name?.as ?? /^\^?([a-zA-Z_:][a-zA-Z0-9_:]*)\$?$/.exec(r.name?.matches ?? '')?.[1] ?? /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(r.seriesQuery)?.[1];

/** Set by the platform around the processes (Node, the image, Next.js), not by their env.ts. */
const RUNTIME_ENV = ['HOME', 'NODE_OPTIONS'];
function context(overlay: string): Context {
  const apiEnv = read('api/src/env.ts');
  return {
    overlay,
    secretDocs: documentedSecrets(readmeSection()),
    env: {
      api: new Set([...envKeys('api/src/env.ts'), ...RUNTIME_ENV]),
      inference: new Set([...envKeys('inference/src/env.ts'), ...RUNTIME_ENV]),
      // CONSOLE_PORT and CONSOLE_HOST are read by scripts/serve.mjs, which starts `next start`.
      console: new Set([...envKeys('console/src/env.ts'), 'CONSOLE_PORT', 'CONSOLE_HOST', 'NEXT_TELEMETRY_DISABLED', ...RUNTIME_ENV]),
    },
    adapterMetrics: new Set(adapterValues.rules.custom.map(adapterMetricName).filter((n): n is string => !!n)),
    adapterExternalMetrics: new Set((adapterValues.rules.external ?? []).map(adapterMetricName).filter((n): n is string => !!n)),
    shutdownGraceDefaultMs: Number(/SHUTDOWN_GRACE_MS:[^\n]*\.default\(([\d_]+)\)/.exec(apiEnv)?.[1]?.replaceAll('_', '')),
  };
}

// ---------------------------------------------------------------------------------------------
// Checkers: each returns the problems it finds (an empty list when all is well).

type Checker = (objs: K8sObject[], ctx: Context) => string[];

/** Schema validation: kubernetes-models for the built-in kinds, required fields for ServiceMonitor. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};
function serviceMonitorProblems(o: K8sObject): string[] {
  const p: string[] = [];
  const spec = o.spec;
  if (!o.metadata?.name) p.push('metadata.name is required');
  if (!spec || typeof spec !== 'object') return [...p, 'spec is required'];
  if (!spec.selector || typeof spec.selector !== 'object') p.push('spec.selector is required');
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) p.push('spec.endpoints needs at least one endpoint');
  for (const [i, e] of (Array.isArray(spec.endpoints) ? spec.endpoints : []).entries()) {
    if (e.port === undefined && e.targetPort === undefined) p.push(`spec.endpoints[${i}] needs port or targetPort`);
    if (e.port !== undefined && typeof e.port !== 'string') p.push(`spec.endpoints[${i}].port must be a port name`);
    if (e.path !== undefined && !String(e.path).startsWith('/')) p.push(`spec.endpoints[${i}].path must start with /`);
    if (e.interval !== undefined && !/^(\d+(ms|s|m|h))+$/.test(String(e.interval))) p.push(`spec.endpoints[${i}].interval is not a duration`);
  }
  return p;
}
const checkSchemas: Checker = (objs) =>
  objs.flatMap((o) => {
    const key = `${o.apiVersion}/${o.kind}`;
    if (key === 'monitoring.coreos.com/v1/ServiceMonitor') return serviceMonitorProblems(o).map((m) => `${id(o)}: ${m}`);
    const Model = MODELS[key];
    if (!Model) return [`${id(o)}: no schema for ${key} (add it to MODELS)`];
    // kustomize folds long base64 values over several lines, which the API server's decoder skips
    // and the schema's "byte" format does not.
    const obj = o.kind === 'Secret' && o.data ? { ...o, data: Object.fromEntries(Object.entries<string>(o.data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) } : o;
    try {
      new Model(obj).validate();
      return [];
    } catch (err) {
      return [`${id(o)}: ${(err as Error).message}`];
    }
  });

// Unknown fields. kubernetes-models validates types and required fields but accepts any extra key,
// so a misspelt `readinesProbe` or `limit` would pass. The key lists are typed `Record<keyof T, true>`
// from kubernetes-models' own interfaces: tsc fails if one lacks a field or names one that is not there.
type DeploymentSpec = NonNullable<IDeployment['spec']>;
type PodTemplate = DeploymentSpec['template'];
type PodSpec = NonNullable<PodTemplate['spec']>;
type Container = PodSpec['containers'][number];
type Probe = NonNullable<Container['livenessProbe']>;
type HandlerT = NonNullable<NonNullable<Container['lifecycle']>['preStop']>;
type HPASpec = NonNullable<IHorizontalPodAutoscaler['spec']>;
type MetricSpec = NonNullable<HPASpec['metrics']>[number];
type ScalingRules = NonNullable<NonNullable<HPASpec['behavior']>['scaleDown']>;
type NPSpec = NonNullable<INetworkPolicy['spec']>;
type NPIngressRule = NonNullable<NPSpec['ingress']>[number];
type NPEgressRule = NonNullable<NPSpec['egress']>[number];
type NPPeer = NonNullable<NPIngressRule['from']>[number];
type IngressSpec = NonNullable<IIngress['spec']>;
type IngressRule = NonNullable<IngressSpec['rules']>[number];
type IngressPath = NonNullable<IngressRule['http']>['paths'][number];
type ServiceSpec = NonNullable<IService['spec']>;
type StatefulSetSpec = NonNullable<IStatefulSet['spec']>;
type PVCSpec = NonNullable<IPersistentVolumeClaim['spec']>;

interface Shape {
  keys: readonly string[];
  fields: Record<string, Shape>;
}
const shape = <T>(keys: Record<keyof T, true>, fields: Partial<Record<keyof T & string, Shape>> = {}): Shape => ({
  keys: Object.keys(keys),
  fields: fields as Record<string, Shape>,
});
const metaShape = shape<NonNullable<IDeployment['metadata']>>({
  annotations: true, creationTimestamp: true, deletionGracePeriodSeconds: true, deletionTimestamp: true, finalizers: true, generateName: true,
  generation: true, labels: true, managedFields: true, name: true, namespace: true, ownerReferences: true, resourceVersion: true, selfLink: true, uid: true,
});
const handlerShape = shape<HandlerT>({ exec: true, httpGet: true, sleep: true, tcpSocket: true });
const probeShape = shape<Probe>({
  exec: true, failureThreshold: true, grpc: true, httpGet: true, initialDelaySeconds: true, periodSeconds: true, successThreshold: true,
  tcpSocket: true, terminationGracePeriodSeconds: true, timeoutSeconds: true,
}, { httpGet: shape<NonNullable<Probe['httpGet']>>({ host: true, httpHeaders: true, path: true, port: true, scheme: true }) });
const containerShape = shape<Container>({
  args: true, command: true, env: true, envFrom: true, image: true, imagePullPolicy: true, lifecycle: true, livenessProbe: true, name: true, ports: true,
  readinessProbe: true, resizePolicy: true, resources: true, restartPolicy: true, securityContext: true, startupProbe: true, stdin: true, stdinOnce: true,
  terminationMessagePath: true, terminationMessagePolicy: true, tty: true, volumeDevices: true, volumeMounts: true, workingDir: true,
}, {
  env: shape<NonNullable<Container['env']>[number]>({ name: true, value: true, valueFrom: true }),
  envFrom: shape<NonNullable<Container['envFrom']>[number]>({ configMapRef: true, prefix: true, secretRef: true }),
  ports: shape<NonNullable<Container['ports']>[number]>({ containerPort: true, hostIP: true, hostPort: true, name: true, protocol: true }),
  resources: shape<NonNullable<Container['resources']>>({ claims: true, limits: true, requests: true }),
  lifecycle: shape<NonNullable<Container['lifecycle']>>({ postStart: true, preStop: true, stopSignal: true }, { preStop: handlerShape, postStart: handlerShape }),
  livenessProbe: probeShape,
  readinessProbe: probeShape,
  startupProbe: probeShape,
  securityContext: shape<NonNullable<Container['securityContext']>>({
    allowPrivilegeEscalation: true, appArmorProfile: true, capabilities: true, privileged: true, procMount: true, readOnlyRootFilesystem: true,
    runAsGroup: true, runAsNonRoot: true, runAsUser: true, seLinuxOptions: true, seccompProfile: true, windowsOptions: true,
  }),
  volumeMounts: shape<NonNullable<Container['volumeMounts']>[number]>({
    mountPath: true, mountPropagation: true, name: true, readOnly: true, recursiveReadOnly: true, subPath: true, subPathExpr: true,
  }),
});
const podSpecShape = shape<PodSpec>({
  activeDeadlineSeconds: true, affinity: true, automountServiceAccountToken: true, containers: true, dnsConfig: true, dnsPolicy: true,
  enableServiceLinks: true, ephemeralContainers: true, hostAliases: true, hostIPC: true, hostNetwork: true, hostPID: true, hostUsers: true,
  hostname: true, imagePullSecrets: true, initContainers: true, nodeName: true, nodeSelector: true, os: true, overhead: true, preemptionPolicy: true,
  priority: true, priorityClassName: true, readinessGates: true, resourceClaims: true, resources: true, restartPolicy: true, runtimeClassName: true,
  schedulerName: true, schedulingGates: true, securityContext: true, serviceAccount: true, serviceAccountName: true, setHostnameAsFQDN: true,
  shareProcessNamespace: true, subdomain: true, terminationGracePeriodSeconds: true, tolerations: true, topologySpreadConstraints: true, volumes: true,
}, {
  containers: containerShape,
  initContainers: containerShape,
  securityContext: shape<NonNullable<PodSpec['securityContext']>>({
    appArmorProfile: true, fsGroup: true, fsGroupChangePolicy: true, runAsGroup: true, runAsNonRoot: true, runAsUser: true, seLinuxChangePolicy: true,
    seLinuxOptions: true, seccompProfile: true, supplementalGroups: true, supplementalGroupsPolicy: true, sysctls: true, windowsOptions: true,
  }),
  volumes: shape<NonNullable<PodSpec['volumes']>[number]>({
    awsElasticBlockStore: true, azureDisk: true, azureFile: true, cephfs: true, cinder: true, configMap: true, csi: true, downwardAPI: true,
    emptyDir: true, ephemeral: true, fc: true, flexVolume: true, flocker: true, gcePersistentDisk: true, gitRepo: true, glusterfs: true, hostPath: true,
    image: true, iscsi: true, name: true, nfs: true, persistentVolumeClaim: true, photonPersistentDisk: true, portworxVolume: true, projected: true,
    quobyte: true, rbd: true, scaleIO: true, secret: true, storageos: true, vsphereVolume: true,
  }),
});
const templateShape = shape<PodTemplate>({ metadata: true, spec: true }, { metadata: metaShape, spec: podSpecShape });
const pvcSpecShape = shape<PVCSpec>({
  accessModes: true, dataSource: true, dataSourceRef: true, resources: true, selector: true, storageClassName: true,
  volumeAttributesClassName: true, volumeMode: true, volumeName: true,
});
const scalingRulesShape = shape<ScalingRules>({ policies: true, selectPolicy: true, stabilizationWindowSeconds: true, tolerance: true }, {
  policies: shape<NonNullable<ScalingRules['policies']>[number]>({ periodSeconds: true, type: true, value: true }),
});
const npPeerShape = shape<NPPeer>({ ipBlock: true, namespaceSelector: true, podSelector: true });
const npPortShape = shape<NonNullable<NPIngressRule['ports']>[number]>({ endPort: true, port: true, protocol: true });
const SERVICE_MONITOR_SPEC = [
  'attachMetadata', 'bodySizeLimit', 'convertClassicHistogramsToNHCB', 'endpoints', 'fallbackScrapeProtocol', 'jobLabel', 'keepDroppedTargets', 'labelLimit',
  'labelNameLengthLimit', 'labelValueLengthLimit', 'namespaceSelector', 'nativeHistogramBucketLimit', 'nativeHistogramMinBucketFactor', 'podTargetLabels',
  'sampleLimit', 'scrapeClass', 'scrapeClassicHistograms', 'scrapeProtocols', 'selector', 'selectorMechanism', 'targetLabels', 'targetLimit',
];
const SERVICE_MONITOR_ENDPOINT = [
  'authorization', 'basicAuth', 'bearerTokenFile', 'bearerTokenSecret', 'enableHttp2', 'filterRunning', 'followRedirects', 'honorLabels',
  'honorTimestamps', 'interval', 'metricRelabelings', 'noProxy', 'oauth2', 'params', 'path', 'port', 'proxyConnectHeader', 'proxyFromEnvironment',
  'proxyUrl', 'relabelings', 'scheme', 'scrapeTimeout', 'targetPort', 'tlsConfig', 'trackTimestampsStaleness',
];
const top = (spec?: Shape, extra: string[] = []): Shape => ({
  keys: ['apiVersion', 'kind', 'metadata', 'spec', 'status', ...extra],
  fields: { metadata: metaShape, ...(spec ? { spec } : {}) },
});
const SHAPES: Record<string, Shape> = {
  Deployment: top(shape<DeploymentSpec>({
    minReadySeconds: true, paused: true, progressDeadlineSeconds: true, replicas: true, revisionHistoryLimit: true, selector: true, strategy: true, template: true,
  }, { template: templateShape })),
  StatefulSet: top(shape<StatefulSetSpec>({
    minReadySeconds: true, ordinals: true, persistentVolumeClaimRetentionPolicy: true, podManagementPolicy: true, replicas: true, revisionHistoryLimit: true,
    selector: true, serviceName: true, template: true, updateStrategy: true, volumeClaimTemplates: true,
  }, { template: templateShape, volumeClaimTemplates: { keys: ['apiVersion', 'kind', 'metadata', 'spec', 'status'], fields: { metadata: metaShape, spec: pvcSpecShape } } })),
  Service: top(shape<ServiceSpec>({
    allocateLoadBalancerNodePorts: true, clusterIP: true, clusterIPs: true, externalIPs: true, externalName: true, externalTrafficPolicy: true,
    healthCheckNodePort: true, internalTrafficPolicy: true, ipFamilies: true, ipFamilyPolicy: true, loadBalancerClass: true, loadBalancerIP: true,
    loadBalancerSourceRanges: true, ports: true, publishNotReadyAddresses: true, selector: true, sessionAffinity: true, sessionAffinityConfig: true,
    trafficDistribution: true, type: true,
  }, { ports: shape<NonNullable<ServiceSpec['ports']>[number]>({ appProtocol: true, name: true, nodePort: true, port: true, protocol: true, targetPort: true }) })),
  HorizontalPodAutoscaler: top(shape<HPASpec>({ behavior: true, maxReplicas: true, metrics: true, minReplicas: true, scaleTargetRef: true }, {
    metrics: shape<MetricSpec>({ containerResource: true, external: true, object: true, pods: true, resource: true, type: true }, {
      pods: shape<NonNullable<MetricSpec['pods']>>({ metric: true, target: true }, {
        target: shape<NonNullable<MetricSpec['pods']>['target']>({ averageUtilization: true, averageValue: true, type: true, value: true }),
      }),
      resource: shape<NonNullable<MetricSpec['resource']>>({ name: true, target: true }, {
        target: shape<NonNullable<MetricSpec['resource']>['target']>({ averageUtilization: true, averageValue: true, type: true, value: true }),
      }),
    }),
    behavior: shape<NonNullable<HPASpec['behavior']>>({ scaleDown: true, scaleUp: true }, { scaleDown: scalingRulesShape, scaleUp: scalingRulesShape }),
  })),
  PodDisruptionBudget: top(shape<NonNullable<IPodDisruptionBudget['spec']>>({ maxUnavailable: true, minAvailable: true, selector: true, unhealthyPodEvictionPolicy: true })),
  NetworkPolicy: top(shape<NPSpec>({ egress: true, ingress: true, podSelector: true, policyTypes: true }, {
    ingress: shape<NPIngressRule>({ from: true, ports: true }, { from: npPeerShape, ports: npPortShape }),
    egress: shape<NPEgressRule>({ ports: true, to: true }, { to: npPeerShape, ports: npPortShape }),
  })),
  Ingress: top(shape<IngressSpec>({ defaultBackend: true, ingressClassName: true, rules: true, tls: true }, {
    rules: shape<IngressRule>({ host: true, http: true }, {
      http: { keys: ['paths'], fields: { paths: shape<IngressPath>({ backend: true, path: true, pathType: true }) } },
    }),
    tls: shape<NonNullable<IngressSpec['tls']>[number]>({ hosts: true, secretName: true }),
  })),
  PersistentVolumeClaim: top(pvcSpecShape),
  ServiceMonitor: top({ keys: SERVICE_MONITOR_SPEC, fields: { endpoints: { keys: SERVICE_MONITOR_ENDPOINT, fields: {} } } }),
  Job: top({ keys: ['activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'completionMode', 'completions', 'managedBy', 'manualSelector',
    'maxFailedIndexes', 'parallelism', 'podFailurePolicy', 'podReplacementPolicy', 'selector', 'successPolicy', 'suspend', 'template', 'ttlSecondsAfterFinished'],
  fields: { template: templateShape } }),
  ConfigMap: top(undefined, ['data', 'binaryData', 'immutable']),
  Secret: top(undefined, ['data', 'stringData', 'type', 'immutable']),
  ServiceAccount: top(undefined, ['automountServiceAccountToken', 'imagePullSecrets', 'secrets']),
  Role: top(undefined, ['rules']),
  RoleBinding: top(undefined, ['subjects', 'roleRef']),
  Namespace: top(),
};
function unknownFields(value: unknown, s: Shape, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, s, `${path}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (!s.keys.includes(k)) out.push(`${path}.${k}: unknown field`);
    else if (s.fields[k]) unknownFields(v, s.fields[k], `${path}.${k}`, out);
  }
}
const checkUnknownFields: Checker = (objs) =>
  objs.flatMap((o) => {
    const s = SHAPES[o.kind];
    if (!s) return [`${id(o)}: no field list for ${o.kind} (add it to SHAPES)`];
    const out: string[] = [];
    unknownFields(o, s, id(o), out);
    return out;
  });

/** Selectors against pod labels; what Services, PDBs, StatefulSets, Ingresses and ServiceMonitors point at. */
const checkSelectors: Checker = (objs) => {
  const p: string[] = [];
  const pods = podsOf(objs);
  const workloads = objs.filter((o) => WORKLOADS.includes(o.kind));
  for (const w of workloads) {
    const labels = w.spec?.template?.metadata?.labels;
    if (emptySelector(w.spec?.selector)) p.push(`${id(w)}: empty selector`);
    else if (!selects(w.spec.selector, labels)) p.push(`${id(w)}: selector ${JSON.stringify(w.spec.selector)} does not match its pod labels ${JSON.stringify(labels)}`);
  }
  const services = ofKind(objs, 'Service');
  for (const s of services) {
    const sel = s.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) {
      p.push(`${id(s)}: no selector`);
      continue;
    }
    const matched = pods.filter((pod) => selects({ matchLabels: sel }, pod.labels));
    if (matched.length === 0) p.push(`${id(s)}: selector ${JSON.stringify(sel)} matches no pod`);
    for (const port of s.spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const pod of matched) {
        const ports = (pod.spec.containers ?? []).flatMap((c: any) => c.ports ?? []);
        if (!ports.some((cp: any) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target))) {
          p.push(`${id(s)}: port ${port.name ?? port.port} targets ${target}, which ${pod.owner} does not expose`);
        }
      }
    }
  }
  for (const ss of ofKind(objs, 'StatefulSet')) {
    const svc = find(objs, 'Service', ss.spec?.serviceName);
    if (!svc) p.push(`${id(ss)}: serviceName ${ss.spec?.serviceName} is not a rendered Service`);
    else if (svc.spec?.clusterIP !== 'None') p.push(`${id(ss)}: its Service ${svc.metadata.name} is not headless`);
  }
  for (const pdb of ofKind(objs, 'PodDisruptionBudget')) {
    const n = pods.filter((pod) => selects(pdb.spec?.selector, pod.labels)).length;
    if (emptySelector(pdb.spec?.selector) || n !== 1) p.push(`${id(pdb)}: selector matches ${emptySelector(pdb.spec?.selector) ? 'everything' : n} workloads, not one`);
  }
  for (const np of ofKind(objs, 'NetworkPolicy')) {
    const sel = np.spec?.podSelector;
    // A policy naming pods that do not exist protects nothing (the training Jobs' pods count).
    if (!emptySelector(sel) && !pods.some((pod) => selects(sel, pod.labels)) && !selects(sel, TRAINING_POD_LABELS)) p.push(`${id(np)}: podSelector matches no pod`);
  }
  for (const sm of ofKind(objs, 'ServiceMonitor')) {
    const matched = services.filter((s) => selects(sm.spec?.selector, s.metadata.labels));
    if (matched.length === 0) p.push(`${id(sm)}: selector matches no Service`);
    for (const e of sm.spec?.endpoints ?? []) {
      for (const s of matched) if (!(s.spec?.ports ?? []).some((sp: any) => sp.name === e.port)) p.push(`${id(sm)}: ${id(s)} has no port named ${e.port}`);
    }
  }
  for (const ing of ofKind(objs, 'Ingress')) {
    const backends = [ing.spec?.defaultBackend, ...(ing.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((x: any) => x.backend))].filter(Boolean);
    for (const b of backends) {
      const svc = find(objs, 'Service', b.service?.name);
      if (!svc) {
        p.push(`${id(ing)}: backend Service ${b.service?.name} is not rendered`);
        continue;
      }
      const port = b.service.port ?? {};
      if (!(svc.spec?.ports ?? []).some((sp: any) => (port.name !== undefined ? sp.name === port.name : sp.port === port.number))) {
        p.push(`${id(ing)}: ${id(svc)} has no port ${port.name ?? port.number}`);
      }
    }
  }
  return p;
};

/** An HPA metric the Prometheus Adapter serves (Pods, Object, External), with its name; undefined for Resource metrics. */
function hpaCustomMetric(m: any): { name: string | undefined; external: boolean } | undefined {
  if (m.type === 'Pods') return { name: m.pods?.metric?.name, external: false };
  if (m.type === 'Object') return { name: m.object?.metric?.name, external: false };
  if (m.type === 'External') return { name: m.external?.metric?.name, external: true };
  return undefined;
}

/** HPAs and PDBs against their workloads, and scale-down against the drain. */
const checkScaling: Checker = (objs, ctx) => {
  const p: string[] = [];
  for (const h of ofKind(objs, 'HorizontalPodAutoscaler')) {
    const ref = h.spec?.scaleTargetRef ?? {};
    const target = find(objs, ref.kind, ref.name);
    if (!target || !WORKLOADS.includes(target.kind) || target.apiVersion !== ref.apiVersion) {
      p.push(`${id(h)}: scaleTargetRef ${ref.apiVersion}/${ref.kind}/${ref.name} is not a rendered workload`);
      continue;
    }
    // `kubectl apply` would reset the replica count the HPA chose on every deploy.
    if (target.spec?.replicas !== undefined) p.push(`${id(h)}: ${id(target)} sets spec.replicas, which the HPA owns`);
    if ((h.spec.minReplicas ?? 1) < 2) p.push(`${id(h)}: minReplicas below 2 leaves nothing serving while one pod drains`);
    const containers = target.spec.template.spec.containers ?? [];
    for (const m of h.spec.metrics ?? []) {
      // Every metric but CPU and memory (metrics-server) comes from the Prometheus Adapter, by its rules.
      const custom = hpaCustomMetric(m);
      if (custom && (custom.name === undefined || !(custom.external ? ctx.adapterExternalMetrics : ctx.adapterMetrics).has(custom.name))) p.push(`${id(h)}: ${m.type} metric ${custom.name} has no Prometheus Adapter rule`);
      if (m.type === 'Resource') {
        for (const c of containers) if (c.resources?.requests?.[m.resource?.name] === undefined) p.push(`${id(h)}: scales on ${m.resource?.name} but container ${c.name} requests none`);
      }
    }
    if ((h.spec.metrics ?? []).length === 0) p.push(`${id(h)}: no metrics`);
    const down = h.spec.behavior?.scaleDown;
    const grace = target.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    if (!down || (down.stabilizationWindowSeconds ?? 300) < 300) p.push(`${id(h)}: scale-down needs a stabilization window of at least 300 s`);
    for (const pol of down?.policies ?? []) {
      if (pol.type === 'Pods' && pol.periodSeconds < grace * pol.value) p.push(`${id(h)}: removes ${pol.value} pod(s) per ${pol.periodSeconds} s, faster than one drain (${grace} s)`);
      if (pol.type === 'Percent') p.push(`${id(h)}: a Percent scale-down policy removes several draining pods at once`);
    }
    const pdb = ofKind(objs, 'PodDisruptionBudget').find((b) => selects(b.spec?.selector, target.spec.template.metadata?.labels));
    if (!pdb) p.push(`${id(h)}: ${id(target)} has no PodDisruptionBudget`);
    else if (pdb.spec.minAvailable !== undefined && quantity(pdb.spec.minAvailable) >= (h.spec.minReplicas ?? 1)) p.push(`${id(pdb)}: minAvailable blocks every drain at minReplicas`);
  }
  return p;
};

const TMP = '/tmp';
const KNOWN_IMAGES = ['dialoop/api', 'dialoop/console', 'dialoop/inference', 'dialoop/inference-cuda', 'dialoop/training', 'postgres', 'redis'];
/** Requests, limits, probes, security context and images of every container. */
function containerProblems(pod: Pod, opts: { resources: boolean; readOnlyRoot: boolean }): string[] {
  const p: string[] = [];
  const podSc = pod.spec.securityContext ?? {};
  if (pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) p.push(`${pod.owner}: shares a host namespace`);
  const volumes: any[] = pod.spec.volumes ?? [];
  if (volumes.some((v) => v.hostPath)) p.push(`${pod.owner}: mounts a hostPath`);
  for (const c of containersOf(pod)) {
    const at = `${pod.owner} container ${c.name}`;
    const init = (pod.spec.initContainers ?? []).includes(c);
    if (opts.resources) {
      const req = c.resources?.requests ?? {};
      const lim = c.resources?.limits ?? {};
      for (const r of ['cpu', 'memory']) {
        if (req[r] === undefined) p.push(`${at}: no ${r} request`);
        if (lim[r] === undefined) p.push(`${at}: no ${r} limit`);
        if (req[r] !== undefined && lim[r] !== undefined && !(quantity(req[r]) <= quantity(lim[r]))) p.push(`${at}: ${r} request ${req[r]} above its limit ${lim[r]}`);
      }
      for (const r of Object.keys({ ...req, ...lim }).filter((k) => k.includes('/'))) {
        if (String(req[r]) !== String(lim[r])) p.push(`${at}: extended resource ${r} must request what it limits`);
      }
    }
    if (pod.serving && !init) {
      const ports: any[] = c.ports ?? [];
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) if (!c[probe]) p.push(`${at}: no ${probe}`);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const pr = c[probe];
        if (!pr) continue;
        const handlers = ['httpGet', 'tcpSocket', 'exec', 'grpc'].filter((h) => pr[h]);
        if (handlers.length !== 1) p.push(`${at}: ${probe} needs exactly one handler`);
        const port = pr.httpGet?.port ?? pr.tcpSocket?.port;
        if (port !== undefined && !ports.some((cp) => (typeof port === 'string' ? cp.name === port : cp.containerPort === port))) p.push(`${at}: ${probe} port ${port} is not a container port`);
      }
    }
    const sc = c.securityContext ?? {};
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) p.push(`${at}: runAsNonRoot is not true`);
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (!(typeof uid === 'number' && uid > 0)) p.push(`${at}: runAsUser is not a non-zero UID`);
    if (sc.allowPrivilegeEscalation !== false) p.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged) p.push(`${at}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${at}: capabilities do not drop ALL`);
    if (sc.capabilities?.add?.length) p.push(`${at}: adds capabilities`);
    if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') p.push(`${at}: seccompProfile is not RuntimeDefault`);
    if (opts.readOnlyRoot) {
      if (sc.readOnlyRootFilesystem !== true) p.push(`${at}: readOnlyRootFilesystem is not true`);
      const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === TMP);
      if (!tmp || !volumes.find((v) => v.name === tmp.name)?.emptyDir) p.push(`${at}: no emptyDir at ${TMP} under its read-only root`);
    }
    const image = String(c.image ?? '');
    const [name, tag] = [image.replace(/:[^:/]+$/, ''), /:([^:/]+)$/.exec(image)?.[1]];
    if (!tag) p.push(`${at}: image ${image} has no tag`);
    if (!KNOWN_IMAGES.some((k) => name === k || name.endsWith(`/${k}`))) p.push(`${at}: image ${image} is none of ${KNOWN_IMAGES.join(', ')}`);
  }
  return p;
}
/** The api, console and inference pods pause in preStop so endpoints drop them before SIGTERM. */
const APPS = ['dialoop-api', 'dialoop-console', 'dialoop-inference'];
const checkContainers: Checker = (objs) =>
  podsOf(objs).flatMap((pod) => {
    const p = containerProblems(pod, { resources: true, readOnlyRoot: true });
    if (APPS.includes(pod.labels['app.kubernetes.io/name'] ?? '')) {
      for (const c of pod.spec.containers ?? []) if (!c.lifecycle?.preStop) p.push(`${pod.owner} container ${c.name}: no preStop`);
    }
    return p;
  });

/** Every Secret and ConfigMap (and claim, service account) a pod or Ingress uses is rendered, or documented in the README. */
interface Ref {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  key?: string;
  optional: boolean;
  from: string;
}
function refsOf(objs: K8sObject[]): Ref[] {
  const refs: Ref[] = [];
  for (const pod of podsOf(objs)) {
    for (const c of containersOf(pod)) {
      const from = `${pod.owner} container ${c.name}`;
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        const m = e.valueFrom?.configMapKeyRef;
        if (s) refs.push({ kind: 'Secret', name: s.name, key: s.key, optional: !!s.optional, from });
        if (m) refs.push({ kind: 'ConfigMap', name: m.name, key: m.key, optional: !!m.optional, from });
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) refs.push({ kind: 'Secret', name: e.secretRef.name, optional: !!e.secretRef.optional, from });
        if (e.configMapRef) refs.push({ kind: 'ConfigMap', name: e.configMapRef.name, optional: !!e.configMapRef.optional, from });
      }
    }
    for (const v of pod.spec.volumes ?? []) {
      const from = `${pod.owner} volume ${v.name}`;
      if (v.secret) refs.push({ kind: 'Secret', name: v.secret.secretName, optional: !!v.secret.optional, from });
      if (v.configMap) refs.push({ kind: 'ConfigMap', name: v.configMap.name, optional: !!v.configMap.optional, from });
      for (const s of v.projected?.sources ?? []) {
        if (s.secret) refs.push({ kind: 'Secret', name: s.secret.name, optional: !!s.secret.optional, from });
        if (s.configMap) refs.push({ kind: 'ConfigMap', name: s.configMap.name, optional: !!s.configMap.optional, from });
      }
    }
  }
  for (const ing of ofKind(objs, 'Ingress')) {
    for (const t of ing.spec?.tls ?? []) if (t.secretName) refs.push({ kind: 'Secret', name: t.secretName, key: 'tls.crt', optional: false, from: id(ing) });
  }
  return refs;
}
const dataKeys = (o: K8sObject) => new Set(Object.keys({ ...o.data, ...o.stringData, ...o.binaryData }));
const checkReferences: Checker = (objs, ctx) => {
  const p: string[] = [];
  for (const r of refsOf(objs)) {
    const obj = find(objs, r.kind, r.name);
    if (obj) {
      if (r.key && !dataKeys(obj).has(r.key)) p.push(`${r.from}: ${r.kind} ${r.name} has no key ${r.key}`);
      continue;
    }
    const documented = ctx.secretDocs.get(r.name);
    if (!documented) p.push(`${r.from}: ${r.kind} ${r.name} is neither rendered nor documented in infra/README.md's "Kubernetes deployment"`);
    else if (r.key && !documented.has(r.key)) p.push(`${r.from}: key ${r.key} of ${r.kind} ${r.name} is not documented in infra/README.md`);
  }
  for (const pod of podsOf(objs)) {
    const claims = new Set([...ofKind(objs, 'PersistentVolumeClaim').map((c) => c.metadata.name)]);
    const templates = new Set<string>((objs.find((o) => id(o) === pod.owner)?.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
    for (const v of pod.spec.volumes ?? []) if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName)) p.push(`${pod.owner}: claim ${v.persistentVolumeClaim.claimName} is not rendered`);
    const volumes = new Set([...(pod.spec.volumes ?? []).map((v: any) => v.name), ...templates]);
    for (const c of containersOf(pod)) for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) p.push(`${pod.owner} container ${c.name}: mounts unknown volume ${m.name}`);
    const sa = pod.spec.serviceAccountName;
    if (sa && !find(objs, 'ServiceAccount', sa)) p.push(`${pod.owner}: service account ${sa} is not rendered`);
  }
  for (const rb of ofKind(objs, 'RoleBinding')) {
    if (!find(objs, rb.roleRef?.kind, rb.roleRef?.name)) p.push(`${id(rb)}: role ${rb.roleRef?.name} is not rendered`);
    for (const s of rb.subjects ?? []) {
      if (s.kind === 'ServiceAccount' && (!find(objs, 'ServiceAccount', s.name) || s.namespace !== rb.metadata.namespace)) p.push(`${id(rb)}: subject ${s.namespace}/${s.name} is not this namespace's ServiceAccount`);
    }
  }
  return p;
};

/** The variables each container is given: literal env, and the keys of the ConfigMaps and Secrets it imports. */
function envOf(objs: K8sObject[], ctx: Context, c: any): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const e of c.envFrom ?? []) {
    const ref = e.configMapRef ?? e.secretRef;
    const kind = e.configMapRef ? 'ConfigMap' : 'Secret';
    const obj = find(objs, kind, ref?.name);
    if (obj) {
      for (const [k, v] of Object.entries<string>(obj.data ?? {})) env.set(`${e.prefix ?? ''}${k}`, kind === 'Secret' ? Buffer.from(v, 'base64').toString() : v);
    } else {
      for (const k of ctx.secretDocs.get(ref?.name) ?? []) env.set(`${e.prefix ?? ''}${k}`, undefined);
    }
  }
  for (const e of c.env ?? []) env.set(e.name, e.value);
  return env;
}
/** What the api treats as secret (api/src/env.ts marks them "Secret."): never in a ConfigMap or a literal. */
const SECRET_VARS = ['JWT_SECRET', 'PSEUDONYM_KEY', 'AUDIT_SIGNING_KEY', 'DEMO_PASSWORD', 'INFERENCE_API_KEY', 'INFERENCE_ADMIN_KEY', 'METRICS_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'POSTGRES_PASSWORD'];
const DEV_PLACEHOLDER = 'dev-only-placeholder';
const urlOf = (s: string | undefined) => {
  try {
    return s ? new URL(s) : undefined;
  } catch {
    return undefined;
  }
};
/** Variables against env.ts, ports and hosts against the Services, secrets kept out of plain sight, the drain arithmetic. */
const checkConfiguration: Checker = (objs, ctx) => {
  const p: string[] = [];
  const serviceNames = (name: string, ns?: string) => [name, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
  const serviceHas = (host: string, port: number) =>
    ofKind(objs, 'Service').some((s) => serviceNames(s.metadata.name, s.metadata.namespace).includes(host) && (s.spec?.ports ?? []).some((sp: any) => sp.port === port));
  /** `sts-N.svc`: replica N of a StatefulSet by its headless Service's name, and that StatefulSet. */
  const replicaHost = (host: string, port: number) => {
    for (const ss of ofKind(objs, 'StatefulSet')) {
      const m = new RegExp(`^${ss.metadata.name}-(\\d+)\\.(.+)$`).exec(host);
      if (m && serviceNames(ss.spec.serviceName, ss.metadata.namespace).includes(m[2]!) && serviceHas(m[2]!, port)) return { ss, ordinal: Number(m[1]) };
    }
    return undefined;
  };
  /** The most replicas a workload runs: its HPA's maxReplicas, else spec.replicas. */
  const maxReplicas = (w: K8sObject) =>
    ofKind(objs, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.kind === w.kind && h.spec?.scaleTargetRef?.name === w.metadata.name)?.spec.maxReplicas ?? w.spec?.replicas ?? 1;
  const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const containerNamed = (name: string) => podsOf(objs).flatMap((pod) => (pod.spec.containers ?? []).map((c: any) => ({ pod, c }))).filter((x) => x.c.name === name);
  for (const pod of podsOf(objs)) {
    for (const c of pod.spec.containers ?? []) {
      const known = ctx.env[c.name];
      if (!known) continue;
      const env = envOf(objs, ctx, c);
      for (const k of env.keys()) {
        if (!known.has(k)) p.push(`${pod.owner} container ${c.name}: ${k} is not a variable ${c.name} reads (src/env.ts)`);
      }
      const portVar = { api: 'API_PORT', inference: 'INFERENCE_PORT', console: 'CONSOLE_PORT' }[c.name as 'api'];
      const hostVar = { api: 'API_HOST', inference: 'INFERENCE_HOST', console: 'CONSOLE_HOST' }[c.name as 'api'];
      const http = (c.ports ?? []).find((cp: any) => cp.name === 'http');
      if (portVar && Number(env.get(portVar)) !== http?.containerPort) p.push(`${pod.owner} container ${c.name}: ${portVar}=${env.get(portVar)} but its http port is ${http?.containerPort}`);
      // The processes listen on 127.0.0.1 unless told otherwise: unreachable from the Service.
      if (hostVar && env.get(hostVar) !== '0.0.0.0') p.push(`${pod.owner} container ${c.name}: ${hostVar} is ${env.get(hostVar) ?? 'unset (127.0.0.1)'}, not 0.0.0.0`);
      for (const e of c.env ?? []) if (SECRET_VARS.includes(e.name) && e.value !== undefined) p.push(`${pod.owner} container ${c.name}: ${e.name} is written in the manifest`);
      if (c.name === 'api') {
        const metrics = (c.ports ?? []).find((cp: any) => cp.name === 'metrics');
        if (Number(env.get('METRICS_PORT')) !== metrics?.containerPort) p.push(`${pod.owner}: METRICS_PORT=${env.get('METRICS_PORT')} but its metrics port is ${metrics?.containerPort}`);
        // Each upstream is a Service, or one replica of a StatefulSet; every replica the
        // StatefulSet may run is listed (one left out would get neither replies nor model versions).
        const listed = new Map<K8sObject, Set<number>>();
        for (const u of (env.get('INFERENCE_URL') ?? '').split(',').filter(Boolean)) {
          const url = urlOf(u.trim());
          const replica = url && replicaHost(url.hostname, portOf(url));
          if (replica) listed.set(replica.ss, new Set([...(listed.get(replica.ss) ?? []), replica.ordinal]));
          else if (!url || !serviceHas(url.hostname, portOf(url))) p.push(`${pod.owner}: INFERENCE_URL ${u} is not a rendered Service or StatefulSet replica`);
        }
        for (const [ss, ordinals] of listed) {
          const max = maxReplicas(ss);
          const want = Array.from({ length: max }, (_, i) => i);
          if (want.some((i) => !ordinals.has(i)) || [...ordinals].some((i) => i >= max)) p.push(`${pod.owner}: INFERENCE_URL lists replicas ${[...ordinals].sort().join(',')} of ${id(ss)}, which runs up to ${max}`);
        }
        for (const v of ['DATABASE_URL', 'REDIS_URL']) {
          if (!env.has(v)) p.push(`${pod.owner}: ${v} is not set (the api would fall back to in-process state)`);
          const url = urlOf(env.get(v));
          if (url && !url.hostname.includes('.') && !serviceHas(url.hostname, Number(url.port))) p.push(`${pod.owner}: ${v} names ${url.host}, not a rendered Service`);
        }
        const graceMs = Number(env.get('SHUTDOWN_GRACE_MS') ?? ctx.shutdownGraceDefaultMs);
        const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
        const period = pod.spec.terminationGracePeriodSeconds ?? 30;
        if (period < preStop + graceMs / 1000 + 10) p.push(`${pod.owner}: terminationGracePeriodSeconds ${period} < preStop ${preStop} s + SHUTDOWN_GRACE_MS ${graceMs / 1000} s + 10 s to close: replies are cut by SIGKILL`);
        if (ctx.overlay !== 'dev' && (env.get('NODE_ENV') !== 'production' || env.get('DEMO_ACCOUNTS') !== 'false')) p.push(`${pod.owner}: production overlays run NODE_ENV=production with DEMO_ACCOUNTS=false`);
        const pvc = env.get('TRAINING_K8S_PVC');
        if (pvc && !find(objs, 'PersistentVolumeClaim', pvc)) p.push(`${pod.owner}: TRAINING_K8S_PVC ${pvc} is not a rendered claim`);
        const mounted = (c.volumeMounts ?? []).find((m: any) => m.mountPath === env.get('DIALOOP_DATA_DIR'));
        const claim = (pod.spec.volumes ?? []).find((v: any) => v.name === mounted?.name)?.persistentVolumeClaim?.claimName;
        if (env.get('TRAINING_EXECUTOR') === 'kubernetes' && claim !== pvc) p.push(`${pod.owner}: DIALOOP_DATA_DIR is not on the training claim ${pvc} (the Jobs get absolute paths under it)`);
        if (!/(^|\/)dialoop\/training:[^:/]+$/.test(env.get('TRAINING_K8S_IMAGE') ?? '')) p.push(`${pod.owner}: TRAINING_K8S_IMAGE ${env.get('TRAINING_K8S_IMAGE')} is not a tagged dialoop/training`);
      }
      if (c.name === 'console') {
        const api = urlOf(env.get('CONSOLE_API_URL'));
        if (!api || !serviceHas(api.hostname, portOf(api))) p.push(`${pod.owner}: CONSOLE_API_URL ${env.get('CONSOLE_API_URL')} is not a rendered Service and port`);
      }
    }
  }
  // The dev database's password, given twice (the StatefulSet's variable and the api's URL).
  const pg = containerNamed('postgres')[0];
  const apiC = containerNamed('api')[0];
  if (pg && apiC) {
    const pw = envFromRefs(objs, pg.c).get('POSTGRES_PASSWORD');
    const url = urlOf(envOf(objs, ctx, apiC.c).get('DATABASE_URL'));
    if (!url || decodeURIComponent(url.password) !== pw) p.push('DATABASE_URL does not carry the dev PostgreSQL password');
  }
  for (const cm of ofKind(objs, 'ConfigMap')) for (const k of Object.keys(cm.data ?? {})) if (SECRET_VARS.includes(k)) p.push(`${id(cm)}: ${k} is a secret, not configuration`);
  for (const s of ofKind(objs, 'Secret')) {
    // Rendered Secrets are dev placeholders only; real ones are created by the operator.
    if (ctx.overlay !== 'dev') p.push(`${id(s)}: a Secret in the ${ctx.overlay} overlay (create it with kubectl instead, and document it)`);
    for (const [k, v] of Object.entries<string>(s.data ?? {})) {
      const value = Buffer.from(v, 'base64').toString();
      const url = urlOf(value);
      const credential = url ? url.password !== '' : true;
      if (credential && !value.includes(DEV_PLACEHOLDER)) p.push(`${id(s)}: ${k} is not a ${DEV_PLACEHOLDER} value`);
    }
    if (s.stringData) p.push(`${id(s)}: stringData in a manifest`);
  }
  // The public names: the Ingress hosts, the console's origin and the api URL the browser uses.
  const ingresses = ofKind(objs, 'Ingress');
  if (ingresses.length > 0) {
    const apiIngress = ingresses.find((i) => (i.spec?.rules ?? []).some((r: any) => (r.http?.paths ?? []).some((x: any) => x.path === '/graphql' && x.backend?.service?.name === 'dialoop-api')));
    const consoleIngress = ingresses.find((i) => (i.spec?.rules ?? []).some((r: any) => (r.http?.paths ?? []).some((x: any) => x.backend?.service?.name === 'dialoop-console')));
    if (!apiIngress) p.push('no Ingress routes /graphql to dialoop-api');
    else {
      const a = apiIngress.metadata.annotations ?? {};
      for (const t of ['proxy-read-timeout', 'proxy-send-timeout']) {
        if (!(Number(a[`nginx.ingress.kubernetes.io/${t}`]) >= 3600)) p.push(`${id(apiIngress)}: nginx ${t} under an hour cuts WebSockets and streams`);
      }
      const host = apiIngress.spec.rules.find((r: any) => r.host)?.host;
      const cons = containerNamed('console')[0];
      const pub = cons && urlOf(envOf(objs, ctx, cons.c).get('CONSOLE_PUBLIC_API_URL'));
      if (!pub || pub.hostname !== host || pub.protocol !== 'https:') p.push(`CONSOLE_PUBLIC_API_URL is not https://${host}/graphql (the api's Ingress)`);
      if (cons && envOf(objs, ctx, cons.c).get('CONSOLE_SECURE_COOKIES') !== 'true') p.push('the console is served over https: CONSOLE_SECURE_COOKIES=true');
    }
    const consoleHost = consoleIngress?.spec.rules.find((r: any) => r.host)?.host;
    const origins = apiC ? (envOf(objs, ctx, apiC.c).get('CONSOLE_ORIGINS') ?? '').split(',') : [];
    if (!consoleHost || !origins.includes(`https://${consoleHost}`)) p.push(`CONSOLE_ORIGINS ${origins.join(',')} does not admit the console's Ingress host ${consoleHost}`);
    for (const i of ingresses) {
      if (!i.spec?.ingressClassName) p.push(`${id(i)}: no ingressClassName`);
      const hosts = (i.spec?.rules ?? []).map((r: any) => r.host);
      if (!hosts.every((h: string) => (i.spec?.tls ?? []).some((t: any) => (t.hosts ?? []).includes(h)))) p.push(`${id(i)}: a host without TLS`);
    }
  }
  return p;
};
/** The values a container gets from Secrets and ConfigMaps through env valueFrom (rendered ones only). */
function envFromRefs(objs: K8sObject[], c: any): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (!ref) continue;
    const obj = find(objs, e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
    const raw = obj?.data?.[ref.key];
    env.set(e.name, raw === undefined ? undefined : e.valueFrom.secretKeyRef ? Buffer.from(raw, 'base64').toString() : raw);
  }
  return env;
}

// NetworkPolicies, evaluated: for a source and a destination endpoint and a port, does every
// policy that isolates the source (egress) and the destination (ingress) let the connection through?
interface Endpoint {
  name: string;
  namespace: string;
  /** Pod labels; undefined for an address outside the cluster. */
  labels?: Labels;
  ip: string;
  ports: { name?: string; containerPort: number; protocol?: string }[];
}
const ipv4 = (ip: string) => ip.split('.').reduce((n, b) => n * 256 + Number(b), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base!) / size);
};
function peerMatches(peer: any, ep: Endpoint, policyNs: string): boolean {
  if (peer.ipBlock) return inCidr(ep.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x: string) => inCidr(ep.ip, x));
  if (!ep.labels) return false;
  if (peer.namespaceSelector) return selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': ep.namespace }) && (!peer.podSelector || selects(peer.podSelector, ep.labels));
  return ep.namespace === policyNs && selects(peer.podSelector, ep.labels);
}
function portMatches(ports: any[] | undefined, port: number, protocol: string, dst: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((pp) => {
    if ((pp.protocol ?? 'TCP') !== protocol) return false;
    if (pp.port === undefined) return true;
    if (typeof pp.port === 'string') return dst.ports.some((cp) => cp.name === pp.port && cp.containerPort === port);
    return pp.endPort !== undefined ? port >= pp.port && port <= pp.endPort : pp.port === port;
  });
}
const policyTypes = (np: K8sObject): string[] => np.spec?.policyTypes ?? ['Ingress', ...(np.spec?.egress ? ['Egress'] : [])];
function allowed(policies: K8sObject[], ns: string, src: Endpoint, dst: Endpoint, port: number, protocol = 'TCP'): boolean {
  const side = (ep: Endpoint, type: 'Ingress' | 'Egress') => {
    if (!ep.labels || ep.namespace !== ns) return undefined; // not isolated by this namespace's policies
    const isolating = policies.filter((np) => policyTypes(np).includes(type) && selects(np.spec?.podSelector, ep.labels));
    return isolating.length === 0 ? undefined : isolating;
  };
  const egress = side(src, 'Egress');
  if (egress && !egress.some((np) => (np.spec.egress ?? []).some((r: any) => portMatches(r.ports, port, protocol, dst) && (!r.to?.length || r.to.some((peer: any) => peerMatches(peer, dst, ns)))))) return false;
  const ingress = side(dst, 'Ingress');
  if (ingress && !ingress.some((np) => (np.spec.ingress ?? []).some((r: any) => portMatches(r.ports, port, protocol, dst) && (!r.from?.length || r.from.some((peer: any) => peerMatches(peer, src, ns)))))) return false;
  return true;
}
const TRAINING_POD_LABELS: Labels = { 'app.kubernetes.io/name': 'dialoop-training' };
const outside = (name: string, namespace: string, labels: Labels, ip: string, ports: Endpoint['ports'] = []): Endpoint => ({ name, namespace, labels, ip, ports });
/** Who may reach whom: the datastores and the inference servers only from the api (and Prometheus scraping /metrics). */
const checkNetworkPolicies: Checker = (objs) => {
  const p: string[] = [];
  const policies = ofKind(objs, 'NetworkPolicy');
  const ns = objs.find((o) => o.metadata.namespace)?.metadata.namespace ?? 'default';
  let n = 0;
  const podIp = () => `10.244.0.${++n}`;
  const pods: Endpoint[] = podsOf(objs).map((pod) => ({
    name: pod.owner, namespace: ns, labels: pod.labels, ip: podIp(), ports: (pod.spec.containers ?? []).flatMap((c: any) => c.ports ?? []),
  }));
  const byName = (app: string) => pods.filter((e) => e.labels?.['app.kubernetes.io/name'] === app);
  const api = byName('dialoop-api');
  const inference = byName('dialoop-inference');
  const consoles = byName('dialoop-console');
  const prometheus = outside('Prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' }, '10.244.9.1');
  const ingressController = outside('ingress-nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.244.9.2');
  const dns = outside('kube-dns', 'kube-system', { 'k8s-app': 'kube-dns' }, '10.244.9.3', [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]);
  const others = [
    outside('a training Job pod', ns, TRAINING_POD_LABELS, podIp()),
    outside('another pod of the namespace', ns, { app: 'stranger' }, podIp()),
    outside('a pod of another namespace', 'default', { app: 'stranger' }, '10.244.8.1'),
    ingressController,
  ];
  // In dev the datastores are pods; elsewhere a managed service outside the cluster.
  const external = (name: string, port: number): Endpoint => ({ name, namespace: '', ip: '203.0.113.10', ports: [{ containerPort: port }] });
  const postgres = byName('dialoop-postgres');
  const redis = byName('dialoop-redis');
  const protectedEps: [Endpoint, number][] = [
    ...(postgres.length ? postgres : [external('PostgreSQL', 5432)]).map((e): [Endpoint, number] => [e, 5432]),
    ...(redis.length ? redis : [external('Redis', 6379)]).map((e): [Endpoint, number] => [e, 6379]),
    ...inference.map((e): [Endpoint, number] => [e, 8000]),
  ];
  if (api.length === 0 || inference.length === 0) p.push('no api or inference pods to check the network policies with');
  for (const [dst, port] of protectedEps) {
    for (const a of api) if (!allowed(policies, ns, a, dst, port)) p.push(`${a.name} cannot reach ${dst.name}:${port}`);
    for (const src of [...pods.filter((e) => !api.includes(e) && e !== dst), ...others, prometheus]) {
      if (src === prometheus && inference.includes(dst)) continue; // scrapes /metrics on the serving port
      // A managed datastore outside the cluster is guarded here by this namespace's egress rules only:
      // pods of other namespaces are their own policies' business (and the datastore's credentials).
      if (!dst.labels && src.namespace !== ns) continue;
      if (allowed(policies, ns, src, dst, port)) p.push(`${src.name} may reach ${dst.name}:${port}; only the api may`);
    }
  }
  // And the platform still works: what must get through.
  // (The ingress controller where the overlay has Ingresses, Prometheus where it has ServiceMonitors.)
  const routed = ofKind(objs, 'Ingress').length > 0;
  const scraped = ofKind(objs, 'ServiceMonitor').length > 0;
  const must: [Endpoint, Endpoint, number, string?][] = [
    ...consoles.flatMap((c) => api.map((a): [Endpoint, Endpoint, number] => [c, a, 4000])),
    ...(routed ? api.map((a): [Endpoint, Endpoint, number] => [ingressController, a, 4000]) : []),
    ...(routed ? consoles.map((c): [Endpoint, Endpoint, number] => [ingressController, c, 3000]) : []),
    ...(scraped ? api.map((a): [Endpoint, Endpoint, number] => [prometheus, a, 9464]) : []),
    ...(scraped ? inference.map((i): [Endpoint, Endpoint, number] => [prometheus, i, 8000]) : []),
    ...pods.map((e): [Endpoint, Endpoint, number, string] => [e, dns, 53, 'UDP']),
  ];
  for (const [src, dst, port, proto] of must) if (!allowed(policies, ns, src, dst, port, proto)) p.push(`${src.name} cannot reach ${dst.name}:${port}${proto ? `/${proto}` : ''}`);
  return p;
};

const CHECKERS: Record<string, Checker> = {
  schemas: checkSchemas,
  'unknown fields': checkUnknownFields,
  selectors: checkSelectors,
  scaling: checkScaling,
  containers: checkContainers,
  references: checkReferences,
  configuration: checkConfiguration,
  'network policies': checkNetworkPolicies,
};
const allProblems = (objs: K8sObject[], ctx: Context) => Object.values(CHECKERS).flatMap((c) => c(objs, ctx));

/** The Prometheus Adapter rules: each over a gauge the api or the inference server exports, per pod. */
function adapterProblems(rules: AdapterRule[], sources: string): string[] {
  const p: string[] = [];
  for (const r of rules) {
    const series = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(r.seriesQuery)?.[1];
    if (!series) {
      p.push(`rule ${r.seriesQuery}: no series name`);
      continue;
    }
    if (!new RegExp(`new Gauge\\(\\{\\s*name: '${series}'`).test(sources)) p.push(`rule ${series}: no gauge of that name in api/src/metrics.ts or inference/src/metrics.ts`);
    if (!/namespace!=""/.test(r.seriesQuery) || !/pod!=""/.test(r.seriesQuery)) p.push(`rule ${series}: the series query does not require namespace and pod labels`);
    const o = r.resources?.overrides ?? {};
    if (o.namespace?.resource !== 'namespace' || o.pod?.resource !== 'pod') p.push(`rule ${series}: namespace and pod are not mapped to their resources`);
    for (const part of ['<<.Series>>', '<<.LabelMatchers>>', '<<.GroupBy>>']) if (!r.metricsQuery.includes(part)) p.push(`rule ${series}: metricsQuery lacks ${part}`);
    // A labelled gauge (subscriptions by field, a queue by model) has several series per pod: the adapter needs one.
    if (!/^sum(\(.*\) by \(<<\.GroupBy>>\)| by \(<<\.GroupBy>>\) ?\(.*\))$/.test(r.metricsQuery.trim())) p.push(`rule ${series}: metricsQuery does not sum by (<<.GroupBy>>): one value per pod`);
    if (!adapterMetricName(r)) p.push(`rule ${series}: exposes no metric name`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// The training Job template, filled in as the api's renderJobManifest does (string placeholders
// JSON-escaped inside their quotes, *_JSON ones inserted as they are; comment lines untouched).

function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template
    .split('\n')
    .map((line) =>
      line.trimStart().startsWith('#')
        ? line
        : line.replace(/\$\{([A-Z0-9_]+)\}/g, (_, key: string) => {
            const v = values[key];
            if (v === undefined) throw new Error(`no value for \${${key}}`);
            return key.endsWith('_JSON') ? String(v) : JSON.stringify(String(v)).slice(1, -1);
          }),
    )
    .join('\n');
}
const trainingJob = (values: Record<string, string | number> = {}) =>
  parse(fillTemplate(readFileSync(`${K8S}training-job.yaml`, 'utf8'), {
    NAME: 'dialoop-train-7', NAMESPACE: 'dialoop', IMAGE: 'dialoop/training:1.0.0', RUN_ID: 'run_abc',
    ARGS_JSON: JSON.stringify(['--method', 'dpo', '--out', '/data/models/x']), PVC: 'dialoop-data', GPUS: 1, NPROC: 1, DEADLINE_S: 3600, ...values,
  })) as K8sObject;
const trainingPod = (job: K8sObject): Pod => ({ owner: id(job), labels: job.spec.template.metadata.labels, spec: job.spec.template.spec, serving: false });
/** The template's pod: schemas, fields, security (no probes: it runs to completion; resources and a writable root are the operator's to tune). */
const trainingProblems = (job: K8sObject) => [
  ...checkSchemas([job], context('prod')),
  ...checkUnknownFields([job], context('prod')),
  ...containerProblems(trainingPod(job), { resources: false, readOnlyRoot: false }),
  ...(job.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] === TRAINING_POD_LABELS['app.kubernetes.io/name'] ? [] : ['the Job\'s pods lost their app.kubernetes.io/name label (the network policies select it)']),
];

/** An RBAC file's objects with the namespaces taken out (the standalone file's ${NAMESPACE}, kustomize's). */
const rbacOf = (text: string) =>
  parseAllDocuments(text).map((d) => {
    const o = d.toJSON() as K8sObject;
    delete o.metadata.namespace;
    for (const s of o.subjects ?? []) delete s.namespace;
    return o;
  });

// ---------------------------------------------------------------------------------------------

describe('kustomize overlays', () => {
  it('are dev, prod and gpu, and each renders', () => {
    expect(OVERLAYS).toEqual(['dev', 'gpu', 'prod']);
    for (const o of OVERLAYS) expect(rendered.get(o)!.length).toBeGreaterThan(10);
  });

  describe.each(OVERLAYS)('%s', (overlay) => {
    const objs = rendered.get(overlay)!;
    const ctx = context(overlay);
    it.each(Object.keys(CHECKERS))('passes the %s check', (name) => {
      expect(CHECKERS[name]!(objs, ctx)).toEqual([]);
    });
    it('puts everything in one namespace', () => {
      const namespaces = new Set(objs.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
      expect([...namespaces]).toEqual([overlay === 'dev' ? 'dialoop-dev' : 'dialoop']);
    });
    it('runs the api, console and inference from the dialoop images, tagged', () => {
      const images = podsOf(objs).flatMap((pod) => (pod.spec.containers ?? []).map((c: any) => c.image as string));
      expect(images).toEqual(expect.arrayContaining(['dialoop/api:latest', 'dialoop/console:latest', overlay === 'gpu' ? 'dialoop/inference-cuda:latest' : 'dialoop/inference:latest']));
    });
  });

  it('dev: PostgreSQL and Redis are one-replica StatefulSets on volumes of their own, the claim is ReadWriteOnce', () => {
    const objs = rendered.get('dev')!;
    for (const name of ['dialoop-postgres', 'dialoop-redis']) {
      const ss = find(objs, 'StatefulSet', name)!;
      expect(ss.spec.replicas).toBe(1);
      const claim = ss.spec.volumeClaimTemplates[0].metadata.name;
      expect(ss.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.name)).toContain(claim);
    }
    expect(find(objs, 'PersistentVolumeClaim', 'dialoop-data')!.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(ofKind(objs, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(podsOf(objs).length).toBe(5);
    expect(objs.filter((o) => WORKLOADS.includes(o.kind)).every((d) => d.spec.replicas === undefined || d.spec.replicas === 1)).toBe(true);
  });

  it.each(['prod', 'gpu'])('%s: external datastores, HPAs on CPU, open subscriptions and queue depth, PDBs, policies, Ingresses, ServiceMonitors', (overlay) => {
    const objs = rendered.get(overlay)!;
    expect(ofKind(objs, 'StatefulSet').map((o) => o.metadata.name)).toEqual(['dialoop-inference']);
    expect(find(objs, 'PersistentVolumeClaim', 'dialoop-data')!.spec.accessModes).toEqual(['ReadWriteMany']);
    const metrics = (name: string) => find(objs, 'HorizontalPodAutoscaler', name)!.spec.metrics.map((m: any) => m.pods?.metric.name ?? m.resource?.name);
    expect(metrics('dialoop-api')).toEqual(['cpu', 'dialoop_api_subscriptions_open']);
    expect(metrics('dialoop-inference')).toEqual(['dialoop_inference_queued_sequences']);
    expect(ofKind(objs, 'PodDisruptionBudget').map((b) => b.metadata.name).sort()).toEqual(['dialoop-api', 'dialoop-console', 'dialoop-inference']);
    expect(ofKind(objs, 'ServiceMonitor').map((s) => s.metadata.name).sort()).toEqual(['dialoop-api', 'dialoop-inference']);
    expect(ofKind(objs, 'Ingress')).toHaveLength(2);
    expect(find(objs, 'NetworkPolicy', 'dialoop-default-deny')!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('gpu: the inference servers ask for a GPU on GPU nodes, with the CUDA image and device; the others ask for none', () => {
    const inf = find(rendered.get('gpu')!, 'StatefulSet', 'dialoop-inference')!.spec.template.spec;
    expect(inf.containers[0].resources.requests['nvidia.com/gpu']).toBe('1');
    expect(inf.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(inf.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(inf.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(inf.containers[0].image).toBe('dialoop/inference-cuda:latest');
    const cfg = ofKind(rendered.get('gpu')!, 'ConfigMap').find((c) => c.metadata.name.startsWith('dialoop-inference-config'))!;
    expect(cfg.data.INFERENCE_DEVICE).toBe('cuda');
    for (const o of ['dev', 'prod']) {
      const json = JSON.stringify(podsOf(rendered.get(o)!).map((p) => p.spec));
      expect(json).not.toContain('nvidia.com/gpu');
    }
  });

  it('sets the training image with the other images (kustomize images:, through the api\'s ConfigMap)', () => {
    const dir = `${K8S}overlays/prod`;
    const kustomization = readFileSync(`${dir}/kustomization.yaml`, 'utf8');
    expect(kustomization).toContain('- name: dialoop/training');
    const cfg = ofKind(rendered.get('prod')!, 'ConfigMap').find((c) => c.metadata.name.startsWith('dialoop-api-config'))!;
    expect(cfg.data.TRAINING_K8S_IMAGE).toMatch(/^dialoop\/training:[^:]+$/);
  });
});

describe('the Prometheus Adapter rules', () => {
  const sources = read('api/src/metrics.ts') + read('inference/src/metrics.ts');
  it('serve every custom metric of the HPAs from a per-pod gauge the code exports', () => {
    expect(adapterValues.rules.default).toBe(false);
    expect(adapterProblems([...adapterValues.rules.custom, ...(adapterValues.rules.external ?? [])], sources)).toEqual([]);
    const hpaMetrics = OVERLAYS.flatMap((o) => ofKind(rendered.get(o)!, 'HorizontalPodAutoscaler')).flatMap((h) => (h.spec.metrics as unknown[]).map(hpaCustomMetric).filter((m) => m !== undefined));
    expect(hpaMetrics.map((m) => m.name)).toEqual(expect.arrayContaining(['dialoop_api_subscriptions_open', 'dialoop_inference_queued_sequences']));
    const ctx = context('prod');
    for (const m of hpaMetrics) expect(m.external ? ctx.adapterExternalMetrics : ctx.adapterMetrics).toContain(m.name);
  });
  it('refuses a rule over a series nobody exports, or without per-pod labels', () => {
    const rule = structuredClone(adapterValues.rules.custom[0]!);
    expect(adapterProblems([{ ...rule, seriesQuery: 'dialoop_api_open_subscriptions{namespace!="",pod!=""}' }], sources)).toEqual([expect.stringContaining('no gauge of that name')]);
    expect(adapterProblems([{ ...rule, seriesQuery: 'dialoop_api_ws_connections' }], sources).join('\n')).toMatch(/no series name/);
    expect(adapterProblems([{ ...rule, seriesQuery: 'dialoop_api_ws_connections{job="api"}' }], sources).join('\n')).toMatch(/namespace and pod labels/);
    expect(adapterProblems([{ ...rule, metricsQuery: 'sum(<<.Series>>)' }], sources).join('\n')).toMatch(/lacks <<\.LabelMatchers>>/);
    expect(adapterProblems([{ ...rule, metricsQuery: '<<.Series>>{<<.LabelMatchers>>}' }], sources).join('\n')).toMatch(/does not sum by \(<<\.GroupBy>>\)/);
    expect(adapterProblems([{ ...rule, metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)' }], sources).join('\n')).toMatch(/does not sum by/);
    expect(adapterProblems([{ ...rule, seriesQuery: 'dialoop_api_generations_total{namespace!="",pod!=""}' }], sources).join('\n')).toMatch(/no gauge/);
  });
});

describe('the training Job template (infra/k8s/training-job.yaml)', () => {
  it('filled in as the api does, is a valid, non-root Job on the claim the overlays render', () => {
    const job = trainingJob();
    expect(job.kind).toBe('Job');
    expect(trainingProblems(job)).toEqual([]);
    const claim = job.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
    for (const o of OVERLAYS) expect(find(rendered.get(o)!, 'PersistentVolumeClaim', claim)).toBeDefined();
  });
  it('with GPUs 0 (the base and prod) is valid too', () => {
    expect(trainingProblems(trainingJob({ GPUS: 0 }))).toEqual([]);
  });
  it('fails the checks when broken', () => {
    const root = trainingJob();
    root.spec.template.spec.securityContext.runAsUser = 0;
    expect(trainingProblems(root).join('\n')).toMatch(/runAsUser is not a non-zero UID/);
    const misspelt = trainingJob();
    misspelt.spec.template.spec.containers[0].workdir = '/app';
    expect(trainingProblems(misspelt).join('\n')).toMatch(/workdir: unknown field/);
    const unlabelled = trainingJob();
    unlabelled.spec.template.metadata.labels = {};
    expect(trainingProblems(unlabelled).join('\n')).toMatch(/lost its app.kubernetes.io\/name|lost their app.kubernetes.io\/name/);
  });
  it('lets the api run Jobs: the Role and its binding to the api\'s service account, in every overlay; base/training-rbac.yaml is training-rbac.yaml', () => {
    expect(rbacOf(readFileSync(`${K8S}base/training-rbac.yaml`, 'utf8'))).toEqual(rbacOf(readFileSync(`${K8S}training-rbac.yaml`, 'utf8')));
    for (const o of OVERLAYS) {
      const objs = rendered.get(o)!;
      const api = find(objs, 'Deployment', 'dialoop-api')!.spec.template.spec;
      const binding = ofKind(objs, 'RoleBinding').find((b) => b.subjects.some((s: any) => s.name === api.serviceAccountName))!;
      const role = find(objs, 'Role', binding.roleRef.name)!;
      const can = (resource: string, verb: string) => role.rules.some((r: any) => r.resources.includes(resource) && r.verbs.includes(verb));
      for (const verb of ['create', 'get', 'list', 'delete']) expect(can('jobs', verb)).toBe(true);
      expect(can('pods/log', 'get')).toBe(true);
      expect(api.automountServiceAccountToken).not.toBe(false);
    }
  });
});

describe('the README documents every Secret the manifests expect', () => {
  it('in a table the checker reads', () => {
    const docs = documentedSecrets(readmeSection());
    expect([...docs.keys()].sort()).toEqual(['dialoop-api-secrets', 'dialoop-datastores', 'dialoop-inference-admin', 'dialoop-tls']);
    // And nothing documented is stale: each documented Secret is used by some overlay.
    const used = new Set(OVERLAYS.flatMap((o) => refsOf(rendered.get(o)!).map((r) => r.name.replace(/-[a-z0-9]{10}$/, ''))));
    for (const name of docs.keys()) expect(used).toContain(name);
  });
});

// Every checker, fed a broken copy of a rendered overlay, reports it.
interface Breakage {
  overlay: string;
  what: string;
  checker: keyof typeof CHECKERS;
  expect: RegExp;
  breakIt(objs: K8sObject[]): void;
}
const deploy = (objs: K8sObject[], name: string) => (find(objs, 'Deployment', `dialoop-${name}`) ?? find(objs, 'StatefulSet', `dialoop-${name}`))!;
const podSpec = (objs: K8sObject[], name: string) => deploy(objs, name).spec.template.spec;
const container = (objs: K8sObject[], name: string) => podSpec(objs, name).containers[0];
const configMap = (objs: K8sObject[], prefix: string) => ofKind(objs, 'ConfigMap').find((c) => c.metadata.name.startsWith(prefix))!;
const policy = (objs: K8sObject[], name: string) => find(objs, 'NetworkPolicy', name)!;
const BREAKAGES: Breakage[] = [
  { overlay: 'prod', what: 'a Deployment without a selector', checker: 'schemas', expect: /Deployment\/dialoop-api: .*selector/, breakIt: (o) => void delete deploy(o, 'api').spec.selector },
  { overlay: 'prod', what: 'a port given as a list', checker: 'schemas', expect: /Service\/dialoop-api: .*port/, breakIt: (o) => void (find(o, 'Service', 'dialoop-api')!.spec.ports[0].port = ['4000']) },
  { overlay: 'prod', what: 'a ServiceMonitor without endpoints', checker: 'schemas', expect: /ServiceMonitor\/dialoop-api: spec.endpoints needs/, breakIt: (o) => void (find(o, 'ServiceMonitor', 'dialoop-api')!.spec.endpoints = []) },
  { overlay: 'prod', what: 'a kind nobody validates', checker: 'schemas', expect: /no schema for example.com\/v1\/Widget/, breakIt: (o) => void o.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }) },
  { overlay: 'prod', what: 'a misspelt readinessProbe', checker: 'unknown fields', expect: /containers\[0\]\.readinesProbe: unknown field/, breakIt: (o) => void (container(o, 'api').readinesProbe = container(o, 'api').readinessProbe) },
  { overlay: 'prod', what: 'resources.limit for limits', checker: 'unknown fields', expect: /resources\.limit: unknown field/, breakIt: (o) => void (container(o, 'inference').resources.limit = { cpu: '1' }) },
  { overlay: 'prod', what: 'a misspelt HPA field', checker: 'unknown fields', expect: /behavior\.scaleDown\.stabilisationWindowSeconds: unknown field/, breakIt: (o) => void (find(o, 'HorizontalPodAutoscaler', 'dialoop-api')!.spec.behavior.scaleDown.stabilisationWindowSeconds = 60) },
  { overlay: 'prod', what: 'a misspelt ServiceMonitor endpoint field', checker: 'unknown fields', expect: /endpoints\[0\]\.scrapeInterval: unknown field/, breakIt: (o) => void (find(o, 'ServiceMonitor', 'dialoop-api')!.spec.endpoints[0].scrapeInterval = '15s') },
  { overlay: 'prod', what: 'a Deployment whose selector misses its pods', checker: 'selectors', expect: /Deployment\/dialoop-api: selector .* does not match/, breakIt: (o) => void (deploy(o, 'api').spec.selector.matchLabels['app.kubernetes.io/name'] = 'dialoop-ap') },
  { overlay: 'dev', what: 'a Service selecting no pod', checker: 'selectors', expect: /Service\/dialoop-redis: selector .* matches no pod/, breakIt: (o) => void (find(o, 'Service', 'dialoop-redis')!.spec.selector = { 'app.kubernetes.io/name': 'redis' }) },
  { overlay: 'prod', what: 'a Service targeting a port the pods lack', checker: 'selectors', expect: /Service\/dialoop-api: port metrics targets metric/, breakIt: (o) => void (find(o, 'Service', 'dialoop-api')!.spec.ports[1].targetPort = 'metric') },
  { overlay: 'prod', what: 'a PDB selecting nothing', checker: 'selectors', expect: /PodDisruptionBudget\/dialoop-console: selector matches 0/, breakIt: (o) => void (find(o, 'PodDisruptionBudget', 'dialoop-console')!.spec.selector.matchLabels = { app: 'console' }) },
  { overlay: 'prod', what: 'a ServiceMonitor on an unnamed port', checker: 'selectors', expect: /ServiceMonitor\/dialoop-inference: Service\/dialoop-inference has no port named metrics/, breakIt: (o) => void (find(o, 'ServiceMonitor', 'dialoop-inference')!.spec.endpoints[0].port = 'metrics') },
  { overlay: 'prod', what: 'an Ingress to a missing Service', checker: 'selectors', expect: /Ingress\/dialoop-console: backend Service dialoop-web/, breakIt: (o) => void (find(o, 'Ingress', 'dialoop-console')!.spec.rules[0].http.paths[0].backend.service.name = 'dialoop-web') },
  { overlay: 'prod', what: 'a NetworkPolicy for pods that do not exist', checker: 'selectors', expect: /NetworkPolicy\/dialoop-inference: podSelector matches no pod/, breakIt: (o) => void (policy(o, 'dialoop-inference').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'inference') },
  { overlay: 'dev', what: 'a StatefulSet without its headless Service', checker: 'selectors', expect: /StatefulSet\/dialoop-postgres: its Service dialoop-postgres is not headless/, breakIt: (o) => void delete find(o, 'Service', 'dialoop-postgres')!.spec.clusterIP },
  { overlay: 'prod', what: 'an HPA on a missing workload', checker: 'scaling', expect: /HorizontalPodAutoscaler\/dialoop-inference: scaleTargetRef apps\/v1\/StatefulSet\/dialoop-infer/, breakIt: (o) => void (find(o, 'HorizontalPodAutoscaler', 'dialoop-inference')!.spec.scaleTargetRef.name = 'dialoop-infer') },
  { overlay: 'prod', what: 'an HPA on a metric the adapter does not serve', checker: 'scaling', expect: /Pods metric dialoop_api_subscriptions has no Prometheus Adapter rule/, breakIt: (o) => void (find(o, 'HorizontalPodAutoscaler', 'dialoop-api')!.spec.metrics[1].pods.metric.name = 'dialoop_api_subscriptions') },
  { overlay: 'prod', what: 'an HPA on an Object metric the adapter does not serve', checker: 'scaling', expect: /Object metric dialoop_ingress_requests has no Prometheus Adapter rule/, breakIt: (o) => void find(o, 'HorizontalPodAutoscaler', 'dialoop-api')!.spec.metrics.push({ type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'dialoop-api' }, metric: { name: 'dialoop_ingress_requests' }, target: { type: 'Value', value: '100' } } }) },
  { overlay: 'prod', what: 'an HPA on an External metric without an external rule', checker: 'scaling', expect: /External metric dialoop_api_subscriptions_open has no Prometheus Adapter rule/, breakIt: (o) => void find(o, 'HorizontalPodAutoscaler', 'dialoop-api')!.spec.metrics.push({ type: 'External', external: { metric: { name: 'dialoop_api_subscriptions_open' }, target: { type: 'AverageValue', averageValue: '250' } } }) },
  { overlay: 'prod', what: 'replicas set beside an HPA', checker: 'scaling', expect: /sets spec.replicas, which the HPA owns/, breakIt: (o) => void (deploy(o, 'api').spec.replicas = 3) },
  { overlay: 'prod', what: 'a scale-down faster than a drain', checker: 'scaling', expect: /removes 1 pod\(s\) per 30 s, faster than one drain \(90 s\)/, breakIt: (o) => void (find(o, 'HorizontalPodAutoscaler', 'dialoop-api')!.spec.behavior.scaleDown.policies[0].periodSeconds = 30) },
  { overlay: 'prod', what: 'a PDB that blocks every drain', checker: 'scaling', expect: /minAvailable blocks every drain/, breakIt: (o) => void (find(o, 'PodDisruptionBudget', 'dialoop-api')!.spec = { minAvailable: 2, selector: find(o, 'PodDisruptionBudget', 'dialoop-api')!.spec.selector }) },
  { overlay: 'prod', what: 'a container without a memory limit', checker: 'containers', expect: /dialoop-console container console: no memory limit/, breakIt: (o) => void delete container(o, 'console').resources.limits.memory },
  { overlay: 'dev', what: 'a request above its limit', checker: 'containers', expect: /dialoop-redis container redis: memory request 1Gi above its limit 512Mi/, breakIt: (o) => void (find(o, 'StatefulSet', 'dialoop-redis')!.spec.template.spec.containers[0].resources.requests.memory = '1Gi') },
  { overlay: 'gpu', what: 'a GPU limit without the same request', checker: 'containers', expect: /extended resource nvidia.com\/gpu must request what it limits/, breakIt: (o) => void delete container(o, 'inference').resources.requests['nvidia.com/gpu'] },
  { overlay: 'prod', what: 'a container without a liveness probe', checker: 'containers', expect: /dialoop-inference container inference: no livenessProbe/, breakIt: (o) => void delete container(o, 'inference').livenessProbe },
  { overlay: 'prod', what: 'a probe on a port the container lacks', checker: 'containers', expect: /readinessProbe port web is not a container port/, breakIt: (o) => void (container(o, 'console').readinessProbe.httpGet.port = 'web') },
  { overlay: 'prod', what: 'root', checker: 'containers', expect: /dialoop-api container api: runAsUser is not a non-zero UID/, breakIt: (o) => [container(o, 'api'), podSpec(o, 'api')].forEach((x) => (x.securityContext.runAsUser = 0)) },
  { overlay: 'dev', what: 'runAsNonRoot left out', checker: 'containers', expect: /dialoop-postgres container postgres: runAsNonRoot is not true/, breakIt: (o) => [podSpec(o, 'postgres'), container(o, 'postgres')].forEach((x) => delete x.securityContext.runAsNonRoot) },
  { overlay: 'prod', what: 'privilege escalation', checker: 'containers', expect: /allowPrivilegeEscalation is not false/, breakIt: (o) => void (container(o, 'inference').securityContext.allowPrivilegeEscalation = true) },
  { overlay: 'prod', what: 'capabilities kept', checker: 'containers', expect: /capabilities do not drop ALL/, breakIt: (o) => void (container(o, 'api').securityContext.capabilities.drop = ['NET_RAW']) },
  { overlay: 'prod', what: 'a writable root', checker: 'containers', expect: /readOnlyRootFilesystem is not true/, breakIt: (o) => void (container(o, 'console').securityContext.readOnlyRootFilesystem = false) },
  { overlay: 'prod', what: 'a read-only root without /tmp', checker: 'containers', expect: /dialoop-api container api: no emptyDir at \/tmp/, breakIt: (o) => void (container(o, 'api').volumeMounts = container(o, 'api').volumeMounts.filter((m: any) => m.mountPath !== '/tmp')) },
  { overlay: 'prod', what: 'no preStop pause', checker: 'containers', expect: /dialoop-inference container inference: no preStop/, breakIt: (o) => void delete container(o, 'inference').lifecycle },
  { overlay: 'prod', what: 'an untagged, unknown image', checker: 'containers', expect: /image busybox has no tag/, breakIt: (o) => void (container(o, 'api').image = 'busybox') },
  { overlay: 'prod', what: 'a Secret neither rendered nor documented', checker: 'references', expect: /Secret dialoop-oidc is neither rendered nor documented/, breakIt: (o) => void container(o, 'api').envFrom.push({ secretRef: { name: 'dialoop-oidc' } }) },
  { overlay: 'prod', what: 'an undocumented key of a documented Secret', checker: 'references', expect: /key ADMIN_KEY of Secret dialoop-inference-admin is not documented/, breakIt: (o) => void (container(o, 'inference').env.find((e: any) => e.name === 'INFERENCE_ADMIN_KEY').valueFrom.secretKeyRef.key = 'ADMIN_KEY') },
  { overlay: 'dev', what: 'a key a rendered Secret lacks', checker: 'references', expect: /Secret dialoop-postgres-\w+ has no key PASSWORD/, breakIt: (o) => void (find(o, 'StatefulSet', 'dialoop-postgres')!.spec.template.spec.containers[0].env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef.key = 'PASSWORD') },
  { overlay: 'prod', what: 'a missing ConfigMap', checker: 'references', expect: /ConfigMap dialoop-console-settings is neither rendered nor documented/, breakIt: (o) => void (container(o, 'console').envFrom[0].configMapRef.name = 'dialoop-console-settings') },
  { overlay: 'prod', what: 'a TLS Secret not documented', checker: 'references', expect: /Ingress\/dialoop-api: Secret api-tls is neither rendered nor documented/, breakIt: (o) => void (find(o, 'Ingress', 'dialoop-api')!.spec.tls[0].secretName = 'api-tls') },
  { overlay: 'prod', what: 'a claim that is not rendered', checker: 'references', expect: /claim dialoop-models is not rendered/, breakIt: (o) => void (podSpec(o, 'inference').volumes[0].persistentVolumeClaim.claimName = 'dialoop-models') },
  { overlay: 'prod', what: 'a RoleBinding to another namespace\'s account', checker: 'references', expect: /subject default\/dialoop-api is not this namespace's ServiceAccount/, breakIt: (o) => void (ofKind(o, 'RoleBinding')[0]!.subjects[0].namespace = 'default') },
  { overlay: 'prod', what: 'a misspelt variable', checker: 'configuration', expect: /INFERENCE_URLS is not a variable api reads/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.INFERENCE_URLS = 'http://dialoop-inference:8000') },
  { overlay: 'prod', what: 'a process listening on loopback', checker: 'configuration', expect: /INFERENCE_HOST is 127.0.0.1, not 0.0.0.0/, breakIt: (o) => void (configMap(o, 'dialoop-inference-config').data.INFERENCE_HOST = '127.0.0.1') },
  { overlay: 'prod', what: 'a port variable off its container port', checker: 'configuration', expect: /API_PORT=4001 but its http port is 4000/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.API_PORT = '4001') },
  { overlay: 'prod', what: 'an upstream that is no Service', checker: 'configuration', expect: /INFERENCE_URL http:\/\/inference:8000 is not a rendered Service or StatefulSet replica/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.INFERENCE_URL = 'http://inference:8000') },
  { overlay: 'prod', what: 'an inference replica the api does not know', checker: 'configuration', expect: /INFERENCE_URL lists replicas 0,1,2,3,4,5,6 of StatefulSet\/dialoop-inference, which runs up to 8/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.INFERENCE_URL = configMap(o, 'dialoop-api-config').data.INFERENCE_URL.split(',').slice(0, 7).join(',')) },
  { overlay: 'prod', what: 'the HPA raised without the api\'s list', checker: 'configuration', expect: /which runs up to 12/, breakIt: (o) => void (find(o, 'HorizontalPodAutoscaler', 'dialoop-inference')!.spec.maxReplicas = 12) },
  { overlay: 'prod', what: 'a drain longer than the grace period', checker: 'configuration', expect: /terminationGracePeriodSeconds 90 < preStop 5 s \+ SHUTDOWN_GRACE_MS 120 s/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.SHUTDOWN_GRACE_MS = '120000') },
  { overlay: 'prod', what: 'the api\'s default drain with no grace period', checker: 'configuration', expect: /terminationGracePeriodSeconds 30 < preStop 5 s \+ SHUTDOWN_GRACE_MS 60 s/, breakIt: (o) => void delete podSpec(o, 'api').terminationGracePeriodSeconds },
  { overlay: 'prod', what: 'a secret in a ConfigMap', checker: 'configuration', expect: /ConfigMap\/dialoop-api-config-\w+: JWT_SECRET is a secret/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.JWT_SECRET = 'x'.repeat(40)) },
  { overlay: 'prod', what: 'a password written in an env value', checker: 'configuration', expect: /DEMO_PASSWORD is written in the manifest/, breakIt: (o) => void container(o, 'api').env.push({ name: 'DEMO_PASSWORD', value: 'dialoop-demo' }) },
  { overlay: 'prod', what: 'a Secret rendered in prod', checker: 'configuration', expect: /Secret\/dialoop-tls: a Secret in the prod overlay/, breakIt: (o) => void o.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dialoop-tls', namespace: 'dialoop' }, data: {} }) },
  { overlay: 'dev', what: 'a real-looking dev password', checker: 'configuration', expect: /POSTGRES_PASSWORD is not a dev-only-placeholder value/, breakIt: (o) => void (ofKind(o, 'Secret').find((s) => s.metadata.name.startsWith('dialoop-postgres'))!.data.POSTGRES_PASSWORD = Buffer.from('hunter2').toString('base64')) },
  { overlay: 'dev', what: 'the two dev passwords apart', checker: 'configuration', expect: /DATABASE_URL does not carry the dev PostgreSQL password/, breakIt: (o) => void (ofKind(o, 'Secret').find((s) => s.metadata.name.startsWith('dialoop-datastores'))!.data.DATABASE_URL = Buffer.from('postgresql://dialoop:dev-only-placeholder-x@dialoop-postgres:5432/dialoop').toString('base64')) },
  { overlay: 'prod', what: 'demo accounts in production', checker: 'configuration', expect: /production overlays run NODE_ENV=production with DEMO_ACCOUNTS=false/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.DEMO_ACCOUNTS = 'true') },
  { overlay: 'prod', what: 'short Ingress timeouts', checker: 'configuration', expect: /nginx proxy-read-timeout under an hour/, breakIt: (o) => void (find(o, 'Ingress', 'dialoop-api')!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'] = '60') },
  { overlay: 'prod', what: 'the console\'s origin not admitted', checker: 'configuration', expect: /CONSOLE_ORIGINS .* does not admit the console's Ingress host/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.CONSOLE_ORIGINS = 'https://console.example.com') },
  { overlay: 'prod', what: 'the browser sent elsewhere', checker: 'configuration', expect: /CONSOLE_PUBLIC_API_URL is not https:\/\/api.dialoop.example.com/, breakIt: (o) => void (configMap(o, 'dialoop-console-config').data.CONSOLE_PUBLIC_API_URL = 'http://localhost:4000/graphql') },
  { overlay: 'prod', what: 'the data folder off the training claim', checker: 'configuration', expect: /DIALOOP_DATA_DIR is not on the training claim/, breakIt: (o) => void (configMap(o, 'dialoop-api-config').data.DIALOOP_DATA_DIR = '/srv') },
  { overlay: 'prod', what: 'inference open to every pod', checker: 'network policies', expect: /a pod of another namespace may reach StatefulSet\/dialoop-inference:8000/, breakIt: (o) => void delete policy(o, 'dialoop-inference').spec.ingress[0].from },
  { overlay: 'prod', what: 'the console let out to the database', checker: 'network policies', expect: /Deployment\/dialoop-console may reach PostgreSQL:5432/, breakIt: (o) => void policy(o, 'dialoop-console').spec.egress.push({ ports: [{ port: 5432, protocol: 'TCP' }] }) },
  { overlay: 'prod', what: 'the DNS rule opened to everything', checker: 'network policies', expect: /a training Job pod may reach Redis:6379/, breakIt: (o) => void (policy(o, 'dialoop-dns').spec.egress = [{}]) },
  { overlay: 'prod', what: 'the api cut off from Redis', checker: 'network policies', expect: /Deployment\/dialoop-api cannot reach Redis:6379/, breakIt: (o) => void (policy(o, 'dialoop-api').spec.egress[1].ports = policy(o, 'dialoop-api').spec.egress[1].ports.filter((p: any) => p.port !== 6379)) },
  { overlay: 'prod', what: 'no DNS', checker: 'network policies', expect: /Deployment\/dialoop-console cannot reach kube-dns:53\/UDP/, breakIt: (o) => void o.splice(o.indexOf(policy(o, 'dialoop-dns')), 1) },
  { overlay: 'prod', what: 'Prometheus shut out of the api\'s metrics', checker: 'network policies', expect: /Prometheus cannot reach Deployment\/dialoop-api:9464/, breakIt: (o) => void policy(o, 'dialoop-api').spec.ingress.pop() },
  { overlay: 'dev', what: 'Redis open in dev', checker: 'network policies', expect: /Deployment\/dialoop-console may reach StatefulSet\/dialoop-redis:6379/, breakIt: (o) => void o.splice(o.indexOf(policy(o, 'dialoop-redis-from-api')), 1) },
  { overlay: 'dev', what: 'a policy that lets a whole namespace in', checker: 'network policies', expect: /a pod of another namespace may reach StatefulSet\/dialoop-postgres:5432/, breakIt: (o) => void (policy(o, 'dialoop-postgres-from-api').spec.ingress[0].from = [{ namespaceSelector: {} }]) },
];

describe('each check fails on a broken copy', () => {
  it('covers every checker', () => {
    expect(new Set(BREAKAGES.map((b) => b.checker))).toEqual(new Set(Object.keys(CHECKERS)));
  });
  it.each(BREAKAGES.map((b) => [`${b.checker}: ${b.what} (${b.overlay})`, b] as const))('%s', (_, b) => {
    const objs = objectsOf(b.overlay);
    b.breakIt(objs);
    const problems = CHECKERS[b.checker]!(objs, context(b.overlay));
    expect(problems.join('\n')).toMatch(b.expect);
    // The whole suite sees it too.
    expect(allProblems(objs, context(b.overlay)).join('\n')).toMatch(b.expect);
  });
  it('a Secret the README no longer documents', () => {
    const ctx = context('prod');
    ctx.secretDocs.delete('dialoop-datastores');
    expect(checkReferences(rendered.get('prod')!, ctx).join('\n')).toMatch(/Secret dialoop-datastores is neither rendered nor documented/);
  });
});
