//! Nexus dataset lineage: where data came from, who allowed it to be used, and which models it went into.
//!
//! - datasets and immutable versions with content digests (`datasets.rs`, `versions.rs`);
//! - consent terms per use with history (`terms.rs`);
//! - derivations from ≤16 existing parents, acyclic by construction (`derivations.rs`);
//! - training usage recorded by the model registry after a consent check (`usage.rs`);
//! - flags and taint over bounded ancestry walks (`flags.rs`, `graph.rs`, `views.rs`);
//! - paid access grants (`access.rs`);
//! - storage paid by the caller (`storage.rs`): attached deposit, or a NEP-145 balance (`storage_balance.rs`);
//!   events (`events.rs`), errors (`errors.rs`), upgrades
//!   (`upgrade.rs`), contract administration (`admin.rs`), bounds (`limits.rs`), input rules
//!   (`validate.rs`).

pub mod access;
pub mod admin;
pub mod datasets;
pub mod derivations;
pub mod errors;
pub mod events;
pub mod flags;
pub mod graph;
pub mod limits;
pub mod storage;
pub mod storage_balance;
pub mod storage_keys;
pub mod terms;
pub mod upgrade;
pub mod usage;
pub mod validate;
pub mod versions;
pub mod views;

#[cfg(test)]
mod tests;

use near_sdk::collections::{LookupMap, Vector};
use near_sdk::{AccountId, PanicOnDefault, near, near_bindgen};

use crate::access::Grant;
use crate::datasets::Dataset;
use crate::flags::Flag;
use crate::storage_keys::StorageKey;
use crate::terms::TermsRecord;
use crate::usage::ModelUsage;
use crate::versions::DatasetVersion;

/// Stored root. Collections are write-through (`near_sdk::collections`) so storage is measured exactly
/// inside each call (see `storage.rs`). Fields are append-only across layouts (see `upgrade.rs`).
///
/// Its root record is written back only when a call changed it ([`nexus_root_state`]).
#[near_bindgen]
#[near(serializers = [borsh])]
#[derive(PanicOnDefault)]
pub struct Contract {
    state_version: u32,
    owner_id: AccountId,
    registry_id: AccountId,
    datasets: LookupMap<String, Dataset>,
    dataset_versions: LookupMap<String, Vector<String>>,
    terms_history: LookupMap<String, Vector<TermsRecord>>,
    versions: LookupMap<String, DatasetVersion>,
    children: LookupMap<String, Vector<String>>,
    flags: LookupMap<String, Vec<Flag>>,
    model_usage: LookupMap<String, ModelUsage>,
    usage_by_version: LookupMap<String, Vector<String>>,
    grants: LookupMap<u64, Grant>,
    dataset_grants: LookupMap<String, Vector<u64>>,
    latest_grant: LookupMap<(String, AccountId), u64>,
    next_grant_id: u64,
}

nexus_root_state::contract_state!(Contract);

#[near]
impl Contract {
    /// `owner_id` administers the contract; `registry_id` is the model registry allowed to record
    /// training usage.
    #[init]
    pub fn new(owner_id: AccountId, registry_id: AccountId) -> Self {
        Self {
            state_version: upgrade::STATE_VERSION,
            owner_id,
            registry_id,
            datasets: LookupMap::new(StorageKey::Datasets),
            dataset_versions: LookupMap::new(StorageKey::DatasetVersions),
            terms_history: LookupMap::new(StorageKey::TermsHistory),
            versions: LookupMap::new(StorageKey::Versions),
            children: LookupMap::new(StorageKey::Children),
            flags: LookupMap::new(StorageKey::Flags),
            model_usage: LookupMap::new(StorageKey::ModelUsage),
            usage_by_version: LookupMap::new(StorageKey::UsageByVersion),
            grants: LookupMap::new(StorageKey::Grants),
            dataset_grants: LookupMap::new(StorageKey::DatasetGrants),
            latest_grant: LookupMap::new(StorageKey::LatestGrant),
            next_grant_id: 0,
        }
    }
}
