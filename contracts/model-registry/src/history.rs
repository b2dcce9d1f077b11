//! The per-model audit trail: every state change of a model, its versions, aliases and attestations appends
//! one entry (who, when, what). Entries are never rewritten, with one exception: the entry of a version
//! published with training datasets records `publication: pending`; if the lineage contract refuses (or the
//! version is abandoned) it is updated in place to `rejected` (`abandoned`), same size. On consent it stays
//! as written and `get_history` reports it `published` once the model no longer names that version as
//! pending — the consent callback rewrites nothing it does not have to.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::Registry;
use crate::attestations::AttestationKind;
use crate::errors::RegistryError;
use crate::models::ModelMetadata;
use crate::status::RevocationCode;
use crate::storage::List;
use crate::storage_keys::StorageKey;
use crate::versions::Publication;

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub actor: AccountId,
    /// Block timestamp, nanoseconds.
    pub timestamp: U64,
    pub block_height: U64,
    pub action: HistoryAction,
}

#[near(serializers = [borsh, json])]
#[serde(tag = "type", rename_all = "snake_case")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryAction {
    ModelCreated {
        metadata: ModelMetadata,
    },
    MetadataUpdated {
        metadata: ModelMetadata,
    },
    MaintainerAdded {
        account: AccountId,
    },
    MaintainerRemoved {
        account: AccountId,
    },
    OwnershipProposed {
        to: AccountId,
    },
    OwnershipProposalCancelled {
        to: AccountId,
    },
    OwnershipAccepted {
        from: AccountId,
        to: AccountId,
    },
    VersionPublished {
        version: String,
        manifest_digest: String,
        publication: Publication,
    },
    VersionDeprecated {
        version: String,
        message: String,
        successor: Option<String>,
    },
    VersionRevoked {
        version: String,
        code: RevocationCode,
        reason: String,
    },
    AliasSet {
        alias: String,
        from: Option<String>,
        to: String,
    },
    AliasRemoved {
        alias: String,
        from: String,
    },
    AttestationAdded {
        version: String,
        id: U64,
        kind: AttestationKind,
        supersedes: Option<U64>,
    },
    AttestationRevoked {
        version: String,
        id: U64,
        reason: String,
    },
}

impl Registry {
    /// Appends an entry to `model_id`'s history and returns its index.
    pub(crate) fn record(
        &mut self,
        model_id: &str,
        actor: &AccountId,
        action: HistoryAction,
    ) -> Result<u32, RegistryError> {
        let model = self.model_mut(model_id)?;
        let mut list = List::open(StorageKey::ModelHistory { model: model.seq });
        let index = model.history_len;
        model.history_len = list.push(
            index,
            HistoryEntry {
                actor: actor.clone(),
                timestamp: U64(env::block_timestamp()),
                block_height: U64(env::block_height()),
                action,
            },
        )?;
        Ok(index)
    }

    /// Rewrites the publication state of a version entry (see the module docs).
    pub(crate) fn settle_history_publication(
        &mut self,
        model_seq: u64,
        index: u32,
        publication: Publication,
    ) {
        let mut list: List<HistoryEntry> =
            List::open(StorageKey::ModelHistory { model: model_seq });
        if let Some(mut entry) = list.get(index).cloned()
            && let HistoryAction::VersionPublished { publication: p, .. } = &mut entry.action
        {
            *p = publication;
            list.set(index, entry);
        }
    }
}
