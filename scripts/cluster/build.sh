#!/usr/bin/env bash
# Builds the local control plane of the cluster tests from the Go module proxy, once per version:
#
#   .tools/cluster/<versions>/   kube-apiserver, kube-controller-manager, kube-scheduler, etcd and
#                                rollouts-controller, from the module in scripts/cluster/kubernetes
#                                (one module and one build cache, so the five share the compiled
#                                Kubernetes packages)
#   .tools/cluster/kwok-<v>/     kwok (`go install`; its go.mod needs no replace lines)
#   .tools/cluster/flagger-<v>/  the Flagger controller (`go build` in its own module, below)
#
# A folder that holds its binaries and the stamp of what built them (the pins, the Go version and
# the flags) is reused as it is; anything else is built. The Go module cache and build cache live in
# .tools/go/ (git-ignored, shared with scripts/install-tools.sh), so a rebuild after a version bump
# compiles only what changed.
#
# Two controllers listen on every interface with no flag to change it: Argo Rollouts' metrics and
# health servers ("0.0.0.0:%d" in controller/controller.go) and Flagger's HTTP server (":" + port in
# pkg/server/server.go). The build copies each of those modules from the module cache into
# .tools/cluster/src/ and changes that one address to 127.0.0.1 before compiling (go.mod replaces the
# Argo Rollouts module with the copy), so every process of the control plane listens on loopback only.
#
# Prints the folders as KEY=VALUE lines (CONTROL_PLANE_BIN, KWOK_BIN, FLAGGER_BIN); progress and
# timings go to stderr. Needs go (1.24 or newer). Run with `nice` on shared machines.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

KWOK_VERSION="v0.7.0"
FLAGGER_VERSION="v1.44.0"

die() { echo "build.sh: $*" >&2; exit 1; }
command -v go >/dev/null || die "go is not installed"

tools="${root}/.tools"
export GOMODCACHE="${tools}/go/pkg/mod" GOCACHE="${tools}/go/cache" GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0
ldflags="-s -w"
mkdir -p "${tools}/cluster"

# One build at a time per checkout (two test runs starting together would otherwise race).
exec 9>"${tools}/cluster/.lock"
flock 9

module="${root}/scripts/cluster/kubernetes"
version_of() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "${module}/go.mod"; }
k8s=$(version_of k8s.io/kubernetes)
argo=$(version_of github.com/argoproj/argo-rollouts)
etcd=$(version_of go.etcd.io/etcd/server/v3)
[ -n "$k8s" ] && [ -n "$argo" ] && [ -n "$etcd" ] || die "cannot read the versions from ${module}/go.mod"

go_version=$(go env GOVERSION)
stamp_of() { printf '%s\n' "$@" "${go_version}" "${ldflags}" "listen 127.0.0.1" "kube version flags"; }

# Reuses $dir when its stamp matches and every binary is there; otherwise runs the build command.
build() {
  local dir=$1 stamp=$2; shift 2
  local binaries=() arg
  while [ "$1" != "--" ]; do binaries+=("$1"); shift; done
  shift
  local ok=1
  for arg in "${binaries[@]}"; do [ -x "${dir}/${arg}" ] || ok=0; done
  if [ "$ok" = 1 ] && [ -f "${dir}/.stamp" ] && [ "$(cat "${dir}/.stamp")" = "${stamp}" ]; then
    echo "build.sh: ${dir#"${root}/"} is built" >&2
    return 0
  fi
  echo "build.sh: building ${dir#"${root}/"} (${binaries[*]})" >&2
  rm -rf "${dir}.tmp"
  mkdir -p "${dir}.tmp"
  local start=$SECONDS
  "$@" "${dir}.tmp"
  for arg in "${binaries[@]}"; do [ -x "${dir}.tmp/${arg}" ] || die "the build wrote no ${arg}"; done
  printf '%s' "${stamp}" >"${dir}.tmp/.stamp"
  rm -rf "${dir}"
  mv "${dir}.tmp" "${dir}"
  echo "build.sh: built ${dir#"${root}/"} in $((SECONDS - start)) s" >&2
}

# patched_copy MODULE VERSION FILE FROM TO DEST: copies MODULE@VERSION from the module cache into DEST
# and replaces FROM with TO in DEST/FILE (go refuses -overlay for files inside the module cache).
patched_copy() {
  local module_path=$1 version=$2 file=$3 from=$4 to=$5 dest=$6 src
  src=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-modcacherw go mod download -json "${module_path}@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] && [ -f "${src}/${file}" ] || die "could not download ${module_path}@${version}"
  grep -qF "$from" "${src}/${file}" || die "'${from}' not found in ${module_path}@${version}/${file}: check the listen address of this version"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  cp -r "$src" "$dest"
  chmod -R u+w "$dest"
  FROM="$from" TO="$to" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "${dest}/${file}"
  grep -qF "$to" "${dest}/${file}" || die "could not patch ${dest}/${file}"
}

build_control_plane() {
  local out=$1
  # go.mod replaces github.com/argoproj/argo-rollouts with this folder.
  patched_copy github.com/argoproj/argo-rollouts "$argo" controller/controller.go '"0.0.0.0:%d"' '"127.0.0.1:%d"' \
    "${tools}/cluster/src/argo-rollouts"
  # The version the Kubernetes binaries report (Flagger, for one, refuses a server without one), as
  # the Kubernetes release build sets it.
  local minor=${k8s#v1.}; minor=${minor%%.*}
  local version_flags="-X k8s.io/component-base/version.gitVersion=${k8s} -X k8s.io/component-base/version.gitMajor=1"
  version_flags+=" -X k8s.io/component-base/version.gitMinor=${minor} -X k8s.io/component-base/version.gitTreeState=clean"
  (cd "$module" && go build -trimpath -ldflags="${ldflags} ${version_flags}" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  (cd "$module" && go build -trimpath -ldflags="${ldflags}" -o "$out/" \
    github.com/argoproj/argo-rollouts/cmd/rollouts-controller go.etcd.io/etcd/server/v3)
  # The etcd main package is the module root go.etcd.io/etcd/server/v3, so go names its binary "server".
  mv "$out/server" "$out/etcd"
}

build_kwok() {
  GOBIN="$1" go install -trimpath -ldflags="${ldflags}" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
}

build_flagger() {
  local src="${tools}/cluster/src/flagger"
  patched_copy github.com/fluxcd/flagger "$FLAGGER_VERSION" pkg/server/server.go '":" + port' '"127.0.0.1:" + port' "$src"
  (cd "$src" && go build -trimpath -ldflags="${ldflags}" -o "$1/" ./cmd/flagger)
}

cp_dir="${tools}/cluster/kubernetes-${k8s}_argo-rollouts-${argo}_etcd-${etcd}"
build "$cp_dir" "$(stamp_of "$(cat "${module}/go.mod" "${module}/go.sum" | sha256sum)")" \
  kube-apiserver kube-controller-manager kube-scheduler etcd rollouts-controller -- build_control_plane

kwok_dir="${tools}/cluster/kwok-${KWOK_VERSION}"
build "$kwok_dir" "$(stamp_of "kwok ${KWOK_VERSION}")" kwok -- build_kwok

flagger_dir="${tools}/cluster/flagger-${FLAGGER_VERSION}"
build "$flagger_dir" "$(stamp_of "flagger ${FLAGGER_VERSION}")" flagger -- build_flagger

echo "CONTROL_PLANE_BIN=${cp_dir}"
echo "KWOK_BIN=${kwok_dir}"
echo "FLAGGER_BIN=${flagger_dir}"
