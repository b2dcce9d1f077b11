//! Bounds on every input and every loop, so no call can grow storage or gas without limit.
use near_sdk::{Gas, NearToken};

/// Targets in one grant.
pub const MAX_TARGETS: usize = 8;
/// Method names in one target.
pub const MAX_METHODS: usize = 16;
/// Length of a method name (NEAR's own limit is 256; ours is tighter).
pub const MAX_METHOD_NAME_LEN: usize = 64;
/// Wildcard for "any method on this receiver"; must be the only entry.
pub const ANY_METHOD: &str = "*";
/// Argument rules in one target.
pub const MAX_ARG_RULES: usize = 8;
/// Allowed values in one argument rule.
pub const MAX_RULE_VALUES: usize = 16;
/// Length of one allowed value, as canonical JSON text.
pub const MAX_RULE_VALUE_LEN: usize = 256;
/// Length of an argument path (`"a.b.c"`).
pub const MAX_FIELD_PATH_LEN: usize = 128;
/// Length of the purpose text.
pub const MAX_PURPOSE_LEN: usize = 256;
/// Length of a model id (`namespace/name`) and of a version.
pub const MAX_MODEL_ID_LEN: usize = 128;
pub const MAX_VERSION_LEN: usize = 64;

/// Calls in one `execute`.
pub const MAX_BATCH: usize = 4;
/// Serialized arguments of one call.
pub const MAX_ARGS_LEN: usize = 16 * 1024;
/// Gas an agent may give one call.
pub const MIN_CALL_GAS: Gas = Gas::from_tgas(1);
pub const MAX_CALL_GAS: Gas = Gas::from_tgas(250);

/// Sub-grants below an owner grant (owner grant = depth 0).
pub const MAX_DELEGATION_DEPTH: u8 = 3;
/// Direct sub-grants one grant may ever create (revoked ones count), so a subtree is bounded:
/// at most 4 + 16 + 64 grants below any owner grant, which `revoke` walks in one call.
pub const MAX_CHILDREN: usize = 4;
/// Active key-based agents; `revoke_all` deletes all their keys in one receipt.
pub const MAX_KEY_AGENTS: usize = 32;

/// Shortest and longest rate period.
pub const MIN_PERIOD_SECS: u32 = 60;
pub const MAX_PERIOD_SECS: u32 = 366 * 24 * 3600;

/// Gas allowance of a key-based agent's access key (pays that agent's transaction fees, from the
/// vault's balance) when the grant does not name one, and the most a grant may give.
pub const DEFAULT_KEY_ALLOWANCE: NearToken = NearToken::from_millinear(250);
pub const MAX_KEY_ALLOWANCE: NearToken = NearToken::from_near(5);

/// Page size of list views.
pub const DEFAULT_PAGE: u32 = 20;
pub const MAX_PAGE: u32 = 100;

/// Gas reserved for the vault's own callbacks.
/// Generous: a settle that ran out of gas would leave its reservation in place for good.
pub const SETTLE_GAS: Gas = Gas::from_tgas(10);
pub const MODEL_STATUS_GAS: Gas = Gas::from_tgas(5);
/// Base gas of `on_model_status` (it also forwards each call's gas and settle gas).
pub const MODEL_CALLBACK_BASE_GAS: Gas = Gas::from_tgas(10);
pub const KEY_CALLBACK_GAS: Gas = Gas::from_tgas(3);
/// What `execute` itself needs beyond the gas it forwards.
pub const EXECUTE_BASE_GAS: Gas = Gas::from_tgas(10);
/// Longest `version_status` answer read from the registry.
pub const MAX_MODEL_STATUS_LEN: usize = 64;
