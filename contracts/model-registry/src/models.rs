//! Namespaces, models, maintainers, ownership and metadata.
//!
//! A model id is `namespace/name`. The first account to create a model in a namespace claims the namespace;
//! afterwards only that account can create models in it. A model has one owner and up to
//! [`MAX_MAINTAINERS`] maintainers: maintainers publish versions, move aliases, deprecate, revoke and edit
//! metadata; only the owner manages maintainers and ownership. Ownership moves in two steps: the owner
//! proposes, the proposed account accepts (the owner can cancel before that).

use near_sdk::{AccountId, NearToken, env, near};

use crate::Registry;
use crate::VersionedContract;
#[allow(unused_imports)]
use crate::VersionedContractExt;
use crate::errors::RegistryError;
use crate::events::RegistryEvent;
use crate::history::HistoryAction;
use crate::limits::*;
use crate::storage::StorageCharge;
use crate::validate;

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub struct Namespace {
    pub owner: AccountId,
    pub model_count: u32,
    pub created_at: u64,
}

/// Descriptive metadata, replaced as a whole by `update_metadata`; every version of it is in the history.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelMetadata {
    /// Up to 1024 bytes.
    #[serde(default)]
    pub description: String,
    /// Up to 16 tags of 1–32 bytes `a-z 0-9 - _ .`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `https://`, `http://`, `ipfs://`, `hf://` or `ar://`, up to 512 bytes.
    #[serde(default)]
    pub homepage: Option<String>,
    /// SPDX licence id, e.g. `Apache-2.0`.
    #[serde(default)]
    pub license: Option<String>,
    /// e.g. `pytorch`, `onnx`, `gguf`.
    #[serde(default)]
    pub framework: Option<String>,
    /// e.g. `text-classification`.
    #[serde(default)]
    pub task: Option<String>,
}

impl ModelMetadata {
    pub fn validate(&self) -> Result<(), RegistryError> {
        validate::text(
            "metadata.description",
            &self.description,
            DESCRIPTION_MAX_LEN,
        )?;
        validate::max_items("metadata.tags", &self.tags, MAX_TAGS)?;
        for (i, tag) in self.tags.iter().enumerate() {
            validate::slug(&format!("metadata.tags[{i}]"), tag, 1, TAG_MAX_LEN, b"-_.")?;
            if self.tags[..i].contains(tag) {
                return Err(RegistryError::Duplicate {
                    field: "metadata.tags".into(),
                    value: tag.clone(),
                });
            }
        }
        if let Some(h) = &self.homepage {
            validate::uri("metadata.homepage", h, validate::WEB_SCHEMES)?;
        }
        if let Some(l) = &self.license {
            validate::label("metadata.license", l, LICENSE_MAX_LEN)?;
        }
        if let Some(f) = &self.framework {
            validate::label("metadata.framework", f, LABEL_MAX_LEN)?;
        }
        if let Some(t) = &self.task {
            validate::label("metadata.task", t, LABEL_MAX_LEN)?;
        }
        Ok(())
    }
}

#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub struct Model {
    /// Index in `Registry::model_ids`; prefixes the model's nested collections.
    pub seq: u64,
    pub id: String,
    pub owner: AccountId,
    pub pending_owner: Option<AccountId>,
    pub maintainers: Vec<AccountId>,
    pub metadata: ModelMetadata,
    pub created_at: u64,
    pub updated_at: u64,
    /// Length of the per-model version list (including a pending version, which is always the last).
    pub version_count: u32,
    /// Seq of the version awaiting lineage consent, if any.
    pub pending_version: Option<u64>,
    /// Live alias names.
    pub aliases: Vec<String>,
    /// Length of the per-model history.
    pub history_len: u32,
}

impl Model {
    pub fn is_maintainer(&self, account: &AccountId) -> bool {
        &self.owner == account || self.maintainers.contains(account)
    }
}

