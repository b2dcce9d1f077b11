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
//!
//! ## Where this node differs from neard (test harness, not a validator)
//!
//! - **Trie-node gas is charged as 0** (neard charges 2.28 Ggas per touched node on writes and
//!   removes, a function of the global trie shape): a storage write or remove burns about
//!   10–50 Ggas less than on neard. Every other fee comes from near-parameters for the genesis protocol.
//! - **No delayed-receipt queue or chunk gas limit**: every delivered receipt runs in its block.
//! - **Timing**: blocks come back to back while there is work, and a transaction's answer waits for
//!   its refunds (neard answers at `EXECUTED_OPTIMISTIC`, a block before they land). `run
//!   --neard-timing-ms N` (`NEXUS_SANDBOX_NEARD_TIMING_MS`) spaces blocks N ms apart and answers as
//!   neard does, to prove clients do not depend on the difference. Heights therefore move a few
//!   blocks per transaction: a batch pre-signed against one block hash and sent one by one is
//!   `Expired` after about 30 transactions by default, but not with neard's timing.
//! - **Refused explicitly** (`UnsupportedProtocolFeature` / `NewReceiptValidationError`): global
//!   contracts, deterministic and universal state inits, gas keys, `DelegateV2`, transfers to
//!   ETH-implicit, `0s…` and `0u…` ids.
//! - **Stake** is validated and locked but inert (one validator, no epoch rewards).
//! - **Fast-forward** jumps straight to the target height (neard produces real blocks across each
//!   epoch boundary); blocks carry default signatures, approvals and Merkle roots.
//! - **Timers in blocks**: receipts waiting on yield timeouts advance on the 1 s idle tick, so a
//!   200-block timeout takes about 200 s here.
//! - **RPC**: `changes*`, light-client methods, `broadcast_tx_sync` and `EXPERIMENTAL_check_tx` are not
//!   served; `broadcast_tx_async` validates first and returns `INVALID_TRANSACTION` (neard returns
//!   the hash); failed patch / fast-forward calls are `INTERNAL_ERROR`.

pub mod chain;
pub mod cli;
pub mod rpc;
pub mod runtime;
pub mod state;
