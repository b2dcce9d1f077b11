//! Fees of actions and transactions (nearcore `runtime/runtime/src/config.rs`), with NEP-642's
//! gas purchase price. Every number comes from the protocol version's `RuntimeConfig`.

use near_parameters::{
    ActionCosts, RuntimeConfig, RuntimeFeesConfig, transfer_exec_fee, transfer_send_fee,
};
use near_primitives::account::AccessKeyPermission;
use near_primitives::errors::IntegerOverflowError;
use near_primitives::transaction::{Action, SignedTransaction};
use near_primitives::types::{AccountId, Balance, Gas};
use near_primitives_core::account::id::AccountType;

/// What buying a transaction costs its signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionCost {
    /// Gas burnt right away to convert the transaction into a receipt (send fees).
    pub gas_burnt: Gas,
    /// Gas bought for the receipt: prepaid gas, delegated send fees and all exec fees.
    pub gas_remaining: Gas,
    /// The price `gas_remaining` is bought at: `max(gas_price, min_gas_purchase_price)` (NEP-642).
    pub receipt_gas_price: Balance,
    /// `gas_burnt · gas_price`.
    pub burnt_amount: Balance,
    /// Everything the signer pays: burnt + remaining gas + deposits.
    pub total_cost: Balance,
}

fn add_gas(a: Gas, b: Gas) -> Result<Gas, IntegerOverflowError> {
    a.checked_add(b).ok_or(IntegerOverflowError)
}

fn mul_gas(a: Gas, n: u64) -> Result<Gas, IntegerOverflowError> {
    a.checked_mul(n).ok_or(IntegerOverflowError)
}

/// `gas · price` in yoctoNEAR.
pub fn gas_to_balance(price: Balance, gas: Gas) -> Result<Balance, IntegerOverflowError> {
    price
        .checked_mul(u128::from(gas.as_gas()))
        .ok_or(IntegerOverflowError)
}

fn add_balance(a: Balance, b: Balance) -> Result<Balance, IntegerOverflowError> {
    a.checked_add(b).ok_or(IntegerOverflowError)
}

/// Bytes the method names of a function-call access key are charged for (each name plus its
/// null terminator).
fn method_names_bytes(permission: &AccessKeyPermission) -> u64 {
    permission
        .function_call_permission()
        .map(|p| {
            p.method_names
                .iter()
                .map(|name| name.len() as u64 + 1)
                .sum()
        })
        .unwrap_or(0)
}

/// Whether a transfer to `receiver` would create an account (and which fees it adds).
fn transfer_account_type(receiver: &AccountId) -> AccountType {
    receiver.get_account_type()
}

/// The gas burnt to send one action (nearcore `total_send_fees` for a single action).
pub fn send_fee(
    config: &RuntimeConfig,
    sender_is_receiver: bool,
    action: &Action,
    receiver_id: &AccountId,
) -> Result<Gas, IntegerOverflowError> {
    let fees = &config.fees;
    let fee = |cost: ActionCosts| fees.fee(cost).send_fee(sender_is_receiver).gas;
    let gas = match action {
        Action::CreateAccount(_) => fee(ActionCosts::create_account),
        Action::DeployContract(a) => add_gas(
            fee(ActionCosts::deploy_contract_base),
            mul_gas(fee(ActionCosts::deploy_contract_byte), a.code.len() as u64)?,
        )?,
        Action::FunctionCall(a) => add_gas(
            fee(ActionCosts::function_call_base),
            mul_gas(
                fee(ActionCosts::function_call_byte),
                a.method_name.len() as u64 + a.args.len() as u64,
            )?,
        )?,
        Action::Transfer(_) => {
            transfer_send_fee(
                fees,
                sender_is_receiver,
                config.wasm_config.eth_implicit_accounts,
                config.wasm_config.universal_accounts,
                transfer_account_type(receiver_id),
            )
            .gas
        }
        Action::Stake(_) => fee(ActionCosts::stake),
        Action::AddKey(a) => match &a.access_key.permission {
            AccessKeyPermission::FullAccess => fee(ActionCosts::add_full_access_key),
            permission => add_gas(
                fee(ActionCosts::add_function_call_key_base),
                mul_gas(
                    fee(ActionCosts::add_function_call_key_byte),
                    method_names_bytes(permission),
                )?,
            )?,
        },
        Action::DeleteKey(_) => fee(ActionCosts::delete_key),
        Action::DeleteAccount(_) => fee(ActionCosts::delete_account),
        Action::Delegate(_) => fee(ActionCosts::delegate),
        // Rejected by `validate_actions` before any fee is computed.
        Action::DeployGlobalContract(_)
        | Action::UseGlobalContract(_)
        | Action::DeterministicStateInit(_)
        | Action::TransferToGasKey(_)
        | Action::WithdrawFromGasKey(_)
        | Action::DelegateV2(_)
        | Action::UniversalStateInit(_) => Gas::ZERO,
    };
    Ok(gas)
}