/// Versioned model record: a new layout adds a variant. `get`/`get_mut` give the part every layout shares.
#[near(serializers = [borsh])]
#[derive(Clone, Debug)]
pub enum VersionedModel {
    /// First release.
    V1(Model),
    /// Second release: adds [`Publishing`]. First-release records are converted when a publish or a lineage
    /// callback writes them (never by a migration), so both variants are live.
    V2(Model, Publishing),
}

/// What publishing needs from a model, kept on the record every publish already reads and writes.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Publishing {
    /// The newest published version: a new version must be greater. Kept here so a publish does not read the
    /// version list and the previous version's whole record to compare.
    pub latest_version: Option<String>,
    /// Set while `pending_version` is a version published by this release.
    pub pending: Option<PendingPublish>,
}

/// What removing a pending version needs, recorded when it is published.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPublish {
    /// Position of each of the version's hash-index hits in its digest's list: one per file (in the version's
    /// file order), then the manifest digest's. See [`crate::hash_index`].
    pub hit_positions: Vec<u32>,
    /// What the publish still holds for the publisher: the registry's storage charge and the amount forwarded
    /// to the lineage contract. Refunded if the version is refused or abandoned.
    pub held: NearToken,
}

impl VersionedModel {
    pub fn get(&self) -> &Model {
        match self {
            Self::V1(m) | Self::V2(m, _) => m,
        }
    }

    pub fn get_mut(&mut self) -> &mut Model {
        match self {
            Self::V1(m) | Self::V2(m, _) => m,
        }
    }

    /// `None` for a first-release record, which does not track it.
    pub fn publishing(&self) -> Option<&Publishing> {
        match self {
            Self::V1(_) => None,
            Self::V2(_, p) => Some(p),
        }
    }

    /// Replaces what publishing tracks, converting a first-release record.
    pub fn set_publishing(&mut self, publishing: Publishing) {
        match self {
            Self::V1(m) => *self = Self::V2(m.clone(), publishing),
            Self::V2(_, p) => *p = publishing,
        }
    }
}

impl Registry {
    pub(crate) fn model(&self, model_id: &str) -> Result<&Model, RegistryError> {
        self.model_record(model_id).map(VersionedModel::get)
    }

    pub(crate) fn model_mut(&mut self, model_id: &str) -> Result<&mut Model, RegistryError> {
        self.model_record_mut(model_id).map(VersionedModel::get_mut)
    }

    pub(crate) fn model_record(&self, model_id: &str) -> Result<&VersionedModel, RegistryError> {
        self.models
            .get(model_id)
            .ok_or_else(|| RegistryError::ModelNotFound(model_id.into()))
    }

    pub(crate) fn model_record_mut(
        &mut self,
        model_id: &str,
    ) -> Result<&mut VersionedModel, RegistryError> {
        self.models
            .get_mut(model_id)
            .ok_or_else(|| RegistryError::ModelNotFound(model_id.into()))
    }

    /// The model's newest published version.
    pub(crate) fn latest_version(&self, model_id: &str) -> Result<Option<String>, RegistryError> {
        let record = self.model_record(model_id)?;
        if let Some(p) = record.publishing() {
            return Ok(p.latest_version.clone());
        }
        // A first-release record: the last published entry of the version list.
        let m = record.get();
        let published = if m.pending_version.is_some() {
            m.version_count.saturating_sub(1)
        } else {
            m.version_count
        };
        let Some(last) = published.checked_sub(1) else {
            return Ok(None);
        };
        let seq = self
            .version_at(m.seq, last)
            .ok_or(RegistryError::Overflow("version list"))?;
        Ok(Some(self.version(seq)?.version.clone()))
    }

    /// The model, if `account` is its owner.
    pub(crate) fn owned_model(
        &self,
        model_id: &str,
        account: &AccountId,
    ) -> Result<&Model, RegistryError> {
        let model = self.model(model_id)?;
        if &model.owner != account {
            return Err(RegistryError::NotModelOwner {
                account: account.clone(),
                model_id: model_id.into(),
            });
        }
        Ok(model)
    }

