//! Refunds of an action receipt (nearcore `generate_refund_receipts`) with NEP-642:
//!
//! * a failed receipt's deposits go back to `refund_to`, else to the predecessor;
//! * unspent gas (`prepaid + prepaid exec fees − (failed ? burnt : used)`, minus the NEP-536
//!   penalty) is returned at the purchase price;
//! * gas is burnt at `burn_price = min(purchase price, current price)`, so the surplus
//!   `(purchase − burn) · burnt` is returned too, less the account-creation charge
//!   `min(max(0, account_creation_charge − burn_price · create_account.exec), surplus)` when the
//!   receipt created an account;
//! * one `Receipt::new_gas_refund` to the signer carries the gas refund.

use near_parameters::{ActionCosts, RuntimeConfig};
use near_primitives::receipt::{Receipt, VersionedActionReceipt};
use near_primitives::types::{AccountId, Balance, Gas};

use super::actions::ActionResult;
use super::config::{gas_to_balance, total_deposit, total_prepaid_exec_fees, total_prepaid_gas};

/// What the refunds of one receipt add up to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefundSummary {
    /// Tokens burnt for the receipt's execution: `burn_price · gas_burnt + penalty + charge`.
    pub tokens_burnt: Balance,
    pub deposit_refund: Balance,
    pub gas_refund: Balance,
}

/// Appends the deposit and gas refund receipts to `result.new_receipts` and returns the amounts.
pub fn generate_refund_receipts(
    config: &RuntimeConfig,
    current_gas_price: Balance,
    receipt: &Receipt,
    action_receipt: &VersionedActionReceipt<'_>,
    result: &mut ActionResult,
) -> RefundSummary {
    let actions = action_receipt.actions();
    let failed = result.result.is_err();
    let deposit_refund = if failed {
        total_deposit(actions).unwrap_or(Balance::ZERO)
    } else {
        Balance::ZERO
    };
    let prepaid_gas = total_prepaid_gas(actions).unwrap_or(Gas::ZERO);
    let prepaid_exec_gas = total_prepaid_exec_fees(config, actions, receipt.receiver_id())
        .unwrap_or(Gas::ZERO)
        .saturating_add(
            config
                .fees
                .fee(ActionCosts::new_action_receipt)
                .exec_fee()
                .gas,
        );
    let spent = if failed {
        result.gas_burnt
    } else {
        result.gas_used
    };
    let gross_gas_refund = prepaid_gas
        .saturating_add(prepaid_exec_gas)
        .saturating_sub(spent);
    let penalty = config.fees.gas_penalty_for_gas_refund(gross_gas_refund);
    let net_gas_refund = gross_gas_refund.saturating_sub(penalty);

    let purchase_price = action_receipt.gas_price();
    let burn_price = std::cmp::min(purchase_price, current_gas_price);
    let zero = |r: Result<Balance, _>| r.unwrap_or(Balance::ZERO);
    let surplus = zero(gas_to_balance(
        purchase_price.saturating_sub(burn_price),
        result.gas_burnt,
    ));
    let charge = if result.account_created && !failed {
        let create_exec = config.fees.fee(ActionCosts::create_account).exec_fee().gas;
        let covered = zero(gas_to_balance(burn_price, create_exec));
        std::cmp::min(
            config.account_creation_charge.saturating_sub(covered),
            surplus,
        )
    } else {
        Balance::ZERO
    };
    let gas_refund = zero(gas_to_balance(purchase_price, net_gas_refund))
        .saturating_add(surplus)
        .saturating_sub(charge);
    let tokens_burnt = zero(gas_to_balance(burn_price, result.gas_burnt))
        .saturating_add(zero(gas_to_balance(purchase_price, penalty)))
        .saturating_add(charge);

    if deposit_refund > Balance::ZERO {
        let receiver: &AccountId = receipt.balance_refund_receiver();
        result
            .new_receipts
            .push(Receipt::new_balance_refund(receiver, deposit_refund));
    }
    if gas_refund > Balance::ZERO {
        result.new_receipts.push(Receipt::new_gas_refund(
            action_receipt.signer_id(),
            gas_refund,
            action_receipt.signer_public_key().clone(),
        ));
    }
    RefundSummary {
        tokens_burnt,
        deposit_refund,
        gas_refund,
    }
}
