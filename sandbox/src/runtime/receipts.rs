//! Receipt processing (nearcore `lib.rs`: `process_receipt`, `apply_action_receipt`): data
//! receipts and postponed receipts waiting for them, the actions of a receipt, storage staking,
//! rollback, refunds, outgoing data, child receipt ids and the execution outcome.

use std::sync::Arc;

use near_parameters::ActionCosts;
use near_primitives::errors::{ActionError, ActionErrorKind, TxExecutionError};
use near_primitives::hash::CryptoHash;
use near_primitives::receipt::{
    DataReceipt, PromiseYieldIndices, PromiseYieldTimeout, Receipt, ReceiptEnum, ReceiptV0,
    ReceivedData, VersionedActionReceipt, VersionedReceiptEnum,
};
use near_primitives::transaction::{
    ExecutionMetadata, ExecutionMetadataV4, ExecutionOutcome, ExecutionOutcomeWithId,
    ExecutionStatus,
};
use near_primitives::trie_key::TrieKey;
use near_primitives::types::{Balance, Gas};
use near_primitives::utils::{
    create_action_hash_from_receipt_id, create_receipt_id_from_receipt_id,
};
use near_vm_runner::logic::ReturnData;
use near_vm_runner::logic::types::PromiseResult;

use super::ApplyContext;
use super::actions::{ActionResult, ActionTarget, ReceiptInfo, apply_action};
use super::config::gas_to_balance;
use super::refunds::generate_refund_receipts;
use super::verifier::{storage_stake_lack, validate_receipt};
use crate::state::StateUpdate;

/// What processing one receipt produced.
#[derive(Debug, Default)]
pub struct ProcessedReceipt {
    /// The outcome, if the receipt executed (data receipts and postponed receipts have none).
    pub outcome: Option<ExecutionOutcomeWithId>,
    /// Receipts it sent, with their ids set.
    pub outgoing: Vec<Receipt>,
    /// A postponed receipt that became ready and executed along (its outcome is `outcome`).
    pub executed_postponed: Option<Receipt>,
}

