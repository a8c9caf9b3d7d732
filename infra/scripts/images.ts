/**
 * Builds the platform's OCI images with podman, offline (`pnpm images:build`, from the repository root):
 *
 *   localhost/dialoop-bookworm-base:12  debootstrap --variant=minbase bookworm from the Debian mirror
 *                                       configured in /etc/apt/sources.list.d/, imported once (cached:
 *                                       made again only when the image is gone)
 *   localhost/dialoop-node:20           the base + the host's Node 20 binary + UID/GID 10001
 *   dialoop/api, dialoop/console, dialoop/inference, dialoop/training   (infra/images/*.Containerfile)
 *
 * Test stand-ins (buildTestStandIns, for test/kube-play.ops.test.ts only, never deployed):
 *   localhost/dialoop-test-postgres:15, localhost/dialoop-test-redis:7   the dev overlay's public
 *                                       postgres:16-bookworm and redis:7-bookworm cannot be pulled
 *                                       here: Debian's PostgreSQL 15 and redis-server on the base
 *
 * dialoop/inference-cuda is not built here (infra/images/inference-cuda.Containerfile says why);
 * `--context inference-cuda` writes its build context for a machine that can build it.
 *
 * Each image is labelled with a hash of its inputs (the files it is made of, its Containerfile,
 * this script, the image below it): an image whose label matches is not built again. `--force`
 * rebuilds; names (`api console …`) limit the build to those images; `--test-stand-ins` builds only
 * the test stand-ins.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePython } from '../../scripts/ensure-python.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const IMAGES_DIR = join(ROOT, 'infra', 'images');
/** podman's configuration here: runc and explicit ulimits (STACK-NOTES, "Containers"). */
export const CONTAINERS_CONF = join(IMAGES_DIR, 'containers.conf');
export const BASE_IMAGE = 'localhost/dialoop-bookworm-base:12';
export const NODE_IMAGE = 'localhost/dialoop-node:20';
export const HASH_LABEL = 'org.dialoop.inputs-sha256';
/** The images `pnpm images:build` makes, in build order. */
export const APP_IMAGES = ['api', 'inference', 'console', 'training'] as const;
export type AppImage = (typeof APP_IMAGES)[number];
export const imageRef = (name: AppImage | 'inference-cuda') => `dialoop/${name}:latest`;
/** Debian packages the build needs on the host (podman uses runc here; debootstrap makes the base). */
export const CONTAINER_PACKAGES = ['podman', 'buildah', 'runc', 'debootstrap'];

const PNPM = join(ROOT, 'node_modules', '.bin', 'pnpm');
const log = (msg: string) => process.stdout.write(`[images] ${msg}\n`);

/** The environment every podman call gets. */
export function podmanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF, ...extra };
}

