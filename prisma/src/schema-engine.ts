// Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm), which creates,
// diffs and applies migrations through a driver adapter instead of the native binary the Prisma
// CLI would download. The package's own entry imports the .wasm file as an ES module, which Node 20
// cannot do, so the wasm-bindgen glue is wired to a WebAssembly.Instance here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationAdapterFactory } from './adapters.js';

export type SchemaEngine = glue.SchemaEngine;
export type {
  MigrationList,
  SchemaFilter,
  SchemasContainer,
} from '@prisma/schema-engine-wasm/schema_engine_bg';

/** No externally managed tables or enums (prisma.config.ts declares none). */
export const NO_FILTER: glue.SchemaFilter = { externalTables: [], externalEnums: [] };

// The WebAssembly global, typed here: tsconfig's ES2023 lib and @types/node 20 only declare types.
type Imports = Record<string, unknown>;
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Imports>) => { exports: Record<string, unknown> };
  RuntimeError: new () => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface PanicRegistry {
  set_message(message: string): void;
}

let lastPanic: string | undefined;
let loaded = false;

function loadEngine(): typeof glue {
  if (loaded) return glue;
  // The engine reports Rust panics through this global before trapping.
  const global = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  global.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (message: string) => {
      lastPanic = message;
    },
  };
  const require = createRequire(import.meta.url);
  const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
  const module = new wasm.Module(readFileSync(wasmPath));
  const imports: Imports = { ...glue };
  // The engine arms 10-second timers that it never clears; unref'd, they no longer keep a process
  // that has finished its work alive for up to 10 seconds.
  for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  const instance = new wasm.Instance(module, { './schema_engine_bg.js': imports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  loaded = true;
  return glue;
}

export interface EngineOptions {
  /** schema.prisma, when the command needs the datasource or a target schema. */
  schema?: { path: string; content: string };
}

/** Runs `task` with a schema engine connected through `factory`, then frees the engine. */
export async function withSchemaEngine<T>(
  factory: MigrationAdapterFactory,
  task: (engine: SchemaEngine) => Promise<T>,
  options: EngineOptions = {},
): Promise<T> {
  const engineModule = loadEngine();
  const datamodels: [string, string][] | undefined = options.schema
    ? [[options.schema.path, options.schema.content]]
    : undefined;
  let engine: SchemaEngine | undefined;
  try {
    engine = await engineModule.SchemaEngine.new(
      { datamodels },
      () => {}, // the engine's tracing logs (JSON lines); errors reach us as rejections
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await task(engine);
  } catch (error) {
    throw engineError(error);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** Engine failures are Errors (with a Prisma `code`), except panics: a bare wasm trap, whose
 * message the panic hook saved. Anything else is wrapped so callers always get an Error. */
function engineError(error: unknown): Error {
  if (error instanceof wasm.RuntimeError) {
    const panic = lastPanic;
    lastPanic = undefined;
    return new Error(`Prisma schema engine (wasm) panicked: ${panic ?? error.message}`, { cause: error });
  }
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return new Error(`Prisma schema engine: ${String(error.message)}`, { cause: error });
  }
  return new Error(`Prisma schema engine: ${String(error)}`, { cause: error });
}