/// Total gas burnt to send these actions.
pub fn total_send_fees(
    config: &RuntimeConfig,
    sender_is_receiver: bool,
    actions: &[Action],
    receiver_id: &AccountId,
) -> Result<Gas, IntegerOverflowError> {
    actions.iter().try_fold(Gas::ZERO, |acc, action| {
        add_gas(
            acc,
            send_fee(config, sender_is_receiver, action, receiver_id)?,
        )
    })
}

/// The gas charged to execute one action (nearcore `exec_fee`).
pub fn exec_fee(config: &RuntimeConfig, action: &Action, receiver_id: &AccountId) -> Gas {
    exec_fee_parts(config, action, receiver_id)
        .into_iter()
        .fold(Gas::ZERO, |acc, (_, gas)| acc.saturating_add(gas))
}

/// The exec fee of one action split by parameter, as the gas profile reports it (a transfer
/// that creates a NEAR-implicit account also pays `create_account` and `add_full_access_key`).
pub fn exec_fee_parts(
    config: &RuntimeConfig,
    action: &Action,
    receiver_id: &AccountId,
) -> Vec<(ActionCosts, Gas)> {
    let fees: &RuntimeFeesConfig = &config.fees;
    let fee = |cost: ActionCosts| (cost, fees.fee(cost).exec_fee().gas);
    let per_byte = |cost: ActionCosts, n: u64| {
        (
            cost,
            fees.fee(cost)
                .exec_fee()
                .gas
                .checked_mul(n)
                .unwrap_or(Gas::MAX),
        )
    };
    match action {
        Action::CreateAccount(_) => vec![fee(ActionCosts::create_account)],
        Action::DeployContract(a) => vec![
            fee(ActionCosts::deploy_contract_base),
            per_byte(ActionCosts::deploy_contract_byte, a.code.len() as u64),
        ],
        Action::FunctionCall(a) => vec![
            fee(ActionCosts::function_call_base),
            per_byte(
                ActionCosts::function_call_byte,
                a.method_name.len() as u64 + a.args.len() as u64,
            ),
        ],
        Action::Transfer(_) => match transfer_account_type(receiver_id) {
            AccountType::NamedAccount => vec![fee(ActionCosts::transfer)],
            AccountType::NearImplicitAccount => vec![
                fee(ActionCosts::transfer),
                fee(ActionCosts::create_account),
                fee(ActionCosts::add_full_access_key),
            ],
            other => vec![(
                ActionCosts::transfer,
                transfer_exec_fee(
                    fees,
                    config.wasm_config.eth_implicit_accounts,
                    config.wasm_config.universal_accounts,
                    other,
                )
                .gas,
            )],
        },
        Action::Stake(_) => vec![fee(ActionCosts::stake)],
        Action::AddKey(a) => match &a.access_key.permission {
            AccessKeyPermission::FullAccess => vec![fee(ActionCosts::add_full_access_key)],
            permission => vec![
                fee(ActionCosts::add_function_call_key_base),
                per_byte(
                    ActionCosts::add_function_call_key_byte,
                    method_names_bytes(permission),
                ),
            ],
        },
        Action::DeleteKey(_) => vec![fee(ActionCosts::delete_key)],
        Action::DeleteAccount(_) => vec![fee(ActionCosts::delete_account)],
        Action::Delegate(_) => vec![fee(ActionCosts::delegate)],
        // Refused by `validate_actions`; never executed.
        Action::DeployGlobalContract(_)
        | Action::UseGlobalContract(_)
        | Action::DeterministicStateInit(_)
        | Action::TransferToGasKey(_)
        | Action::WithdrawFromGasKey(_)
        | Action::DelegateV2(_)
        | Action::UniversalStateInit(_) => vec![],
    }
}

