#!/usr/bin/env bash
# Fetches the strict JSON schemas of the core Kubernetes API (v1.28, the version cdk8s-plus-28 targets)
# from the kubernetes-validate package on PyPI into .cache/kubernetes-json-schema/. The test suite and
# kubeconform validate every synthesized core object (Deployment, Service, ...) against them.
# Idempotent: does nothing when the schemas are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

version="v1.28.0"
dest=".cache/kubernetes-json-schema/${version}-local-strict"
[ -f "${dest}/_definitions.json" ] && exit 0

wheels=".cache/wheels"
mkdir -p "${wheels}"
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "${wheels}" "kubernetes-validate==1.37.0"
python3 - "${wheels}" "${version}" <<'PY'
import glob, os, sys, zipfile
wheels, version = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(wheels, "kubernetes_validate-1.37.0-*.whl"))
prefix = f"kubernetes_validate/kubernetes-json-schema/{version}-local-strict/"
out = os.path.join(".cache", "kubernetes-json-schema", f"{version}-local-strict")
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
    for name in names:
        with open(os.path.join(out, name[len(prefix):]), "wb") as f:
            f.write(z.read(name))
print(f"extracted {len(names)} schemas into {out}")
PY
