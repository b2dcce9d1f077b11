//! Training usage: the model registry tells this contract which dataset versions a model version was
//! trained on, and the contract checks consent before recording it.
//!
//! Interface with the model registry (fixed; the registry is written against it): when the registry
//! publishes a model version with training datasets it calls
//! `record_training_usage({"model_version_id", "dataset_versions", "commercial_use", "publisher"})` with
//! 0.01 NEAR per dataset version attached (`TRAINING_DEPOSIT_PER_DATASET_YOCTO`). Only `registry_id` may
//! call it. It fails — and the registry's callback then rolls the model version back and refunds the
//! publisher — if any dataset version is unknown, its dataset's terms do not allow AI training, it is
//! flagged `consent_withdrawn`, or the model is commercial and the terms do not allow commercial use.
//! `constrained` terms count as allowed; the usage record keeps the terms revision and the constrained
//! terms' digests relied upon. On success the call returns `{"storage_cost": "<yocto>", "kept": "<yocto>"}`:
//! the usage records' measured cost and what the registry must not refund of the deposit — all of it. The
//! unused part goes to the publisher in the same call: credited to its storage balance when it is registered
//! here (NEP-145, `storage_balance.rs`; event `storage_credited`, no transfer), else transferred to it. Never
//! back to the registry, which would only pass it on with a second transfer. (The first releases returned it
//! to the registry with `kept = storage_cost`; the registry still refunds the publisher `deposit − kept`.)

use std::collections::{BTreeMap, BTreeSet};

use near_sdk::collections::Vector;
use near_sdk::json_types::{U64, U128};
use near_sdk::{AccountId, NearToken, env, near};

use crate::datasets::Dataset;
use crate::errors::{Error, Result};
use crate::events::Event;
use crate::flags::FlagKind;
use crate::limits::MAX_TRAINING_DATASETS;
use crate::storage::{StorageMeter, attached, transfer_to};
use crate::storage_balance;
use crate::storage_keys::{StorageKey, id_hash};
use crate::terms::Permission;
use crate::{Contract, ContractExt, validate};

