#!/usr/bin/env bash
# Deploys every product contract to NEAR testnet with near-cli-rs (`cargo install near-cli-rs`), each to a
# sub-account of the given (already funded, keychain-held) account, and wires them together:
#   registry.<you>  model-registry   (owner: you), its lineage contract set to lineage.<you>
#   lineage.<you>   dataset-lineage  (owner: you, registry: registry.<you>)
#   vaults.<you>    vault-factory    (owner: you), holding the agent-vault code: anyone creates a vault with
#                   create_vault({"name", "owner_id"}) and ≥ min_vault_deposit()
#   scripts/deploy-testnet.sh alice.testnet          (about 31 NEAR of testnet tokens)
# Build first with scripts/build.sh. Signs with the keychain (`near account import-account`).
#
# The network and the signing methods can be changed, so the same commands run against the local network
# (scripts/cli-smoke.sh does): NEXUS_NEAR_NETWORK (near-cli network name, default testnet),
# NEXUS_NEAR_SIGN_PARENT (how <you> signs, default sign-with-keychain), NEXUS_NEAR_SAVE_KEY (where new
# accounts' keys go, default save-to-keychain), NEXUS_NEAR_SIGN_NEW (how they sign, default
# sign-with-keychain).
source "$(dirname "$0")/lib.sh"
PARENT="${1:?usage: scripts/deploy-testnet.sh <your-account>.testnet}"
command -v near >/dev/null || { echo "near-cli-rs not found: cargo install near-cli-rs"; exit 1; }
NETWORK="${NEXUS_NEAR_NETWORK:-testnet}"
read -r -a SIGN_PARENT <<<"${NEXUS_NEAR_SIGN_PARENT:-sign-with-keychain}"
SAVE_KEY="${NEXUS_NEAR_SAVE_KEY:-save-to-keychain}"
read -r -a SIGN_NEW <<<"${NEXUS_NEAR_SIGN_NEW:-sign-with-keychain}"

wasm_of() { echo "target/near/$1/${1//-/_}.wasm"; }

deploy() { # <sub-account prefix> <contract name> <init json> <initial balance>
  local account="$1.$PARENT" wasm
  wasm="$(wasm_of "$2")"
  [ -f "$wasm" ] || { echo "$wasm missing: run scripts/build.sh"; exit 1; }
  step "$2 -> $account"
  near account create-account fund-myself "$account" "$4" autogenerate-new-keypair "$SAVE_KEY" \
    sign-as "$PARENT" network-config "$NETWORK" "${SIGN_PARENT[@]}" send
  near contract deploy "$account" use-file "$wasm" with-init-call new json-args "$3" \
    prepaid-gas '30 Tgas' attached-deposit '0 NEAR' network-config "$NETWORK" "${SIGN_NEW[@]}" send
}

call() { # <contract> <method> <args kind: json-args|file-args> <args> <gas> <deposit>; signed by <you>
  step "$1.$2"
  near contract call-function as-transaction "$1" "$2" "$3" "$4" prepaid-gas "$5" attached-deposit "$6" \
    sign-as "$PARENT" network-config "$NETWORK" "${SIGN_PARENT[@]}" send
}

# Balances cover each account's code (≈ 1 NEAR per 100 KB) and the records it will hold.
deploy registry model-registry "{\"owner_id\":\"$PARENT\"}" '10 NEAR'
deploy lineage dataset-lineage "{\"owner_id\":\"$PARENT\",\"registry_id\":\"registry.$PARENT\"}" '6 NEAR'
call "registry.$PARENT" set_lineage_contract json-args "{\"lineage_contract\":\"lineage.$PARENT\"}" \
  '30 Tgas' '1 yoctoNEAR'
# The factory stores the vault code (≈ 3.3 NEAR of storage) besides its own.
deploy vaults vault-factory "{\"owner_id\":\"$PARENT\"}" '10 NEAR'
call "vaults.$PARENT" set_vault_code file-args "$(wasm_of agent-vault)" '100 Tgas' '0 NEAR'

echo
echo "Deployed: registry.$PARENT, lineage.$PARENT, vaults.$PARENT (network $NETWORK)."
echo "Verify model files against the registry (scripts/build.sh builds the tool):"
echo "  target/debug/nexus-verify --network $NETWORK --registry registry.$PARENT dir <model-dir> --expect <namespace/name@version>"
