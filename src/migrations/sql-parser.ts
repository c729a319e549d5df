import { loadParser, parserLoaded } from './sql-statement';

/**
 * The PostgreSQL parser that every migration phase is checked with.
 *
 * It is PostgreSQL's own grammar (libpg-query, compiled to WebAssembly), which loads asynchronously.
 * Load it once, before building any construct that takes `MigrationPhases`; after that, phases are
 * parsed and checked synchronously while the app is built:
 *
 * ```ts
 * async function buildApp() {
 *   await SqlParser.load();
 *   const app = new App();
 *   new ExpandContractJob(new Chart(app, 'db'), 'rename', { ... });
 *   return app;
 * }
 * ```
 */
export class SqlParser {
  /**
   * Loads the parser. Safe to call more than once; later calls return at once.
   */
  public static async load(): Promise<void> {
    await loadParser();
  }

  /** Whether `load()` has completed, so phases can be parsed. */
  public static isLoaded(): boolean {
    return parserLoaded();
  }

  private constructor() {}
}
