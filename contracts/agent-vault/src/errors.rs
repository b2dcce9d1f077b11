//! Every way a call can fail, with a message that names the field and the value.
//!
//! Entry points return `Result<_, VaultError>` (`#[handle_result]`): an `Err` aborts the receipt,
//! so the runtime rolls back every state change and refunds the attached deposit.
use near_sdk::FunctionError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, FunctionError)]
pub enum VaultError {
    // --- access ---------------------------------------------------------------------------
    #[error("only the owner '{owner}' may call '{method}', not '{caller}'")]
    NotOwner {
        method: &'static str,
        owner: String,
        caller: String,
    },
    #[error("'{method}' requires exactly 1 yoctonear attached (a full-access key), got {attached}")]
    RequiresOneYocto {
        method: &'static str,
        attached: u128,
    },
    #[error("'{method}' is a callback and may only be called by the vault itself, not '{caller}'")]
    NotSelf {
        method: &'static str,
        caller: String,
    },
    #[error("'{method}' must be called as a callback of exactly one promise, got {count} results")]
    NotACallback { method: &'static str, count: u64 },
    #[error("caller '{caller}' is not the agent of grant {grant_id}")]
    NotGrantAgent { grant_id: u64, caller: String },
    #[error("caller '{caller}' is not the agent of an ancestor of grant {grant_id}")]
    NotAncestorAgent { grant_id: u64, caller: String },
    #[error("vault is paused")]
    Paused,

    // --- grant lookup and status -----------------------------------------------------------
    #[error("grant {grant_id} not found")]
    UnknownGrant { grant_id: u64 },
    #[error("grant {grant_id} is revoked")]
    Revoked { grant_id: u64 },
    #[error("grant {grant_id} was revoked by revoke_all")]
    RevokedByRevokeAll { grant_id: u64 },
    #[error("grant {grant_id} is not valid before {not_before_ns} (now {now_ns})")]
    NotYetValid {
        grant_id: u64,
        not_before_ns: u64,
        now_ns: u64,
    },
    #[error("grant {grant_id} expired at {expires_at_ns} (now {now_ns})")]
    Expired {
        grant_id: u64,
        expires_at_ns: u64,
        now_ns: u64,
    },
    #[error("grant {grant_id}: the agent key could not be added to the vault")]
    KeyNotAdded { grant_id: u64 },
    #[error("grant {grant_id}: the agent key is still being added")]
    KeyPending { grant_id: u64 },

    // --- grant terms -------------------------------------------------------------------------
    #[error("targets must list between 1 and {max} targets, got {got}")]
    TargetCount { got: usize, max: usize },
    #[error("target receiver '{receiver}' is the vault itself; agents may not call the vault")]
    TargetIsVault { receiver: String },
    #[error("target receiver '{receiver}' is listed twice")]
    DuplicateTarget { receiver: String },
    #[error("target '{receiver}': methods must list between 1 and {max} names, got {got}")]
    MethodCount {
        receiver: String,
        got: usize,
        max: usize,
    },
    #[error("target '{receiver}': invalid method name '{method}'")]
    InvalidMethod { receiver: String, method: String },
    #[error("target '{receiver}': '*' (any method) must be the only entry in methods")]
    WildcardNotAlone { receiver: String },
    #[error("target '{receiver}': method '{method}' is listed twice")]
    DuplicateMethod { receiver: String, method: String },
    #[error("target '{receiver}': at most {max} argument rules, got {got}")]
    ArgRuleCount {
        receiver: String,
        got: usize,
        max: usize,
    },
    #[error("target '{receiver}': invalid argument rule field '{field}'")]
    InvalidRuleField { receiver: String, field: String },
    #[error("target '{receiver}': argument rule '{field}' is listed twice")]
    DuplicateRuleField { receiver: String, field: String },
    #[error(
        "target '{receiver}': argument rule '{field}' must list between 1 and {max} values, got {got}"
    )]
    RuleValueCount {
        receiver: String,
        field: String,
        got: usize,
        max: usize,
    },
    #[error("target '{receiver}': argument rule '{field}' has a value longer than {max} bytes")]
    RuleValueTooLong {
        receiver: String,
        field: String,
        max: usize,
    },
    #[error("total_budget must be positive, got 0")]
    ZeroBudget,
    #[error("period.{field} must be between {min} and {max}, got {got}")]
    InvalidPeriod {
        field: &'static str,
        got: u64,
        min: u64,
        max: u64,
    },
    #[error("period must limit budget or max_calls (or both)")]
    EmptyPeriod,
    #[error(
        "expires_at_ns {expires_at_ns} must be after now ({now_ns}) and after not_before_ns ({not_before_ns})"
    )]
    InvalidExpiry {
        expires_at_ns: u64,
        not_before_ns: u64,
        now_ns: u64,
    },
    #[error("purpose must be 1 to {max} characters, got {got}")]
    InvalidPurpose { got: usize, max: usize },
    #[error("model.{field} is invalid: '{value}'")]
    InvalidModel { field: &'static str, value: String },
    #[error("require_active_model is set but no model is bound")]
    RequireWithoutModel,
    #[error("key_allowance must be between 1 yoctonear and {max}, got {got}")]
    InvalidKeyAllowance { got: u128, max: u128 },
    #[error("key_allowance is only for key agents (agent '{agent}' is an account)")]
    AllowanceForAccount { agent: String },
    #[error("agent key '{key}' already has active grant {grant_id}")]
    KeyInUse { key: String, grant_id: u64 },
    #[error("at most {max} active key agents")]
    TooManyKeyAgents { max: usize },
    #[error("agent '{agent}' is the vault itself")]
    AgentIsVault { agent: String },

    // --- delegation ----------------------------------------------------------------------------
    #[error("grant {parent_id} is at delegation depth {depth}; at most {max} levels")]
    TooDeep { parent_id: u64, depth: u8, max: u8 },
    #[error("grant {parent_id} already has {max} sub-grants")]
    TooManyChildren { parent_id: u64, max: usize },
    #[error("an agent cannot delegate to itself ('{agent}')")]
    SelfDelegation { agent: String },
    #[error("sub-grant widens grant {parent_id}: {what}")]
    Widens { parent_id: u64, what: String },

    // --- execute -----------------------------------------------------------------------------
    #[error("calls must list between 1 and {max} calls, got {got}")]
    BatchSize { got: usize, max: usize },
    #[error("call {index}: receiver '{receiver}' is not a target of grant {grant_id}")]
    WrongReceiver {
        index: usize,
        grant_id: u64,
        receiver: String,
    },
    #[error("call {index}: method '{method}' is not allowed on '{receiver}' by grant {grant_id}")]
    WrongMethod {
        index: usize,
        grant_id: u64,
        receiver: String,
        method: String,
    },
    #[error("call {index}: deposit {deposit} is above the per-call cap {cap} of grant {grant_id}")]
    DepositAboveCap {
        index: usize,
        grant_id: u64,
        deposit: u128,
        cap: u128,
    },
    #[error("call {index}: args must be a json object, got {got}")]
    ArgsNotObject { index: usize, got: &'static str },
    #[error("call {index}: args are {len} bytes, at most {max}")]
    ArgsTooLong {
        index: usize,
        len: usize,
        max: usize,
    },
    #[error("call {index}: argument '{field}' is required by grant {grant_id} but missing")]
    ArgMissing {
        index: usize,
        grant_id: u64,
        field: String,
    },
    #[error("call {index}: argument '{field}' = {value} is not allowed by grant {grant_id}")]
    ArgNotAllowed {
        index: usize,
        grant_id: u64,
        field: String,
        value: String,
    },
    #[error("call {index}: gas {gas} must be between {min} and {max}")]
    InvalidGas {
        index: usize,
        gas: u64,
        min: u64,
        max: u64,
    },
    #[error("call {index}: invalid method name '{method}'")]
    InvalidCallMethod { index: usize, method: String },
    #[error("not enough gas: {available} available, at least {needed} needed")]
    NotEnoughGas { available: u64, needed: u64 },
    #[error(
        "total budget of grant {grant_id} exhausted: spent {spent}, in flight {reserved}, requested {requested}, budget {budget}"
    )]
    BudgetExhausted {
        grant_id: u64,
        spent: u128,
        reserved: u128,
        requested: u128,
        budget: u128,
    },
    #[error(
        "period budget of grant {grant_id} exhausted: used {used} (incl. in flight), requested {requested}, budget {budget}"
    )]
    PeriodBudgetExhausted {
        grant_id: u64,
        used: u128,
        requested: u128,
        budget: u128,
    },
    #[error(
        "call rate of grant {grant_id} exhausted: {used} calls this period (incl. in flight), requested {requested}, max {max}"
    )]
    RateExhausted {
        grant_id: u64,
        used: u32,
        requested: u32,
        max: u32,
    },

    // --- funds and storage -----------------------------------------------------------------------
    #[error("amount must be positive, got 0")]
    ZeroAmount,
    #[error("vault balance too low: {needed} needed, {available} available")]
    InsufficientBalance { needed: u128, available: u128 },

    #[error("code must not be empty")]
    EmptyCode,

    // --- arithmetic ------------------------------------------------------------------------------
    #[error("arithmetic overflow in {what}")]
    Overflow { what: &'static str },
}

pub type VaultResult<T> = Result<T, VaultError>;
