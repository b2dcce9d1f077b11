//! NEP-297 events, standard `nexus-dataset-lineage`. Each variant carries its own version; a change to a
//! variant's data bumps that variant's version. Numbers that can exceed 2^53 (yoctoNEAR, nanoseconds,
//! grant ids) are strings.
//!
//! Log line shape: `EVENT_JSON:{"standard":"nexus-dataset-lineage","version":"1.0.0","event":"<name>","data":{...}}`.

use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, NearToken, near};

use crate::derivations::ActivityKind;
use crate::flags::FlagKind;
use crate::terms::Terms;

#[near(event_json(standard = "nexus-dataset-lineage"))]
#[must_use = "call .emit()"]
pub enum Event<'a> {
    #[event_version("1.0.0")]
    DatasetRegistered {
        dataset_id: &'a str,
        owner_id: &'a AccountId,
        title: &'a str,
    },
    #[event_version("1.0.0")]
    TermsSet {
        dataset_id: &'a str,
        revision: u32,
        terms: &'a Terms,
    },
    #[event_version("1.0.0")]
    VersionPublished {
        version_id: &'a str,
        content_digest: &'a str,
        parents: &'a [String],
        activity: Option<ActivityKind>,
        generation: u32,
    },
    #[event_version("1.0.0")]
    TrainingUsageRecorded {
        model_version_id: &'a str,
        dataset_versions: &'a [String],
        commercial_use: bool,
        publisher: &'a AccountId,
    },
    #[event_version("1.0.0")]
    VersionFlagged {
        version_id: &'a str,
        kind: FlagKind,
        reason: &'a str,
        flagged_by: &'a AccountId,
    },
    #[event_version("1.0.0")]
    FlagCleared {
        version_id: &'a str,
        kind: FlagKind,
        cleared_by: &'a AccountId,
    },
    #[event_version("1.0.0")]
    FlaggerAppointed {
        dataset_id: &'a str,
        account_id: &'a AccountId,
    },
    #[event_version("1.0.0")]
    FlaggerRemoved {
        dataset_id: &'a str,
        account_id: &'a AccountId,
    },
    #[event_version("1.0.0")]
    AccessGranted {
        grant_id: U64,
        dataset_id: &'a str,
        grantee: &'a AccountId,
        purpose: &'a str,
        price: U128,
        expires_at_ns: U64,
    },
    #[event_version("1.0.0")]
    AccessRevoked {
        grant_id: U64,
        dataset_id: &'a str,
        grantee: &'a AccountId,
    },
    #[event_version("1.0.0")]
    OwnerChanged {
        old_owner_id: &'a AccountId,
        new_owner_id: &'a AccountId,
    },
    #[event_version("1.0.0")]
    RegistryChanged {
        old_registry_id: &'a AccountId,
        new_registry_id: &'a AccountId,
    },
    #[event_version("1.0.0")]
    ContractUpgraded { code_hash: String },
    #[event_version("1.0.0")]
    ContractMigrated { from_state_version: u32 },
    /// NEP-145 `storage_deposit`: `amount` credited (the part of the deposit that was not refunded).
    #[event_version("1.0.0")]
    StorageDeposited {
        account_id: &'a AccountId,
        amount: NearToken,
        total: NearToken,
        available: NearToken,
    },
    #[event_version("1.0.0")]
    StorageWithdrawn {
        account_id: &'a AccountId,
        amount: NearToken,
        available: NearToken,
    },
    #[event_version("1.0.0")]
    StorageUnregistered {
        account_id: &'a AccountId,
        refunded: NearToken,
    },
    /// The unused part of the registry's deposit for a training-usage record, credited to the publisher's
    /// storage balance instead of being sent to it.
    #[event_version("1.0.0")]
    StorageCredited {
        account_id: &'a AccountId,
        amount: NearToken,
        available: NearToken,
    },
}
