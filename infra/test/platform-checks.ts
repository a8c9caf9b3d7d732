/**
 * What both ops tests ask of a platform running from the images (images.ops.test.ts with podman
 * run, kube-play.ops.test.ts under podman kube play): a person signs in through the console's
 * server, chats over graphql-ws and a reply streams from the inference server, and the audit
 * trail verifies. Returns the verification, for the caller's own checks.
 */
import { expect } from 'vitest';
import { collect, connect, gqlOk, login, SEND, textOf } from '@dialoop/api/testing';

export async function signInChatAndVerify(consoleUrl: string, apiUrl: string, password: string): Promise<{ valid: boolean; checked: number }> {
  expect((await fetch(`${consoleUrl}/signin`)).status).toBe(200);
  const session = await fetch(`${consoleUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: consoleUrl },
    body: JSON.stringify({ email: 'user@demo.local', password }),
  });
  expect(session.status).toBe(200);
  expect(session.headers.getSetCookie().join(';')).toMatch(/HttpOnly/i);
  const { accessToken } = (await session.json()) as { accessToken: string };
  expect(accessToken).toBeTruthy();

  // Chat over graphql-ws with the console's token: tokens stream from the inference server.
  const client = await connect(apiUrl, accessToken);
  try {
    const sent = await gqlOk(apiUrl, SEND, { input: { content: 'Hello! What can you do?' } }, accessToken);
    const events = await collect(client, sent.sendMessage.assistantMessage.id);
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    // Deltas that arrive within STREAM_COALESCE_MS share one event, so a short reply may come as
    // one delta event; the model still produced it token by token.
    expect(events.filter((e) => e.delta).length).toBeGreaterThan(0);
    expect(events.at(-1)?.usage?.completionTokens).toBeGreaterThan(1);
    expect(textOf(events).length).toBeGreaterThan(0);
  } finally {
    await client.dispose();
  }

  // The audit trail recorded the sign-in and the message, and its chain verifies.
  const officer = await login(apiUrl, 'compliance@demo.local', password);
  const { verifyAuditChain } = await gqlOk(apiUrl, 'query { verifyAuditChain { valid checked broken { seq reason } } }', {}, officer);
  expect(verifyAuditChain).toMatchObject({ valid: true, broken: null });
  expect(verifyAuditChain.checked).toBeGreaterThan(2);
  return verifyAuditChain;
}
