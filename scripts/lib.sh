# Shared by the scripts: repository root, logging, and the manifests of the node and build-tool workspaces.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MANIFEST="$ROOT/sandbox/Cargo.toml"
BUILD_MANIFEST="$ROOT/tools/build/Cargo.toml"
cd "$ROOT"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
