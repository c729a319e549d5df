import { k8s } from 'cdk8s-plus-28';
import { PostgresSslMode } from '../migrations/postgres-ssl-mode';
import { checkDnsSubdomain, fail } from '../private/validate';

/**
 * Where a migration Job finds its database: the keys of a Kubernetes Secret.
 *
 * The defaults match the application Secrets of CloudNativePG (`<cluster>-app`) and Crunchy PGO
 * (`<cluster>-pguser-<user>`), which both hold `host`, `port`, `dbname`, `user` and `password`.
 */
export interface DatabaseSecretOptions {
  /** Name of the Secret, in the namespace the Job runs in. */
  readonly secretName: string;
  /**
   * Key holding the host name.
   * @default 'host'
   */
  readonly hostKey?: string;
  /**
   * Key holding the port.
   * @default 'port'
   */
  readonly portKey?: string;
  /**
   * Key holding the database name.
   * @default 'dbname'
   */
  readonly databaseKey?: string;
  /**
   * Key holding the user name.
   * @default 'user'
   */
  readonly userKey?: string;
  /**
   * Key holding the password.
   * @default 'password'
   */
  readonly passwordKey?: string;
  /**
   * TLS mode of the connection.
   * @default PostgresSslMode.REQUIRE (libpq itself defaults to `prefer`, which accepts an unencrypted connection)
   */
  readonly sslMode?: PostgresSslMode;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * The PostgreSQL connection of a migration Job.
 *
 * Every runner gets it as the libpq environment (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`,
 * `PGPASSWORD`, `PGSSLMODE`), read from the Secret; JDBC runners (Flyway, Liquibase) build their URL
 * from the same variables, and the password never appears in the Job's arguments.
 */
export class DatabaseConnection {
  /**
   * Reads host, port, database, user and password from the keys of a Secret.
   * @example DatabaseConnection.fromSecret({ secretName: 'orders-db-app' })
   */
  public static fromSecret(options: DatabaseSecretOptions): DatabaseConnection {
    const where = 'DatabaseConnection.fromSecret()';
    checkDnsSubdomain(where, 'secretName', options.secretName);
    const keys: { [field: string]: string } = {
      hostKey: options.hostKey ?? 'host',
      portKey: options.portKey ?? 'port',
      databaseKey: options.databaseKey ?? 'dbname',
      userKey: options.userKey ?? 'user',
      passwordKey: options.passwordKey ?? 'password',
    };
    for (const [field, key] of Object.entries(keys)) {
      if (typeof key !== 'string' || !SECRET_KEY.test(key)) {
        fail(where, field, "must be a Secret key (letters, digits, '-', '_' and '.')", key);
      }
    }
    const sslMode = options.sslMode ?? PostgresSslMode.REQUIRE;
    if (!Object.values(PostgresSslMode).includes(sslMode)) {
      fail(where, 'sslMode', `must be one of ${Object.values(PostgresSslMode).join(', ')}`, sslMode);
    }
    return new DatabaseConnection(options.secretName, keys.hostKey, keys.portKey, keys.databaseKey, keys.userKey, keys.passwordKey, sslMode);
  }

  /** Name of the Secret. */
  public readonly secretName: string;
  /** TLS mode of the connection. */
  public readonly sslMode: PostgresSslMode;

  private constructor(
    secretName: string,
    private readonly hostKey: string,
    private readonly portKey: string,
    private readonly databaseKey: string,
    private readonly userKey: string,
    private readonly passwordKey: string,
    sslMode: PostgresSslMode,
  ) {
    this.secretName = secretName;
    this.sslMode = sslMode;
  }

  /**
   * The libpq environment of the connection.
   * @internal
   */
  public _env(): k8s.EnvVar[] {
    const fromSecret = (name: string, key: string): k8s.EnvVar => ({
      name, valueFrom: { secretKeyRef: { name: this.secretName, key } },
    });
    return [
      fromSecret('PGHOST', this.hostKey),
      fromSecret('PGPORT', this.portKey),
      fromSecret('PGDATABASE', this.databaseKey),
      fromSecret('PGUSER', this.userKey),
      fromSecret('PGPASSWORD', this.passwordKey),
      { name: 'PGSSLMODE', value: this.sslMode },
    ];
  }
}
