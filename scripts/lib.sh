# Shared by the scripts: repository root, logging, and the manifests of the node and build-tool workspaces.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MANIFEST="$ROOT/sandbox/Cargo.toml"
BUILD_MANIFEST="$ROOT/tools/build/Cargo.toml"
cd "$ROOT"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# rust-toolchain.toml names the wasm target, but rustup installs it by itself only when auto-install is on
# (RUSTUP_AUTO_INSTALL=0 turns that off); add it here so a fresh machine needs nothing by hand.
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "install the wasm32-unknown-unknown target (rust-toolchain.toml)"
  rustup target add wasm32-unknown-unknown
fi
