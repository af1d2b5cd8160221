#!/usr/bin/env bash
# Shows the state of TraderX state 010: provider and cluster, deployments, statefulsets, pods and services
# of the app namespace, and one round of the edge probes (HTTP code per readiness target).
# --wait-ready runs the readiness gate instead of a single round, and fails if it times out.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=state-010/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/state-010/common.sh"

WAIT_READY=false

usage() {
  print_usage <<'USAGE'
  --wait-ready               run the readiness gate (TRADERX_SMOKE_READY_TIMEOUT / _INTERVAL)
USAGE
}

script_flag() {
  case "$1" in
    --wait-ready) WAIT_READY=true ;;
    *) return 1 ;;
  esac
}

parse_flags "$@"
prepare_stack existing
require_command kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"

printf 'provider:  %s\ncluster:   %s\ncontext:   %s\nnamespace: %s\nedge:      %s\n' \
  "$PROVIDER" "$CLUSTER_NAME" "$KUBE_CONTEXT" "$NAMESPACE" "$BASE_URL"
if [[ "$PROVIDER" == minikube ]]; then
  pid_file="$(port_forward_pid_file)"
  if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    printf 'port-forward: pid %s, running\n' "$(cat "$pid_file")"
  else
    printf 'port-forward: not running\n'
  fi
fi
if ! cluster_exists; then
  printf '\ncluster %s does not exist; start it with scripts/start-state-010-kubernetes-runtime-generated.sh\n' \
    "$CLUSTER_NAME"
  exit 1
fi

printf '\n--- deployments and statefulsets\n'
"${KUBECTL[@]}" get deployments,statefulsets,daemonsets -o wide || true
printf '\n--- pods\n'
"${KUBECTL[@]}" get pods -o wide || true
printf '\n--- services\n'
"${KUBECTL[@]}" get services || true

if [[ "$WAIT_READY" == true ]]; then
  printf '\n--- readiness gate\n'
  readiness_gate
else
  printf '\n--- edge probes\n'
  probe_table
fi
