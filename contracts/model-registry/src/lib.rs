//! # Nexus model registry
//!
//! Proves which model you have: `acme/sentiment@1.4.0`, published by `acme.near`, with this artifact manifest,
//! trained on these datasets (consent checked by the lineage contract), attested by these auditors, still
//! active. Modules, by what they hold:
//!
//! - [`models`]: namespaces, models, maintainers, two-step ownership transfer, metadata.
//! - [`versions`]: publishing versions, the lineage consent callback.
//! - [`hash_index`]: the lookup-by-hash index (file sha256 or manifest digest → versions).
//! - [`manifest`]: artifact manifests and their canonical, documented digest.
//! - [`semver`]: SemVer 2.0.0 parsing and precedence.
//! - [`aliases`]: named pointers to versions with on-chain history.
//! - [`status`]: deprecation and (final) revocation.
//! - [`attestations`]: third-party claims about a version.
//! - [`history`]: the per-model audit trail.
//! - [`views`]: every read method (paginated, bounded).
//! - [`storage`] (who pays for storage, measured per call) and [`storage_balance`] (NEP-145 prepaid balances).
//! - [`events`], [`errors`], [`storage_keys`], [`upgrade`], [`limits`].
//!
//! Every write method is `#[payable]`: attach at least 1 yoctoNEAR plus the storage the call adds (measured);
//! the excess is refunded in the same call — or register a NEP-145 storage balance and pay from it, without a
//! refund transfer per call (attach exactly 1 yoctoNEAR). See [`storage`] and [`storage_balance`].

use near_sdk::store::{IterableSet, LookupMap, Vector};
use near_sdk::{AccountId, PanicOnDefault, near, near_bindgen};

pub mod aliases;
pub mod attestations;
pub mod errors;
pub mod events;
pub mod hash_index;
pub mod history;
pub mod limits;
pub mod manifest;
pub mod models;
pub mod semver;
pub mod status;
pub mod storage;
pub mod storage_balance;
pub mod storage_keys;
pub mod upgrade;
pub mod validate;
pub mod versions;
pub mod views;

#[cfg(test)]
mod tests;

use crate::aliases::{Alias, AliasKey};
use crate::attestations::VersionedAttestation;
use crate::hash_index::HashHit;
use crate::models::{Namespace, VersionedModel};
use crate::storage_keys::StorageKey;
use crate::versions::VersionedModelVersion;

/// Contract state, versioned: a new layout adds a variant and `migrate` converts. Its root record is
/// written back only when a call changed it ([`nexus_root_state`]), so methods that only touch collections
/// save a storage write.
#[near_bindgen]
#[near(serializers = [borsh])]
#[derive(PanicOnDefault)]
pub enum VersionedContract {
    V1(Registry),
}

nexus_root_state::contract_state!(VersionedContract);

/// State layout version 1.
#[near(serializers = [borsh])]
pub struct Registry {
    /// Registry owner: sets the lineage contract and upgrades the code.
    pub owner_id: AccountId,
    /// Lineage contract asked for consent when a version declares training datasets.
    pub lineage_contract: Option<AccountId>,
    pub namespaces: LookupMap<String, Namespace>,
    pub models: LookupMap<String, VersionedModel>,
    /// Model ids in creation order; the index is the model's `seq`.
    pub model_ids: Vector<String>,
    pub versions: LookupMap<u64, VersionedModelVersion>,
    /// `namespace/name@version` → version seq.
    pub version_ids: LookupMap<String, u64>,
    pub next_version_seq: u64,
    /// File sha256 or manifest digest → every place that publishes it, as the first release indexed it. Read
    /// alongside the current index (see [`hash_index`]); nothing is added to it any more.
    pub legacy_hash_index: LookupMap<[u8; 32], IterableSet<HashHit>>,
    pub aliases: LookupMap<AliasKey, Alias>,
    pub attestations: LookupMap<u64, VersionedAttestation>,
    pub next_attestation_id: u64,
}

impl VersionedContract {
    pub(crate) fn registry(&self) -> &Registry {
        match self {
            Self::V1(r) => r,
        }
    }

    pub(crate) fn registry_mut(&mut self) -> &mut Registry {
        match self {
            Self::V1(r) => r,
        }
    }
}

#[near]
impl VersionedContract {
    /// Deploys the registry with `owner_id` as its owner.
    #[init]
    pub fn new(owner_id: AccountId) -> Self {
        Self::V1(Registry {
            owner_id,
            lineage_contract: None,
            namespaces: LookupMap::new(StorageKey::Namespaces),
            models: LookupMap::new(StorageKey::Models),
            model_ids: Vector::new(StorageKey::ModelIds),
            versions: LookupMap::new(StorageKey::Versions),
            version_ids: LookupMap::new(StorageKey::VersionIds),
            next_version_seq: 0,
            legacy_hash_index: LookupMap::new(StorageKey::HashIndex),
            aliases: LookupMap::new(StorageKey::Aliases),
            attestations: LookupMap::new(StorageKey::Attestations),
            next_attestation_id: 0,
        })
    }
}

impl Registry {
    /// Writes every cached entry so `env::storage_usage()` reflects the call's writes.
    pub(crate) fn flush(&mut self) {
        self.flush_all_but_models();
        self.models.flush();
    }

    /// [`Self::flush`] except the model records (a pending publish measures everything else first; see
    /// `publish_version`).
    pub(crate) fn flush_all_but_models(&mut self) {
        self.namespaces.flush();
        self.model_ids.flush();
        self.versions.flush();
        self.version_ids.flush();
        self.legacy_hash_index.flush();
        self.aliases.flush();
        self.attestations.flush();
    }
}
