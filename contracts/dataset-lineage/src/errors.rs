//! The contract's one error type. Every public method that can fail returns `Result<_, Error>` with
//! `#[handle_result]`; an `Err` becomes a panic with the message below, so the runtime rolls the call back
//! and refunds the attached deposit. Messages are lowercase and name the field or thing and its value.

use near_sdk::{AccountId, FunctionError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum Error {
    #[error("invalid {field} '{value}': {rule}")]
    InvalidField {
        field: &'static str,
        value: String,
        rule: &'static str,
    },
    #[error("{field} has {count} entries, more than the maximum {max}")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("{field} {value} exceeds the maximum {max}")]
    LimitExceeded {
        field: &'static str,
        value: u64,
        max: u64,
    },
    #[error("from_index + limit ({end}) exceeds the walk maximum {max}")]
    WalkWindowExceeded { end: u64, max: u32 },

    #[error("account '{account}' is not allowed to {action}")]
    Unauthorized {
        account: AccountId,
        action: &'static str,
    },
    #[error("this action requires an attached deposit of exactly 1 yoctoNEAR, got {attached}")]
    OneYoctoRequired { attached: u128 },
    #[error(
        "attached deposit {attached} yoctoNEAR does not cover storage: {required} yoctoNEAR required"
    )]
    StorageDeposit { attached: u128, required: u128 },
    #[error(
        "storage balance {available} yoctoNEAR + attached {attached} yoctoNEAR does not cover storage: {required} yoctoNEAR required; top up with storage_deposit"
    )]
    StorageBalanceShort {
        available: u128,
        attached: u128,
        required: u128,
    },
    #[error("account '{0}' is not registered for storage; call storage_deposit first")]
    NotRegistered(AccountId),
    #[error("cannot withdraw {requested} yoctoNEAR: only {available} yoctoNEAR is available")]
    WithdrawTooMuch { requested: u128, available: u128 },
    #[error(
        "attached deposit {attached} yoctoNEAR is less than the access price {price} yoctoNEAR"
    )]
    AccessUnderpaid { attached: u128, price: u128 },
    #[error(
        "attached deposit {attached} yoctoNEAR does not cover the access price and storage: {required} yoctoNEAR required ({price} price + {storage} storage)"
    )]
    AccessStorageUnderpaid {
        attached: u128,
        required: u128,
        price: u128,
        storage: u128,
    },

    #[error("dataset '{0}' already exists")]
    DatasetExists(String),
    #[error("dataset '{0}' not found")]
    DatasetNotFound(String),
    #[error(
        "dataset version '{0}' already exists; published versions are immutable and cannot gain parents"
    )]
    VersionExists(String),
    #[error("dataset version '{0}' not found")]
    VersionNotFound(String),

    #[error("derivation of '{0}' must name at least one parent")]
    NoParents(String),
    #[error("derivation of '{version_id}' has {count} parents, more than the maximum {max}")]
    TooManyParents {
        version_id: String,
        count: usize,
        max: usize,
    },
    #[error("parent '{0}' is listed more than once")]
    DuplicateParent(String),
    #[error("dataset version '{0}' cannot be its own parent")]
    SelfParent(String),
    #[error("parent dataset version '{0}' not found")]
    ParentNotFound(String),

    #[error("dataset version '{0}' is listed more than once")]
    DuplicateDatasetVersion(String),
    #[error("training usage for model version '{0}' is already recorded")]
    UsageExists(String),
    #[error("dataset version '{version_id}' cannot be used for ai training: {reason}")]
    TrainingNotAllowed {
        version_id: String,
        reason: &'static str,
    },
    #[error(
        "dataset version '{0}' cannot be used by a commercial model: its terms do not allow commercial use"
    )]
    CommercialUseNotAllowed(String),

    #[error("dataset version '{version_id}' is already flagged {kind}")]
    AlreadyFlagged { version_id: String, kind: String },
    #[error("dataset version '{version_id}' is not flagged {kind}")]
    FlagNotFound { version_id: String, kind: String },
    #[error("account '{account}' is already a flagger of dataset '{dataset_id}'")]
    FlaggerExists {
        dataset_id: String,
        account: AccountId,
    },
    #[error("account '{account}' is not a flagger of dataset '{dataset_id}'")]
    FlaggerNotFound {
        dataset_id: String,
        account: AccountId,
    },

    #[error("dataset '{0}' does not offer paid access")]
    AccessNotOffered(String),
    #[error("dataset '{dataset_id}' has {count} flagged version(s); access requests are refused")]
    DatasetFlagged { dataset_id: String, count: u32 },
    #[error("account '{0}' owns the dataset and needs no access grant")]
    OwnerNeedsNoGrant(AccountId),
    #[error("grant {0} not found")]
    GrantNotFound(u64),
    #[error("grant {0} is already revoked")]
    GrantRevoked(u64),

    #[error("{0} overflowed")]
    Overflow(&'static str),
}

pub type Result<T> = core::result::Result<T, Error>;
