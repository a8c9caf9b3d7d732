// The images' HEALTHCHECK (podman build --format docker; run by `podman healthcheck run` or a
// Docker engine): GET a loopback URL of the service and exit 0 on a 2xx answer, 1 otherwise.
// Minimal Debian has no curl, and the service's own Node is already in the image.
// Usage: node /app/healthcheck.mjs PORT_VARIABLE DEFAULT_PORT PATH
const [portVar, defaultPort, path] = process.argv.slice(2);
const port = process.env[portVar] || defaultPort;
// eslint-disable-next-line no-undef -- a Node global the lint config does not list for .mjs
const ctrl = AbortSignal.timeout(2500);
fetch(`http://127.0.0.1:${port}${path}`, { signal: ctrl, redirect: 'manual' }).then(
  (res) => process.exit(res.status >= 200 && res.status < 300 ? 0 : 1),
  () => process.exit(1),
);
