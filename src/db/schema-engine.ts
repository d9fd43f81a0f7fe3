import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { sessionOptions, type DatabaseTarget } from './connection.ts';

const require = createRequire(import.meta.url);
type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;
let initialised: Promise<void> | undefined;

// The package's own entry imports the .wasm as an ES module, which Node 20 allows only behind
// --experimental-wasm-modules; instantiating it here keeps `node` and `tsx` flag-free.
function initialiseWasm(): Promise<void> {
  initialised ??= (async () => {
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start: () => void };
    bindings.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return initialised;
}

/** Runs `use` with Prisma's schema engine (WebAssembly) connected to `target`, then frees it. */
export async function withSchemaEngine<T>(
  target: DatabaseTarget,
  schemaFile: { path: string; content: string },
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await initialiseWasm();
  const factory = new PrismaPg({ connectionString: target.connectionString, options: sessionOptions(target) }, { schema: target.schema });
  // The engine does not close what it connects (and Prisma's migration advisory lock lives on that
  // connection), so track every adapter it opens and dispose of them ourselves.
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  };
  function track(adapter: PgAdapter): PgAdapter {
    opened.push(adapter);
    adapter.executeScript = (script) => executeWhole(adapter.underlyingDriver(), script);
    return adapter;
  }
  const engine: SchemaEngine = await bindings.SchemaEngine.new(
    { datamodels: [[schemaFile.path, schemaFile.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  try {
    return await use(engine);
  } finally {
    engine.free();
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
  }
}

/**
 * Runs a migration script as one simple query, as Prisma's schema-engine binary does: Postgres runs
 * it as one implicit transaction, so a migration applies whole or not at all, and a dollar-quoted
 * function body keeps its semicolons. (The pg adapter's own executeScript splits the script at every
 * semicolon and runs the pieces one by one.)
 */
async function executeWhole(pool: pg.Pool, script: string): Promise<void> {
  try {
    await pool.query(script);
  } catch (error) {
    // A connection failure reaches the engine as it is; an error of Postgres is reported as the pg
    // adapter reports it, with where in the script it happened.
    if (!(error instanceof pg.DatabaseError)) throw error;
    throw new DriverAdapterError({
      kind: 'postgres',
      code: error.code ?? 'N/A',
      severity: error.severity ?? 'ERROR',
      message: [error.message, error.where, error.position ? `at character ${error.position} of the migration` : undefined].filter(Boolean).join('; '),
      detail: error.detail,
      column: error.column,
      hint: error.hint,
    });
  }
}
