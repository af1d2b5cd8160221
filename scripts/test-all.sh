#!/usr/bin/env bash
# The README's test command (`npm test`): every check this repository has, in order of cost.
# Each stage is an npm script; a stage whose script does not exist yet is reported as skipped.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
failed_stages=()

run_stage() {
  local title="$1"
  shift
  echo
  echo "=== ${title}: $*"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== ${title}: ok ($((SECONDS - started)) s)"
  else
    failed=$((failed + 1))
    failed_stages+=("$title")
    echo "=== ${title}: FAILED ($((SECONDS - started)) s)"
  fi
}

has_script() {
  local dir="$1" name="$2"
  node -e 'const p=require(process.argv[1]); process.exit(p.scripts && p.scripts[process.argv[2]] ? 0 : 1)' \
    "$PWD/$dir/package.json" "$name"
}

run_stage "system packages" bash scripts/ci/ensure-system-packages.sh
run_stage "lint" npm run --silent lint
run_stage "typecheck (program)" npm run --silent typecheck
run_stage "program tests (Pulumi mocks)" npm run --silent test:program
for script in typecheck test; do
  if has_script images "$script"; then
    run_stage "services: $script" npm --prefix images run --silent "$script"
  fi
done
for script in images:verify test:e2e; do
  if has_script . "$script"; then
    run_stage "$script" npm run --silent "$script"
  fi
done

echo
if ((failed > 0)); then
  echo "failed stages: ${failed_stages[*]}"
fi
echo "stages: ${passed} passed, ${failed} failed"
((failed == 0))
