//! Every way a registry call can fail.
//!
//! One enum, one lowercase message per variant, each naming the field and the offending value, so a client can
//! show the message as-is and a test can assert it exactly. Entry points return `Result<_, RegistryError>` with
//! `#[handle_result]`; an `Err` becomes `env::panic_str(message)`, which reverts every write of the call and
//! returns the attached deposit to the caller.

use near_sdk::{AccountId, FunctionError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum RegistryError {
    // ---- input shape ---------------------------------------------------------------------------------------
    #[error("invalid {field} '{value}': {reason}")]
    InvalidField {
        field: String,
        value: String,
        reason: String,
    },
    #[error("{field} is too long: {len} bytes, the limit is {max}")]
    TooLong {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("{field} has too many entries: {len}, the limit is {max}")]
    TooMany {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("invalid semver '{value}' in {field}: {reason}")]
    InvalidSemver {
        field: String,
        value: String,
        reason: String,
    },
    #[error("invalid {field} '{value}': expected 64 hex characters (32 bytes), {reason}")]
    InvalidDigest {
        field: String,
        value: String,
        reason: String,
    },
    #[error("manifest is empty: a version must publish at least one file")]
    EmptyManifest,
    #[error("duplicate {field} '{value}'")]
    Duplicate { field: String, value: String },
    #[error("limit must be between 1 and {max}, got {value}")]
    InvalidLimit { value: u32, max: u32 },

    // ---- unknown / existing ----------------------------------------------------------------------------------
    #[error("model '{0}' not found")]
    ModelNotFound(String),
    #[error("model '{0}' already exists")]
    ModelExists(String),
    #[error("version '{0}' not found")]
    VersionNotFound(String),
    #[error("alias '{alias}' not found on model '{model_id}'")]
    AliasNotFound { model_id: String, alias: String },
    #[error("attestation {0} not found")]
    AttestationNotFound(u64),
    #[error("namespace '{namespace}' is owned by {owner}")]
    NamespaceTaken { namespace: String, owner: AccountId },

    // ---- versions --------------------------------------------------------------------------------------------
    #[error(
        "version '{version}' must be greater than the latest version '{latest}' of model '{model_id}'"
    )]
    VersionNotIncreasing {
        model_id: String,
        version: String,
        latest: String,
    },
    #[error(
        "model '{model_id}' has version '{version}' pending lineage consent; wait for it to settle"
    )]
    PublishPending { model_id: String, version: String },
    #[error("version '{0}' is pending lineage consent and cannot be used yet")]
    VersionPending(String),
    #[error("version '{0}' is revoked")]
    VersionRevoked(String),
    #[error("version '{0}' is already revoked")]
    AlreadyRevoked(String),
    #[error("version '{0}' is already deprecated")]
    AlreadyDeprecated(String),
    #[error("alias '{alias}' already points to version '{version}'")]
    AliasUnchanged { alias: String, version: String },
    #[error("cannot alias revoked version '{0}'")]
    AliasRevokedVersion(String),
    #[error("cannot attest revoked version '{0}'")]
    AttestRevokedVersion(String),
    #[error("version '{0}' is not pending lineage consent")]
    NotPending(String),
    #[error(
        "version '{version_id}' is pending lineage consent since block {since}; it can be abandoned from block {from}"
    )]
    PendingTooRecent {
        version_id: String,
        since: u64,
        from: u64,
    },
    #[error(
        "successor '{successor}' must be a published version of model '{model_id}' other than '{version}'"
    )]
    InvalidSuccessor {
        model_id: String,
        version: String,
        successor: String,
    },
    #[error(
        "training_datasets is not empty but no lineage contract is configured; publish without datasets or ask the registry owner to set one"
    )]
    LineageNotConfigured,
    #[error(
        "prepaid gas {prepaid_tgas} TGas is not enough for {action}: attach at least {required_tgas} TGas"
    )]
    NotEnoughGas {
        action: &'static str,
        prepaid_tgas: u64,
        required_tgas: u64,
    },

    // ---- attestations ----------------------------------------------------------------------------------------
    #[error("attestation {0} is already revoked")]
    AttestationAlreadyRevoked(u64),
    #[error("attestation {id} is already superseded by attestation {by}")]
    AttestationSuperseded { id: u64, by: u64 },
    #[error("expires_at {expires_at} must be later than the current block timestamp {now}")]
    ExpiryInPast { expires_at: u64, now: u64 },

    // ---- access ----------------------------------------------------------------------------------------------
    #[error("{account} is not the owner of model '{model_id}'")]
    NotModelOwner {
        account: AccountId,
        model_id: String,
    },
    #[error("{account} is not the owner or a maintainer of model '{model_id}'")]
    NotMaintainer {
        account: AccountId,
        model_id: String,
    },
    #[error("{account} is not the proposed owner of model '{model_id}'")]
    NotProposedOwner {
        account: AccountId,
        model_id: String,
    },
    #[error("model '{0}' has no pending ownership transfer")]
    NoPendingTransfer(String),
    #[error("{account} is already the owner of model '{model_id}'")]
    AlreadyOwner {
        account: AccountId,
        model_id: String,
    },
    #[error("{account} is already a maintainer of model '{model_id}'")]
    AlreadyMaintainer {
        account: AccountId,
        model_id: String,
    },
    #[error("{account} is not a maintainer of model '{model_id}'")]
    NotAMaintainer {
        account: AccountId,
        model_id: String,
    },
    #[error("{account} is not the attester of attestation {id}")]
    NotAttester { account: AccountId, id: u64 },
    #[error("{0} is not the registry owner")]
    NotRegistryOwner(AccountId),

    // ---- deposits --------------------------------------------------------------------------------------------
    #[error(
        "insufficient deposit: attached {attached} yoctoNEAR, required {required} yoctoNEAR ({detail})"
    )]
    InsufficientDeposit {
        attached: u128,
        required: u128,
        detail: String,
    },
    #[error(
        "insufficient storage balance: available {available} yoctoNEAR + attached {attached} yoctoNEAR, required {required} yoctoNEAR ({detail}); top up with storage_deposit"
    )]
    InsufficientStorageBalance {
        available: u128,
        attached: u128,
        required: u128,
        detail: String,
    },
    #[error("{0} is not registered for storage; call storage_deposit first")]
    NotRegistered(AccountId),
    #[error("cannot withdraw {requested} yoctoNEAR: only {available} yoctoNEAR is available")]
    WithdrawTooMuch { requested: u128, available: u128 },
    #[error(
        "attach a deposit of at least 1 yoctoNEAR to cover storage; the unused part is refunded"
    )]
    DepositRequired,
    #[error("requires an attached deposit of exactly 1 yoctoNEAR, got {0}")]
    RequiresOneYocto(u128),
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
}

impl RegistryError {
    pub(crate) fn invalid(
        field: impl Into<String>,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidField {
            field: field.into(),
            value: value.into(),
            reason: reason.into(),
        }
    }
}
