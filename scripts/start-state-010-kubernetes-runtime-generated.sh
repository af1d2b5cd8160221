#!/usr/bin/env bash
# Starts TraderX state 010 on Kind (or a minikube profile) through the Pulumi `dev` stack: `pulumi up`
# creates the cluster, builds and loads the images and deploys everything. Then it waits for the rollout,
# runs the readiness gate (contract 6.1) and prints the URLs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=state-010/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/state-010/common.sh"

SKIP_BUILD=false
RECREATE_CLUSTER=false
ROLLOUT_TIMEOUT="${TRADERX_K8S_ROLLOUT_TIMEOUT:-600s}"

usage() {
  print_usage <<'USAGE'
  --skip-build               do not build images; use the ones already present locally
  --recreate-cluster         delete the cluster first, then create it again with `pulumi up --refresh`
  --dry-run                  print the commands that change anything instead of running them

Env: PULUMI_BACKEND_URL (default file://<repo>/.pulumi/backend), PULUMI_CONFIG_PASSPHRASE (default empty),
     TRADERX_K8S_ROLLOUT_TIMEOUT (600s), TRADERX_SMOKE_READY_TIMEOUT (240), TRADERX_SMOKE_READY_INTERVAL (3).
USAGE
}

script_flag() {
  case "$1" in
    --skip-build) SKIP_BUILD=true ;;
    --recreate-cluster) RECREATE_CLUSTER=true ;;
    --dry-run) DRY_RUN=true ;;
    *) return 1 ;;
  esac
}

parse_flags "$@"
prepare_stack create
require_command kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
require_command "$PROVIDER" "install $PROVIDER, or choose the other provider with --provider"
log "stack ${STACK} (backend ${PULUMI_BACKEND_URL}), provider ${PROVIDER}, cluster ${CLUSTER_NAME}"

up_flags=(--yes)
if [[ "$RECREATE_CLUSTER" == true ]]; then
  if cluster_exists; then
    log "deleting cluster ${CLUSTER_NAME} (--recreate-cluster)"
    delete_cluster
  fi
  # The stack still records the deleted cluster; refresh so that `up` creates it again.
  up_flags+=(--refresh)
fi
if [[ "$SKIP_BUILD" == true ]]; then
  # Images must already exist locally under their content tags; the program loads them without building.
  pulumi config set traderx:buildImages false "${STACK_ARGS[@]}"
fi

log "pulumi up"
run pulumi up "${STACK_ARGS[@]}" "${up_flags[@]}"

if [[ "$PROVIDER" == minikube ]]; then
  pid_file="$(port_forward_pid_file)"
  if [[ -f "$pid_file" ]]; then
    run kill "$(cat "$pid_file")" 2>/dev/null || true
  fi
  log "port-forward svc/edge-proxy ${HOST_PORT}:8080 (log ${RUN_DIR}/${CLUSTER_NAME}-port-forward.log)"
  if [[ "$DRY_RUN" == true ]]; then
    run "${KUBECTL[@]}" port-forward svc/edge-proxy "${HOST_PORT}:8080"
  else
    "${KUBECTL[@]}" port-forward svc/edge-proxy "${HOST_PORT}:8080" \
      >"${RUN_DIR}/${CLUSTER_NAME}-port-forward.log" 2>&1 &
    echo $! >"$pid_file"
  fi
fi

log "waiting for deployments to become Available (${ROLLOUT_TIMEOUT})"
run "${KUBECTL[@]}" wait --for=condition=Available deployment --all --timeout="$ROLLOUT_TIMEOUT"
if [[ "$DRY_RUN" == true ]]; then
  run "${KUBECTL[@]}" rollout status "<every deployment, statefulset and daemonset>" --timeout="$ROLLOUT_TIMEOUT"
else
  mapfile -t workloads < <("${KUBECTL[@]}" get deployments,statefulsets,daemonsets -o name)
  for workload in "${workloads[@]}"; do
    "${KUBECTL[@]}" rollout status "$workload" --timeout="$ROLLOUT_TIMEOUT"
  done
fi

log "readiness gate"
readiness_gate

print_urls
