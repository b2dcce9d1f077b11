//! The actions of an action receipt (nearcore `actions.rs`): existence and permission checks, then
//! CreateAccount, DeployContract, FunctionCall, Transfer (with NEAR-implicit account creation),
//! Stake, AddKey, DeleteKey, DeleteAccount and Delegate (NEP-366).

use std::sync::Arc;

use near_crypto::{KeyType, PublicKey};
use near_parameters::ActionCosts;
use near_primitives::account::{AccessKey, AccessKeyPermission, Account, AccountContract};
use near_primitives::action::delegate::SignedDelegateAction;
use near_primitives::errors::{
    ActionError, ActionErrorKind, ActionsValidationError, InvalidAccessKeyError,
    ReceiptValidationError,
};
use near_primitives::hash::CryptoHash;
use near_primitives::profile_data_v3::ProfileDataV3;
use near_primitives::receipt::{
    ActionReceipt, Receipt, ReceiptEnum, ReceiptV0, VersionedActionReceipt,
};
use near_primitives::transaction::{
    Action, AddKeyAction, DeleteAccountAction, DeleteKeyAction, DeployContractAction,
    FunctionCallAction, StakeAction,
};
use near_primitives::types::{AccountId, Balance, Gas};
use near_primitives::utils::create_random_seed;
use near_primitives_core::account::id::AccountType;
use near_vm_runner::ContractCode;
use near_vm_runner::logic::types::PromiseResult;
use near_vm_runner::logic::{ReturnData, VMContext};

use super::ApplyContext;
use super::config::{
    exec_fee, exec_fee_parts, total_prepaid_exec_fees, total_prepaid_gas, total_prepaid_send_fees,
};
use super::ext::RuntimeExt;
use super::function_call::{StoredContract, run_vm, to_protocol_error};
use crate::state::StateUpdate;

/// What applying one or more actions did (nearcore `ActionResult`).
#[derive(Debug)]
pub struct ActionResult {
    pub gas_burnt: Gas,
    pub gas_used: Gas,
    /// Gas burnt inside contract code (the base of the pre-PV87 contract reward).
    pub gas_burnt_for_function_call: Gas,
    pub result: Result<ReturnData, ActionError>,
    pub logs: Vec<String>,
    pub new_receipts: Vec<Receipt>,
    pub profile: ProfileDataV3,
    /// Whether an account was created (NEP-642 account-creation charge).
    pub account_created: bool,
}

impl Default for ActionResult {
    fn default() -> Self {
        Self {
            gas_burnt: Gas::ZERO,
            gas_used: Gas::ZERO,
            gas_burnt_for_function_call: Gas::ZERO,
            result: Ok(ReturnData::None),
            logs: vec![],
            new_receipts: vec![],
            profile: ProfileDataV3::default(),
            account_created: false,
        }
    }
}

impl ActionResult {
    fn fail(&mut self, kind: ActionErrorKind) {
        self.result = Err(ActionError { index: None, kind });
    }

    /// Appends the result of the next action (nearcore `ActionResult::merge`).
    pub fn merge(&mut self, mut next: ActionResult) {
        self.gas_burnt = self.gas_burnt.saturating_add(next.gas_burnt);
        self.gas_used = self.gas_used.saturating_add(next.gas_used);
        self.gas_burnt_for_function_call = self
            .gas_burnt_for_function_call
            .saturating_add(next.gas_burnt_for_function_call);
        self.profile.merge(&next.profile);
        self.result = next.result;
        self.logs.append(&mut next.logs);
        self.account_created |= next.account_created;
        if let Ok(ReturnData::ReceiptIndex(index)) = &mut self.result {
            // The action's own receipt index becomes an index into the whole receipt's list.
            *index += self.new_receipts.len() as u64;
        }
        if self.result.is_ok() {
            self.new_receipts.append(&mut next.new_receipts);
        } else {
            self.new_receipts.clear();
        }
    }
}

