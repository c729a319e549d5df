#!/usr/bin/env bash
# Installs the conformance tools that scripts/conformance.sh runs, into project-local, git-ignored
# folders under .tools/ (nothing goes into the system or the user's home):
#
#   .tools/venv/       Python virtual environment with pinned cfn-lint and checkov (from PyPI)
#   .tools/bin/        kubeconform, built from source with `go install` (from the Go module proxy)
#   .tools/versions    the versions installed; a second run with the same pins does nothing
#
# It also runs scripts/install-migrate.sh (golang-migrate's CLI, for the real-database tests; those
# tests run it themselves too, so they work on their own).
#
# kube-linter is not installed: the Go module proxy refuses both of its module paths
# (golang.stackrox.io/kube-linter and github.com/stackrox/kube-linter answer 403 Forbidden), and no
# other registry this project may use ships it. checkov's Kubernetes checks cover the same pod
# security settings; docs/conformance.md says so.
#
# Needs: python3 (3.9 or newer) with venv, and go (1.22 or newer). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION="1.58.0"
CHECKOV_VERSION="3.3.30"
KUBECONFORM_VERSION="v0.7.0"

scripts/install-migrate.sh

tools="$(pwd)/.tools"
want="cfn-lint==${CFN_LINT_VERSION} checkov==${CHECKOV_VERSION} kubeconform@${KUBECONFORM_VERSION}"
if [ -f "${tools}/versions" ] && [ "$(cat "${tools}/versions")" = "${want}" ] \
  && [ -x "${tools}/venv/bin/cfn-lint" ] && [ -x "${tools}/venv/bin/checkov" ] && [ -x "${tools}/bin/kubeconform" ]; then
  echo "conformance tools already installed (${want})"
  exit 0
fi

mkdir -p "${tools}/bin"

# Python tools. One venv: checkov and cfn-lint resolve to compatible dependencies at these pins.
if [ ! -x "${tools}/venv/bin/python" ]; then
  python3 -m venv "${tools}/venv"
fi
"${tools}/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"${tools}/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "cfn-lint==${CFN_LINT_VERSION}" "checkov==${CHECKOV_VERSION}"

# Go tools, built from source into .tools/bin with the module cache and build cache kept inside
# .tools too, so nothing outside the project is touched.
GOBIN="${tools}/bin" GOPATH="${tools}/go" GOMODCACHE="${tools}/go/pkg/mod" GOCACHE="${tools}/go/cache" \
  GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0 \
  go install "github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}"

echo "${want}" > "${tools}/versions"
echo "installed into ${tools}: $("${tools}/venv/bin/cfn-lint" --version), checkov $("${tools}/venv/bin/checkov" --version), kubeconform $("${tools}/bin/kubeconform" -v)"
