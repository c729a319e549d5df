/**
 * libpg-query (PostgreSQL's own parser, compiled to WebAssembly), loaded synchronously. Internal:
 * used by sql-statement.ts only; never exported from the library.
 *
 * libpg-query only offers an asynchronous `loadModule()`: its Emscripten factory is an `async`
 * function, so even with the WebAssembly compiled synchronously (Emscripten's documented
 * `instantiateWasm` hook) the runtime finishes starting in promise callbacks. Those callbacks are
 * microtasks; JavaScript cannot wait for them in the middle of a synchronous call (a constructor, or
 * a call from Python through jsii). So the package is evaluated in its own `vm` context whose
 * microtasks run as soon as a script in that context returns (`microtaskMode: 'afterEvaluate'`):
 * when the bootstrap script below returns, the parser is ready. It takes about 20 ms.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** The part of libpg-query's API the checks use. */
export interface PgQuery {
  /** Parses SQL into libpg_query's JSON parse tree; throws an error with `sqlDetails` on bad SQL. */
  parseSync(sql: string): any;
}

// A global of Node, not declared by the TypeScript libraries this project compiles with.
const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
} = (globalThis as any).WebAssembly;

let loaded: PgQuery | undefined;

/** libpg-query, loaded on first use. */
export function pgQuery(): PgQuery {
  loaded = loaded ?? loadSync();
  return loaded;
}

/** Whether the parser has been loaded. */
export function pgQueryLoaded(): boolean {
  return loaded !== undefined;
}

function loadSync(): PgQuery {
  const entry = require.resolve('libpg-query'); // <package>/wasm/index.cjs
  const dir = path.dirname(entry);
  const factoryFile = path.join(dir, 'libpg-query.js');
  const wasm = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'libpg-query.wasm')));
  const requireFromPackage = createRequire(entry);

  // Node's own objects are passed in; JSON too, so parse trees are objects of this realm.
  const globals: { [name: string]: unknown } = { process, console, TextDecoder, TextEncoder, URL, setTimeout, clearTimeout, JSON };
  const context = vm.createContext(globals, { microtaskMode: 'afterEvaluate', name: 'libpg-query' });
  const evaluateCommonJs = (file: string, requireHere: (id: string) => unknown): any => {
    const module = { exports: {} as any };
    const fn = vm.compileFunction(fs.readFileSync(file, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {
      parsingContext: context,
      filename: file,
    });
    fn(module.exports, requireHere, module, file, path.dirname(file));
    return module.exports;
  };
  const factory = evaluateCommonJs(factoryFile, requireFromPackage);
  const withSyncInstance = (options: object = {}) => factory({
    ...options,
    instantiateWasm: (imports: any, receiveInstance: (instance: object) => void) => {
      receiveInstance(new WebAssembly.Instance(wasm, imports));
      return {};
    },
  });

  // The package starts its runtime when it is evaluated; the promise callbacks that finish starting
  // it run when this script returns, so the parser is ready after it.
  globals.bootstrap = () => evaluateCommonJs(entry, (id) => (id === './libpg-query.js' ? withSyncInstance : requireFromPackage(id)));
  vm.runInContext('globalThis.pg = bootstrap();', context, { filename: 'libpg-query-bootstrap.js' });
  const pg = globals.pg as PgQuery;
  pg.parseSync('SELECT 1'); // throws if the runtime did not start
  return pg;
}
