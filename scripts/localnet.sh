#!/usr/bin/env bash
# The main job: build everything, start the local NEAR node, deploy every contract, run the demo, list
# the events it caused as an indexer finds them (clients/js/follow-events.js), verify the demo model.
#   scripts/localnet.sh         start (fresh chain in .sandbox/), deploy, demo; the node keeps running
#   scripts/localnet.sh stop    stop the node
# Environment: NEXUS_RPC_PORT (default 3030).
source "$(dirname "$0")/lib.sh"
HOME_DIR="$ROOT/.sandbox"
PORT="${NEXUS_RPC_PORT:-3030}"
RPC="http://127.0.0.1:$PORT"
NODE="$ROOT/target/debug/nexus-sandbox"

stop_node() {
  if [ -f "$HOME_DIR/node.pid" ]; then
    kill "$(cat "$HOME_DIR/node.pid")" 2>/dev/null || true
    rm -f "$HOME_DIR/node.pid"
  fi
}

if [ "${1:-start}" = "stop" ]; then
  stop_node
  echo "local node stopped"
  exit 0
fi

"$ROOT/scripts/build.sh"

step "start the local node at $RPC (home $HOME_DIR)"
stop_node
rm -rf "$HOME_DIR"
"$NODE" --home "$HOME_DIR" init
nohup "$NODE" --home "$HOME_DIR" run --rpc-addr "127.0.0.1:$PORT" --network-addr "127.0.0.1:$((PORT + 1))" \
  >"$HOME_DIR/node.log" 2>&1 &
echo $! >"$HOME_DIR/node.pid"
for _ in $(seq 1 100); do
  curl -fs "$RPC/status" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$RPC/status" >/dev/null || { echo "node did not start; see $HOME_DIR/node.log"; exit 1; }

step "deploy every contract and run the demo"
cargo run --quiet --manifest-path "$NODE_MANIFEST" -p sandbox-tests --bin nexus-demo -- \
  --rpc "$RPC" --home "$HOME_DIR" | tee "$HOME_DIR/demo.log"
# The demo's last line names the accounts: "contracts: registry R | lineage L | vault V".
read -r REGISTRY LINEAGE VAULT < <(sed -n 's/^contracts: registry \(.*\) | lineage \(.*\) | vault \(.*\)$/\1 \2 \3/p' "$HOME_DIR/demo.log")
[ -n "${VAULT:-}" ] || { echo "the demo did not name its contracts"; exit 1; }

step "the demo's events as an indexer finds them: final blocks and their transactions over JSON-RPC"
if command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  node "$ROOT/clients/js/follow-events.js" --rpc "$RPC" --from 0 --once --text "$REGISTRY" "$LINEAGE" "$VAULT"
else
  echo "Node.js >= 20 not found: not shown (clients/js/follow-events.js needs it; nothing else here does)"
fi

step "verify the demo's model directory against the registry (nexus-verify)"
# One node: the latest block is the one the demo just wrote (`final` trails it by two idle blocks).
VERIFY=("$ROOT/target/debug/nexus-verify" --rpc-url "$RPC" --finality optimistic)
"${VERIFY[@]}" dir "$HOME_DIR/demo-model" --expect acme/sentiment@1.0.0
echo "a copy of it with one changed byte in config.json:"
TAMPERED="$HOME_DIR/demo-model-tampered"
rm -rf "$TAMPERED" && cp -r "$HOME_DIR/demo-model" "$TAMPERED" && sed -i "s/negative/Negative/" "$TAMPERED/config.json"
if "${VERIFY[@]}" dir "$TAMPERED" --expect acme/sentiment@1.0.0; then
  echo "a tampered copy verified: that is a bug"
  exit 1
fi

echo
echo "The local node keeps running at $RPC (log: $HOME_DIR/node.log). Stop it with: scripts/localnet.sh stop"
echo "near-cli-rs: add a network with rpc $RPC, or use near-api-js with nodeUrl $RPC."
echo "Verify files yourself: target/debug/nexus-verify --finality optimistic file <path>  (or: dir <model-dir>)"
echo "Follow the contracts' events: node clients/js/follow-events.js --rpc $RPC --text $REGISTRY $LINEAGE $VAULT"