/// Processes one receipt (nearcore `process_receipt`). The caller commits or discards `state`'s
/// prospective writes; this function commits them itself on success paths.
pub fn process_receipt(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    receipt: &Receipt,
) -> ProcessedReceipt {
    let receiver_id = receipt.receiver_id();
    match receipt.versioned_receipt() {
        VersionedReceiptEnum::PromiseResume(data) => {
            // Resumes a waiting yield (dropped if it already resumed or timed out).
            let DataReceipt { data_id, data } = data.into_owned();
            let yield_key = TrieKey::PromiseYieldReceipt {
                receiver_id: receiver_id.clone(),
                data_id,
            };
            let Some(waiting) = state.get::<Receipt>(&yield_key) else {
                return ProcessedReceipt::default();
            };
            state.remove(&yield_key);
            // A yield created with a user id forgets the id once it resumes (or times out).
            let by_data_id = TrieKey::DataIdToYieldId {
                receiver_id: receiver_id.clone(),
                data_id,
            };
            if let Some(yield_id) = state
                .get_raw(&by_data_id.to_vec())
                .and_then(|bytes| CryptoHash::try_from(bytes.as_slice()).ok())
            {
                state.remove(&by_data_id);
                state.remove(&TrieKey::YieldIdToDataId {
                    receiver_id: receiver_id.clone(),
                    yield_id: near_primitives::hash::YieldId(yield_id),
                });
            }
            state.set(
                &TrieKey::ReceivedData {
                    receiver_id: receiver_id.clone(),
                    data_id,
                },
                &ReceivedData { data },
            );
            state.commit();
            let (outcome, outgoing) = apply_action_receipt(ctx, state, &waiting);
            ProcessedReceipt {
                outcome: Some(outcome),
                outgoing,
                executed_postponed: Some(waiting),
            }
        }
        VersionedReceiptEnum::Data(data) => {
            let DataReceipt { data_id, data } = data.into_owned();
            state.set(
                &TrieKey::ReceivedData {
                    receiver_id: receiver_id.clone(),
                    data_id,
                },
                &ReceivedData { data },
            );
            let postponed_key = TrieKey::PostponedReceiptId {
                receiver_id: receiver_id.clone(),
                data_id,
            };
            let mut processed = ProcessedReceipt::default();
            if let Some(receipt_id) = state.get::<CryptoHash>(&postponed_key) {
                state.remove(&postponed_key);
                let count_key = TrieKey::PendingDataCount {
                    receiver_id: receiver_id.clone(),
                    receipt_id,
                };
                let pending = state.get::<u32>(&count_key).unwrap_or(1).saturating_sub(1);
                if pending > 0 {
                    state.set(&count_key, &pending);
                } else {
                    state.remove(&count_key);
                    let receipt_key = TrieKey::PostponedReceipt {
                        receiver_id: receiver_id.clone(),
                        receipt_id,
                    };
                    if let Some(ready) = state.get::<Receipt>(&receipt_key) {
                        state.remove(&receipt_key);
                        state.commit();
                        let (outcome, outgoing) = apply_action_receipt(ctx, state, &ready);
                        processed.outcome = Some(outcome);
                        processed.outgoing = outgoing;
                        processed.executed_postponed = Some(ready);
                        return processed;
                    }
                }
            }
            state.commit();
            processed
        }
        VersionedReceiptEnum::Action(action_receipt) => {
            let mut pending = 0u32;
            for data_id in action_receipt.input_data_ids() {
                let data_key = TrieKey::ReceivedData {
                    receiver_id: receiver_id.clone(),
                    data_id: *data_id,
                };
                if state.get_raw(&data_key.to_vec()).is_none() {
                    pending += 1;
                    state.set(
                        &TrieKey::PostponedReceiptId {
                            receiver_id: receiver_id.clone(),
                            data_id: *data_id,
                        },
                        receipt.receipt_id(),
                    );
                }
            }
            if pending > 0 {
                let receipt_id = *receipt.receipt_id();
                state.set(
                    &TrieKey::PendingDataCount {
                        receiver_id: receiver_id.clone(),
                        receipt_id,
                    },
                    &pending,
                );
                state.set(
                    &TrieKey::PostponedReceipt {
                        receiver_id: receiver_id.clone(),
                        receipt_id,
                    },
                    receipt,
                );
                state.commit();
                return ProcessedReceipt::default();
            }
            let (outcome, outgoing) = apply_action_receipt(ctx, state, receipt);
            ProcessedReceipt {
                outcome: Some(outcome),
                outgoing,
                executed_postponed: None,
            }
        }
        VersionedReceiptEnum::PromiseYield(yield_receipt) => {
            // Stored until its resume data arrives or it times out (an instant receipt: this runs
            // in the chunk that created it).
            let Some(data_id) = yield_receipt.input_data_ids().first().copied() else {
                return ProcessedReceipt::default();
            };
            state.set(
                &TrieKey::PromiseYieldReceipt {
                    receiver_id: receiver_id.clone(),
                    data_id,
                },
                receipt,
            );
            let mut indices: PromiseYieldIndices =
                state.get(&TrieKey::PromiseYieldIndices).unwrap_or_default();
            let expires_at = ctx.block.height.saturating_add(
                ctx.config
                    .wasm_config
                    .limit_config
                    .yield_timeout_length_in_blocks,
            );
            state.set(
                &TrieKey::PromiseYieldTimeout {
                    index: indices.next_available_index,
                },
                &PromiseYieldTimeout {
                    account_id: receiver_id.clone(),
                    data_id,
                    expires_at,
                },
            );
            indices.next_available_index += 1;
            state.set(&TrieKey::PromiseYieldIndices, &indices);
            state.commit();
            ProcessedReceipt::default()
        }
        VersionedReceiptEnum::GlobalContractDistribution(_) => {
            // Never created by this node (refused at the host-function and validation layers).
            tracing::warn!(target: "sandbox::runtime", receipt_id = %receipt.receipt_id(), "unsupported receipt kind dropped");
            ProcessedReceipt::default()
        }
    }
}

