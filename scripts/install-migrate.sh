#!/usr/bin/env bash
# Installs golang-migrate's CLI (`migrate`, with only its PostgreSQL driver) into .tools/bin, built from
# source with `go install` from the Go module proxy; the module and build caches stay under .tools/go.
# The real-database tests run MigrationRunner.golangMigrate()'s Job command with it. Idempotent: a second
# run with the same pin does nothing. Needs go (1.22 or newer).
#
# pgroll is not installed: the Go module proxy refuses its module (github.com/xataio/pgroll answers
# 403 Forbidden for every version), so MigrationRunner.pgroll()'s Jobs are checked against pgroll's
# command-line flags (read from its sources) rather than run.
set -euo pipefail
cd "$(dirname "$0")/.."

MIGRATE_VERSION="v4.19.1"

tools="$(pwd)/.tools"
want="golang-migrate@${MIGRATE_VERSION} (postgres)"
if [ -f "${tools}/migrate.version" ] && [ "$(cat "${tools}/migrate.version")" = "${want}" ] && [ -x "${tools}/bin/migrate" ]; then
  exit 0
fi
mkdir -p "${tools}/bin"
GOBIN="${tools}/bin" GOPATH="${tools}/go" GOMODCACHE="${tools}/go/pkg/mod" GOCACHE="${tools}/go/cache" \
  GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0 \
  go install -tags postgres "github.com/golang-migrate/migrate/v4/cmd/migrate@${MIGRATE_VERSION}" >&2
echo "${want}" > "${tools}/migrate.version"
echo "installed golang-migrate ${MIGRATE_VERSION} into ${tools}/bin" >&2