    /// The model, if `account` is its owner or a maintainer.
    pub(crate) fn maintained_model(
        &self,
        model_id: &str,
        account: &AccountId,
    ) -> Result<&Model, RegistryError> {
        let model = self.model(model_id)?;
        if !model.is_maintainer(account) {
            return Err(RegistryError::NotMaintainer {
                account: account.clone(),
                model_id: model_id.into(),
            });
        }
        Ok(model)
    }
}

#[near]
impl VersionedContract {
    /// Creates `namespace/name` owned by the caller, claiming `namespace` if nobody has.
    /// Deposit: storage (≈ 1 kB for a short description ⇒ ~0.01 NEAR); excess refunded.
    #[payable]
    #[handle_result]
    pub fn create_model(
        &mut self,
        namespace: String,
        name: String,
        metadata: Option<ModelMetadata>,
    ) -> Result<String, RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        validate::namespace(&namespace)?;
        validate::model_name(&name)?;
        let metadata = metadata.unwrap_or_default();
        metadata.validate()?;
        let model_id = format!("{namespace}/{name}");
        let r = self.registry_mut();
        let claimed = match r.namespaces.get(&namespace) {
            Some(ns) if ns.owner != caller => {
                return Err(RegistryError::NamespaceTaken {
                    namespace,
                    owner: ns.owner.clone(),
                });
            }
            Some(_) => false,
            None => true,
        };
        if r.models.contains_key(&model_id) {
            return Err(RegistryError::ModelExists(model_id));
        }

        let now = env::block_timestamp();
        let seq = u64::from(r.model_ids.len());
        let ns = r.namespaces.entry(namespace.clone()).or_insert(Namespace {
            owner: caller.clone(),
            model_count: 0,
            created_at: now,
        });
        ns.model_count = ns
            .model_count
            .checked_add(1)
            .ok_or(RegistryError::Overflow("model count"))?;
        r.model_ids.push(model_id.clone());
        r.models.set(
            model_id.clone(),
            Some(VersionedModel::V2(
                Model {
                    seq,
                    id: model_id.clone(),
                    owner: caller.clone(),
                    pending_owner: None,
                    maintainers: Vec::new(),
                    metadata: metadata.clone(),
                    created_at: now,
                    updated_at: now,
                    version_count: 0,
                    pending_version: None,
                    aliases: Vec::new(),
                    history_len: 0,
                },
                Publishing::default(),
            )),
        );
        r.record(&model_id, &caller, HistoryAction::ModelCreated { metadata })?;
        r.flush();
        charge.settle_and_refund()?;