/// The receipt being applied, as the actions see it.
pub struct ReceiptInfo<'a> {
    pub receipt: &'a Receipt,
    pub action_receipt: &'a VersionedActionReceipt<'a>,
    pub promise_results: Arc<[PromiseResult]>,
}

/// The account the actions run against, and who acts on it.
pub struct ActionTarget {
    pub account_id: AccountId,
    pub account: Option<Account>,
    /// The predecessor, or the account itself after CreateAccount / implicit creation.
    pub actor_id: AccountId,
}

/// The protocol feature behind an action this node does not implement.
fn unsupported_feature(action: &Action) -> &'static str {
    match action {
        Action::DeployGlobalContract(_) | Action::UseGlobalContract(_) => "GlobalContracts",
        Action::DeterministicStateInit(_) => "DeterministicAccountIds",
        Action::UniversalStateInit(_) => "UniversalAccounts",
        Action::TransferToGasKey(_) | Action::WithdrawFromGasKey(_) => "GasKeys",
        Action::DelegateV2(_) => "DelegateV2",
        _ => "unknown",
    }
}

/// Applies one action of a receipt (nearcore `Runtime::apply_action`).
#[allow(clippy::too_many_arguments)]
pub fn apply_action(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    info: &ReceiptInfo<'_>,
    action: &Action,
    action_hash: CryptoHash,
    action_index: usize,
) -> ActionResult {
    let actions = info.action_receipt.actions();
    let receipt = info.receipt;
    let fee = exec_fee(ctx.config, action, receipt.receiver_id());
    let mut result = ActionResult {
        gas_burnt: fee,
        gas_used: fee,
        ..Default::default()
    };
    for (cost, gas) in exec_fee_parts(ctx.config, action, receipt.receiver_id()) {
        if gas > Gas::ZERO {
            result.profile.add_action_cost(cost, gas);
        }
    }

    let is_refund = receipt.predecessor_id().is_system();
    if let Err(kind) = check_account_existence(action, target, actions.len() == 1, is_refund) {
        result.fail(kind);
        return result;
    }
    if let Err(kind) = check_actor_permissions(action, target) {
        result.fail(kind);
        return result;
    }

    match action {
        Action::CreateAccount(_) => action_create_account(ctx, target, receipt, &mut result),
        Action::DeployContract(deploy) => action_deploy_contract(ctx, state, target, deploy),
        Action::FunctionCall(call) => {
            let is_last_action = action_index + 1 == actions.len();
            action_function_call(
                ctx,
                state,
                target,
                info,
                call,
                action_hash,
                is_last_action,
                &mut result,
            )
        }
        Action::Transfer(transfer) => {
            action_transfer(ctx, state, target, transfer.deposit, &mut result);
            if is_refund {
                try_refund_allowance(
                    state,
                    &target.account_id,
                    info.action_receipt.signer_public_key(),
                    transfer.deposit,
                );
            }
        }
        Action::Stake(stake) => action_stake(ctx, target, stake, &mut result),
        Action::AddKey(add_key) => action_add_key(ctx, state, target, add_key, &mut result),
        Action::DeleteKey(delete_key) => {
            action_delete_key(ctx, state, target, delete_key, &mut result)
        }
        Action::DeleteAccount(delete) => {
            action_delete_account(state, target, receipt, delete, &mut result)
        }
        Action::Delegate(signed) => {
            apply_delegate_action(ctx, state, target, info, signed, &mut result)
        }
        Action::DeployGlobalContract(_)
        | Action::UseGlobalContract(_)
        | Action::DeterministicStateInit(_)
        | Action::UniversalStateInit(_)
        | Action::TransferToGasKey(_)
        | Action::WithdrawFromGasKey(_)
        | Action::DelegateV2(_) => {
            // Refused at submission and in new-receipt validation; never applied.
            result.fail(ActionErrorKind::NewReceiptValidationError(
                ReceiptValidationError::ActionsValidation(
                    ActionsValidationError::UnsupportedProtocolFeature {
                        protocol_feature: unsupported_feature(action).to_string(),
                        version: ctx.protocol_version,
                    },
                ),
            ));
        }
    }
    result
}

