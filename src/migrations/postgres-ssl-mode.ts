/**
 * How a migration connects to PostgreSQL over TLS (libpq's `sslmode`; JDBC tools take the same values).
 * @see https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION
 */
export enum PostgresSslMode {
  /** No TLS. Only for servers reached over a trusted network. */
  DISABLE = 'disable',
  /** TLS only if the server insists. */
  ALLOW = 'allow',
  /** TLS if the server offers it (libpq's default), without checking the certificate. */
  PREFER = 'prefer',
  /** TLS always, without checking the certificate. */
  REQUIRE = 'require',
  /** TLS always, with a certificate signed by a trusted CA. */
  VERIFY_CA = 'verify-ca',
  /** TLS always, with a trusted certificate whose name matches the host. */
  VERIFY_FULL = 'verify-full',
}
