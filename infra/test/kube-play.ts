/**
 * The dev overlay as `podman kube play` runs it (test/kube-play.ops.test.ts): render, then the few
 * changes podman 4.3 (Debian bookworm's) needs, each one named here and in infra/README.md
 * ("`podman kube play` and the dev overlay"). The pod templates (images aside, env, probes,
 * security contexts, resources, volumes) stay as rendered.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

export const KUBE_PLAY_OVERLAY = fileURLToPath(new URL('./kube-play', import.meta.url));

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

/** What kube play of podman 4.3 runs (`podman kube play --help`: Pods, Deployments, PVCs; ConfigMaps feed them). */
export const PLAYED_KINDS = ['ConfigMap', 'PersistentVolumeClaim', 'Deployment'] as const;
/**
 * What it has no use for without a cluster: left out of the file it plays (StatefulSets are
 * converted, below). A kind in neither list fails the test, so that nothing is dropped unseen.
 */
export const LEFT_OUT_KINDS = ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Service', 'NetworkPolicy'] as const;

/**
 * `kubectl kustomize` of test/kube-play (the dev overlay, the public datastore images mapped to the
 * test stand-ins) with `nameSuffix: -<suffix>`, so that the pods, volumes and secrets this run makes
 * have names of their own (the configuration's host names, e.g. dialoop-postgres, do not change).
 */
