//! View calls (nearcore `state_viewer/mod.rs::call_function`): the contract is signer,
//! predecessor and current account, signed with an empty ED25519 key; gas is the view limit;
//! `view_config` is set so state-changing host functions fail with `ProhibitedInView`; the random
//! seed is the state root. Nothing is written.

use std::sync::Arc;

use near_primitives::types::{AccountId, Balance, Gas};
use near_primitives_core::config::ViewConfig;
use near_vm_runner::ContractCode;
use near_vm_runner::logic::{ReturnData, VMContext};

use super::actions::empty_public_key;
use super::ext::RuntimeExt;
use super::function_call::{StoredContract, run_vm};
use super::{BlockContext, Runtime, ViewCallError, ViewCallResult};
use crate::state::{StateUpdate, Store};

pub fn view_call(
    runtime: &Runtime,
    store: &Store,
    at: &BlockContext,
    contract_id: &AccountId,
    method: &str,
    args: &[u8],
) -> Result<ViewCallResult, ViewCallError> {
    let account = store
        .account(contract_id, at.height)
        .ok_or_else(|| ViewCallError::AccountDoesNotExist(contract_id.clone()))?;
    let code_hash = account.local_contract_hash().unwrap_or_default();
    let code = account
        .local_contract_hash()
        .and_then(|_| store.code(contract_id, at.height))
        .map(|code| Arc::new(ContractCode::new(code, Some(code_hash))));
    let contract = StoredContract {
        hash: code_hash,
        code,
    };
    let max_gas_burnt: Gas = runtime.max_gas_burnt_view();
    let state_root = store.state_root(at.height);
    let context = VMContext {
        current_account_id: contract_id.clone(),
        signer_account_id: contract_id.clone(),
        signer_account_pk: borsh::to_vec(&empty_public_key()).expect("borsh into a Vec"),
        predecessor_account_id: contract_id.clone(),
        refund_to_account_id: contract_id.clone(),
        input: args.to_vec().into(),
        promise_results: Vec::new().into(),
        block_height: at.height,
        block_timestamp: at.timestamp_ns,
        epoch_height: at.epoch_height,
        account_balance: account.amount(),
        account_locked_balance: account.locked(),
        storage_usage: account.storage_usage(),
        account_contract: account.contract().into_owned(),
        attached_deposit: Balance::ZERO,
        prepaid_gas: max_gas_burnt,
        random_seed: state_root.as_ref().to_vec(),
        view_config: Some(ViewConfig { max_gas_burnt }),
        output_data_receivers: vec![],
    };
    let mut state = StateUpdate::new(store, at.height);
    let mut ext = RuntimeExt::new(
        &mut state,
        contract_id.clone(),
        state_root,
        at.height,
        runtime.chain_id().to_string(),
        runtime.validator().clone(),
    );
    let outcome = run_vm(
        runtime.config(),
        runtime.cache(),
        &contract,
        method,
        &mut ext,
        &context,
    );
    if let Some(err) = outcome.aborted {
        return Err(ViewCallError::VmError(format!("{err:?}")));
    }
    let result = match outcome.return_data {
        ReturnData::Value(value) => value,
        ReturnData::None | ReturnData::ReceiptIndex(_) => vec![],
    };
    Ok(ViewCallResult {
        result,
        logs: outcome.logs,
    })
}
