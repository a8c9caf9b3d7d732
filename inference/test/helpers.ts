import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { pino } from 'pino';
import { expect } from 'vitest';
import { parseEnv, startInferenceServer, type InferenceServer, type ModelSpec } from '../src/index.js';

/** Starts a real server on a free port with the given environment (defaults: the committed model). */
export async function startServer(env: Record<string, string> = {}): Promise<InferenceServer> {
  return startInferenceServer(parseEnv({ INFERENCE_PORT: '0', LOG_LEVEL: 'warn', ...env }), pino({ level: 'warn' }));
}

export interface ParityCase {
  messages: { role: string; content: string }[];
  prompt_ids: number[];
  greedy_ids: number[];
  logits: number[][];
  logit_steps: number[];
}

export function readParityFixture(path = fileURLToPath(new URL('./fixtures/parity.json', import.meta.url))): { steps: number; cases: ParityCase[] } {
  return JSON.parse(readFileSync(path, 'utf8')) as { steps: number; cases: ParityCase[] };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

/** A value of a Prometheus sample, e.g. metric('dialoop_inference_running_sequences{model="x"}'). */
export async function metricValue(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

/** [1, heads, past + new, dim] from a past [1, heads, past, dim] and new keys or values [1, heads, new, dim]. */
function appendKv(past: ort.Tensor, added: ort.Tensor): ort.Tensor {
  const [, h, p, d] = past.dims as number[];
  const n = added.dims[2]!;
  const a = past.data as Float32Array;
  const b = added.data as Float32Array;
  const out = new Float32Array(h! * (p! + n) * d!);
  for (let hh = 0; hh < h!; hh++) {
    out.set(a.subarray(hh * p! * d!, (hh + 1) * p! * d!), hh * (p! + n) * d!);
    out.set(b.subarray(hh * n * d!, (hh + 1) * n * d!), (hh * (p! + n) + p!) * d!);
  }
  return new ort.Tensor('float32', out, [1, h!, p! + n, d!]);
}

/** Greedy decoding with the KV cache straight through onnxruntime-node (no engine), keeping each step's logits. */
export async function onnxGreedy(session: ort.InferenceSession, spec: ModelSpec, prompt: number[], steps: number) {
  const kvDims = (past: number) => [1, spec.numKvHeads, past, spec.headDim];
  let past: Record<string, ort.Tensor> = {};
  for (let l = 0; l < spec.numLayers; l++) {
    past[`past_key_values.${l}.key`] = new ort.Tensor('float32', new Float32Array(0), kvDims(0));
    past[`past_key_values.${l}.value`] = new ort.Tensor('float32', new Float32Array(0), kvDims(0));
  }
  let ids = prompt;
  let pos = 0;
  const tokens: number[] = [];
  const logits: Float32Array[] = [];
  for (let step = 0; step < steps; step++) {
    const total = pos + ids.length;
    const out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, j) => BigInt(pos + j))), [1, ids.length]),
      ...past,
    });
    const l = out.logits as ort.Tensor;
    const v = l.dims[2]!;
    const last = (l.data as Float32Array).slice((ids.length - 1) * v, ids.length * v);
    logits.push(last);
    let best = 0;
    for (let i = 1; i < v; i++) if (last[i]! > last[best]!) best = i;
    tokens.push(best);
    const next: Record<string, ort.Tensor> = {};
    for (let k = 0; k < spec.numLayers; k++) {
      for (const kind of ['key', 'value']) {
        const present = out[`present.${k}.${kind}`] as ort.Tensor | undefined;
        // A graph without presents (Dialoop's export) gives the step's keys and values: append them.
        next[`past_key_values.${k}.${kind}`] = present ?? appendKv(past[`past_key_values.${k}.${kind}`]!, out[`new_key_values.${k}.${kind}`] as ort.Tensor);
      }
    }
    past = next;
    pos = total;
    ids = [best];
  }
  return { tokens, logits };
}

export function expectParity(cases: ParityCase[], results: { tokens: number[]; logits: Float32Array[] }[]) {
  cases.forEach((c, i) => {
    const r = results[i]!;
    expect(r.tokens).toEqual(c.greedy_ids);
    c.logit_steps.forEach((step, k) => {
      const ref = c.logits[k]!;
      const got = r.logits[step]!;
      let maxDiff = 0;
      for (let j = 0; j < ref.length; j++) maxDiff = Math.max(maxDiff, Math.abs(ref[j]! - got[j]!));
      expect(maxDiff).toBeLessThan(1e-3);
    });
  });
}

