import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { sessionOptions, type DatabaseTarget } from './connection.ts';

const require = createRequire(import.meta.url);
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
  function track<A extends { dispose(): Promise<void> }>(adapter: A): A {
    opened.push(adapter);
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
