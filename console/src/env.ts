import 'server-only';
import { z } from 'zod';

/**
 * The console's configuration, parsed once on the server (route handlers and the root layout).
 * The browser gets only what the layout hands it: the api's public URL.
 */
const schema = z.object({
  /** Where the console's server part reaches the api (sign-in, refresh, sign-out). */
  CONSOLE_API_URL: z.url().default('http://127.0.0.1:4000/graphql'),
  /** The api's URL as the browser sees it (GraphQL over HTTP and graphql-ws); default CONSOLE_API_URL. */
  CONSOLE_PUBLIC_API_URL: z.url().optional(),
  /** Seconds the refresh-token cookie lives; the api's REFRESH_TOKEN_TTL_S should match. */
  CONSOLE_SESSION_TTL_S: z.coerce.number().int().positive().default(30 * 24 * 3600),
  /** Mark the session cookie Secure (set when the console is served over https). */
  CONSOLE_SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export type ConsoleEnv = z.infer<typeof schema> & { publicApiUrl: string };

let parsed: ConsoleEnv | undefined;
export function env(): ConsoleEnv {
  if (!parsed) {
    const e = schema.parse(process.env);
    parsed = { ...e, publicApiUrl: e.CONSOLE_PUBLIC_API_URL ?? e.CONSOLE_API_URL };
  }
  return parsed;
}
