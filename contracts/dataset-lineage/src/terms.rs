//! Consent terms: what a dataset's owner allows, per use, with every revision kept.
//!
//! Terms belong to a dataset (all its versions). For each use — AI training, AI inference, data mining,
//! commercial use — the owner says `allowed`, `not_allowed`, or `constrained` (allowed under the terms at
//! `terms_uri`, whose sha256 is `terms_digest`). `record_training_usage` enforces `ai_training` and, for a
//! commercial model, `commercial_use`, and records the revision and constrained-terms digests it relied on.
//! Revisions are numbered from 1; a change appends a revision, so the history shows what applied when.

use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::limits::{MAX_ACCESS_DURATION_SECS, MIN_ACCESS_DURATION_SECS};
use crate::storage::{StorageMeter, attached};
use crate::storage_keys::{StorageKey, id_hash};
use crate::{Contract, ContractExt, validate};

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Permission {
    Allowed,
    NotAllowed,
    /// Allowed under the terms published at `terms_uri` (sha256 `terms_digest`).
    Constrained {
        terms_uri: String,
        terms_digest: String,
    },
}

impl Permission {
    pub fn allows(&self) -> bool {
        !matches!(self, Permission::NotAllowed)
    }

    pub fn constrained_digest(&self) -> Option<String> {
        match self {
            Permission::Constrained { terms_digest, .. } => Some(terms_digest.clone()),
            _ => None,
        }
    }

    fn validate(&self, uri_field: &'static str, digest_field: &'static str) -> Result<()> {
        if let Permission::Constrained {
            terms_uri,
            terms_digest,
        } = self
        {
            validate::uri(uri_field, terms_uri)?;
            validate::digest(digest_field, terms_digest)?;
        }
        Ok(())
    }
}

/// Paid access offered to consumers: `price` (yoctoNEAR, forwarded in full to the owner) buys a grant
/// lasting `duration_seconds`.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessOffer {
    pub price: U128,
    pub duration_seconds: U64,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub ai_training: Permission,
    pub ai_inference: Permission,
    pub data_mining: Permission,
    pub commercial_use: Permission,
    pub attribution_required: bool,
    /// `None`: the dataset offers no paid access.
    pub access: Option<AccessOffer>,
}

impl Terms {
    pub fn validate(&self) -> Result<()> {
        self.ai_training.validate(
            "terms.ai_training.terms_uri",
            "terms.ai_training.terms_digest",
        )?;
        self.ai_inference.validate(
            "terms.ai_inference.terms_uri",
            "terms.ai_inference.terms_digest",
        )?;
        self.data_mining.validate(
            "terms.data_mining.terms_uri",
            "terms.data_mining.terms_digest",
        )?;
        self.commercial_use.validate(
            "terms.commercial_use.terms_uri",
            "terms.commercial_use.terms_digest",
        )?;
        if let Some(offer) = &self.access {
            let secs = offer.duration_seconds.0;
            if !(MIN_ACCESS_DURATION_SECS..=MAX_ACCESS_DURATION_SECS).contains(&secs) {
                return Err(Error::InvalidField {
                    field: "terms.access.duration_seconds",
                    value: secs.to_string(),
                    rule: "must be between 60 and 315360000 seconds (ten years)",
                });
            }
        }
        Ok(())
    }
}

/// One revision of a dataset's terms.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermsRecord {
    pub revision: u32,
    pub terms: Terms,
    pub set_by: AccountId,
    pub set_at_ns: U64,
}

impl Contract {
    /// Appends a terms revision for an existing dataset; returns the new revision number.
    pub(crate) fn append_terms(&mut self, dataset_id: &str, terms: Terms) -> Result<u32> {
        let key = dataset_id.to_string();
        let mut dataset = self
            .datasets
            .get(&key)
            .ok_or_else(|| Error::DatasetNotFound(key.clone()))?;
        let revision = dataset
            .terms_revision
            .checked_add(1)
            .ok_or(Error::Overflow("terms revision"))?;
        let mut history = self.terms_history.get(&key).unwrap_or_else(|| {
            near_sdk::collections::Vector::new(StorageKey::TermsHistoryOf {
                dataset_hash: id_hash(dataset_id),
            })
        });
        let record = TermsRecord {
            revision,
            terms,
            set_by: env::predecessor_account_id(),
            set_at_ns: U64(env::block_timestamp()),
        };
        history.push(&record);
        self.terms_history.insert(&key, &history);
        dataset.terms_revision = revision;
        dataset.terms = record.terms.clone();
        self.datasets.insert(&key, &dataset);
        Event::TermsSet {
            dataset_id,
            revision,
            terms: &record.terms,
        }
        .emit();
        Ok(revision)
    }

    /// The terms in force for a dataset (its latest revision).
    pub(crate) fn current_terms(&self, dataset_id: &str) -> Option<TermsRecord> {
        let history = self.terms_history.get(&dataset_id.to_string())?;
        history.get(history.len().checked_sub(1)?)
    }
}

#[near]
impl Contract {
    /// Replaces a dataset's terms (a new revision; history is kept). Dataset owner only. Attach a deposit for
    /// the storage of the new revision (about 0.003 NEAR; excess refunded). Returns the new revision number.
    #[payable]
    #[handle_result]
    pub fn set_terms(&mut self, dataset_id: String, terms: Terms) -> Result<u32> {
        let caller = env::predecessor_account_id();
        self.require_dataset_owner(&dataset_id, &caller, "change the terms of this dataset")?;
        terms.validate()?;
        let meter = StorageMeter::start();
        let revision = self.append_terms(&dataset_id, terms)?;
        meter.settle(&caller, attached())?;
        Ok(revision)
    }
}
