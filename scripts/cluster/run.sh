#!/usr/bin/env bash
# Runs a command against a local control plane that lives only as long as the command:
#
#   scripts/cluster/run.sh COMMAND [ARGS...]
#
# Builds what is missing (scripts/cluster/build.sh), then starts, in a fresh temporary folder, as the
# current user and listening on 127.0.0.1 only:
#   etcd, kube-apiserver (bearer token, self-signed certificate), kube-controller-manager (Deployment,
#   ReplicaSet, EndpointSlice, namespace, garbage-collector, node-lifecycle ... controllers),
#   kube-scheduler, kwok (one simulated node: pods scheduled there become Running and Ready),
#   the Argo Rollouts controller and the Flagger controller,
# installs the CRDs committed in schemas/crds/ (written by `npx projen import`), and runs COMMAND with
#   TEST_CLUSTER_SERVER, TEST_CLUSTER_TOKEN, TEST_CLUSTER_CA_FILE  how to reach the API server
#   KUBECONFIG                                                     the same, as a kubeconfig file
#   TEST_CLUSTER_DIR                                               the folder (logs in TEST_CLUSTER_DIR/logs)
# Every process is stopped and the folder removed when COMMAND ends, fails or is interrupted; the logs
# of the last run are kept in .cache/cluster/logs/. Exits with COMMAND's status.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