/// nearcore `check_account_existence`.
fn check_account_existence(
    action: &Action,
    target: &ActionTarget,
    is_the_only_action: bool,
    is_refund: bool,
) -> Result<(), ActionErrorKind> {
    let account_id = &target.account_id;
    match action {
        Action::CreateAccount(_) => {
            if target.account.is_some() {
                return Err(ActionErrorKind::AccountAlreadyExists {
                    account_id: account_id.clone(),
                });
            }
            if account_id.get_account_type().is_implicit() {
                // Implicit accounts are created by a lone transfer only, so nobody can add a key
                // to an account whose key they do not own.
                return Err(ActionErrorKind::OnlyImplicitAccountCreationAllowed {
                    account_id: account_id.clone(),
                });
            }
        }
        Action::Transfer(_) => {
            if target.account.is_none() {
                let creatable = is_the_only_action
                    && !is_refund
                    && account_id.get_account_type() == AccountType::NearImplicitAccount;
                if !creatable {
                    return Err(ActionErrorKind::AccountDoesNotExist {
                        account_id: account_id.clone(),
                    });
                }
            }
        }
        _ => {
            if target.account.is_none() {
                return Err(ActionErrorKind::AccountDoesNotExist {
                    account_id: account_id.clone(),
                });
            }
        }
    }
    Ok(())
}

