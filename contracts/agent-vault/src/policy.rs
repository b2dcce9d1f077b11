//! Matching a call against a grant: status (revoked, validity window, key), receiver, method,
//! per-call deposit cap and argument rules. Pure functions of the grant and the call; budgets
//! and rates live in `ledger`.
use near_sdk::serde_json::Value;
use near_sdk::{AccountId, near};

use crate::errors::{VaultError, VaultResult};
use crate::grants::{Grant, GrantId, KeyState, Target, canonical_json};

/// Why a grant is not active (`grant_status` view).
#[near(serializers = [json])]
#[serde(rename_all = "snake_case")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InactiveReason {
    Revoked,
    RevokedByRevokeAll,
    NotYetValid,
    Expired,
    KeyPending,
    KeyNotAdded,
    AncestorInactive,
    VaultPaused,
}

impl From<&VaultError> for InactiveReason {
    fn from(error: &VaultError) -> Self {
        match error {
            VaultError::Revoked { .. } => InactiveReason::Revoked,
            VaultError::RevokedByRevokeAll { .. } => InactiveReason::RevokedByRevokeAll,
            VaultError::NotYetValid { .. } => InactiveReason::NotYetValid,
            VaultError::Expired { .. } => InactiveReason::Expired,
            VaultError::KeyPending { .. } => InactiveReason::KeyPending,
            VaultError::KeyNotAdded { .. } => InactiveReason::KeyNotAdded,
            VaultError::Paused => InactiveReason::VaultPaused,
            // `check_active` returns only the variants above.
            _ => InactiveReason::AncestorInactive,
        }
    }
}

/// Fails with the reason a grant cannot be used now (own status only; callers walk the chain).
pub fn check_active(grant_id: GrantId, grant: &Grant, epoch: u32, now_ns: u64) -> VaultResult<()> {
    if grant.is_revoked() {
        return Err(VaultError::Revoked { grant_id });
    }
    if grant.epoch < epoch {
        return Err(VaultError::RevokedByRevokeAll { grant_id });
    }
    if let Some(not_before) = grant.terms.not_before_ns
        && now_ns < not_before.0
    {
        return Err(VaultError::NotYetValid {
            grant_id,
            not_before_ns: not_before.0,
            now_ns,
        });
    }
    if let Some(expires) = grant.terms.expires_at_ns
        && now_ns >= expires.0
    {
        return Err(VaultError::Expired {
            grant_id,
            expires_at_ns: expires.0,
            now_ns,
        });
    }
    match grant.key_state {
        KeyState::None | KeyState::Added => Ok(()),
        KeyState::Pending => Err(VaultError::KeyPending { grant_id }),
        KeyState::Failed | KeyState::Deleted => Err(VaultError::KeyNotAdded { grant_id }),
    }
}

/// One call as the policy sees it.
pub struct CallView<'a> {
    pub index: usize,
    pub receiver_id: &'a AccountId,
    pub method_name: &'a str,
    pub deposit: u128,
    pub args: &'a Value,
}

/// Finds the target for the call's receiver and checks method, deposit and argument rules.
pub fn match_call<'g>(
    grant_id: GrantId,
    grant: &'g Grant,
    call: &CallView<'_>,
) -> VaultResult<&'g Target> {
    let target = grant
        .terms
        .targets
        .iter()
        .find(|t| &t.receiver_id == call.receiver_id)
        .ok_or_else(|| VaultError::WrongReceiver {
            index: call.index,
            grant_id,
            receiver: call.receiver_id.to_string(),
        })?;
    if !target.any_method() && !target.methods.iter().any(|m| m == call.method_name) {
        return Err(VaultError::WrongMethod {
            index: call.index,
            grant_id,
            receiver: call.receiver_id.to_string(),
            method: call.method_name.to_owned(),
        });
    }
    if call.deposit > target.max_deposit.0 {
        return Err(VaultError::DepositAboveCap {
            index: call.index,
            grant_id,
            deposit: call.deposit,
            cap: target.max_deposit.0,
        });
    }
    for rule in &target.arg_rules {
        let value = lookup(call.args, &rule.field).ok_or_else(|| VaultError::ArgMissing {
            index: call.index,
            grant_id,
            field: rule.field.clone(),
        })?;
        let text = canonical_json(value);
        if !rule.one_of_json.contains(&text) {
            return Err(VaultError::ArgNotAllowed {
                index: call.index,
                grant_id,
                field: rule.field.clone(),
                value: text,
            });
        }
    }
    Ok(target)
}

/// Follows a dot path (`"a.b"`) through JSON objects.
fn lookup<'v>(args: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(args, |value, part| value.get(part))
}

/// Name of a JSON value's type, for error messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