/** Runs a command, throwing with its output when it fails; returns stdout. */
function run(cmd: string, args: string[], opts: SpawnSyncOptions & { quiet?: boolean } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: podmanEnv(), ...opts, stdio: opts.quiet === false ? 'inherit' : 'pipe' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${String(r.stdout ?? '').slice(-4000)}${String(r.stderr ?? '').slice(-4000)}`);
  return String(r.stdout ?? '');
}
export const podman = (args: string[], opts: SpawnSyncOptions & { quiet?: boolean } = {}) => run('podman', args, opts);

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * podman, runc and debootstrap, installed with apt-get as the other test tools are
 * (scripts/ensure-python.mjs) when missing and we are root; otherwise an error that says what to run.
 */
export function ensureContainerTools(): void {
  ensurePython({ required: false, packages: CONTAINER_PACKAGES, what: 'podman, runc and debootstrap for the images' });
  const missing = ['podman', 'runc', 'debootstrap'].filter((c) => !has(c));
  if (missing.length) throw new Error(`the images need ${missing.join(', ')}: apt-get install -y ${CONTAINER_PACKAGES.join(' ')}`);
}

export const imageExists = (ref: string) => spawnSync('podman', ['image', 'exists', ref], { env: podmanEnv() }).status === 0;

function imageLabel(ref: string): string | undefined {
  if (!imageExists(ref)) return undefined;
  const out = podman(['image', 'inspect', '--format', `{{index .Labels "${HASH_LABEL}"}}`, ref]).trim();
  return out && out !== '<no value>' ? out : undefined;
}
const imageId = (ref: string) => podman(['image', 'inspect', '--format', '{{.Id}}', ref]).trim();

/** The image's size in bytes, as `podman images` counts it (every layer, the base's included). */
export const imageSize = (ref: string) => Number(podman(['image', 'inspect', '--format', '{{.Size}}', ref]).trim());

/** The bookworm mirror apt uses here (deb822 `.sources` or one-line `.list` files). */
export function debianMirror(): string {
  const dirs = ['/etc/apt/sources.list.d'];
  const files = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => join(d, f)) : []));
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes('bookworm') && field('Components').includes('main')) {
          const uri = field('URIs')[0];
          if (uri) return uri;
        }
      }
    } else {
      const m = text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s+.*\bmain\b/m);
      if (m?.[1]) return m[1];
    }
  }
  throw new Error('no Debian bookworm mirror with component main in /etc/apt/sources.list.d/ or /etc/apt/sources.list');
}

/** The Debian base, made once: debootstrap, cleaned of apt's caches, imported. */
export function ensureBase(): void {
  if (imageExists(BASE_IMAGE)) return;
  const mirror = debianMirror();
  const started = Date.now();
  log(`making ${BASE_IMAGE}: debootstrap --variant=minbase bookworm from ${mirror} (about 1-2 minutes)`);
  const work = mkdtempSync(join('/var/tmp', 'dialoop-rootfs-'));
  const rootfs = join(work, 'rootfs');
  try {
    run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror]);
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/log', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
      const path = join(rootfs, dir);
      if (!existsSync(path)) continue;
      for (const entry of readdirSync(path)) if (entry !== 'partial' && entry !== 'lock') rmSync(join(path, entry), { recursive: true, force: true });
    }
    const tarFile = join(work, 'rootfs.tar');
    run('tar', ['-C', rootfs, '--numeric-owner', '-cf', tarFile, '.']);
    podman(['import', '--change', 'CMD ["/bin/bash"]', '--message', `debootstrap --variant=minbase bookworm ${mirror}`, tarFile, BASE_IMAGE]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`${BASE_IMAGE} made in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Files under `paths` (relative to the repository) that git tracks or would track, sorted. */
function sourceFiles(paths: string[]): string[] {
  const out = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...paths], { cwd: ROOT, env: process.env });
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => existsSync(join(ROOT, f))).sort();
}

/** A hash of the image's inputs: files (tracked or not ignored), extra strings, the image below it. */
function inputsHash(paths: string[], extra: string[]): string {
  const h = createHash('sha256');
  for (const f of sourceFiles(paths)) h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  for (const e of extra) h.update(e).update('\0');
  return h.digest('hex');
}


