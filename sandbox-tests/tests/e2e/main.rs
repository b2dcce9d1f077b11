//! End-to-end tests: near-workspaces drives a NEAR node (ours by default, an official sandbox when
//! `NEAR_SANDBOX_BIN_PATH` names one) with the contracts built by `scripts/build.sh`.
//!
//! One test binary with a module per subject, rather than one binary per file: each binary links
//! the whole near-workspaces stack, and linking it five times cost CI minutes for nothing.

mod agent_vault;
mod dataset_lineage;
mod model_registry;
mod node;
mod registry_lineage;
