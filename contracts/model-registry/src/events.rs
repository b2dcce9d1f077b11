//! NEP-297 events, standard `nexus-model-registry`. Every state change emits exactly one event, logged as
//! `EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"<name>","data":{...}}`.
//! Numbers that can exceed 2^53 (ids, timestamps) are strings. A variant's version changes when its data
//! shape changes.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, NearToken, near};

use crate::attestations::AttestationKind;
use crate::status::RevocationCode;

#[near(event_json(standard = "nexus-model-registry"))]
#[derive(Debug, Clone)]
pub enum RegistryEvent {
    #[event_version("1.0.0")]
    NamespaceClaimed { namespace: String, owner: AccountId },
    #[event_version("1.0.0")]
    ModelCreated { model_id: String, owner: AccountId },
    #[event_version("1.0.0")]
    ModelMetadataUpdated { model_id: String, by: AccountId },
    #[event_version("1.0.0")]
    MaintainerAdded {
        model_id: String,
        account: AccountId,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    MaintainerRemoved {
        model_id: String,
        account: AccountId,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    OwnershipTransferProposed {
        model_id: String,
        from: AccountId,
        to: AccountId,
    },
    #[event_version("1.0.0")]
    OwnershipTransferCancelled {
        model_id: String,
        to: AccountId,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    OwnershipTransferred {
        model_id: String,
        from: AccountId,
        to: AccountId,
    },
    /// A version with training datasets waits for the lineage contract's consent check.
    #[event_version("1.0.0")]
    VersionPending {
        model_id: String,
        version: String,
        manifest_digest: String,
        publisher: AccountId,
        training_datasets: Vec<String>,
    },
    #[event_version("1.0.0")]
    VersionPublished {
        model_id: String,
        version: String,
        manifest_digest: String,
        publisher: AccountId,
    },
    /// The lineage contract refused (or failed); the pending version and its index entries were removed.
    #[event_version("1.0.0")]
    VersionRejected {
        model_id: String,
        version: String,
        publisher: AccountId,
    },
    /// A version left pending (its lineage callback never settled it) was removed by a maintainer after
    /// `ABANDON_PENDING_AFTER_BLOCKS`; the publisher got back what its publish held.
    #[event_version("1.0.0")]
    VersionAbandoned {
        model_id: String,
        version: String,
        publisher: AccountId,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    VersionDeprecated {
        model_id: String,
        version: String,
        message: String,
        successor: Option<String>,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    VersionRevoked {
        model_id: String,
        version: String,
        code: RevocationCode,
        reason: String,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    AliasSet {
        model_id: String,
        alias: String,
        from: Option<String>,
        to: String,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    AliasRemoved {
        model_id: String,
        alias: String,
        from: String,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    AttestationAdded {
        id: U64,
        model_id: String,
        version: String,
        attester: AccountId,
        kind: AttestationKind,
        supersedes: Option<U64>,
    },
    #[event_version("1.0.0")]
    AttestationRevoked {
        id: U64,
        model_id: String,
        version: String,
        attester: AccountId,
        reason: String,
    },
    #[event_version("1.0.0")]
    LineageContractSet {
        lineage_contract: Option<AccountId>,
        by: AccountId,
    },
    #[event_version("1.0.0")]
    ContractMigrated { state_version: u32 },
    /// NEP-145 `storage_deposit`: `amount` credited (the part of the deposit that was not refunded).
    #[event_version("1.0.0")]
    StorageDeposited {
        account_id: AccountId,
        amount: NearToken,
        total: NearToken,
        available: NearToken,
    },
    #[event_version("1.0.0")]
    StorageWithdrawn {
        account_id: AccountId,
        amount: NearToken,
        available: NearToken,
    },
    #[event_version("1.0.0")]
    StorageUnregistered {
        account_id: AccountId,
        refunded: NearToken,
    },
    /// An amount the registry owes a registered account (a refused or abandoned pending version's held
    /// deposit, the unused part of a lineage-checked publish) credited to its storage balance instead of
    /// being sent to it.
    #[event_version("1.0.0")]
    StorageCredited {
        account_id: AccountId,
        amount: NearToken,
        available: NearToken,
    },
}
