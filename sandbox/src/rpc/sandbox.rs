//! Sandbox control: `sandbox_patch_state` and `sandbox_fast_forward`.

use near_jsonrpc_primitives::types::sandbox::{
    RpcSandboxFastForwardError, RpcSandboxFastForwardRequest, RpcSandboxPatchStateError,
    RpcSandboxPatchStateRequest,
};
use near_primitives::state_record::StateRecord;
use serde_json::{Value, json};

use super::RpcState;
use super::errors::{RpcFailure, failure};
use super::params::parse;

/// Queues the records for the next block and answers `{}` once they are applied. Only Account,
/// AccessKey, Contract and Data records are accepted; they are written verbatim.
pub async fn patch_state(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request: RpcSandboxPatchStateRequest = parse(params)?;
    if let Some(record) = request.records.iter().find(|r| {
        !matches!(
            r,
            StateRecord::Account { .. }
                | StateRecord::AccessKey { .. }
                | StateRecord::Contract { .. }
                | StateRecord::Data { .. }
        )
    }) {
        return Err(failure(RpcSandboxPatchStateError::InternalError {
            error_message: format!(
                "sandbox_patch_state accepts Account, AccessKey, Contract and Data records only, got {record}"
            ),
        }));
    }
    state
        .chain
        .patch_state(request.records)
        .await
        .map_err(|error_message| {
            failure(RpcSandboxPatchStateError::InternalError { error_message })
        })?;
    Ok(json!({}))
}

/// Jumps the chain forward by `delta_height` and answers `{}` once the head has got there.
pub async fn fast_forward(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request: RpcSandboxFastForwardRequest = parse(params)?;
    state
        .chain
        .fast_forward(request.delta_height)
        .await
        .map_err(|e| {
            failure(RpcSandboxFastForwardError::InternalError {
                error_message: e.to_string(),
            })
        })?;
    Ok(json!({}))
}
