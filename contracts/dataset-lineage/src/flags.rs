//! Flags: the dataset owner, or an account the owner appointed, marks a version as consent-withdrawn,
//! poisoned or under licence dispute, with a reason. At most one flag of each kind per version.
//!
//! Effects: a `consent_withdrawn` flag makes `record_training_usage` refuse the version; any flag on any
//! version of a dataset makes `request_access` refuse the dataset; and provenance reports list every
//! flagged ancestor within the bounded walk, so taint is visible in everything derived from a flagged
//! version (see `graph.rs`).

use near_sdk::json_types::U64;
use near_sdk::{AccountId, env, near};

use crate::datasets::Dataset;
use crate::errors::{Error, Result};
use crate::events::Event;
use crate::limits::MAX_FLAGGERS;
use crate::storage::{StorageMeter, attached, require_one_yocto};
use crate::{Contract, ContractExt, validate};

#[near(serializers = [borsh, json])]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    ConsentWithdrawn,
    Poisoned,
    LicenceDispute,
}

impl FlagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::ConsentWithdrawn => "consent_withdrawn",
            FlagKind::Poisoned => "poisoned",
            FlagKind::LicenceDispute => "licence_dispute",
        }
    }
}

#[near(serializers = [borsh, json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub reason: String,
    pub flagged_by: AccountId,
    pub flagged_at_ns: U64,
}

impl Contract {
    pub(crate) fn flags_of(&self, version_id: &str) -> Vec<Flag> {
        self.flags.get(&version_id.to_string()).unwrap_or_default()
    }

    /// The version's dataset, if `caller` is its owner or an appointed flagger.
    fn require_flagger(&self, version_id: &str, caller: &AccountId) -> Result<(String, Dataset)> {
        let (dataset_id, _) = validate::version_id("version_id", version_id)?;
        let dataset = self.must_dataset(dataset_id)?;
        self.must_version(version_id)?;
        if &dataset.owner_id != caller && !dataset.flaggers.contains(caller) {
            return Err(Error::Unauthorized {
                account: caller.clone(),
                action: "flag versions of this dataset",
            });
        }
        Ok((dataset_id.to_string(), dataset))
    }
}

#[near]
impl Contract {
    /// Flags a dataset version. Dataset owner or appointed flagger only. Attach a deposit for storage
    /// (about 0.003 NEAR; excess refunded).
    #[payable]
    #[handle_result]
    pub fn flag_version(
        &mut self,
        version_id: String,
        kind: FlagKind,
        reason: String,
    ) -> Result<Flag> {
        let caller = env::predecessor_account_id();
        let (dataset_id, mut dataset) = self.require_flagger(&version_id, &caller)?;
        validate::reason(&reason)?;
        let mut flags = self.flags_of(&version_id);
        if flags.iter().any(|f| f.kind == kind) {
            return Err(Error::AlreadyFlagged {
                version_id,
                kind: kind.as_str().to_string(),
            });
        }
        let meter = StorageMeter::start();
        let flag = Flag {
            kind,
            reason,
            flagged_by: caller.clone(),
            flagged_at_ns: U64(env::block_timestamp()),
        };
        if flags.is_empty() {
            dataset.flagged_versions = dataset
                .flagged_versions
                .checked_add(1)
                .ok_or(Error::Overflow("flagged versions"))?;
            self.datasets.insert(&dataset_id, &dataset);
        }
        flags.push(flag.clone());
        self.flags.insert(&version_id, &flags);
        Event::VersionFlagged {
            version_id: &version_id,
            kind: flag.kind,
            reason: &flag.reason,
            flagged_by: &caller,
        }
        .emit();
        meter.settle(&caller, attached())?;
        Ok(flag)
    }

    /// Clears one flag of a version. Dataset owner or appointed flagger only; requires 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn clear_flag(&mut self, version_id: String, kind: FlagKind) -> Result<()> {
        require_one_yocto()?;
        let caller = env::predecessor_account_id();
        let (dataset_id, mut dataset) = self.require_flagger(&version_id, &caller)?;
        let mut flags = self.flags_of(&version_id);
        let before = flags.len();
        flags.retain(|f| f.kind != kind);
        if flags.len() == before {
            return Err(Error::FlagNotFound {
                version_id,
                kind: kind.as_str().to_string(),
            });
        }
        if flags.is_empty() {
            self.flags.remove(&version_id);
            dataset.flagged_versions = dataset
                .flagged_versions
                .checked_sub(1)
                .ok_or(Error::Overflow("flagged versions"))?;
            self.datasets.insert(&dataset_id, &dataset);
        } else {
            self.flags.insert(&version_id, &flags);
        }
        Event::FlagCleared {
            version_id: &version_id,
            kind,
            cleared_by: &caller,
        }
        .emit();
        Ok(())
    }

    /// Appoints an account that may flag (and clear flags on) this dataset's versions. Dataset owner only;
    /// at most 8 flaggers. Attach a deposit for storage (excess refunded).
    #[payable]
    #[handle_result]
    pub fn appoint_flagger(&mut self, dataset_id: String, account_id: AccountId) -> Result<()> {
        let caller = env::predecessor_account_id();
        let mut dataset =
            self.require_dataset_owner(&dataset_id, &caller, "appoint flaggers for this dataset")?;
        if dataset.flaggers.contains(&account_id) {
            return Err(Error::FlaggerExists {
                dataset_id,
                account: account_id,
            });
        }
        validate::count(
            "flaggers",
            dataset.flaggers.len().saturating_add(1),
            MAX_FLAGGERS,
        )?;
        let meter = StorageMeter::start();
        dataset.flaggers.push(account_id.clone());
        self.datasets.insert(&dataset_id, &dataset);
        Event::FlaggerAppointed {
            dataset_id: &dataset_id,
            account_id: &account_id,
        }
        .emit();
        meter.settle(&caller, attached())?;
        Ok(())
    }

    /// Removes an appointed flagger. Dataset owner only; requires 1 yoctoNEAR.
    #[payable]
    #[handle_result]
    pub fn remove_flagger(&mut self, dataset_id: String, account_id: AccountId) -> Result<()> {
        require_one_yocto()?;
        let caller = env::predecessor_account_id();
        let mut dataset =
            self.require_dataset_owner(&dataset_id, &caller, "remove flaggers of this dataset")?;
        let before = dataset.flaggers.len();
        dataset.flaggers.retain(|a| a != &account_id);
        if dataset.flaggers.len() == before {
            return Err(Error::FlaggerNotFound {
                dataset_id,
                account: account_id,
            });
        }
        self.datasets.insert(&dataset_id, &dataset);
        Event::FlaggerRemoved {
            dataset_id: &dataset_id,
            account_id: &account_id,
        }
        .emit();
        Ok(())
    }
}
