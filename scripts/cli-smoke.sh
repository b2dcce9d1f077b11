#!/usr/bin/env bash
# near-cli-rs against the running local network (SANDBOX.md §4 item 17): view-account-summary,
# call-function as-read-only and as-transaction, tokens send-near, transaction view-status, create-account +
# contract deploy with an init call; then scripts/deploy-testnet.sh itself, pointed at the local network,
# and the wiring it leaves (registry → lineage, lineage → registry, the factory's vault code).
#   scripts/localnet.sh && scripts/cli-smoke.sh
# Needs near-cli-rs on PATH (`cargo install near-cli-rs --locked --no-default-features`; the default
# features add Ledger support, which needs libudev). Uses a throw-away near-cli config (XDG_CONFIG_HOME), so
# your own config and keys are left alone. Not part of scripts/test.sh: installing near-cli-rs is a
# ~10-minute compile.
source "$(dirname "$0")/lib.sh"
command -v near >/dev/null || { echo "near-cli-rs not found: cargo install near-cli-rs --locked --no-default-features"; exit 1; }
RPC="http://127.0.0.1:${NEXUS_RPC_PORT:-3030}"
KEY_FILE="$ROOT/.sandbox/validator_key.json"
[ -f "$KEY_FILE" ] || { echo "no local network: run scripts/localnet.sh first"; exit 1; }
curl -fs "$RPC/status" >/dev/null || { echo "no node answers at $RPC: run scripts/localnet.sh first"; exit 1; }

CONF="$(mktemp -d)"
trap 'rm -rf "$CONF"' EXIT
export XDG_CONFIG_HOME="$CONF"
mkdir -p "$CONF/near-cli"
cat >"$CONF/near-cli/config.toml" <<EOF
version = "5"
credentials_home_dir = "$CONF/credentials"

[network_connection.local]
network_name = "localnet"
rpc_url = "$RPC/"
wallet_url = "$RPC/"
explorer_transaction_url = "$RPC/"
linkdrop_account_id = "test.near"
EOF
SECRET="$(sed -n 's/.*"secret_key": *"\([^"]*\)".*/\1/p' "$KEY_FILE")"
SIGN=(network-config local sign-with-plaintext-private-key "$SECRET" send)

# Runs a near-cli-rs command and fails unless its output contains the expected text.
expect() { # <expected text> <near args...>
  local want="$1" out
  shift
  out="$(near "$@" </dev/null 2>&1)" || { echo "$out"; echo "FAILED: near $*"; exit 1; }
  grep -qF -- "$want" <<<"$out" || { echo "$out"; echo "FAILED: near $* (no '$want')"; exit 1; }
  printf '  ok  near %s\n' "${*:1:4}"
  LAST="$out"
}

step "near-cli-rs $(near --version | awk '{print $2}') against $RPC"
expect "Native account balance" account view-account-summary test.near network-config local now
expect '"model_id": "acme/sentiment"' contract call-function as-read-only registry.test.near get_model \
  json-args '{"model_id":"acme/sentiment"}' network-config local now
expect '"event":"storage_deposited"' contract call-function as-transaction registry.test.near storage_deposit \
  json-args '{}' prepaid-gas '30 Tgas' attached-deposit '0.01 NEAR' sign-as test.near "${SIGN[@]}"
expect "has transferred 1 NEAR to <acme.test.near> successfully" tokens test.near send-near acme.test.near \
  '1 NEAR' "${SIGN[@]}"
TX="$(grep -o 'Transaction ID: [A-Za-z0-9]*' <<<"$LAST" | awk '{print $3}')"
expect "SuccessValue" transaction view-status "$TX" network-config local
ACCOUNT="cli$(date +%s).test.near"
expect "has been successfully created" account create-account fund-myself "$ACCOUNT" '5 NEAR' \
  autogenerate-new-keypair save-to-legacy-keychain sign-as test.near "${SIGN[@]}"
expect "Contract code has been successfully deployed" contract deploy "$ACCOUNT" \
  use-file target/near/model-registry/model_registry.wasm with-init-call new json-args '{"owner_id":"test.near"}' \
  prepaid-gas '30 Tgas' attached-deposit '0 NEAR' network-config local sign-with-legacy-keychain send
expect '"owner_id": "test.near"' contract call-function as-read-only "$ACCOUNT" get_config json-args '{}' \
  network-config local now

step "scripts/deploy-testnet.sh, run against the local network under a fresh parent account"
PARENT="deploy$(date +%s).test.near"
expect "has been successfully created" account create-account fund-myself "$PARENT" '40 NEAR' \
  autogenerate-new-keypair save-to-legacy-keychain sign-as test.near "${SIGN[@]}"
NEXUS_NEAR_NETWORK=local NEXUS_NEAR_SIGN_PARENT=sign-with-legacy-keychain \
  NEXUS_NEAR_SAVE_KEY=save-to-legacy-keychain NEXUS_NEAR_SIGN_NEW=sign-with-legacy-keychain \
  "$ROOT/scripts/deploy-testnet.sh" "$PARENT" </dev/null
expect "\"lineage_contract\": \"lineage.$PARENT\"" contract call-function as-read-only "registry.$PARENT" \
  get_config json-args '{}' network-config local now
expect "registry.$PARENT" contract call-function as-read-only "lineage.$PARENT" get_registry json-args '{}' \
  network-config local now
VAULT_HASH="$(sha256sum target/near/agent-vault/agent_vault.wasm | cut -d' ' -f1)"
expect "$VAULT_HASH" contract call-function as-read-only "vaults.$PARENT" vault_code_hash json-args '{}' \
  network-config local now
echo "near-cli-rs: all checks passed"
