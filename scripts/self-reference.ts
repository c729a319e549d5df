/**
 * Lets code in this repository import the library by its published name, as users do:
 * `import { CanaryRollout } from '@release-constructs/release-strategies'` resolves to src/index.ts.
 * ts-node loads this file before any script (test/tsconfig.json, "ts-node".require); TypeScript and
 * jest map the name with `paths` and `moduleNameMapper` (.projenrc.ts).
 */
import { Module } from 'module';
import * as path from 'path';

const NAME = '@release-constructs/release-strategies';
const INDEX = path.resolve(__dirname, '..', 'src', 'index.ts');
const modules = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = modules._resolveFilename;
modules._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === NAME ? INDEX : resolve.call(this, request, ...rest);
};
