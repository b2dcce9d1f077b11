//! Nexus local NEAR node: a single-process drop-in for the official `near-sandbox` binary, built on
//! nearcore's published crates. Layers, each importing only the ones below it:
//!
//! | layer      | module     | holds                                                             |
//! |------------|------------|-------------------------------------------------------------------|
//! | CLI        | `cli`      | `init` / `run`, config.json, genesis.json, key files              |
//! | RPC        | `rpc`      | JSON-RPC over HTTP, params, result views, exact error shapes      |
//! | chain      | `chain`    | block loop, mempool, finality, outcomes and tx-status index       |
//! | runtime    | `runtime`  | tx verification, receipts, actions, gas and refunds, view calls   |
//! | state      | `state`    | versioned key-value state keyed by `TrieKey`, per-block history   |
//! | VM         | near-vm-runner (external crate)                                                |

pub mod chain;
pub mod cli;
pub mod rpc;
pub mod runtime;
pub mod state;