/// One dataset version a model version was trained on, with the consent it was checked against.
#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsedDataset {
    pub version_id: String,
    /// Terms revision in force when the usage was recorded.
    pub terms_revision: u32,
    /// Digest of the `ai_training` terms, when they were `constrained`.
    pub ai_training_terms_digest: Option<String>,
    /// Digest of the `commercial_use` terms, when the model is commercial and they were `constrained`.
    pub commercial_terms_digest: Option<String>,
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelUsage {
    pub model_version_id: String,
    pub publisher: AccountId,
    pub commercial_use: bool,
    pub datasets: Vec<UsedDataset>,
    pub recorded_at_ns: U64,
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageCost {
    pub storage_cost: U128,
    /// What the registry must not refund of the attached deposit: all of it (see the module docs).
    pub kept: U128,
}

impl Contract {
    /// Checks one dataset version against its dataset's current terms and flags. Writes nothing.
    /// `datasets` holds the datasets already read in this call, so versions of one dataset read it once.
    fn check_training_consent(
        &self,
        version_id: &str,
        commercial_use: bool,
        datasets: &mut BTreeMap<String, Dataset>,
    ) -> Result<UsedDataset> {
        let (dataset_id, _) = validate::version_id("dataset_versions", version_id)?;
        if !self.versions.contains_key(&version_id.to_string()) {
            return Err(Error::VersionNotFound(version_id.to_string()));
        }
        if !datasets.contains_key(dataset_id) {
            let dataset = self.must_dataset(dataset_id)?;
            datasets.insert(dataset_id.to_string(), dataset);
        }
        let dataset = datasets
            .get(dataset_id)
            .ok_or_else(|| Error::DatasetNotFound(dataset_id.to_string()))?;
        // Flags are read only for datasets that have flagged versions.
        if dataset.flagged_versions > 0
            && self
                .flags_of(version_id)
                .iter()
                .any(|f| f.kind == FlagKind::ConsentWithdrawn)
        {
            return Err(Error::TrainingNotAllowed {
                version_id: version_id.to_string(),
                reason: "it is flagged consent_withdrawn",
            });
        }
        let terms = &dataset.terms;
        if !terms.ai_training.allows() {
            return Err(Error::TrainingNotAllowed {
                version_id: version_id.to_string(),
                reason: "its terms do not allow ai training",
            });
        }
        if commercial_use && !terms.commercial_use.allows() {
            return Err(Error::CommercialUseNotAllowed(version_id.to_string()));
        }
        Ok(UsedDataset {
            version_id: version_id.to_string(),
            terms_revision: dataset.terms_revision,
            ai_training_terms_digest: terms.ai_training.constrained_digest(),
            commercial_terms_digest: if commercial_use {
                match &terms.commercial_use {
                    Permission::Constrained { terms_digest, .. } => Some(terms_digest.clone()),
                    _ => None,
                }
            } else {
                None
            },
        })
    }
}

#[near]
impl Contract {
    /// Records that `model_version_id` was trained on `dataset_versions` (1..=32 distinct
    /// `<dataset_id>@<version>` ids), after checking consent for each. Callable only by the model registry
    /// (`registry_id`), which vouches for `publisher`. The attached deposit pays for storage; the rest goes
    /// to the publisher (credited to its storage balance here if it has one, else transferred), never back
    /// to the registry, so the registry's callback has nothing to refund. Answers the storage cost and
    /// `kept`: the whole deposit (what the registry must not refund).
    #[payable]
    #[handle_result]
    pub fn record_training_usage(
        &mut self,
        model_version_id: String,
        dataset_versions: Vec<String>,
        commercial_use: bool,
        publisher: AccountId,
    ) -> Result<StorageCost> {
        let caller = env::predecessor_account_id();
        if caller != self.registry_id {
            return Err(Error::Unauthorized {
                account: caller,
                action: "record training usage (only the model registry may)",
            });
        }
        validate::model_version_id("model_version_id", &model_version_id)?;
        if dataset_versions.is_empty() {
            return Err(Error::InvalidField {
                field: "dataset_versions",
                value: String::new(),
                rule: "must name at least one dataset version",
            });
        }
        validate::count(
            "dataset_versions",
            dataset_versions.len(),
            MAX_TRAINING_DATASETS,
        )?;
        let mut seen = BTreeSet::new();
        let mut datasets = BTreeMap::new();
        let mut used = Vec::with_capacity(dataset_versions.len());
        for version_id in &dataset_versions {
            if !seen.insert(version_id.as_str()) {
                return Err(Error::DuplicateDatasetVersion(version_id.clone()));
            }
            used.push(self.check_training_consent(version_id, commercial_use, &mut datasets)?);
        }

        let meter = StorageMeter::start();
        let usage = ModelUsage {
            model_version_id: model_version_id.clone(),
            publisher: publisher.clone(),
            commercial_use,
            datasets: used,
            recorded_at_ns: U64(env::block_timestamp()),
        };
        // Insert and check in one write (the replaced value comes back with it) rather than a read first: the
        // duplicate is the rare case, and it puts the old record back (the failure would revert it anyway).
        if let Some(existing) = self.model_usage.insert(&model_version_id, &usage) {
            self.model_usage.insert(&model_version_id, &existing);
            return Err(Error::UsageExists(model_version_id));
        }
        for version_id in &dataset_versions {
            let mut models = self.usage_by_version.get(version_id).unwrap_or_else(|| {
                Vector::new(StorageKey::UsageByVersionOf {
                    version_hash: id_hash(version_id),
                })
            });
            models.push(&model_version_id);
            self.usage_by_version.insert(version_id, &models);
        }
        Event::TrainingUsageRecorded {
            model_version_id: &model_version_id,
            dataset_versions: &dataset_versions,
            commercial_use,
            publisher: &publisher,
        }
        .emit();
        let cost = meter.cost()?;
        let deposit = attached();
        let excess = deposit.checked_sub(cost).ok_or(Error::StorageDeposit {
            attached: deposit,
            required: cost,
        })?;
        let credited = (excess > 0)
            .then(|| storage_balance::credit(&publisher, NearToken::from_yoctonear(excess)))
            .flatten();
        match credited {
            Some(account) => Event::StorageCredited {
                account_id: &publisher,
                amount: NearToken::from_yoctonear(excess),
                available: account.available,
            }
            .emit(),
            None => transfer_to(&publisher, excess),
        }
        Ok(StorageCost {
            storage_cost: U128(cost),
            kept: U128(deposit),
        })
    }
}
