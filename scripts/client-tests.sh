#!/usr/bin/env bash
# Client acceptance tests: near-api-js (the version pinned in sandbox/tests/clients/package-lock.json)
# against the local node, through its public JSON-RPC like a dApp (SANDBOX.md §4, items 13 and 17), and
# the dApp clients (clients/js) against a model registry on that node: verifying files, following events.
#
# Builds nothing. Needs, already built (scripts/build.sh):
#   * the node, target/debug/nexus-sandbox, or the binary NEAR_SANDBOX_BIN_PATH names (an official
#     near-sandbox binary works too);
#   * the contracts in target/near/ (the tests deploy status-message, model-registry and cross-caller).
# Needs Node.js >= 20.19.0 (what near-api-js 7.2's @noble/curves 2 requires) and npm. Installs the
# locked client with `npm ci` into sandbox/tests/clients/node_modules, then runs `node --test`; fails
# on any failing test.
# Extra arguments go to `node --test`, e.g. scripts/client-tests.sh --test-name-pattern meta
source "$(dirname "$0")/lib.sh"

CLIENTS="$ROOT/sandbox/tests/clients"
BIN="${NEAR_SANDBOX_BIN_PATH:-target/debug/nexus-sandbox}"
[[ "$BIN" == /* ]] || BIN="$ROOT/$BIN"

fail() { printf 'client-tests: %s\n' "$*" >&2; exit 1; }
[[ -x "$BIN" ]] || fail "node binary $BIN is missing or not executable: run scripts/build.sh first (or set NEAR_SANDBOX_BIN_PATH)"
for WASM in status-message/status_message.wasm model-registry/model_registry.wasm cross-caller/cross_caller.wasm; do
  [[ -f "$ROOT/target/near/$WASM" ]] || fail "target/near/$WASM is missing: run scripts/build.sh first"
done
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are required (Node.js >= 20.19.0)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || fail "Node.js >= 20.19.0 is required (near-api-js 7), found $(node --version)"

step "install the locked client (npm ci)"
npm ci --prefix "$CLIENTS" --no-audit --no-fund

step "near-api-js tests against $BIN"
NEAR_SANDBOX_BIN_PATH="$BIN" node --test "$@" "$CLIENTS"/*.test.js
