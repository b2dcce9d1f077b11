//! Benchmarks of the node and the contracts, printed as markdown tables. Numbers, not assertions:
//! the tests assert behaviour, these report cost.
//!
//! ```sh
//! scripts/build.sh    # contracts and the node
//! cargo run --release --manifest-path sandbox/Cargo.toml -p sandbox-tests --bin nexus-bench -- node
//! cargo run --manifest-path sandbox/Cargo.toml -p sandbox-tests --bin nexus-bench -- gas
//! cargo run --manifest-path sandbox/Cargo.toml -p sandbox-tests --bin nexus-bench -- vault
//! ```
//!
//! One binary with a subcommand per benchmark: each binary links the whole near-workspaces stack.

mod gas;
mod node;
mod vault;

use anyhow::{Result, bail};

const USAGE: &str = "usage: nexus-bench <node|gas|vault|all>
  node   start-up, broadcast_tx_commit latency, memory and throughput of a node binary
  gas    gas and storage of every registry and lineage write, next to an NEP-171 mint
  vault  overhead of the agent vault's execute, storage per grant and per logged action
  all    the three, in that order";

#[tokio::main]
async fn main() -> Result<()> {
    let which = std::env::args().nth(1).unwrap_or_default();
    match which.as_str() {
        "node" => node::run().await,
        "gas" => gas::run().await,
        "vault" => vault::run().await,
        "all" => {
            node::run().await?;
            gas::run().await?;
            vault::run().await
        }
        "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown benchmark {other:?}\n{USAGE}"),
    }
}