/// Send fees of the inner actions of `Delegate` actions: prepaid by the relayer, burnt when the
/// delegate action executes.
pub fn total_prepaid_send_fees(
    config: &RuntimeConfig,
    actions: &[Action],
) -> Result<Gas, IntegerOverflowError> {
    actions
        .iter()
        .try_fold(Gas::ZERO, |acc, action| match action {
            Action::Delegate(signed) => {
                let inner = &signed.delegate_action;
                let sir = inner.sender_id == inner.receiver_id;
                add_gas(
                    acc,
                    total_send_fees(config, sir, &inner.get_actions(), &inner.receiver_id)?,
                )
            }
            _ => Ok(acc),
        })
}

/// Exec fees of the actions, including the inner receipt of `Delegate` actions.
pub fn total_prepaid_exec_fees(
    config: &RuntimeConfig,
    actions: &[Action],
    receiver_id: &AccountId,
) -> Result<Gas, IntegerOverflowError> {
    actions.iter().try_fold(Gas::ZERO, |acc, action| {
        let delta = match action {
            Action::Delegate(signed) => {
                let inner = &signed.delegate_action;
                let inner_exec =
                    total_prepaid_exec_fees(config, &inner.get_actions(), &inner.receiver_id)?;
                let receipt_exec = config
                    .fees
                    .fee(ActionCosts::new_action_receipt)
                    .exec_fee()
                    .gas;
                add_gas(
                    add_gas(inner_exec, exec_fee(config, action, receiver_id))?,
                    receipt_exec,
                )?
            }
            _ => exec_fee(config, action, receiver_id),
        };
        add_gas(acc, delta)
    })
}

/// Prepaid (function call) gas of the actions, including those inside `Delegate` actions.
pub fn total_prepaid_gas(actions: &[Action]) -> Result<Gas, IntegerOverflowError> {
    actions.iter().try_fold(Gas::ZERO, |acc, action| {
        let delta = match action {
            Action::Delegate(signed) => total_prepaid_gas(&signed.delegate_action.get_actions())?,
            _ => action.get_prepaid_gas(),
        };
        add_gas(acc, delta)
    })
}

/// Deposits the actions attach.
pub fn total_deposit(actions: &[Action]) -> Result<Balance, IntegerOverflowError> {
    actions.iter().try_fold(Balance::ZERO, |acc, action| {
        add_balance(acc, action.get_deposit_balance())
    })
}

/// The price gas is bought at (NEP-642): never below `min_gas_purchase_price`.
pub fn gas_purchase_price(config: &RuntimeConfig, gas_price: Balance) -> Balance {
    std::cmp::max(gas_price, config.min_gas_purchase_price)
}

/// The cost of buying a transaction at `gas_price` (nearcore `tx_cost`).
pub fn tx_cost(
    config: &RuntimeConfig,
    tx: &SignedTransaction,
    gas_price: Balance,
) -> Result<TransactionCost, IntegerOverflowError> {
    let t = &tx.transaction;
    let sender_is_receiver = t.signer_id() == t.receiver_id();
    let actions = t.actions();
    let fees = &config.fees;
    let gas_burnt = add_gas(
        fees.fee(ActionCosts::new_action_receipt)
            .send_fee(sender_is_receiver)
            .gas,
        total_send_fees(config, sender_is_receiver, actions, t.receiver_id())?,
    )?;
    let prepaid_gas = add_gas(
        total_prepaid_gas(actions)?,
        total_prepaid_send_fees(config, actions)?,
    )?;
    let gas_remaining = add_gas(
        add_gas(
            prepaid_gas,
            fees.fee(ActionCosts::new_action_receipt).exec_fee().gas,
        )?,
        total_prepaid_exec_fees(config, actions, t.receiver_id())?,
    )?;
    let receipt_gas_price = gas_purchase_price(config, gas_price);
    let burnt_amount = gas_to_balance(gas_price, gas_burnt)?;
    let remaining_amount = gas_to_balance(receipt_gas_price, gas_remaining)?;
    let total_cost = add_balance(
        add_balance(burnt_amount, remaining_amount)?,
        total_deposit(actions)?,
    )?;
    Ok(TransactionCost {
        gas_burnt,
        gas_remaining,
        receipt_gas_price,
        burnt_amount,
        total_cost,
    })
}
