import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, parseEnv } from './env.js';

describe('parseEnv', () => {
  it('has working defaults', () => {
    const env = parseEnv({});
    expect(env.INFERENCE_PORT).toBe(8000);
    expect(env.MODEL_DIR).toEqual([{ id: 'dialoop-tiny', dir: DEFAULT_MODEL_DIR }]);
    expect(env.INFERENCE_DEVICE).toBe('cpu');
    expect(env.INFERENCE_PRECISION).toBe('auto');
  });

  it('reads several model folders with optional ids and coerces numbers', () => {
    const env = parseEnv({ MODEL_DIR: 'a=/m/one, /m/two/', INFERENCE_MAX_BATCH: '4', INFERENCE_MAX_N: '2' });
    expect(env.MODEL_DIR).toEqual([{ id: 'a', dir: '/m/one' }, { id: 'two', dir: '/m/two' }]);
    expect(parseEnv({ MODEL_DIR: 'models/x', INIT_CWD: '/home/me/dialoop' }).MODEL_DIR).toEqual([{ id: 'x', dir: '/home/me/dialoop/models/x' }]);
    expect(env.INFERENCE_MAX_BATCH).toBe(4);
  });

  it('refuses bad values with a message naming the variable', () => {
    expect(() => parseEnv({ INFERENCE_PORT: 'http' })).toThrow(/INFERENCE_PORT/);
    expect(() => parseEnv({ INFERENCE_DEVICE: 'tpu' })).toThrow(/INFERENCE_DEVICE/);
    expect(() => parseEnv({ INFERENCE_PRECISION: 'fp16' })).toThrow(/INFERENCE_PRECISION/);
    expect(parseEnv({ INFERENCE_PRECISION: 'fp32' }).INFERENCE_PRECISION).toBe('fp32');
    expect(() => parseEnv({ MODEL_DIR: 'x=/a,x=/b' })).toThrow(/two models under one id/);
    expect(() => parseEnv({ INFERENCE_MAX_BATCH: '2', INFERENCE_MAX_N: '4' })).toThrow(/INFERENCE_MAX_N/);
  });
});