/** `pnpm deploy` of a workspace package: its files and only its own dependencies, from the store, offline. */
function deploy(pkg: string, dir: string, prod = true): void {
  // inject-workspace-packages: pnpm 10's deploy reuses the workspace lockfile with it (offline);
  // without it, it resolves every dependency again from the registry's metadata.
  run(PNPM, ['--config.inject-workspace-packages=true', 'deploy', '--filter', pkg, ...(prod ? ['--prod'] : []), '--offline', '--reporter=append-only', dir], {
    cwd: ROOT,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

/**
 * Removes from a deployed node_modules/.pnpm every package that the app cannot reach through its
 * dependency links once the links to `dropped` package names are cut.
 */
function pruneUnreachable(dir: string, dropped: (name: string) => boolean): void {
  const store = join(dir, 'node_modules', '.pnpm');
  const links = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => (name.startsWith('@') ? readdirSync(join(folder, name)).map((n) => `${name}/${n}`) : name.startsWith('.') ? [] : [name]));
  // .pnpm/<id>/node_modules/<name> is a package; its dependencies are its siblings there.
  const idOf = (path: string) => relative(store, realpathSync(path)).split('/')[0]!;
  const reachable = new Set<string>();
  const queue: string[] = [];
  const visit = (folder: string) => {
    for (const name of links(folder)) {
      if (dropped(name)) continue;
      const path = join(folder, name);
      if (!existsSync(path)) continue;
      const real = realpathSync(path);
      if (!real.startsWith(store + '/')) continue;
      const id = idOf(path);
      if (!reachable.has(id)) {
        reachable.add(id);
        queue.push(join(store, id, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  while (queue.length) visit(queue.pop()!);
  for (const id of readdirSync(store)) if (!id.startsWith('.') && !id.startsWith('node_modules') && !reachable.has(id)) rmSync(join(store, id), { recursive: true, force: true });
}

const copy = (from: string, to: string) => {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, filter: (src) => !/(^|\/)(__pycache__|\.pytest_cache|node_modules)$/.test(src) });
};

/** The host's Node 20 for the images: the host must be Debian bookworm, like the base. */
function hostNode(): string {
  const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
  const version = run(node, ['--version'], { env: process.env }).trim();
  if (!version.startsWith('v20.')) throw new Error(`${node} is ${version}: the images need Node 20 (copied from the host)`);
  const debian = existsSync('/etc/debian_version') ? readFileSync('/etc/debian_version', 'utf8').trim() : '';
  if (!debian.startsWith('12')) throw new Error(`the host is not Debian 12 (bookworm) but "${debian}": its Node binary may not run on the bookworm base`);
  return node;
}

/** The part of esbuild's API used here. */
interface EsbuildApi {
  buildSync(options: Record<string, unknown>): unknown;
}

interface Stage {
  /** Folders and files (repository-relative) the image is made of, for its input hash. */
  inputs: string[];
  /** Writes the build context into `ctx` (Containerfiles COPY `app/`). */
  make(ctx: string): void;
}

const STAGES: Record<AppImage, Stage> = {
  api: {
    inputs: ['api/src', 'api/package.json', 'api/tsconfig.json', 'prisma/src', 'prisma/migrations', 'prisma/schema.prisma', 'prisma/package.json', 'feedback/src', 'feedback/package.json', 'tsconfig.base.json', 'pnpm-lock.yaml', 'inference/models/dialoop-tiny', 'infra/k8s/training-job.yaml'],
    make(ctx) {
      const app = join(ctx, 'app');
      const api = join(app, 'api');
      deploy('@dialoop/api', api);
      // The generated Prisma client is not a package file (it is git-ignored): bring it along.
      const generated = join(ROOT, 'prisma', 'src', 'generated');
      if (!existsSync(generated)) throw new Error('prisma/src/generated is missing: run `pnpm install` (its postinstall generates the client)');
      copy(generated, join(realpathSync(join(api, 'node_modules', '@dialoop', 'db')), 'src', 'generated'));
      // Build-time tools that @prisma/client's peer dependencies bring in; nothing imports them at
      // run time (migrations go through @prisma/schema-engine-wasm), nor the query compilers of
      // databases other than PostgreSQL.
      const dropped = new Set(['prisma', '@prisma/studio-core', '@prisma/dev', '@prisma/config', 'typescript', 'react', 'react-dom']);
      pruneUnreachable(api, (name) => dropped.has(name) || name.startsWith('@types/'));
      // @dialoop/db's dependencies are its siblings in .pnpm/<id>/node_modules.
      const runtime = join(realpathSync(join(realpathSync(join(api, 'node_modules', '@dialoop', 'db')), '..', '..', '@prisma', 'client')), 'runtime');
      for (const f of readdirSync(runtime)) if (/\.(sqlite|mysql|cockroachdb|sqlserver)\./.test(f)) rmSync(join(runtime, f));
      for (const extra of ['test', 'examples', 'vitest.config.ts']) rmSync(join(api, extra), { recursive: true, force: true });
      copy(join(ROOT, 'tsconfig.base.json'), join(app, 'tsconfig.base.json'));
      copy(join(ROOT, 'inference', 'models', 'dialoop-tiny'), join(app, 'inference', 'models', 'dialoop-tiny'));
      copy(join(ROOT, 'infra', 'k8s', 'training-job.yaml'), join(app, 'infra', 'k8s', 'training-job.yaml'));
    },
  },
  inference: {
    inputs: ['inference/src', 'inference/package.json', 'inference/models/dialoop-tiny', 'pnpm-lock.yaml'],
    make(ctx) {
      const dir = join(ctx, 'app', 'inference');
      deploy('@dialoop/inference', dir);
      // src/ as one ES module, its packages left to node_modules: no TypeScript loader at run time.
      // esbuild is tsx's (a root dev dependency), not one of infra's own.
      const esbuild = createRequire(createRequire(join(ROOT, 'package.json')).resolve('tsx/package.json'))('esbuild') as EsbuildApi;
      esbuild.buildSync({
        entryPoints: [join(dir, 'src', 'main.ts')],
        outfile: join(dir, 'dist', 'main.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        logLevel: 'warning',
      });
      for (const extra of ['src', 'test', 'scripts', 'vitest.config.ts']) rmSync(join(dir, extra), { recursive: true, force: true });
      // onnxruntime-node ships every platform's binaries; the image runs linux/x64.
      const bin = join(realpathSync(join(dir, 'node_modules', 'onnxruntime-node')), 'bin');
      for (const napi of readdirSync(bin)) {
        for (const os of readdirSync(join(bin, napi))) {
          for (const arch of readdirSync(join(bin, napi, os))) if (`${os}/${arch}` !== 'linux/x64') rmSync(join(bin, napi, os, arch), { recursive: true, force: true });
        }
      }
    },
  },
  console: {
    inputs: ['console/src', 'console/public', 'console/next.config.ts', 'console/package.json', 'console/tsconfig.json', 'tsconfig.base.json', 'api/src/modules/rbac', 'pnpm-lock.yaml'],
    make(ctx) {
      const build = join(ctx, 'build');
      deploy('@dialoop/console', build);
      // next build checks for TypeScript and @types/node (the workspace root's dev dependencies) and
      // would install them from the registry: link the workspace's own.
      const rootRequire = createRequire(join(ROOT, 'package.json'));
      for (const pkg of ['typescript', '@types/node']) {
        const at = join(build, 'node_modules', pkg);
        if (existsSync(at)) continue;
        mkdirSync(dirname(at), { recursive: true });
        symlinkSync(dirname(rootRequire.resolve(`${pkg}/package.json`)), at);
      }
      // console/tsconfig.json extends ../tsconfig.base.json, outside the folder Turbopack may read
      // here: merge the two.
      const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: object };
      const own = JSON.parse(readFileSync(join(build, 'tsconfig.json'), 'utf8')) as { extends?: string; compilerOptions: object };
      delete own.extends;
      writeFileSync(join(build, 'tsconfig.json'), JSON.stringify({ ...own, compilerOptions: { ...base.compilerOptions, ...own.compilerOptions } }, null, 2));
      // The standalone server: next build traces what it needs into .next/standalone.
      run(process.execPath, [join(build, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
        cwd: build,
        env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', CONSOLE_STANDALONE: '1' },
        quiet: false,
      });
      const dir = join(ctx, 'app', 'console');
      cpSync(join(build, '.next', 'standalone'), dir, { recursive: true, verbatimSymlinks: true });
      cpSync(join(build, '.next', 'static'), join(dir, '.next', 'static'), { recursive: true });
      if (existsSync(join(build, 'public'))) cpSync(join(build, 'public'), join(dir, 'public'), { recursive: true });
      rmSync(join(dir, '.next', 'cache'), { recursive: true, force: true });
      writeFileSync(
        join(dir, 'start.mjs'),
        [
          '// The standalone server reads PORT and HOSTNAME; the console is configured with CONSOLE_PORT and',
          '// CONSOLE_HOST (as under `npm start` and in the Kubernetes ConfigMap).',
          "process.env.PORT = process.env.CONSOLE_PORT || '3000';",
          "process.env.HOSTNAME = process.env.CONSOLE_HOST || '0.0.0.0';",
          "await import('./server.js');",
          '',
        ].join('\n'),
      );
      rmSync(build, { recursive: true, force: true });
    },
  },
  training: {
    inputs: ['training/dialoop_train'],
    make(ctx) {
      copy(join(ROOT, 'training', 'dialoop_train'), join(ctx, 'app', 'training', 'dialoop_train'));
    },
  },
};

/** Build one image from a context folder, labelled with its input hash. */
function podmanBuild(containerfile: string, ref: string, ctx: string, hash: string): void {
  podman(
    ['build', '--format', 'docker', '--pull=never', '--network', 'host', '--layers', '--label', `${HASH_LABEL}=${hash}`, '-f', join(IMAGES_DIR, containerfile), '-t', ref, ctx],
    { quiet: false },
  );
}

function ensureNodeImage(): string {
  const node = hostNode();
  const hash = inputsHash(['infra/images/node.Containerfile', 'infra/images/healthcheck.mjs'], [imageId(BASE_IMAGE), run(node, ['--version'], { env: process.env }).trim()]);
  if (imageLabel(NODE_IMAGE) !== hash) {
    const ctx = mkdtempSync(join(tmpdir(), 'dialoop-image-node-'));
    try {
      cpSync(node, join(ctx, 'node'));
      cpSync(join(IMAGES_DIR, 'healthcheck.mjs'), join(ctx, 'healthcheck.mjs'));
      podmanBuild('node.Containerfile', NODE_IMAGE, ctx, hash);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }
  return imageId(NODE_IMAGE);
}

export interface BuiltImage {
  image: string;
  bytes: number;
  /** false when the cached image's inputs were unchanged. */
  built: boolean;
  seconds: number;
}

/** Builds the base (once), the Node runtime and the named images; returns each one's size. */
export function buildImages({ names = [...APP_IMAGES], force = false }: { names?: AppImage[]; force?: boolean } = {}): BuiltImage[] {
  ensureContainerTools();
  ensureBase();
  const nodeId = ensureNodeImage();
  const results: BuiltImage[] = [];
  for (const name of names) {
    const started = Date.now();
    const stage = STAGES[name];
    const below = name === 'training' ? imageId(BASE_IMAGE) : nodeId;
    // This script is an input too (how a context is made); its text, not a function's source, which
    // differs between tsx and vitest.
    const hash = inputsHash([...stage.inputs, `infra/images/${name}.Containerfile`, 'infra/scripts/images.ts'], [below]);
    const ref = imageRef(name);
    const cached = !force && imageLabel(ref) === hash;
    if (cached) log(`${ref}: inputs unchanged, cached`);
    else {
      log(`${ref}: staging`);
      const ctx = mkdtempSync(join(tmpdir(), `dialoop-image-${name}-`));
      try {
        stage.make(ctx);
        log(`${ref}: building`);
        podmanBuild(`${name}.Containerfile`, ref, ctx, hash);
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
    }
    results.push({ image: ref, bytes: imageSize(ref), built: !cached, seconds: (Date.now() - started) / 1000 });
  }
  return results;
}

/**
 * TEST STAND-INS for the public images of the dev overlay's datastores, which cannot be pulled here
 * (no registry): each one is built from the Debian base and honours the part of the public image's
 * contract the overlay uses (its Containerfile says which). Only test/kube-play.ops.test.ts runs
 * them, through infra/test/kube-play/kustomization.yaml's `images:`; never deploy them.
 */
export const TEST_STAND_INS = [
  { replaces: 'postgres:16-bookworm', image: 'localhost/dialoop-test-postgres:15', containerfile: 'test-postgres.Containerfile', files: ['test-postgres-entrypoint.sh'] },
  { replaces: 'redis:7-bookworm', image: 'localhost/dialoop-test-redis:7', containerfile: 'test-redis.Containerfile', files: [] },
] as const;

/** Builds the test stand-ins (cached by their input hash like the other images). */
export function buildTestStandIns({ force = false }: { force?: boolean } = {}): BuiltImage[] {
  ensureContainerTools();
  ensureBase();
  const baseId = imageId(BASE_IMAGE);
  return TEST_STAND_INS.map(({ image, containerfile, files }) => {
    const started = Date.now();
    const hash = inputsHash([`infra/images/${containerfile}`, ...files.map((f) => `infra/images/${f}`), 'infra/scripts/images.ts'], [baseId]);
    const cached = !force && imageLabel(image) === hash;
    if (cached) log(`${image}: inputs unchanged, cached`);
    else {
      log(`${image}: building (test stand-in)`);
      const ctx = mkdtempSync(join(tmpdir(), 'dialoop-image-test-'));
      try {
        for (const f of files) cpSync(join(IMAGES_DIR, f), join(ctx, f));
        podmanBuild(containerfile, image, ctx, hash);
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
    }
    return { image, bytes: imageSize(image), built: !cached, seconds: (Date.now() - started) / 1000 };
  });
}

/** The build context of dialoop/inference-cuda, for a machine with internet and NVIDIA's images. */
export function cudaContext(dir: string): void {
  mkdirSync(dir, { recursive: true });
  STAGES.inference.make(dir);
  cpSync(hostNode(), join(dir, 'node'));
  cpSync(join(IMAGES_DIR, 'healthcheck.mjs'), join(dir, 'app', 'healthcheck.mjs'));
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const ctxAt = args.indexOf('--context');
  if (ctxAt >= 0) {
    const dir = args[ctxAt + 2] ?? mkdtempSync(join(tmpdir(), 'dialoop-image-inference-cuda-'));
    if (args[ctxAt + 1] !== 'inference-cuda') throw new Error('usage: images.ts --context inference-cuda [DIR]');
    cudaContext(dir);
    log(`context of dialoop/inference-cuda in ${dir}: podman build --format docker -f ${relative(process.cwd(), join(IMAGES_DIR, 'inference-cuda.Containerfile'))} -t ${imageRef('inference-cuda')} ${dir}`);
  } else if (args.includes('--test-stand-ins')) {
    for (const r of buildTestStandIns({ force: args.includes('--force') })) log(`${r.image.padEnd(36)} ${mb(r.bytes).padStart(8)}  ${r.built ? `built in ${r.seconds.toFixed(0)} s` : 'cached'}`);
  } else {
    const names = args.filter((a) => !a.startsWith('--')) as AppImage[];
    for (const n of names) if (!APP_IMAGES.includes(n)) throw new Error(`unknown image ${n}: one of ${APP_IMAGES.join(', ')}`);
    const started = Date.now();
    const results = buildImages({ names: names.length ? names : [...APP_IMAGES], force: args.includes('--force') });
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const r of results) log(`${r.image.padEnd(26)} ${mb(r.bytes).padStart(8)}  ${r.built ? `built in ${r.seconds.toFixed(0)} s` : 'cached'}`);
    log('dialoop/inference-cuda: not built here (needs CUDA 12 + cuDNN 9 images and onnxruntime-node\'s CUDA provider from the internet); see infra/images/inference-cuda.Containerfile');
  }
}