/// Applies an action receipt whose inputs are all present (nearcore `apply_action_receipt`).
/// Returns its outcome and the receipts it sends, with ids assigned.
pub fn apply_action_receipt(
    ctx: &ApplyContext<'_>,
    state: &mut StateUpdate<'_>,
    receipt: &Receipt,
) -> (ExecutionOutcomeWithId, Vec<Receipt>) {
    let (VersionedReceiptEnum::Action(action_receipt)
    | VersionedReceiptEnum::PromiseYield(action_receipt)) = receipt.versioned_receipt()
    else {
        unreachable!("apply_action_receipt takes action and yield receipts only");
    };
    let account_id = receipt.receiver_id().clone();
    let block_height = ctx.block.height;

    // Inputs become promise results and leave the state.
    let promise_results: Arc<[PromiseResult]> = action_receipt
        .input_data_ids()
        .iter()
        .map(|data_id| {
            let key = TrieKey::ReceivedData {
                receiver_id: account_id.clone(),
                data_id: *data_id,
            };
            let data = state.get::<ReceivedData>(&key).and_then(|d| d.data);
            state.remove(&key);
            match data {
                Some(value) => PromiseResult::Successful(value.into()),
                None => PromiseResult::Failed,
            }
        })
        .collect();
    state.commit();

    let mut target = ActionTarget {
        account: state.get_account(&account_id),
        account_id: account_id.clone(),
        actor_id: receipt.predecessor_id().clone(),
    };
    let info = ReceiptInfo {
        receipt,
        action_receipt: &action_receipt,
        promise_results,
    };
    let receipt_exec = ctx
        .config
        .fees
        .fee(ActionCosts::new_action_receipt)
        .exec_fee()
        .gas;
    let mut result = ActionResult {
        gas_burnt: receipt_exec,
        gas_used: receipt_exec,
        ..Default::default()
    };
    result
        .profile
        .add_action_cost(ActionCosts::new_action_receipt, receipt_exec);
    let mut contracts = Vec::with_capacity(action_receipt.actions().len());

    for (index, action) in action_receipt.actions().iter().enumerate() {
        contracts.push(
            target
                .account
                .as_ref()
                .map(|a| a.contract().into_owned())
                .unwrap_or(near_primitives::account::AccountContract::None),
        );
        let action_hash =
            create_action_hash_from_receipt_id(receipt.receipt_id(), block_height, index);
        let mut next = apply_action(ctx, state, &mut target, &info, action, action_hash, index);
        if next.result.is_ok() {
            for new_receipt in &next.new_receipts {
                if let Err(e) = validate_receipt(
                    &ctx.config.wasm_config.limit_config,
                    new_receipt,
                    ctx.protocol_version,
                ) {
                    next.result = Err(ActionError {
                        index: None,
                        kind: ActionErrorKind::NewReceiptValidationError(e),
                    });
                    break;
                }
            }
        }
        if let Err(err) = &mut next.result {
            err.index = Some(index as u64);
        }
        result.merge(next);
        if result.result.is_err() {
            break;
        }
    }

    // The balance must cover the account's storage.
    if result.result.is_ok()
        && let Some(account) = &target.account
    {
        if let Some(amount) = storage_stake_lack(account, ctx.config) {
            result.merge(ActionResult {
                result: Err(ActionError {
                    index: None,
                    kind: ActionErrorKind::LackBalanceForState {
                        account_id: account_id.clone(),
                        amount,
                    },
                }),
                ..Default::default()
            });
        } else {
            state.set_account(&account_id, account);
        }
    }

    let is_system = receipt.predecessor_id().is_system();
    let mut tokens_burnt = Balance::ZERO;
    if is_system {
        // Refund receipts are free; a failed refund burns its deposit (counted by the chain's
        // supply, not in this outcome).
    } else {
        let summary = generate_refund_receipts(
            ctx.config,
            ctx.block.gas_price,
            receipt,
            &action_receipt,
            &mut result,
        );
        tokens_burnt = summary.tokens_burnt;
    }

    match &result.result {
        Ok(_) => state.commit(),
        Err(_) => state.rollback(),
    }

    // Contract reward (30% of the function-call gas below PV 87, none from PV 87).
    let reward_ratio = ctx.config.fees.burnt_gas_reward;
    if !is_system && result.result.is_ok() && *reward_ratio.numer() > 0 {
        let reward_gas = u128::from(result.gas_burnt_for_function_call.as_gas())
            * (*reward_ratio.numer() as u128)
            / (*reward_ratio.denom() as u128);
        let burn_price = std::cmp::min(action_receipt.gas_price(), ctx.block.gas_price);
        let reward =
            gas_to_balance(burn_price, Gas::from_gas(reward_gas as u64)).unwrap_or(Balance::ZERO);
        if reward > Balance::ZERO
            && let Some(mut account) = state.get_account(&account_id)
        {
            account.set_amount(account.amount().saturating_add(reward));
            state.set_account(&account_id, &account);
            state.commit();
            tokens_burnt = tokens_burnt.saturating_sub(reward);
        }
    }

    // Outgoing data for the receipts waiting on this one.
    let output_receivers = action_receipt.output_data_receivers();
    if !output_receivers.is_empty() {
        if let Ok(ReturnData::ReceiptIndex(index)) = result.result {
            // The returned promise inherits the data receivers.
            if let Some(new_receipt) = result.new_receipts.get_mut(index as usize) {
                match new_receipt.receipt_mut() {
                    ReceiptEnum::Action(r) | ReceiptEnum::PromiseYield(r) => {
                        r.output_data_receivers.extend_from_slice(output_receivers)
                    }
                    ReceiptEnum::ActionV2(r) | ReceiptEnum::PromiseYieldV2(r) => {
                        r.output_data_receivers.extend_from_slice(output_receivers)
                    }
                    _ => {}
                }
            }
        } else {
            let data = match &result.result {
                Ok(ReturnData::Value(value)) => Some(value.clone()),
                Ok(ReturnData::None) | Ok(ReturnData::ReceiptIndex(_)) => Some(vec![]),
                Err(_) => None,
            };
            for receiver in output_receivers {
                result.new_receipts.push(Receipt::V0(ReceiptV0 {
                    predecessor_id: account_id.clone(),
                    receiver_id: receiver.receiver_id.clone(),
                    receipt_id: CryptoHash::default(),
                    receipt: ReceiptEnum::Data(DataReceipt {
                        data_id: receiver.data_id,
                        data: data.clone(),
                    }),
                }));
            }
        }
    }

    // Child receipt ids; the outcome lists action receipts only.
    let mut receipt_ids = Vec::new();
    let mut outgoing = Vec::with_capacity(result.new_receipts.len());
    for (index, mut new_receipt) in std::mem::take(&mut result.new_receipts)
        .into_iter()
        .enumerate()
    {
        let id = create_receipt_id_from_receipt_id(receipt.receipt_id(), block_height, index);
        new_receipt.set_receipt_id(id);
        if matches!(
            new_receipt.receipt(),
            ReceiptEnum::Action(_)
                | ReceiptEnum::ActionV2(_)
                | ReceiptEnum::PromiseYield(_)
                | ReceiptEnum::PromiseYieldV2(_)
        ) {
            receipt_ids.push(id);
        }
        outgoing.push(new_receipt);
    }

    let status = match result.result {
        Ok(ReturnData::ReceiptIndex(index)) => ExecutionStatus::SuccessReceiptId(
            receipt_ids.get(index as usize).copied().unwrap_or_default(),
        ),
        Ok(ReturnData::Value(value)) => ExecutionStatus::SuccessValue(value),
        Ok(ReturnData::None) => ExecutionStatus::SuccessValue(vec![]),
        Err(err) => ExecutionStatus::Failure(TxExecutionError::ActionError(err)),
    };
    let metadata = if near_primitives::version::ProtocolFeature::ExecutionMetadataV4
        .enabled(ctx.protocol_version)
    {
        ExecutionMetadata::V4(Box::new(ExecutionMetadataV4 {
            profile: result.profile,
            contracts,
        }))
    } else {
        ExecutionMetadata::V3(Box::new(result.profile))
    };
    let outcome = ExecutionOutcomeWithId {
        id: *receipt.receipt_id(),
        outcome: ExecutionOutcome {
            logs: result.logs,
            receipt_ids,
            gas_burnt: result.gas_burnt,
            compute_usage: Some(result.gas_burnt.as_gas()),
            tokens_burnt,
            executor_id: account_id,
            status,
            metadata,
        },
    };
    (outcome, outgoing)
}