die() { echo "run.sh: $*" >&2; exit 1; }
[ $# -gt 0 ] || die "usage: $0 COMMAND [ARGS...]"
command -v curl >/dev/null || die "curl is needed"
command -v node >/dev/null || die "node is needed"

eval "$(nice -n 10 "${root}/scripts/cluster/build.sh")"

dir=$(mktemp -d "${TMPDIR:-/tmp}/release-strategies-cluster.XXXXXX")
mkdir -p "${dir}/logs"
pids=()

stop() {
  local status=$? pid
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "${root}/.cache/cluster/logs"
  mkdir -p "${root}/.cache/cluster"
  cp -r "${dir}/logs" "${root}/.cache/cluster/logs" 2>/dev/null || true
  rm -rf "$dir"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  die "no free TCP port found"
}

# start NAME COMMAND...: runs a component in the background, its output in logs/NAME.log.
start() {
  local name=$1; shift
  "$@" >"${dir}/logs/${name}.log" 2>&1 &
  pids+=($!)
  echo "$!" >"${dir}/${name}.pid"
}

# wait_until WHAT SECONDS COMMAND...: retries COMMAND until it succeeds; on time-out shows the logs.
wait_until() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { tail -n 30 "${dir}"/logs/*.log >&2; die "a component exited while waiting for ${what}"; }
    done
    if [ $SECONDS -ge $deadline ]; then tail -n 30 "${dir}"/logs/*.log >&2; die "${what}: not ready after ${seconds} s"; fi
    sleep 0.2
  done
}

started=$SECONDS
token=$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')
node -e '
  const { generateKeyPairSync } = require("crypto"); const fs = require("fs");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  fs.writeFileSync(process.argv[2], publicKey.export({ type: "spki", format: "pem" }));
' "${dir}/sa.key" "${dir}/sa.pub"
echo "${token},admin,admin,system:masters" >"${dir}/tokens.csv"
chmod 600 "${dir}/tokens.csv"

etcd_port=$(free_port); etcd_peer=$(free_port); api_port=$(free_port)
argo_metrics=$(free_port); argo_health=$(free_port); flagger_port=$(free_port); kwok_port=$(free_port)
server="https://127.0.0.1:${api_port}"
ca="${dir}/apiserver/apiserver.crt"
kubeconfig="${dir}/kubeconfig"
cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
    certificate-authority: ${ca}
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: local
  context:
    cluster: local
    user: admin
current-context: local
EOF

bin="${CONTROL_PLANE_BIN}"
start etcd "${bin}/etcd" --name local --data-dir "${dir}/etcd" \
  --listen-client-urls "http://127.0.0.1:${etcd_port}" --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
  --listen-peer-urls "http://127.0.0.1:${etcd_peer}" --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer}" \
  --initial-cluster "local=http://127.0.0.1:${etcd_peer}" --unsafe-no-fsync --log-level warn
wait_until etcd 60 curl -sf "http://127.0.0.1:${etcd_port}/health"

start kube-apiserver "${bin}/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:${etcd_port}" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "${api_port}" --cert-dir "${dir}/apiserver" \
  --token-auth-file "${dir}/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "${dir}/sa.pub" \
  --service-account-signing-key-file "${dir}/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --endpoint-reconciler-type none --profiling=false --v 0
api() { curl -sf --cacert "$ca" -H "Authorization: Bearer ${token}" "$@"; }
wait_until kube-apiserver 120 api "${server}/readyz"

# CRDs first, so that the controllers find every kind they watch.
for crd in "${root}"/schemas/crds/*.json; do
  name=$(basename "$crd" .json)
  # Retried: right after /readyz the server may still refuse a large CRD for a moment.
  wait_until "the CRD ${name}" 300 api --max-time 120 -X PATCH -H 'Content-Type: application/apply-patch+yaml' --data-binary "@${crd}" \
    "${server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=run.sh&force=true"
done
crd_established() {
  api "${server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions" \
    | node -e 'const l = JSON.parse(require("fs").readFileSync(0, "utf8")).items; process.exit(l.every((c) => (c.status.conditions ?? []).some((x) => x.type === "Established" && x.status === "True")) ? 0 : 1)'
}
wait_until "the CRDs" 300 crd_established

start kube-controller-manager "${bin}/kube-controller-manager" --kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
  --service-account-private-key-file "${dir}/sa.key" --root-ca-file "$ca" --use-service-account-credentials=false --v 0
start kube-scheduler "${bin}/kube-scheduler" --kubeconfig "$kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false --v 0

# One simulated node, with room for many pods: every Rollout the tests apply schedules onto it.
api -X POST -H 'Content-Type: application/json' "${server}/api/v1/nodes" -d '{
  "apiVersion": "v1", "kind": "Node",
  "metadata": { "name": "kwok-node", "annotations": { "kwok.x-k8s.io/node": "fake" },
                "labels": { "kubernetes.io/hostname": "kwok-node", "kubernetes.io/os": "linux", "type": "kwok" } },
  "status": { "capacity": { "cpu": "1000", "memory": "4Ti", "pods": "5000" },
              "allocatable": { "cpu": "1000", "memory": "4Ti", "pods": "5000" } }
}' >/dev/null || die "could not create the node"
start kwok "${KWOK_BIN}/kwok" --kubeconfig "$kubeconfig" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --server-address "127.0.0.1:${kwok_port}" --node-ip 127.0.0.1 --node-lease-duration-seconds 40

POD_NAMESPACE=argo-rollouts start argo-rollouts "${bin}/rollouts-controller" --kubeconfig "$kubeconfig" \
  --leader-elect=false --metricsPort "${argo_metrics}" --healthzPort "${argo_health}" --loglevel info
start flagger "${FLAGGER_BIN}/flagger" -kubeconfig "$kubeconfig" -port "${flagger_port}" \
  -mesh-provider kubernetes -metrics-server "http://127.0.0.1:${flagger_port}" -log-level info -zap-encoding console \
  -enable-leader-election=false

node_ready() {
  api "${server}/api/v1/nodes/kwok-node" | node -e '
    const n = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const ready = (n.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
    const tainted = (n.spec.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    process.exit(ready && !tainted ? 0 : 1)'
}
wait_until "the kwok node" 120 node_ready
wait_until "the default service account" 60 api "${server}/api/v1/namespaces/default/serviceaccounts/default"
wait_until "Argo Rollouts" 60 curl -sf "http://127.0.0.1:${argo_health}/healthz"
wait_until "Flagger" 60 curl -sf "http://127.0.0.1:${flagger_port}/healthz"

# Every listening socket of the control plane is on loopback.
if command -v ss >/dev/null; then
  open=$(ss -ltnpH | awk '{ print $4, $6 }' | grep -E "pid=($(IFS='|'; echo "${pids[*]}"))," | grep -vE '^(127\.[0-9.]+|\[::1\]):' || true)
  [ -z "$open" ] || die "a component listens beyond loopback: ${open}"
fi
echo "run.sh: control plane up in $((SECONDS - started)) s (${dir}; API server ${server})" >&2

TEST_CLUSTER_SERVER="$server" TEST_CLUSTER_TOKEN="$token" TEST_CLUSTER_CA_FILE="$ca" TEST_CLUSTER_DIR="$dir" KUBECONFIG="$kubeconfig" \
  "$@"
