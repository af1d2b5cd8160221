#!/usr/bin/env bash
# The state-010 test against a running cluster (contract 6.2):
#   scripts/test-state-010-kubernetes-runtime.sh [ingress-url] [namespace] [provider] [cluster-or-profile]
# Defaults: the stack's edge URL (http://localhost:8080), namespace, provider and cluster name.
# Waits for every deployment to become Available and for each rollout, then runs the smoke test, whose
# first step is the readiness gate.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=state-010/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/state-010/common.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/test-state-010-kubernetes-runtime.sh [ingress-url] [namespace] [provider] [cluster-or-profile]

Env: TRADERX_K8S_DEPLOYMENT_WAIT_TIMEOUT (300s) for Available and rollout status,
     TRADERX_SMOKE_READY_TIMEOUT (240) / TRADERX_SMOKE_READY_INTERVAL (3) for the readiness gate.
USAGE
}

positional=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    -*) die "unknown flag '$arg' (see --help)" ;;
    *) positional+=("$arg") ;;
  esac
done
((${#positional[@]} <= 4)) || die "at most four arguments (see --help)"
[[ -n "${positional[0]:-}" ]] && export TRADERX_BASE_URL="${positional[0]}"
PROVIDER="${positional[2]:-$PROVIDER}"
CLUSTER_NAME="${positional[3]:-}"
prepare_stack existing
NAMESPACE="${positional[1]:-$NAMESPACE}"
KUBECTL=(kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE")
require_command kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
WAIT_TIMEOUT="${TRADERX_K8S_DEPLOYMENT_WAIT_TIMEOUT:-300s}"

log "testing ${BASE_URL} (provider ${PROVIDER}, cluster ${CLUSTER_NAME}, namespace ${NAMESPACE})"
"${KUBECTL[@]}" wait --for=condition=Available deployment --all --timeout="$WAIT_TIMEOUT"
mapfile -t workloads < <("${KUBECTL[@]}" get deployments,statefulsets,daemonsets -o name)
for workload in "${workloads[@]}"; do
  "${KUBECTL[@]}" rollout status "$workload" --timeout="$WAIT_TIMEOUT"
done

# The Grafana checks log in as admin with the stack's secret password (admin when unset).
TRADERX_GRAFANA_ADMIN_PASSWORD="${TRADERX_GRAFANA_ADMIN_PASSWORD:-$(config_value traderx:grafanaAdminPassword admin)}"
export TRADERX_GRAFANA_ADMIN_PASSWORD
"${REPO_ROOT}/node_modules/.bin/tsx" "${REPO_ROOT}/scripts/smoke/cli.ts" --base-url "$BASE_URL" \
  --profile "$PROVIDER" --observability "$OBSERVABILITY" --kube-context "$KUBE_CONTEXT" --namespace "$NAMESPACE"
