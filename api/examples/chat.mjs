// A graphql-ws client: logs in, sends a message, prints the reply token by token.
// Run from api/: node examples/chat.mjs "What is 2 plus 3?"
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const url = `${process.env.DIALOOP_API_URL ?? 'http://127.0.0.1:4000'}/graphql`;
const gql = async (query, variables, token) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify({ query, variables }) });
  const { data, errors } = await res.json();
  if (errors) throw new Error(errors[0].message);
  return data;
};
const { login } = await gql('mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}', { e: 'user@demo.local', p: 'dialoop-demo' });
const token = login.accessToken;
const { sendMessage } = await gql('mutation($c:String!){sendMessage(input:{content:$c}){assistantMessage{id}}}', { c: process.argv[2] ?? 'Hello!' }, token);
const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
const query = 'subscription($id:ID!){messageStream(messageId:$id){seq delta done finishReason usage{totalTokens} error{code message}}}';
for await (const { data } of client.iterate({ query, variables: { id: sendMessage.assistantMessage.id } })) {
  const e = data.messageStream;
  if (e.delta) process.stdout.write(e.delta);
  if (e.done) console.log(`\n[${e.error ? e.error.code : e.finishReason}, ${e.usage?.totalTokens ?? '?'} tokens]`);
}
client.dispose();
