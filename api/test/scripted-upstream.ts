/**
 * A stand-in OpenAI-compatible upstream for the safety tests and the REST tests: it streams a
 * reply cut into exactly the tokens the test chose, which no real model can be made to do, and
 * keeps the messages of every request it received (`received`: what the model was asked). The
 * prompt carries the tokens as `script:<base64url JSON array>` (encoded, so the prompt itself
 * passes the input filter). The default model of the test api stays the real one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SCRIPTED_MODEL = 'scripted';

export const script = (tokens: string[]) => `script:${Buffer.from(JSON.stringify(tokens)).toString('base64url')}`;

export interface ScriptedUpstream {
  url: string;
  /** The `messages` of each chat request received, oldest first. */
  received: { role: string; content: string }[][];
  close(): Promise<void>;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const received: ScriptedUpstream['received'] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: SCRIPTED_MODEL, object: 'model' }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404);
      res.end();
      return;
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const messages = (JSON.parse(body) as { messages: { role: string; content: string }[] }).messages;
      received.push(messages);
      const last = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const m = /script:([A-Za-z0-9_-]+)/.exec(last);
      const tokens = m ? (JSON.parse(Buffer.from(m[1]!, 'base64url').toString()) as string[]) : ['ok'];
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: SCRIPTED_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      let i = 0;
      let closed = false;
      res.on('close', () => (closed = true));
      const next = () => {
        if (closed) return;
        if (i < tokens.length) {
          res.write(chunk({ content: tokens[i++] }, null));
          return void setImmediate(next);
        }
        res.write(chunk({}, 'stop'));
        res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: tokens.length } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      next();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
