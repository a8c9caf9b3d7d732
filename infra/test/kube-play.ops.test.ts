/**
 * The dev overlay (infra/k8s/overlays/dev) run by `podman kube play` from the images built here:
 * rendered with `kubectl kustomize` (test/kube-play: the public PostgreSQL and Redis images mapped to
 * the test stand-ins), changed only as test/kube-play.ts lists (podman 4.3 has no StatefulSet, no
 * cluster DNS, no fsGroup, …), played on a podman network of its own with every port published on
 * 127.0.0.1 only. The pods' probes are run as a kubelet would (exec in the container, HTTP to the
 * pod's address); then a person signs in through the console's server, chats over graphql-ws, a
 * reply streams from the inference pod, and the audit chain, kept in the PostgreSQL pod, verifies.
 * infra/README.md, "`podman kube play` and the dev overlay", says what and why.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, freePort } from '@dialoop/api/testing';
import { buildImages, buildTestStandIns, imageRef, mb, podman, podmanEnv, TEST_STAND_INS, type BuiltImage } from '../scripts/images.js';
import { signInChatAndVerify } from './platform-checks.js';
import { forKubePlay, LEFT_OUT_KINDS, render, SERVICE_ACCOUNT_PATH, toYaml, type KubeObject, type Workload } from './kube-play.js';

const run = randomBytes(3).toString('hex');
/** kustomize's nameSuffix for this run: the pods, volumes and secrets it makes are its own. */
const suffix = `kp${run}`;
const network = `dialoop-kube-play-${run}`;
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

type Probe = { exec?: { command: string[] }; httpGet?: { path: string; port: number | string }; tcpSocket?: { port: number | string } };

const quiet = (args: string[]) => spawnSync('podman', args, { encoding: 'utf8', env: podmanEnv() });
const podOf = (workload: string) => `${workload}-pod-0`;
/** kube play names a pod's container `<pod>-<container>`. */
const containerOf = (workload: string, container: string) => `${podOf(workload)}-${container}`;
const logsOf = (name: string) => {
  const r = quiet(['logs', '--tail', '80', name]);
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => !l.includes('systemd')).join('\n');
};

