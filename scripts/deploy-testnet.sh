#!/usr/bin/env bash
# Deploys every product contract to NEAR testnet with near-cli-rs (`cargo install near-cli-rs`), each to a
# sub-account of the given (already funded, keychain-held) account:
#   scripts/deploy-testnet.sh alice.testnet
# Build first with scripts/build.sh. Uses `sign-with-keychain`; see `near account import-account`.
source "$(dirname "$0")/lib.sh"
PARENT="${1:?usage: scripts/deploy-testnet.sh <your-account>.testnet}"
command -v near >/dev/null || { echo "near-cli-rs not found: cargo install near-cli-rs"; exit 1; }

deploy() { # <sub-account prefix> <contract name> <init json>
  local account="$1.$PARENT" wasm="target/near/$2/${2//-/_}.wasm"
  [ -f "$wasm" ] || { echo "$wasm missing: run scripts/build.sh"; exit 1; }
  step "$2 -> $account"
  near account create-account fund-myself "$account" '5 NEAR' autogenerate-new-keypair save-to-keychain \
    sign-as "$PARENT" network-config testnet sign-with-keychain send
  near contract deploy "$account" use-file "$wasm" with-init-call new json-args "$3" \
    prepaid-gas '30 Tgas' attached-deposit '0 NEAR' network-config testnet sign-with-keychain send
}

deploy registry model-registry "{\"owner_id\":\"$PARENT\"}"

echo
echo "Deployed: registry.$PARENT. Verify model files against it (scripts/build.sh builds the tool):"
echo "  target/debug/nexus-verify --network testnet --registry registry.$PARENT dir <model-dir> --expect <namespace/name@version>"
