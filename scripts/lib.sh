# Shared by the scripts: repository root, logging, and the two workspaces.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MANIFEST="$ROOT/sandbox/Cargo.toml"
cd "$ROOT"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
