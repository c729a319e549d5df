import { pgQuery, pgQueryLoaded } from './pg-query';

/**
 * The PostgreSQL parser that every migration phase is checked with.
 *
 * It is PostgreSQL's own grammar (libpg-query, compiled to WebAssembly). It loads synchronously the
 * first time a phase is parsed (about 20 ms), so nothing needs to be called first, from TypeScript or
 * from any other language: `MigrationPhases.sql(...)` just works. `loadSync()` loads it earlier, for
 * programs that want to pay that cost at a moment of their choosing.
 */
export class SqlParser {
  /**
   * Loads the parser and returns once it is loaded. Safe to call more than once.
   *
   * Not needed: phases load the parser when they are first parsed. Kept so programs written for
   * earlier versions, which had to await it, keep working.
   */
  public static async load(): Promise<void> {
    pgQuery();
  }

  /**
   * Loads the parser now, synchronously. Safe to call more than once; later calls return at once.
   *
   * Not needed: phases load the parser when they are first parsed.
   */
  public static loadSync(): void {
    pgQuery();
  }

  /** Whether the parser is loaded. */
  public static isLoaded(): boolean {
    return pgQueryLoaded();
  }

  private constructor() {}
}