export function render(suffix: string): KubeObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'dialoop-kube-play-render-'));
  try {
    // kustomize takes no absolute path for a resource: the overlay relative to this folder.
    writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n  - ${relative(dir, KUBE_PLAY_OVERLAY)}\nnameSuffix: -${suffix}\n`);
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw new Error(`kubectl is needed to render the overlay (kubectl kustomize): ${r.error.message}; install kubectl 1.32 (see infra/README.md)`);
    if (r.status !== 0) throw new Error(`kubectl kustomize failed:\n${r.stderr}`);
    return parseAllDocuments(r.stdout).map((d) => d.toJSON() as KubeObject);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A workload (Deployment or StatefulSet) as the test runs it: one pod (replicas 1 in the dev overlay). */
export interface Workload {
  /** The rendered name (with the suffix), which names the pod. */
  name: string;
  kind: 'Deployment' | 'StatefulSet';
  /** Its pod's address on the test's network (`podman kube play --ip`). */
  ip: string;
}

export interface PlayOptions {
  suffix: string;
  /** The workloads in the order of the file (the order kube play hands out the --ip addresses). */
  ipOf: (workload: string) => string;
  /** A free loopback port for each containerPort. */
  hostPortOf: (workload: string, container: string, port: { name?: string; containerPort: number }) => number;
  /** A folder holding the `namespace` file a kubelet mounts with a service account token. */
  serviceAccountDir: string;
  /** Where each pod's emptyDir volumes are made (`<emptyDirRoot>/<workload>/<volume>`). */
  emptyDirRoot: string;
}

export const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

const unsuffix = (name: string, suffix: string) => (name.endsWith(`-${suffix}`) ? name.slice(0, -suffix.length - 1) : name);
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * The host names the configuration uses, as a cluster's DNS answers them: each Service's name (its
 * name in the overlay, without the run's suffix) and, for the StatefulSet it governs, each pod's
 * `<statefulset>-<ordinal>.<service>` (INFERENCE_URL names dialoop-inference-0.dialoop-inference).
 */
export function serviceHostNames(objects: KubeObject[], suffix: string): Map<string, string[]> {
  const byWorkload = new Map<string, string[]>();
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const matched = workloads.filter((w) => selects(svc.spec?.selector, w.spec?.template?.metadata?.labels));
    if (matched.length !== 1) throw new Error(`Service ${svc.metadata.name} selects ${matched.length} workloads: the test maps one pod per Service`);
    const w = matched[0]!;
    const service = unsuffix(svc.metadata.name, suffix);
    const names = [service];
    if (w.kind === 'StatefulSet' && w.spec.serviceName === svc.metadata.name) {
      for (let i = 0; i < (w.spec.replicas ?? 1); i++) names.push(`${unsuffix(w.metadata.name, suffix)}-${i}.${service}`);
    }
    byWorkload.set(w.metadata.name, [...(byWorkload.get(w.metadata.name) ?? []), ...names]);
  }
  return byWorkload;
}

/**
 * The rendered overlay as podman 4.3's kube play can run it. The changes, and only these:
 * 1. Kinds it does not run are left out (LEFT_OUT_KINDS); Services are read for the host names.
 *    Secrets are returned apart, for `podman secret create` (createSecrets): kube play 4.3 stores
 *    a Secret from the file as YAML and then fails to read it back for envFrom/secretKeyRef
 *    (`secret … is not valid JSON`), so the test creates each one as the JSON it reads.
 * 2. StatefulSet → Deployment with the same pod template (kube play has no StatefulSet): each
 *    volumeClaimTemplate becomes a PersistentVolumeClaim named as the StatefulSet's would be
 *    (`<template>-<statefulset>-0`) and a volume of the pod; serviceName, podManagementPolicy,
 *    updateStrategy go (they mean nothing without a controller).
 * 3. Ports: kube play publishes every containerPort on 0.0.0.0 at the same port (5432 and 6379 are
 *    the host's own PostgreSQL and Redis): each gets `hostIP: 127.0.0.1` and a free `hostPort`.
 * 4. Cluster DNS: every pod gets `hostAliases` naming each Service (and StatefulSet pod) with the
 *    address its pod is given on the test's network (`--ip`).
 * 5. emptyDir → hostPath of a folder made for that pod, mode 0777 as a kubelet makes an emptyDir:
 *    podman 4.3 makes an emptyDir a named volume called by the volume's name alone, so every pod's
 *    `tmp` is one shared volume, owned by root, and fsGroup (which lets the pod's user write to it in
 *    a cluster) is ignored: PostgreSQL (999) cannot write /var/run/postgresql. `medium: Memory` and
 *    `sizeLimit` are not kept (a folder on disk).
 * 6. A pod with automountServiceAccountToken gets the `namespace` file a kubelet would mount (there
 *    is no API server, hence no token): the api's Kubernetes training executor reads its namespace
 *    there at start.
 */
export function forKubePlay(rendered: KubeObject[], opts: PlayOptions): { objects: KubeObject[]; secrets: KubeObject[]; workloads: Workload[] } {
  const unknown = rendered.filter((o) => ![...PLAYED_KINDS, ...LEFT_OUT_KINDS, 'StatefulSet', 'Secret'].includes(o.kind as never));
  if (unknown.length) throw new Error(`the overlay renders kinds this test does not know how kube play treats: ${unknown.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  const hostNames = serviceHostNames(rendered, opts.suffix);
  const copy = structuredClone(rendered.filter((o) => !(LEFT_OUT_KINDS as readonly string[]).includes(o.kind) && o.kind !== 'Secret'));
  const objects: KubeObject[] = [];
  const workloads: Workload[] = [];
  for (const o of copy) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') {
      objects.push(o);
      continue;
    }
    const kind = o.kind;
    const pod = o.spec.template.spec;
    if (kind === 'StatefulSet') {
      const { volumeClaimTemplates = [], serviceName: _s, podManagementPolicy: _p, updateStrategy: _u, ...rest } = o.spec;
      for (const t of volumeClaimTemplates) {
        const claimName = `${t.metadata.name}-${o.metadata.name}-0`;
        objects.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName, labels: o.metadata.labels }, spec: t.spec });
        pod.volumes = [...(pod.volumes ?? []), { name: t.metadata.name, persistentVolumeClaim: { claimName } }];
      }
      o.kind = 'Deployment';
      o.spec = rest;
    }
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const p of c.ports ?? []) Object.assign(p, { hostIP: '127.0.0.1', hostPort: opts.hostPortOf(o.metadata.name, c.name, p) });
    }
    for (const v of pod.volumes ?? []) {
      if (!v.emptyDir) continue;
      const path = join(opts.emptyDirRoot, o.metadata.name, v.name);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o777);
      delete v.emptyDir;
      v.hostPath = { path, type: 'Directory' };
    }
    pod.hostAliases = [...hostNames].map(([w, hostnames]) => ({ ip: opts.ipOf(w), hostnames }));
    if (pod.automountServiceAccountToken) {
      pod.volumes = [...(pod.volumes ?? []), { name: 'kube-play-serviceaccount', hostPath: { path: opts.serviceAccountDir, type: 'Directory' } }];
      for (const c of pod.containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'kube-play-serviceaccount', mountPath: SERVICE_ACCOUNT_PATH, readOnly: true }];
    }
    objects.push(o);
    workloads.push({ name: o.metadata.name, kind, ip: opts.ipOf(o.metadata.name) });
  }
  return { objects, secrets: structuredClone(rendered.filter((o) => o.kind === 'Secret')), workloads };
}

export const toYaml = (objects: KubeObject[]) => objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
