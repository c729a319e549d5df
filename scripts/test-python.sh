#!/usr/bin/env bash
# Builds the Python package from the compiled library (jsii-pacmak) and runs test/python with pytest
# against it. The venv lives in .tools/python-venv and is rebuilt only when test/python/requirements.txt
# changes; the generated package goes to .cache/python-package. Needs `npx projen compile` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1

venv=.tools/python-venv
requirements=test/python/requirements.txt
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi

[[ -f .jsii && -f lib/index.js ]] || { echo "compile first: npx projen compile" >&2; exit 1; }
out=.cache/python-package
rm -rf "$out"
npx jsii-pacmak --target python --code-only --outdir "$out" --force-subdirectory
# Reinstalled each run (its version stays 0.0.0), with its dependencies, so pip brings the jsii runtime
# the generated code asks for; the peers are already there.
"$venv/bin/pip" uninstall --quiet --yes release-constructs.release-strategies 2>/dev/null || true
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation "$out"/python
"$venv/bin/python" -m pytest -q -p no:cacheprovider test/python