        if claimed {
            RegistryEvent::NamespaceClaimed {
                namespace,
                owner: caller.clone(),
            }
            .emit();
        }
        RegistryEvent::ModelCreated {
            model_id: model_id.clone(),
            owner: caller,
        }
        .emit();
        Ok(model_id)
    }

    /// Replaces the model's metadata (owner or maintainer). The new metadata is kept in the history.
    #[payable]
    #[handle_result]
    pub fn update_metadata(
        &mut self,
        model_id: String,
        metadata: ModelMetadata,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        metadata.validate()?;
        let r = self.registry_mut();
        r.maintained_model(&model_id, &caller)?;
        let model = r.model_mut(&model_id)?;
        model.metadata = metadata.clone();
        model.updated_at = env::block_timestamp();
        r.record(
            &model_id,
            &caller,
            HistoryAction::MetadataUpdated { metadata },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::ModelMetadataUpdated {
            model_id,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Adds a maintainer (owner only).
    #[payable]
    #[handle_result]
    pub fn add_maintainer(
        &mut self,
        model_id: String,
        account_id: AccountId,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let model = r.owned_model(&model_id, &caller)?;
        if model.owner == account_id {
            return Err(RegistryError::AlreadyOwner {
                account: account_id,
                model_id,
            });
        }
        if model.maintainers.contains(&account_id) {
            return Err(RegistryError::AlreadyMaintainer {
                account: account_id,
                model_id,
            });
        }
        if model.maintainers.len() >= MAX_MAINTAINERS {
            return Err(RegistryError::TooMany {
                field: "maintainers".into(),
                len: model.maintainers.len().saturating_add(1),
                max: MAX_MAINTAINERS,
            });
        }
        r.model_mut(&model_id)?.maintainers.push(account_id.clone());
        r.record(
            &model_id,
            &caller,
            HistoryAction::MaintainerAdded {
                account: account_id.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::MaintainerAdded {
            model_id,
            account: account_id,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Removes a maintainer (owner only).
    #[payable]
    #[handle_result]
    pub fn remove_maintainer(
        &mut self,
        model_id: String,
        account_id: AccountId,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let model = r.owned_model(&model_id, &caller)?;
        if !model.maintainers.contains(&account_id) {
            return Err(RegistryError::NotAMaintainer {
                account: account_id,
                model_id,
            });
        }
        r.model_mut(&model_id)?
            .maintainers
            .retain(|a| a != &account_id);
        r.record(
            &model_id,
            &caller,
            HistoryAction::MaintainerRemoved {
                account: account_id.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::MaintainerRemoved {
            model_id,
            account: account_id,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Step 1 of an ownership transfer (owner only): `new_owner` may then `accept_ownership`.
    /// Proposing again replaces the previous proposal.
    #[payable]
    #[handle_result]
    pub fn propose_owner(
        &mut self,
        model_id: String,
        new_owner: AccountId,
    ) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let model = r.owned_model(&model_id, &caller)?;
        if model.owner == new_owner {
            return Err(RegistryError::AlreadyOwner {
                account: new_owner,
                model_id,
            });
        }
        r.model_mut(&model_id)?.pending_owner = Some(new_owner.clone());
        r.record(
            &model_id,
            &caller,
            HistoryAction::OwnershipProposed {
                to: new_owner.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::OwnershipTransferProposed {
            model_id,
            from: caller,
            to: new_owner,
        }
        .emit();
        Ok(())
    }

    /// Withdraws a pending ownership proposal (owner only).
    #[payable]
    #[handle_result]
    pub fn cancel_ownership_transfer(&mut self, model_id: String) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let model = r.owned_model(&model_id, &caller)?;
        let Some(to) = model.pending_owner.clone() else {
            return Err(RegistryError::NoPendingTransfer(model_id));
        };
        r.model_mut(&model_id)?.pending_owner = None;
        r.record(
            &model_id,
            &caller,
            HistoryAction::OwnershipProposalCancelled { to: to.clone() },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::OwnershipTransferCancelled {
            model_id,
            to,
            by: caller,
        }
        .emit();
        Ok(())
    }

    /// Step 2 of an ownership transfer: the proposed owner accepts. The previous owner keeps no role; the new
    /// owner stops being a maintainer if it was one.
    #[payable]
    #[handle_result]
    pub fn accept_ownership(&mut self, model_id: String) -> Result<(), RegistryError> {
        let charge = StorageCharge::start()?;
        let caller = charge.payer.clone();
        let r = self.registry_mut();
        let model = r.model(&model_id)?;
        match &model.pending_owner {
            None => return Err(RegistryError::NoPendingTransfer(model_id)),
            Some(p) if p != &caller => {
                return Err(RegistryError::NotProposedOwner {
                    account: caller,
                    model_id,
                });
            }
            Some(_) => {}
        }
        let model = r.model_mut(&model_id)?;
        let from = core::mem::replace(&mut model.owner, caller.clone());
        model.pending_owner = None;
        model.maintainers.retain(|a| a != &caller);
        r.record(
            &model_id,
            &caller,
            HistoryAction::OwnershipAccepted {
                from: from.clone(),
                to: caller.clone(),
            },
        )?;
        r.flush();
        charge.settle_and_refund()?;
        RegistryEvent::OwnershipTransferred {
            model_id,
            from,
            to: caller,
        }
        .emit();
        Ok(())
    }
}
