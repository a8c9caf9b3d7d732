/**
 * Request ids: the audit trail records the server's own id for every request, never one a client
 * chose; `x-request-id` returns it. A client's id of the strict short form is only logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startApi, type TestApi } from './stack.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOGIN = 'mutation { login(email: "user@demo.local", password: "%s") { accessToken } }';

describe('request ids', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('http://127.0.0.1:9', { DEMO_ACCOUNTS: 'true', DEMO_PASSWORD });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('records the server’s own id in the trail, whatever id the client sends', async () => {
    for (const sent of ['x'.repeat(512), 'client-abc.123', '<script>', undefined]) {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sent === undefined ? {} : { 'x-request-id': sent }) },
        body: JSON.stringify({ query: LOGIN.replace('%s', DEMO_PASSWORD) }),
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(id).not.toBe(sent);
      const entry = await api.server.database.prisma.auditEntry.findFirst({ where: { action: 'login' }, orderBy: { seq: 'desc' } });
      expect(entry?.requestId).toBe(id);
    }
  });
});