/// nearcore `check_actor_permissions`.
fn check_actor_permissions(action: &Action, target: &ActionTarget) -> Result<(), ActionErrorKind> {
    let no_permission = || ActionErrorKind::ActorNoPermission {
        account_id: target.account_id.clone(),
        actor_id: target.actor_id.clone(),
    };
    match action {
        Action::DeployContract(_)
        | Action::Stake(_)
        | Action::AddKey(_)
        | Action::DeleteKey(_)
        | Action::DeployGlobalContract(_)
        | Action::UseGlobalContract(_)
            if target.actor_id != target.account_id =>
        {
            return Err(no_permission());
        }
        Action::DeleteAccount(_) => {
            if target.actor_id != target.account_id {
                return Err(no_permission());
            }
            if target
                .account
                .as_ref()
                .is_some_and(|a| a.locked() > Balance::ZERO)
            {
                return Err(ActionErrorKind::DeleteAccountStaking {
                    account_id: target.account_id.clone(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

fn action_create_account(
    ctx: &ApplyContext<'_>,
    target: &mut ActionTarget,
    receipt: &Receipt,
    result: &mut ActionResult,
) {
    let account_id = &target.account_id;
    let predecessor_id = receipt.predecessor_id();
    let creation = &ctx.config.account_creation_config;
    if account_id.is_top_level() {
        if account_id.len() < usize::from(creation.min_allowed_top_level_account_length)
            && predecessor_id != &creation.registrar_account_id
        {
            result.fail(ActionErrorKind::CreateAccountOnlyByRegistrar {
                account_id: account_id.clone(),
                registrar_account_id: creation.registrar_account_id.clone(),
                predecessor_id: predecessor_id.clone(),
            });
            return;
        }
    } else if !account_id.is_sub_account_of(predecessor_id) {
        result.fail(ActionErrorKind::CreateAccountNotAllowed {
            account_id: account_id.clone(),
            predecessor_id: predecessor_id.clone(),
        });
        return;
    }
    target.actor_id = account_id.clone();
    target.account = Some(Account::new(
        Balance::ZERO,
        Balance::ZERO,
        AccountContract::None,
        ctx.config.fees.storage_usage_config.num_bytes_account,
    ));
    result.account_created = true;
}

fn action_deploy_contract(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    deploy: &DeployContractAction,
) {
    let account = target.account.as_mut().expect("existence checked");
    let prev_code_len = state
        .get_code(&target.account_id)
        .map_or(0, |c| c.len() as u64);
    let code = ContractCode::new(deploy.code.clone(), None);
    let usage = account
        .storage_usage()
        .saturating_sub(prev_code_len)
        .saturating_add(deploy.code.len() as u64);
    account.set_storage_usage(usage);
    account
        .set_contract(AccountContract::Local(*code.hash()))
        .expect("initialized accounts only");
    state.set_code(&target.account_id, deploy.code.clone());
    // Compile now so the first call is fast; errors surface at call time as CompilationError.
    let _ = near_vm_runner::precompile_contract(
        &code,
        Arc::clone(&ctx.config.wasm_config),
        Some(ctx.cache),
    );
}

#[allow(clippy::too_many_arguments)]
fn action_function_call(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    info: &ReceiptInfo<'_>,
    call: &FunctionCallAction,
    action_hash: CryptoHash,
    is_last_action: bool,
    result: &mut ActionResult,
) {
    let account_id = target.account_id.clone();
    let account = target.account.as_mut().expect("existence checked");
    let code_hash = account.local_contract_hash().unwrap_or_default();
    let code = account
        .local_contract_hash()
        .and_then(|_| state.get_code(&account_id))
        .map(|code| Arc::new(ContractCode::new(code, Some(code_hash))));
    let contract = StoredContract {
        hash: code_hash,
        code,
    };
    let receipt = info.receipt;
    let action_receipt = info.action_receipt;
    let context = VMContext {
        current_account_id: account_id.clone(),
        signer_account_id: action_receipt.signer_id().clone(),
        signer_account_pk: borsh::to_vec(action_receipt.signer_public_key())
            .expect("borsh into a Vec cannot fail"),
        predecessor_account_id: receipt.predecessor_id().clone(),
        refund_to_account_id: receipt.balance_refund_receiver().clone(),
        input: call.args.clone().into(),
        promise_results: Arc::clone(&info.promise_results),
        block_height: ctx.block.height,
        block_timestamp: ctx.block.timestamp_ns,
        epoch_height: ctx.block.epoch_height,
        account_balance: account.amount(),
        account_locked_balance: account.locked(),
        storage_usage: account.storage_usage(),
        account_contract: account.contract().into_owned(),
        attached_deposit: call.deposit,
        prepaid_gas: call.gas,
        random_seed: create_random_seed(action_hash, ctx.block.random_seed),
        view_config: None,
        output_data_receivers: if is_last_action {
            action_receipt
                .output_data_receivers()
                .iter()
                .map(|r| r.receiver_id.clone())
                .collect()
        } else {
            vec![]
        },
    };
    let mut ext = RuntimeExt::new(
        state,
        account_id.clone(),
        action_hash,
        ctx.block.height,
        ctx.chain_id.to_string(),
        ctx.validator.clone(),
    );
    let mut outcome = run_vm(
        ctx.config,
        ctx.cache,
        &contract,
        &call.method_name,
        &mut ext,
        &context,
    );
    let mut receipt_manager = std::mem::take(&mut ext.receipt_manager);
    drop(ext);

    if outcome.aborted.is_none() {
        let unused = call.gas.saturating_sub(outcome.used_gas);
        if receipt_manager.distribute_gas(unused) {
            outcome.used_gas = call.gas;
        }
    }
    result.gas_burnt = result.gas_burnt.saturating_add(outcome.burnt_gas);
    result.gas_used = result.gas_used.saturating_add(outcome.used_gas);
    result.gas_burnt_for_function_call = result
        .gas_burnt_for_function_call
        .saturating_add(outcome.burnt_gas);
    result.logs.extend(outcome.logs);
    // The VM's profile type mirrors the protocol's (same borsh layout).
    if let Some(profile) = borsh::to_vec(&outcome.profile)
        .ok()
        .and_then(|bytes| borsh::from_slice::<ProfileDataV3>(&bytes).ok())
    {
        result.profile.merge(&profile);
    }
    if let Some(err) = &outcome.aborted {
        result.fail(ActionErrorKind::FunctionCallError(to_protocol_error(err)));
        return;
    }
    if let Some(feature) = receipt_manager.unsupported_feature {
        result.fail(ActionErrorKind::NewReceiptValidationError(
            ReceiptValidationError::ActionsValidation(
                ActionsValidationError::UnsupportedProtocolFeature {
                    protocol_feature: feature.to_string(),
                    version: ctx.protocol_version,
                },
            ),
        ));
        return;
    }
    account.set_amount(outcome.balance);
    account.set_storage_usage(outcome.storage_usage);
    result.result = Ok(outcome.return_data);
    let resumes = std::mem::take(&mut receipt_manager.resumes);
    result.new_receipts = receipt_manager.into_receipts(
        &account_id,
        action_receipt.signer_id(),
        action_receipt.signer_public_key(),
        action_receipt.gas_price(),
    );
    // Resume data travels as a `PromiseResume` receipt to the yielding account (this one).
    for (data_id, data) in resumes {
        result.new_receipts.push(Receipt::V0(ReceiptV0 {
            predecessor_id: account_id.clone(),
            receiver_id: account_id.clone(),
            receipt_id: CryptoHash::default(),
            receipt: ReceiptEnum::PromiseResume(near_primitives::receipt::DataReceipt {
                data_id,
                data: Some(data),
            }),
        }));
    }
}

fn action_transfer(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    deposit: Balance,
    result: &mut ActionResult,
) {
    if let Some(account) = target.account.as_mut() {
        account.set_amount(account.amount().saturating_add(deposit));
        return;
    }
    // NEAR-implicit account creation (existence check allowed only this case).
    let Ok(public_key) = PublicKey::from_near_implicit_account(&target.account_id) else {
        result.fail(ActionErrorKind::AccountDoesNotExist {
            account_id: target.account_id.clone(),
        });
        return;
    };
    let access_key = AccessKey {
        nonce: ctx.block.height.saturating_sub(1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER,
        permission: AccessKeyPermission::FullAccess,
    };
    let usage = &ctx.config.fees.storage_usage_config;
    let storage_usage = usage.num_bytes_account
        + borsh::object_length(&public_key).unwrap_or_default() as u64
        + borsh::object_length(&access_key).unwrap_or_default() as u64
        + usage.num_extra_bytes_record;
    state.set_access_key(&target.account_id, &public_key, &access_key);
    target.actor_id = target.account_id.clone();
    target.account = Some(Account::new(
        deposit,
        Balance::ZERO,
        AccountContract::None,
        storage_usage,
    ));
    result.account_created = true;
}

/// A gas refund tops up the allowance of the key that paid for the gas (best effort).
fn try_refund_allowance(
    state: &mut StateUpdate<'_>,
    account_id: &AccountId,
    public_key: &PublicKey,
    deposit: Balance,
) {
    let Some(mut access_key) = state.get_access_key(account_id, public_key) else {
        return;
    };
    if let AccessKeyPermission::FunctionCall(fc) = &mut access_key.permission
        && let Some(allowance) = fc.allowance.as_mut()
    {
        *allowance = allowance.saturating_add(deposit);
        state.set_access_key(account_id, public_key, &access_key);
    }
}

fn action_stake(
    ctx: &ApplyContext<'_>,
    target: &mut ActionTarget,
    stake: &StakeAction,
    result: &mut ActionResult,
) {
    let account_id = target.account_id.clone();
    let account = target.account.as_mut().expect("existence checked");
    let increment = stake.stake.saturating_sub(account.locked());
    if account.amount() < increment {
        result.fail(ActionErrorKind::TriesToStake {
            account_id,
            stake: stake.stake,
            locked: account.locked(),
            balance: account.amount(),
        });
        return;
    }
    if account.locked() == Balance::ZERO && stake.stake == Balance::ZERO {
        result.fail(ActionErrorKind::TriesToUnstake { account_id });
        return;
    }
    if stake.stake > Balance::ZERO && stake.stake < ctx.minimum_stake {
        result.fail(ActionErrorKind::InsufficientStake {
            account_id,
            stake: stake.stake,
            minimum_stake: ctx.minimum_stake,
        });
        return;
    }
    // The proposal itself is inert on a single-validator chain; only the balance moves.
    if stake.stake > account.locked() {
        account.set_amount(account.amount().saturating_sub(increment));
        account
            .set_locked(stake.stake)
            .expect("initialized accounts only");
    }
}

fn action_add_key(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    add_key: &AddKeyAction,
    result: &mut ActionResult,
) {
    if state
        .get_access_key(&target.account_id, &add_key.public_key)
        .is_some()
    {
        result.fail(ActionErrorKind::AddKeyAlreadyExists {
            account_id: target.account_id.clone(),
            public_key: Box::new(add_key.public_key.clone()),
        });
        return;
    }
    let mut access_key = add_key.access_key.clone();
    access_key.nonce =
        ctx.block.height.saturating_sub(1) * AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER;
    state.set_access_key(&target.account_id, &add_key.public_key, &access_key);
    let account = target.account.as_mut().expect("existence checked");
    let bytes = borsh::object_length(&add_key.public_key).unwrap_or_default() as u64
        + borsh::object_length(&add_key.access_key).unwrap_or_default() as u64
        + ctx.config.fees.storage_usage_config.num_extra_bytes_record;
    account.set_storage_usage(account.storage_usage().saturating_add(bytes));
}

fn action_delete_key(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    delete_key: &DeleteKeyAction,
    result: &mut ActionResult,
) {
    let Some(access_key) = state.get_access_key(&target.account_id, &delete_key.public_key) else {
        result.fail(ActionErrorKind::DeleteKeyDoesNotExist {
            account_id: target.account_id.clone(),
            public_key: Box::new(delete_key.public_key.clone()),
        });
        return;
    };
    state.remove_access_key(&target.account_id, &delete_key.public_key);
    let account = target.account.as_mut().expect("existence checked");
    let bytes = borsh::object_length(&delete_key.public_key).unwrap_or_default() as u64
        + borsh::object_length(&access_key).unwrap_or_default() as u64
        + ctx.config.fees.storage_usage_config.num_extra_bytes_record;
    account.set_storage_usage(account.storage_usage().saturating_sub(bytes));
}

fn action_delete_account(
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    receipt: &Receipt,
    delete: &DeleteAccountAction,
    result: &mut ActionResult,
) {
    let account = target.account.as_ref().expect("existence checked");
    let code_len = state
        .get_code(&target.account_id)
        .map_or(0, |c| c.len() as u64);
    if account.storage_usage().saturating_sub(code_len)
        > Account::MAX_ACCOUNT_DELETION_STORAGE_USAGE
    {
        result.fail(ActionErrorKind::DeleteAccountWithLargeState {
            account_id: target.account_id.clone(),
        });
        return;
    }
    let balance = account.amount();
    if balance > Balance::ZERO {
        // Paid by the system: a missing beneficiary makes the refund fail, and the tokens burn.
        result
            .new_receipts
            .push(Receipt::new_balance_refund(&delete.beneficiary_id, balance));
    }
    state.remove_account(&target.account_id);
    target.actor_id = receipt.predecessor_id().clone();
    target.account = None;
}

fn apply_delegate_action(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    target: &mut ActionTarget,
    info: &ReceiptInfo<'_>,
    signed: &SignedDelegateAction,
    result: &mut ActionResult,
) {
    let delegate = &signed.delegate_action;
    if !signed.verify() {
        result.fail(ActionErrorKind::DelegateActionInvalidSignature);
        return;
    }
    if ctx.block.height > delegate.max_block_height {
        result.fail(ActionErrorKind::DelegateActionExpired);
        return;
    }
    if delegate.sender_id != target.account_id {
        result.fail(
            ActionErrorKind::DelegateActionSenderDoesNotMatchTxReceiver {
                sender_id: delegate.sender_id.clone(),
                receiver_id: target.account_id.clone(),
            },
        );
        return;
    }
    if let Err(kind) = validate_delegate_action_key(ctx, state, signed) {
        result.fail(kind);
        return;
    }
    let action_receipt = info.action_receipt;
    let inner_actions = delegate.get_actions();
    let new_receipt = Receipt::V0(ReceiptV0 {
        predecessor_id: delegate.sender_id.clone(),
        receiver_id: delegate.receiver_id.clone(),
        receipt_id: CryptoHash::default(),
        receipt: ReceiptEnum::Action(ActionReceipt {
            signer_id: action_receipt.signer_id().clone(),
            signer_public_key: action_receipt.signer_public_key().clone(),
            gas_price: action_receipt.gas_price(),
            output_data_receivers: vec![],
            input_data_ids: vec![],
            actions: inner_actions.clone(),
        }),
    });
    // The relayer prepaid the inner receipt's send fees (burnt now) and everything it needs to
    // execute (counted as used so it is not refunded here).
    let prepaid_send_fees =
        total_prepaid_send_fees(ctx.config, action_receipt.actions()).unwrap_or(Gas::MAX);
    let required_gas = ctx
        .config
        .fees
        .fee(ActionCosts::new_action_receipt)
        .exec_fee()
        .gas
        .saturating_add(
            total_prepaid_exec_fees(ctx.config, &inner_actions, &delegate.receiver_id)
                .unwrap_or(Gas::MAX),
        )
        .saturating_add(total_prepaid_gas(&inner_actions).unwrap_or(Gas::MAX));
    result.gas_used = result
        .gas_used
        .saturating_add(required_gas)
        .saturating_add(prepaid_send_fees);
    result.gas_burnt = result.gas_burnt.saturating_add(prepaid_send_fees);
    result.new_receipts.push(new_receipt);
}

/// nearcore `validate_delegate_action_key`: the inner key's nonce and permissions; bumps the nonce.
fn validate_delegate_action_key(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    signed: &SignedDelegateAction,
) -> Result<(), ActionErrorKind> {
    let delegate = &signed.delegate_action;
    let key_error = ActionErrorKind::DelegateActionAccessKeyError;
    let Some(mut access_key) = state.get_access_key(&delegate.sender_id, &delegate.public_key)
    else {
        return Err(key_error(InvalidAccessKeyError::AccessKeyNotFound {
            account_id: delegate.sender_id.clone(),
            public_key: Box::new(delegate.public_key.clone()),
        }));
    };
    if delegate.nonce <= access_key.nonce {
        return Err(ActionErrorKind::DelegateActionInvalidNonce {
            delegate_nonce: delegate.nonce,
            ak_nonce: access_key.nonce,
        });
    }
    let upper_bound = ctx
        .block
        .height
        .saturating_mul(AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER);
    if delegate.nonce >= upper_bound {
        return Err(ActionErrorKind::DelegateActionNonceTooLarge {
            delegate_nonce: delegate.nonce,
            upper_bound,
        });
    }
    access_key.nonce = delegate.nonce;
    if let AccessKeyPermission::FunctionCall(fc) = &access_key.permission {
        let actions = delegate.get_actions();
        let [Action::FunctionCall(call)] = actions.as_slice() else {
            return Err(key_error(InvalidAccessKeyError::RequiresFullAccess));
        };
        if call.deposit > Balance::ZERO {
            return Err(key_error(InvalidAccessKeyError::DepositWithFunctionCall));
        }
        if delegate.receiver_id.as_str() != fc.receiver_id {
            return Err(key_error(InvalidAccessKeyError::ReceiverMismatch {
                tx_receiver: delegate.receiver_id.clone(),
                ak_receiver: fc.receiver_id.clone(),
            }));
        }
        if !fc.method_names.is_empty() && !fc.method_names.contains(&call.method_name) {
            return Err(key_error(InvalidAccessKeyError::MethodNameMismatch {
                method_name: call.method_name.clone(),
            }));
        }
    }
    state.set_access_key(&delegate.sender_id, &delegate.public_key, &access_key);
    Ok(())
}

/// The empty ED25519 key view calls and system receipts sign with.
pub fn empty_public_key() -> PublicKey {
    PublicKey::empty(KeyType::ED25519)
}
