//! Storage prefixes. Append-only: never reorder or reuse a variant; a retired one is renamed
//! `_Deprecated<Name>` and kept, so its prefix is never handed to new data.
//!
//! Per-entity collections (a dataset's versions, a version's children, ...) live under a nested prefix
//! that carries the sha256 of the entity id, so their keys have a fixed length whatever the id.

use near_sdk::{BorshStorageKey, CryptoHash, env, near};

#[derive(BorshStorageKey)]
#[near]
pub enum StorageKey {
    /// `dataset_id -> Dataset`
    Datasets,
    /// `dataset_id -> Vector<version label>` (the outer map)
    DatasetVersions,
    /// one dataset's version labels, in publication order
    DatasetVersionsOf { dataset_hash: CryptoHash },
    /// `dataset_id -> Vector<TermsRecord>` (the outer map)
    TermsHistory,
    /// one dataset's terms, oldest first; the last is current
    TermsHistoryOf { dataset_hash: CryptoHash },
    /// `"<dataset_id>@<version>" -> DatasetVersion`
    Versions,
    /// `version id -> Vector<child version id>` (the outer map)
    Children,
    /// one version's children, in publication order
    ChildrenOf { version_hash: CryptoHash },
    /// `version id -> Vec<Flag>` (at most one flag per kind)
    Flags,
    /// `model version id -> ModelUsage`
    ModelUsage,
    /// `dataset version id -> Vector<model version id>` (the outer map)
    UsageByVersion,
    /// models trained on one dataset version, in recording order
    UsageByVersionOf { version_hash: CryptoHash },
    /// `grant id -> Grant`
    Grants,
    /// `dataset_id -> Vector<grant id>` (the outer map)
    DatasetGrants,
    /// one dataset's grants, oldest first
    DatasetGrantsOf { dataset_hash: CryptoHash },
    /// `(dataset_id, grantee) -> latest grant id`
    LatestGrant,
    /// account → [`crate::storage_balance::StorageAccount`] (NEP-145 storage balance)
    StorageBalance { account: near_sdk::AccountId },
}

/// Hash used in nested prefixes.
pub fn id_hash(id: &str) -> CryptoHash {
    env::sha256_array(id.as_bytes())
}
