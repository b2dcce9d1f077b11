//! Storage prefixes. Append-only: never reorder or reuse a variant; retire one by renaming it
//! `_Deprecated<Name>`. Per-entity collections nest under their owner's numeric id.

use near_sdk::BorshStorageKey;
use near_sdk::near;

#[derive(BorshStorageKey)]
#[near(serializers = [borsh])]
pub enum StorageKey {
    /// namespace → [`crate::models::Namespace`]
    Namespaces,
    /// model id → [`crate::models::VersionedModel`]
    Models,
    /// model seq → model id (enumeration order)
    ModelIds,
    /// version seq → [`crate::versions::VersionedModelVersion`]
    Versions,
    /// `namespace/name@version` → version seq
    VersionIds,
    /// sha256 → set of [`crate::hash_index::HashHit`] (first-release index: read, never added to; see
    /// [`crate::hash_index`])
    HashIndex,
    /// per-digest set of hits (first-release index)
    HashHits { digest: [u8; 32] },
    /// per-model list: index → version seq
    ModelVersions { model: u64 },
    /// per-model list: index → [`crate::history::HistoryEntry`]
    ModelHistory { model: u64 },
    /// (model seq, alias) → [`crate::aliases::Alias`]
    Aliases,
    /// per-alias list: index → [`crate::aliases::AliasMove`]
    AliasHistory { model: u64, alias: String },
    /// attestation id → [`crate::attestations::VersionedAttestation`]
    Attestations,
    /// per-version list: index → attestation id
    VersionAttestations { version: u64 },
    /// sha256 → [`crate::hash_index::HashHead`]: hit count and the hit at position 0 (second-release index)
    HashHead { digest: [u8; 32] },
    /// (sha256, position ≥ 1) → [`crate::hash_index::HashHit`] (second-release index)
    HashEntry { digest: [u8; 32], position: u32 },
    /// account → [`crate::storage_balance::StorageAccount`] (NEP-145 storage balance)
    StorageBalance { account: near_sdk::AccountId },
}
