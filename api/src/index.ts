export { startApiServer, type ApiServer } from './server.js';
export { parseEnv, envSchema, type ApiEnv } from './env.js';
export { createSchema } from './schema.js';
export { ErrorCode } from './errors.js';