describe('the dev overlay under podman kube play', () => {
  let built: BuiltImage[] = [];
  let rendered: KubeObject[] = [];
  let objects: KubeObject[] = [];
  let secrets: KubeObject[] = [];
  let workloads: Workload[] = [];
  let work = '';
  let playFile = '';
  let ipForwardBefore = '';
  const hostPorts = new Map<string, number>();
  const volumes = new Set<string>();
  const timings: Record<string, number> = {};
  const byName = (prefix: string) => workloads.find((w) => w.name === `${prefix}-${suffix}`)!;
  const templateOf = (w: Workload) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === w.name)!.spec.template.spec;
  const hostPort = (prefix: string, portName: string) => hostPorts.get(`${prefix}-${suffix}/${portName}`)!;
  const api = () => `http://127.0.0.1:${hostPort('dialoop-api', 'http')}`;
  const consoleUrl = () => `http://127.0.0.1:${hostPort('dialoop-console', 'http')}`;

  /** One probe as a kubelet runs it: exec in the container, HTTP or TCP to the pod's address. */
  async function probe(w: Workload, container: any, p: Probe): Promise<boolean> {
    const port = (ref: number | string) => (typeof ref === 'number' ? ref : container.ports.find((x: any) => x.name === ref).containerPort);
    if (p.exec) return quiet(['exec', containerOf(w.name, container.name), ...p.exec.command]).status === 0;
    if (p.httpGet) {
      const res = await fetch(`http://${w.ip}:${port(p.httpGet.port)}${p.httpGet.path}`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      return !!res && res.status >= 200 && res.status < 400;
    }
    if (p.tcpSocket) {
      return new Promise((resolve) => {
        const sock = createConnection({ host: w.ip, port: port(p.tcpSocket!.port) }, () => (sock.destroy(), resolve(true)));
        sock.setTimeout(3000, () => (sock.destroy(), resolve(false)));
        sock.once('error', () => resolve(false));
      });
    }
    throw new Error(`${w.name}/${container.name}: a probe this test does not run: ${JSON.stringify(p)}`);
  }

  /** Waits until every container's readiness probe (as rendered) passes. */
  async function waitReady(w: Workload, ms: number): Promise<number> {
    const started = Date.now();
    for (const c of templateOf(w).containers) {
      const p = (c.readinessProbe ?? c.startupProbe) as Probe | undefined;
      if (!p) throw new Error(`${w.name}/${c.name} has no readiness probe to wait on`);
      for (;;) {
        if (await probe(w, c, p)) break;
        const state = JSON.parse(podman(['inspect', '--format', '{{json .State}}', containerOf(w.name, c.name)])) as { Status: string };
        if (Date.now() - started > ms) throw new Error(`${w.name}/${c.name} not ready within ${ms / 1000} s (${state.Status}):\n${logsOf(containerOf(w.name, c.name))}`);
        await sleep(1000);
      }
    }
    return (Date.now() - started) / 1000;
  }

  beforeAll(async () => {
    let started = Date.now();
    built = [...buildImages({ names: ['api', 'inference', 'console'] }), ...buildTestStandIns()];
    timings.build = (Date.now() - started) / 1000;
    process.stdout.write(`[kube-play] ${built.map((b) => `${b.image} ${mb(b.bytes)} (${b.built ? `built in ${b.seconds.toFixed(0)} s` : 'cached'})`).join(', ')}\n`);

    rendered = render(suffix);
    work = mkdtempSync(join(tmpdir(), 'dialoop-kube-play-'));
    // The namespace file a kubelet mounts with the service account's token (there is no API server).
    const serviceAccountDir = join(work, 'serviceaccount');
    mkdirSync(serviceAccountDir);
    writeFileSync(join(serviceAccountDir, 'namespace'), rendered.find((o) => o.kind === 'Namespace')!.metadata.name);

    // A network of the test's own (netavark, with DNS), its addresses handed out to the pods in order.
    ipForwardBefore = existsSync(IP_FORWARD) ? readFileSync(IP_FORWARD, 'utf8').trim() : '';
    podman(['network', 'create', network]);
    const [subnet] = JSON.parse(podman(['network', 'inspect', network]))[0].subnets as { subnet: string }[];
    const m = subnet?.subnet.match(/^(\d+\.\d+\.\d+)\.0\/24$/);
    if (!m) throw new Error(`network ${network}: expected a /24 subnet, got ${JSON.stringify(subnet)}`);
    const ips = new Map<string, string>();
    const freePorts = new Map<string, number>();
    for (const o of rendered) {
      if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
      ips.set(o.metadata.name, `${m[1]}.${10 + ips.size}`);
      for (const c of o.spec.template.spec.containers) for (const p of c.ports ?? []) freePorts.set(`${o.metadata.name}/${p.name ?? p.containerPort}`, await freePort());
    }
    ({ objects, secrets, workloads } = forKubePlay(rendered, {
      suffix,
      ipOf: (w) => ips.get(w)!,
      hostPortOf: (w, _c, p) => {
        const port = freePorts.get(`${w}/${p.name ?? p.containerPort}`)!;
        hostPorts.set(`${w}/${p.name ?? p.containerPort}`, port);
        return port;
      },
      serviceAccountDir,
      emptyDirRoot: join(work, 'emptydir'),
    }));
    for (const o of objects) if (o.kind === 'PersistentVolumeClaim') volumes.add(o.metadata.name);

    // kube play 4.3 reads a secret as the JSON of its `data` (kube-play.ts says why they are not played).
    for (const s of secrets) {
      const file = join(work, 'secret.json');
      writeFileSync(file, JSON.stringify(s.data ?? {}), { mode: 0o600 });
      try {
        podman(['secret', 'create', s.metadata.name, file]);
      } finally {
        rmSync(file, { force: true });
      }
    }
    playFile = join(work, 'dev-overlay.kube-play.yaml');
    writeFileSync(playFile, toYaml(objects));

    started = Date.now();
    // One pod per Deployment, given the addresses in the order of the file.
    podman(['kube', 'play', '--network', network, ...workloads.flatMap((w) => ['--ip', w.ip]), playFile]);
    timings.play = (Date.now() - started) / 1000;
    for (const w of workloads) {
      const infra = podman(['pod', 'inspect', '--format', '{{.InfraContainerID}}', podOf(w.name)]).trim();
      const ip = podman(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, infra]).trim();
      if (ip !== w.ip) throw new Error(`pod ${podOf(w.name)} has ${ip}, not ${w.ip}: its host aliases are wrong (kube play gave the --ip addresses in another order)`);
      for (const c of templateOf(w).containers) {
        const mounts = JSON.parse(podman(['inspect', '--format', '{{json .Mounts}}', containerOf(w.name, c.name)])) as { Type: string; Name?: string }[];
        for (const mt of mounts) if (mt.Type === 'volume' && mt.Name) volumes.add(mt.Name);
      }
    }

    // All pods start together, as in a cluster; their readiness is awaited datastores first.
    for (const [prefix, ms] of [['dialoop-postgres', 120_000], ['dialoop-redis', 60_000], ['dialoop-inference', 120_000], ['dialoop-api', 300_000], ['dialoop-console', 120_000]] as const) {
      timings[`${prefix.replace('dialoop-', '')}Ready`] = await waitReady(byName(prefix), ms);
    }
    timings.platformUp = (Date.now() - started) / 1000;
    // restartPolicy Always: a container that exited while the others came up was restarted (logged, not a failure).
    const restarts = workloads.flatMap((w) => templateOf(w).containers.map((c: { name: string }) => `${c.name} ${podman(['inspect', '--format', '{{.RestartCount}}', containerOf(w.name, c.name)]).trim()}`));
    process.stdout.write(`[kube-play] restarts while starting: ${restarts.join(', ')}\n`);
  });

  afterAll(() => {
    // Everything this run made, each step on its own so that one failure leaves none of the rest.
    if (playFile) quiet(['kube', 'down', playFile]);
    for (const w of workloads) quiet(['pod', 'rm', '-f', '-t', '5', podOf(w.name)]);
    for (const v of volumes) quiet(['volume', 'rm', '-f', v]);
    for (const s of secrets) quiet(['secret', 'rm', s.metadata.name]);
    quiet(['network', 'rm', '-f', network]);
    // netavark turns IP forwarding on for a bridge: put it back when no other container needs it.
    if (ipForwardBefore === '0' && readFileSync(IP_FORWARD, 'utf8').trim() === '1') {
      const others = quiet(['ps', '--format', '{{.Networks}}']).stdout.split('\n').filter((n) => n && n !== 'host');
      if (others.length === 0) writeFileSync(IP_FORWARD, '0\n');
    }
    if (work) rmSync(work, { recursive: true, force: true });
    const left = [
      ...quiet(['pod', 'ps', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => n.includes(suffix)),
      ...quiet(['volume', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => volumes.has(n)),
      ...quiet(['secret', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => n.includes(suffix)),
      ...quiet(['network', 'ls', '--format', '{{.Name}}']).stdout.split('\n').filter((n) => n === network),
    ];
    process.stdout.write(`[kube-play] timings (s): ${JSON.stringify(timings)}\n`);
    if (left.length) throw new Error(`kube-play test left behind: ${left.join(', ')}`);
  });

  it('plays the rendered overlay: only the named changes, pods as their templates say', () => {
    // The public images became the stand-ins, the platform's the images built above; nothing else.
    const images = rendered.flatMap((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet' ? o.spec.template.spec.containers.map((c: any) => c.image as string) : []));
    expect(images.sort()).toEqual([...TEST_STAND_INS.map((s) => s.image), ...(['api', 'console', 'inference'] as const).map(imageRef)].sort());
    expect(new Set(rendered.map((o) => o.kind))).toEqual(new Set([...LEFT_OUT_KINDS, 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet']));
    expect(workloads.map((w) => `${w.kind} ${w.name}`).sort()).toEqual(
      ['Deployment dialoop-api', 'Deployment dialoop-console', 'StatefulSet dialoop-inference', 'StatefulSet dialoop-postgres', 'StatefulSet dialoop-redis'].map((n) => `${n}-${suffix}`),
    );
    // The pod templates as rendered, but for the changes kube-play.ts names.
    for (const w of workloads) {
      const before = rendered.find((o) => o.kind === w.kind && o.metadata.name === w.name)!.spec.template.spec;
      const after = templateOf(w);
      for (const [i, c] of before.containers.entries()) {
        const { ports: _p, volumeMounts: _v, ...rest } = c;
        const { ports: _p2, volumeMounts: _v2, ...played } = after.containers[i];
        expect(played, `${w.name}/${c.name}`).toEqual(rest);
        expect(after.containers[i].ports.map((p: any) => ({ ...p, hostIP: undefined, hostPort: undefined }))).toEqual(c.ports.map((p: any) => ({ ...p, hostIP: undefined, hostPort: undefined })));
        for (const p of after.containers[i].ports) expect(p.hostIP).toBe('127.0.0.1');
      }
      expect(after.securityContext).toEqual(before.securityContext);
    }

    for (const w of workloads) {
      const spec = templateOf(w);
      for (const c of spec.containers) {
        const name = containerOf(w.name, c.name);
        const [info] = JSON.parse(podman(['inspect', name])) as { Config: { Image: string }; ImageName: string; HostConfig: { ReadonlyRootfs: boolean }; State: { Status: string } }[];
        expect(info!.State.Status, name).toBe('running');
        expect(info!.HostConfig.ReadonlyRootfs, `${name}: readOnlyRootFilesystem`).toBe(c.securityContext.readOnlyRootFilesystem);
        // runAsUser/runAsGroup, capabilities dropped (the bounding set is empty), no new privileges.
        const status = podman(['exec', name, 'cat', '/proc/1/status']);
        expect(status, `${name}: runAsUser`).toMatch(new RegExp(`^Uid:\\s+${spec.securityContext.runAsUser}\\s`, 'm'));
        expect(status, `${name}: runAsGroup`).toMatch(new RegExp(`^Gid:\\s+${spec.securityContext.runAsGroup}\\s`, 'm'));
        expect(status, `${name}: capabilities drop ALL`).toMatch(/^CapBnd:\s+0+$/m);
        expect(status, `${name}: allowPrivilegeEscalation false`).toMatch(/^NoNewPrivs:\s+1$/m);
        // Cluster DNS as the configuration uses it, through the host aliases.
        const hosts = podman(['exec', name, 'cat', '/etc/hosts']);
        for (const [host, ip] of [['dialoop-postgres', byName('dialoop-postgres').ip], ['dialoop-redis', byName('dialoop-redis').ip], ['dialoop-inference-0.dialoop-inference', byName('dialoop-inference').ip], ['dialoop-api', byName('dialoop-api').ip]]) {
          expect(hosts, `${name} resolves ${host}`).toMatch(new RegExp(`^${ip!.replace(/\./g, '\\.')}\\s+${host!.replace(/\./g, '\\.')}$`, 'm'));
        }
      }
    }
    // The api reads its namespace where a kubelet puts it.
    expect(podman(['exec', containerOf(byName('dialoop-api').name, 'api'), 'cat', `${SERVICE_ACCOUNT_PATH}/namespace`])).toBe('dialoop-dev');
    // The claims are podman volumes: PostgreSQL's cluster is on its own (PGDATA in a subfolder).
    expect(podman(['exec', containerOf(byName('dialoop-postgres').name, 'postgres'), 'cat', '/var/lib/postgresql/data/pgdata/PG_VERSION']).trim()).toBe('15');
    expect(podman(['volume', 'inspect', '--format', '{{.Name}}', `data-dialoop-postgres-${suffix}-0`, `data-dialoop-redis-${suffix}-0`, `dialoop-data-${suffix}`]).trim().split('\n')).toHaveLength(3);
  });

  it('runs the platform: the console signs in, a reply streams, the audit chain in the PostgreSQL pod verifies', async () => {
    // The console's server signs a person in through the api (CONSOLE_API_URL names dialoop-api);
    // the reply streams from the inference pod (INFERENCE_URL names dialoop-inference-0.dialoop-inference).
    const verifyAuditChain = await signInChatAndVerify(consoleUrl(), api(), DEMO_PASSWORD);
    // … and it is the PostgreSQL pod's database that holds it (DATABASE_URL names dialoop-postgres).
    const rows = podman(['exec', containerOf(byName('dialoop-postgres').name, 'postgres'), 'psql', '-U', 'dialoop', '-d', 'dialoop', '-tAc', 'SELECT count(*) FROM "AuditEntry"']);
    expect(Number(rows.trim())).toBeGreaterThanOrEqual(verifyAuditChain.checked);
  });
});
