#!/usr/bin/env bash
# All tests: lint gates, unit tests of every crate, and the end-to-end tests against a local node.
# This is README's test command; .ci/run calls exactly this script.
#
# The end-to-end tests use the node named by NEAR_SANDBOX_BIN_PATH, defaulting (.cargo/config.toml)
# to the project's own node; export it to run the same tests against an official sandbox binary.
source "$(dirname "$0")/lib.sh"

step "format"
cargo fmt --all -- --check
cargo fmt --all --manifest-path "$NODE_MANIFEST" -- --check
cargo fmt --all --manifest-path "$BUILD_MANIFEST" -- --check

step "clippy (host, every workspace; contracts also for wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown -- -D warnings
cargo clippy --manifest-path "$NODE_MANIFEST" --workspace --all-targets -- -D warnings
cargo clippy --manifest-path "$BUILD_MANIFEST" --all-targets -- -D warnings

step "build contracts and the local node"
"$ROOT/scripts/build.sh"

step "unit tests: contracts"
cargo test --workspace --no-fail-fast

step "node tests and end-to-end tests (protocol 88, the node's default)"
cargo test --manifest-path "$NODE_MANIFEST" --workspace --no-fail-fast

# The second run is the mainnet-like one. Mainnet ran protocol 86 in late 2026: prove the contracts
# there too (our node takes the genesis protocol from NEXUS_SANDBOX_PROTOCOL_VERSION; an official
# binary ignores it and runs its own). And with neard's timing (NEXUS_SANDBOX_NEARD_TIMING_MS): blocks
# 100 ms apart and answers before the refunds land, as neard gives them, which proves the tests do not
# lean on this node answering after refunds and so also pass against the official sandbox.
step "end-to-end tests again on protocol 86, with neard's timing"
export NEXUS_SANDBOX_PROTOCOL_VERSION=86 NEXUS_SANDBOX_NEARD_TIMING_MS=100
cargo test --manifest-path "$NODE_MANIFEST" -p sandbox-tests --no-fail-fast
cargo test --manifest-path "$NODE_MANIFEST" -p nexus-verify --test against_the_registry
unset NEXUS_SANDBOX_PROTOCOL_VERSION NEXUS_SANDBOX_NEARD_TIMING_MS

# near-api-js (what dApp frontends use) against the node: reads, transfers, typed errors, NEP-366.
step "client tests (near-api-js), on the node's own timing and on neard's"
"$ROOT/scripts/client-tests.sh"
NEXUS_SANDBOX_NEARD_TIMING_MS=100 "$ROOT/scripts/client-tests.sh"