/// Whether the receipt runs in the same chunk right after the one that produced it (PV 83
/// instant receipts: a lone DeleteAccount without inputs).
pub fn is_instant(receipt: &Receipt) -> bool {
    receipt.is_instant_receipt()
}

/// The action receipt view of a receipt, if it is one.
pub fn action_receipt_of(receipt: &Receipt) -> Option<VersionedActionReceipt<'_>> {
    match receipt.versioned_receipt() {
        VersionedReceiptEnum::Action(r) => Some(r),
        _ => None,
    }
}

/// Yields whose timeout has come resume with `PromiseResult::Failed`: a `PromiseResume` receipt
/// without data, delivered in the next block (nearcore `resolve_promise_yield_timeouts`).
pub fn resolve_yield_timeouts(ctx: &ApplyContext<'_>, state: &mut StateUpdate<'_>) -> Vec<Receipt> {
    let mut indices: PromiseYieldIndices =
        state.get(&TrieKey::PromiseYieldIndices).unwrap_or_default();
    let unchanged = indices.clone();
    let mut resumes = Vec::new();
    while indices.first_index < indices.next_available_index {
        let key = TrieKey::PromiseYieldTimeout {
            index: indices.first_index,
        };
        let Some(timeout) = state.get::<PromiseYieldTimeout>(&key) else {
            break;
        };
        if timeout.expires_at > ctx.block.height {
            break;
        }
        state.remove(&key);
        indices.first_index += 1;
        let waiting = TrieKey::PromiseYieldReceipt {
            receiver_id: timeout.account_id.clone(),
            data_id: timeout.data_id,
        };
        if state.get_raw(&waiting.to_vec()).is_some() {
            let receipt_id = create_receipt_id_from_receipt_id(
                &timeout.data_id,
                ctx.block.height,
                resumes.len(),
            );
            resumes.push(Receipt::V0(ReceiptV0 {
                predecessor_id: timeout.account_id.clone(),
                receiver_id: timeout.account_id,
                receipt_id,
                receipt: ReceiptEnum::PromiseResume(DataReceipt {
                    data_id: timeout.data_id,
                    data: None,
                }),
            }));
        }
    }
    if indices != unchanged {
        state.set(&TrieKey::PromiseYieldIndices, &indices);
    }
    state.commit();
    resumes
}
