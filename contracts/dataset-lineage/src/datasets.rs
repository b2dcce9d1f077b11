//! Datasets: an owner-chosen unique id, an owner, a title, consent terms, and counters for what hangs off
//! it (versions, flagged versions, grants). The account that registers a dataset owns it.

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::errors::{Error, Result};
use crate::events::Event;
use crate::storage::{StorageMeter, attached};
use crate::terms::Terms;
use crate::{Contract, ContractExt, validate};

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    pub owner_id: AccountId,
    pub title: String,
    pub created_at_ns: U64,
    /// Number of published versions.
    pub version_count: u32,
    /// Current terms revision (revisions start at 1).
    pub terms_revision: u32,
    /// The terms of that revision (also the last entry of the history), kept here so the consent check
    /// of `record_training_usage` reads one record per dataset.
    pub terms: Terms,
    /// Accounts the owner appointed to flag this dataset's versions (at most `MAX_FLAGGERS`).
    pub flaggers: Vec<AccountId>,
    /// Versions carrying at least one flag; while non-zero, access requests are refused.
    pub flagged_versions: u32,
    /// Number of access grants ever issued.
    pub grant_count: u32,
}

impl Contract {
    pub(crate) fn must_dataset(&self, dataset_id: &str) -> Result<Dataset> {
        self.datasets
            .get(&dataset_id.to_string())
            .ok_or_else(|| Error::DatasetNotFound(dataset_id.to_string()))
    }

    /// The dataset, if `caller` owns it; otherwise a not-found or unauthorized error.
    pub(crate) fn require_dataset_owner(
        &self,
        dataset_id: &str,
        caller: &AccountId,
        action: &'static str,
    ) -> Result<Dataset> {
        validate::dataset_id("dataset_id", dataset_id)?;
        let dataset = self.must_dataset(dataset_id)?;
        if &dataset.owner_id != caller {
            return Err(Error::Unauthorized {
                account: caller.clone(),
                action,
            });
        }
        Ok(dataset)
    }
}

#[near]
impl Contract {
    /// Registers a dataset owned by the caller, with its first terms revision. Attach a deposit for storage
    /// (about 0.005 NEAR; the exact amount is in the error if too little; excess refunded).
    #[payable]
    #[handle_result]
    pub fn register_dataset(
        &mut self,
        dataset_id: String,
        title: String,
        terms: Terms,
    ) -> Result<Dataset> {
        let caller = env::predecessor_account_id();
        validate::dataset_id("dataset_id", &dataset_id)?;
        validate::title(&title)?;
        terms.validate()?;
        if self.datasets.contains_key(&dataset_id) {
            return Err(Error::DatasetExists(dataset_id));
        }
        let meter = StorageMeter::start();
        let dataset = Dataset {
            owner_id: caller.clone(),
            title,
            created_at_ns: U64(env::block_timestamp()),
            version_count: 0,
            terms_revision: 0,
            terms: terms.clone(),
            flaggers: Vec::new(),
            flagged_versions: 0,
            grant_count: 0,
        };
        self.datasets.insert(&dataset_id, &dataset);
        Event::DatasetRegistered {
            dataset_id: &dataset_id,
            owner_id: &caller,
            title: &dataset.title,
        }
        .emit();
        self.append_terms(&dataset_id, terms)?;
        meter.settle(&caller, attached())?;
        self.must_dataset(&dataset_id)
    }
}
