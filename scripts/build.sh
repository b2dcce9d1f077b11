#!/usr/bin/env bash
# Builds contracts (all, or those named) into target/near/<name>/<name>.wasm + ABI, the local node and
# nexus-verify.
#   scripts/build.sh                 # every contract and the node
#   scripts/build.sh model-registry  # one contract
source "$(dirname "$0")/lib.sh"
step "contracts (cargo-near-build: wasm-opt, embedded ABI, NEP-330)"
cargo run --quiet --manifest-path "$BUILD_MANIFEST" -- "$@"
if [ $# -eq 0 ]; then
  step "local node (target/debug/nexus-sandbox) and nexus-verify (target/debug/nexus-verify)"
  cargo build --manifest-path "$NODE_MANIFEST" -p nexus-sandbox -p nexus-verify
fi
