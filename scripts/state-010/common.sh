#!/usr/bin/env bash
# shellcheck disable=SC2034 # the variables set here are read by the scripts that source this file
# Shared by the state-010 scripts (sourced, never run). They drive the Pulumi `dev` stack, which creates
# the Kind cluster (or targets a minikube profile), builds and loads the images and deploys everything.
#
# Defaults that need no account: a local file backend under .pulumi/ (gitignored; TRADERX_STATE_010_DIR
# moves it) and an empty passphrase for the dev stack's secrets. Both can be overridden with
# PULUMI_BACKEND_URL / PULUMI_CONFIG_PASSPHRASE. Flag overrides (--provider, --cluster-name) go into a copy
# of Pulumi.dev.yaml under .pulumi/run/, passed with --config-file, so the tracked stack file never changes.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK="${TRADERX_PULUMI_STACK:-dev}"
STATE_DIR="${TRADERX_STATE_010_DIR:-${REPO_ROOT}/.pulumi}"
RUN_DIR="${STATE_DIR}/run"
STACK_CONFIG_FILE="${RUN_DIR}/Pulumi.${STACK}.effective.yaml"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://${STATE_DIR}/backend}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"

PROVIDER="${K8S_PROVIDER:-}"
CLUSTER_NAME=""
DRY_RUN=false

log() { printf '==> %s\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Runs a command, or with --dry-run prints it instead.
run() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '+ %s\n' "$*"
    return 0
  fi
  "$@"
}

require_command() {
  local command="$1" hint="$2"
  command -v "$command" >/dev/null 2>&1 || die "'$command' is not on PATH; $hint"
}

# Prints the usage: the flags parse_flags handles for every script, then the script's own lines (stdin).
print_usage() {
  printf 'Usage: scripts/%s [flags]\n\n' "$(basename "$0")"
  cat <<'USAGE'
  --provider kind|minikube   cluster provider (default: stack config traderx:profile, else kind; env K8S_PROVIDER)
  --cluster-name NAME        Kind cluster / minikube profile (default: traderx:clusterName, else traderx-state-010)
  --minikube-profile NAME    same as --cluster-name
USAGE
  cat
}

# Parses the flags. Each script defines `usage` (with print_usage) and `script_flag <flag>`, which sets the variable of one of
# its own boolean flags and fails for a flag it does not know.
parse_flags() {
  while (($# > 0)); do
    case "$1" in
      --provider)
        [[ $# -ge 2 ]] || die "--provider needs a value: kind or minikube"
        PROVIDER="$2"
        shift 2
        ;;
      --cluster-name | --minikube-profile)
        [[ $# -ge 2 ]] || die "$1 needs a value"
        CLUSTER_NAME="$2"
        shift 2
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        script_flag "$1" || die "unknown flag '$1' (see --help)"
        shift
        ;;
    esac
  done
}

# Flags that address the dev stack with the effective config: `pulumi <command> "${STACK_ARGS[@]}"`.
STACK_ARGS=(--cwd "$REPO_ROOT" --non-interactive --stack "$STACK" --config-file "$STACK_CONFIG_FILE")

# Reads a config value of the effective stack config, or prints the default.
config_value() {
  local key="$1" default="$2" value
  value="$(pulumi config get "$key" "${STACK_ARGS[@]}" 2>/dev/null)" || value=""
  printf '%s' "${value:-$default}"
}

# `prepare_stack create|existing` selects the stack on the backend (`create` creates it when absent), writes the effective config file and resolves
# provider, cluster name and namespace from flags first, then the stack config, then the defaults.
prepare_stack() {
  require_command pulumi "install the Pulumi CLI: https://www.pulumi.com/docs/install/"
  mkdir -p "$RUN_DIR"
  if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then
    mkdir -p "${PULUMI_BACKEND_URL#file://}"
  fi
  local stack_file="${REPO_ROOT}/Pulumi.${STACK}.yaml"
  if [[ -f "$stack_file" ]]; then
    cp "$stack_file" "$STACK_CONFIG_FILE"
  else
    : >"$STACK_CONFIG_FILE"
  fi
  pulumi --cwd "$REPO_ROOT" --non-interactive login "$PULUMI_BACKEND_URL" >/dev/null
  if [[ "$1" == create ]]; then
    pulumi --cwd "$REPO_ROOT" --non-interactive stack select "$STACK" --create --secrets-provider passphrase >/dev/null
  else
    pulumi --cwd "$REPO_ROOT" --non-interactive stack select "$STACK" >/dev/null ||
      die "stack ${STACK} does not exist on ${PULUMI_BACKEND_URL}; start it first with scripts/start-state-010-kubernetes-runtime-generated.sh"
  fi
  if [[ -n "$PROVIDER" ]]; then
    pulumi config set traderx:profile "$PROVIDER" "${STACK_ARGS[@]}"
  fi
  if [[ -n "$CLUSTER_NAME" ]]; then
    pulumi config set traderx:clusterName "$CLUSTER_NAME" "${STACK_ARGS[@]}"
  fi
  PROVIDER="$(config_value traderx:profile kind)"
  CLUSTER_NAME="$(config_value traderx:clusterName traderx-state-010)"
  NAMESPACE="$(config_value traderx:namespace traderx)"
  HOST_PORT="$(config_value traderx:hostPort 8080)"
  OBSERVABILITY="$(config_value traderx:observability true)"
  case "$PROVIDER" in
    kind) KUBE_CONTEXT="kind-${CLUSTER_NAME}" ;;
    minikube) KUBE_CONTEXT="$CLUSTER_NAME" ;;
    *) die "provider '$PROVIDER' is not supported by these scripts; use --provider kind or --provider minikube" ;;
  esac
  KUBECTL=(kubectl --context "$KUBE_CONTEXT" -n "$NAMESPACE")
  BASE_URL="${TRADERX_BASE_URL:-http://localhost:${HOST_PORT}}"
  export TRADERX_BASE_URL="$BASE_URL"
}

cluster_exists() {
  case "$PROVIDER" in
    kind) kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME" ;;
    minikube) minikube profile list -o json 2>/dev/null | grep -q "\"Name\":\"${CLUSTER_NAME}\"" ;;
  esac
}

delete_cluster() {
  case "$PROVIDER" in
    kind) run kind delete cluster --name "$CLUSTER_NAME" ;;
    minikube) run minikube delete -p "$CLUSTER_NAME" ;;
  esac
}

port_forward_pid_file() {
  printf '%s/%s-port-forward.pid' "$RUN_DIR" "$CLUSTER_NAME"
}

GATE=("${REPO_ROOT}/node_modules/.bin/tsx" "${REPO_ROOT}/scripts/readiness/cli.ts")

# The readiness gate (contract 6.1) against the edge, targets derived from the catalog.
readiness_gate() {
  run "${GATE[@]}" --base-url "$BASE_URL" --profile "$PROVIDER" --observability "$OBSERVABILITY"
}

# One round of the same probes, printed as a table of HTTP codes; never fails.
probe_table() {
  "${GATE[@]}" --base-url "$BASE_URL" --profile "$PROVIDER" --observability "$OBSERVABILITY" --once || true
}

print_urls() {
  log "TraderX is up"
  printf '  UI:           %s/\n' "$BASE_URL"
  printf '  API explorer: %s/api/docs/\n' "$BASE_URL"
  if [[ "$OBSERVABILITY" == true ]]; then
    printf '  Grafana:      %s/grafana/ (admin/admin)\n' "$BASE_URL"
    printf '  Prometheus:   %s/prometheus/\n' "$BASE_URL"
  fi
}
