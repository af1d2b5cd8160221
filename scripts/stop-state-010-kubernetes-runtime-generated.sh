#!/usr/bin/env bash
# Stops TraderX state 010: ends a recorded minikube port-forward and runs `pulumi destroy` on the `dev`
# stack, which removes everything the stack created (the Kind cluster included, when the stack created
# it). --delete-cluster also deletes a cluster or minikube profile of that name that is left afterwards.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=state-010/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/state-010/common.sh"

DELETE_CLUSTER=false

usage() {
  print_usage <<'USAGE'
  --delete-cluster           also delete the Kind cluster / minikube profile if it still exists
  --dry-run                  print the commands that change anything instead of running them
USAGE
}

script_flag() {
  case "$1" in
    --delete-cluster) DELETE_CLUSTER=true ;;
    --dry-run) DRY_RUN=true ;;
    *) return 1 ;;
  esac
}

parse_flags "$@"
prepare_stack existing

pid_file="$(port_forward_pid_file)"
if [[ -f "$pid_file" ]]; then
  pid="$(cat "$pid_file")"
  log "stopping port-forward (pid ${pid})"
  run kill "$pid" 2>/dev/null || true
  run rm -f "$pid_file"
fi

log "pulumi destroy (stack ${STACK}, provider ${PROVIDER}, cluster ${CLUSTER_NAME})"
run pulumi destroy "${STACK_ARGS[@]}" --yes

if [[ "$DELETE_CLUSTER" == true ]]; then
  require_command "$PROVIDER" "install $PROVIDER to delete its cluster"
  if cluster_exists; then
    log "deleting cluster ${CLUSTER_NAME}"
    delete_cluster
  else
    log "cluster ${CLUSTER_NAME} does not exist; nothing to delete"
  fi
fi
log "stopped"
