//! Transaction and receipt validation (nearcore `verifier.rs` and `action_validation.rs`):
//! stateless action checks, signature and size, then the signer's account, key, nonce, balance,
//! allowance, storage stake and function-call-key permissions.

use near_crypto::key_conversion::is_valid_staking_key;
use near_parameters::RuntimeConfig;
use near_parameters::vm::LimitConfig;
use near_primitives::account::{AccessKey, AccessKeyPermission, Account};
use near_primitives::errors::{
    ActionsValidationError, InvalidAccessKeyError, InvalidTxError, ReceiptValidationError,
};
use near_primitives::receipt::{Receipt, ReceiptEnum};
use near_primitives::transaction::{Action, SignedTransaction, ValidatedTransaction};
use near_primitives::types::{AccountId, Balance, BlockHeight, Gas, ProtocolVersion};
use near_primitives_core::account::id::AccountType;

use super::config::{TransactionCost, total_prepaid_gas, tx_cost};
use crate::state::StateUpdate;

/// Accounts using at most this many bytes need no balance for their storage (nearcore
/// `ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT`).
pub const ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT: u64 = 770;

fn unsupported(feature: &str, version: ProtocolVersion) -> ActionsValidationError {
    ActionsValidationError::UnsupportedProtocolFeature {
        protocol_feature: feature.to_string(),
        version,
    }
}

/// Stateless validation of a batch of actions sent to `receiver_id` (nearcore `validate_actions`).
/// Features this node does not implement are refused with `UnsupportedProtocolFeature`.
pub fn validate_actions(
    limit_config: &LimitConfig,
    actions: &[Action],
    receiver_id: &AccountId,
    protocol_version: ProtocolVersion,
) -> Result<(), ActionsValidationError> {
    if actions.len() as u64 > limit_config.max_actions_per_receipt {
        return Err(ActionsValidationError::TotalNumberOfActionsExceeded {
            total_number_of_actions: actions.len() as u64,
            limit: limit_config.max_actions_per_receipt,
        });
    }
    let deploys = actions
        .iter()
        .filter(|a| matches!(a, Action::DeployContract(_)))
        .count() as u64;
    if deploys > limit_config.max_deploy_actions_per_receipt {
        return Err(ActionsValidationError::TotalNumberOfDeployActionsExceeded {
            number_of_deploy_actions: deploys,
            limit: limit_config.max_deploy_actions_per_receipt,
        });
    }
    let mut found_delete = false;
    let mut found_delegate = false;
    for action in actions {
        if found_delete {
            return Err(ActionsValidationError::DeleteActionMustBeFinal);
        }
        match action {
            Action::DeleteAccount(_) => found_delete = true,
            Action::Delegate(_) => {
                if found_delegate {
                    return Err(ActionsValidationError::DelegateActionMustBeOnlyOne);
                }
                found_delegate = true;
            }
            _ => {}
        }
    }
    let total_prepaid_gas =
        total_prepaid_gas(actions).map_err(|_| ActionsValidationError::IntegerOverflow)?;
    if total_prepaid_gas > limit_config.max_total_prepaid_gas {
        return Err(ActionsValidationError::TotalPrepaidGasExceeded {
            total_prepaid_gas,
            limit: limit_config.max_total_prepaid_gas,
        });
    }
    for action in actions {
        validate_action(limit_config, action, receiver_id, protocol_version)?;
    }
    Ok(())
}

fn validate_action(
    limit_config: &LimitConfig,
    action: &Action,
    receiver_id: &AccountId,
    protocol_version: ProtocolVersion,
) -> Result<(), ActionsValidationError> {
    match action {
        Action::CreateAccount(_) | Action::DeleteKey(_) | Action::DeleteAccount(_) => Ok(()),
        Action::DeployContract(a) => {
            let size = a.code.len() as u64;
            if size > limit_config.max_contract_size {
                return Err(ActionsValidationError::ContractSizeExceeded {
                    size,
                    limit: limit_config.max_contract_size,
                });
            }
            Ok(())
        }
        Action::FunctionCall(a) => {
            if a.gas == Gas::ZERO {
                return Err(ActionsValidationError::FunctionCallZeroAttachedGas);
            }
            if a.method_name.is_empty()
                && near_primitives::version::ProtocolFeature::RejectEmptyMethodName
                    .enabled(protocol_version)
            {
                return Err(ActionsValidationError::FunctionCallEmptyMethodName);
            }
            let length = a.method_name.len() as u64;
            if length > limit_config.max_length_method_name {
                return Err(
                    ActionsValidationError::FunctionCallMethodNameLengthExceeded {
                        length,
                        limit: limit_config.max_length_method_name,
                    },
                );
            }
            let length = a.args.len() as u64;
            if length > limit_config.max_arguments_length {
                return Err(
                    ActionsValidationError::FunctionCallArgumentsLengthExceeded {
                        length,
                        limit: limit_config.max_arguments_length,
                    },
                );
            }
            Ok(())
        }
        Action::Transfer(_) => match receiver_id.get_account_type() {
            AccountType::NamedAccount | AccountType::NearImplicitAccount => Ok(()),
            AccountType::EthImplicitAccount => {
                Err(unsupported("EthImplicitAccounts", protocol_version))
            }
            AccountType::NearDeterministicAccount => {
                Err(unsupported("DeterministicAccountIds", protocol_version))
            }
            AccountType::UniversalAccount => {
                Err(unsupported("UniversalAccounts", protocol_version))
            }
        },
        Action::Stake(a) => {
            if !is_valid_staking_key(&a.public_key) {
                return Err(ActionsValidationError::UnsuitableStakingKey {
                    public_key: Box::new(a.public_key.clone()),
                });
            }
            Ok(())
        }
        Action::AddKey(a) => match &a.access_key.permission {
            AccessKeyPermission::FullAccess => Ok(()),
            AccessKeyPermission::FunctionCall(fc) => {
                if fc.receiver_id.parse::<AccountId>().is_err() {
                    return Err(ActionsValidationError::InvalidAccountId {
                        account_id: fc.receiver_id.clone(),
                    });
                }
                let mut total_bytes = 0u64;
                for name in &fc.method_names {
                    let length = name.len() as u64;
                    if length > limit_config.max_length_method_name {
                        return Err(ActionsValidationError::AddKeyMethodNameLengthExceeded {
                            length,
                            limit: limit_config.max_length_method_name,
                        });
                    }
                    // Each name is charged with its null terminator.
                    total_bytes = total_bytes.saturating_add(length + 1);
                }
                if total_bytes > limit_config.max_number_bytes_method_names {
                    return Err(
                        ActionsValidationError::AddKeyMethodNamesNumberOfBytesExceeded {
                            total_number_of_bytes: total_bytes,
                            limit: limit_config.max_number_bytes_method_names,
                        },
                    );
                }
                Ok(())
            }
            AccessKeyPermission::GasKeyFunctionCall(..)
            | AccessKeyPermission::GasKeyFullAccess(_) => {
                Err(unsupported("GasKeys", protocol_version))
            }
        },
        Action::Delegate(signed) => {
            let inner = &signed.delegate_action;
            validate_actions(
                limit_config,
                &inner.get_actions(),
                &inner.receiver_id,
                protocol_version,
            )
        }
        Action::DeployGlobalContract(_) | Action::UseGlobalContract(_) => {
            Err(unsupported("GlobalContracts", protocol_version))
        }
        Action::DeterministicStateInit(_) => {
            Err(unsupported("DeterministicAccountIds", protocol_version))
        }
        Action::UniversalStateInit(_) => Err(unsupported("UniversalAccounts", protocol_version)),
        Action::TransferToGasKey(_) | Action::WithdrawFromGasKey(_) => {
            Err(unsupported("GasKeys", protocol_version))
        }
        Action::DelegateV2(_) => Err(unsupported("DelegateV2", protocol_version)),
    }
}

/// Validation of a receipt created by a contract (nearcore `validate_receipt`), reported as
/// `NewReceiptValidationError`.
pub fn validate_receipt(
    limit_config: &LimitConfig,
    receipt: &Receipt,
    protocol_version: ProtocolVersion,
) -> Result<(), ReceiptValidationError> {
    match receipt.receipt() {
        ReceiptEnum::Action(r) | ReceiptEnum::PromiseYield(r) => {
            let deps = r.input_data_ids.len() as u64;
            if deps > limit_config.max_number_input_data_dependencies {
                return Err(
                    ReceiptValidationError::NumberInputDataDependenciesExceeded {
                        number_of_input_data_dependencies: deps,
                        limit: limit_config.max_number_input_data_dependencies,
                    },
                );
            }
            validate_actions(
                limit_config,
                &r.actions,
                receipt.receiver_id(),
                protocol_version,
            )
            .map_err(ReceiptValidationError::ActionsValidation)
        }
        ReceiptEnum::ActionV2(r) | ReceiptEnum::PromiseYieldV2(r) => {
            let deps = r.input_data_ids.len() as u64;
            if deps > limit_config.max_number_input_data_dependencies {
                return Err(
                    ReceiptValidationError::NumberInputDataDependenciesExceeded {
                        number_of_input_data_dependencies: deps,
                        limit: limit_config.max_number_input_data_dependencies,
                    },
                );
            }
            validate_actions(
                limit_config,
                &r.actions,
                receipt.receiver_id(),
                protocol_version,
            )
            .map_err(ReceiptValidationError::ActionsValidation)
        }
        ReceiptEnum::Data(d) | ReceiptEnum::PromiseResume(d) => {
            let length = d.data.as_ref().map_or(0, |d| d.len() as u64);
            if length > limit_config.max_length_returned_data {
                return Err(ReceiptValidationError::ReturnedValueLengthExceeded {
                    length,
                    limit: limit_config.max_length_returned_data,
                });
            }
            Ok(())
        }
        ReceiptEnum::GlobalContractDistribution(_) => Ok(()),
    }
}

/// Stateless checks of a transaction and its cost: actions, version gates, size, signature.
pub fn validate_transaction(
    config: &RuntimeConfig,
    tx: &SignedTransaction,
    gas_price: Balance,
    protocol_version: ProtocolVersion,
) -> Result<TransactionCost, InvalidTxError> {
    let t = &tx.transaction;
    validate_actions(
        &config.wasm_config.limit_config,
        t.actions(),
        t.receiver_id(),
        protocol_version,
    )
    .map_err(InvalidTxError::ActionsValidation)?;
    ValidatedTransaction::new(config, tx.clone(), protocol_version).map_err(|(err, _)| err)?;
    tx_cost(config, tx, gas_price).map_err(|_| InvalidTxError::CostOverflow)
}

/// The amount of balance an account lacks to pay for its storage, if any (nearcore
/// `check_storage_stake`). Accounts of at most 770 bytes are exempt.
pub fn storage_stake_lack(account: &Account, config: &RuntimeConfig) -> Option<Balance> {
    if account.storage_usage() <= ZERO_BALANCE_ACCOUNT_STORAGE_LIMIT {
        return None;
    }
    let required = config
        .storage_amount_per_byte()
        .checked_mul(u128::from(account.storage_usage()))
        .unwrap_or(Balance::MAX);
    let available = account.amount().saturating_add(account.locked());
    required
        .checked_sub(available)
        .filter(|lack| *lack > Balance::ZERO)
}

/// Checks the signer's state and, on success, charges it: writes the new nonce, balance and
/// allowance into `state` (prospective layer; the caller commits). Nothing is written on error.
pub fn verify_and_charge_tx(
    config: &RuntimeConfig,
    state: &mut StateUpdate<'_>,
    tx: &SignedTransaction,
    cost: &TransactionCost,
    block_height: BlockHeight,
) -> Result<(), InvalidTxError> {
    let t = &tx.transaction;
    let signer_id = t.signer_id();
    let public_key = t.public_key();
    let Some(mut signer) = state.get_account(signer_id) else {
        return Err(InvalidTxError::SignerDoesNotExist {
            signer_id: signer_id.clone(),
        });
    };
    let Some(mut access_key) = state.get_access_key(signer_id, public_key) else {
        return Err(InvalidTxError::InvalidAccessKeyError(
            InvalidAccessKeyError::AccessKeyNotFound {
                account_id: signer_id.clone(),
                public_key: Box::new(public_key.clone()),
            },
        ));
    };
    verify_nonce(&access_key, t.nonce().nonce(), t.nonce_mode(), block_height)?;
    access_key.nonce = t.nonce().nonce();

    let balance = signer.amount();
    let Some(new_balance) = balance.checked_sub(cost.total_cost) else {
        return Err(InvalidTxError::NotEnoughBalance {
            signer_id: signer_id.clone(),
            balance,
            cost: cost.total_cost,
        });
    };
    signer.set_amount(new_balance);

    if let AccessKeyPermission::FunctionCall(fc) = &mut access_key.permission
        && let Some(allowance) = fc.allowance.as_mut()
    {
        let Some(new_allowance) = allowance.checked_sub(cost.total_cost) else {
            return Err(InvalidTxError::InvalidAccessKeyError(
                InvalidAccessKeyError::NotEnoughAllowance {
                    account_id: signer_id.clone(),
                    public_key: Box::new(public_key.clone()),
                    allowance: *allowance,
                    cost: cost.total_cost,
                },
            ));
        };
        *allowance = new_allowance;
    }

    if let Some(amount) = storage_stake_lack(&signer, config) {
        return Err(InvalidTxError::LackBalanceForState {
            signer_id: signer_id.clone(),
            amount,
        });
    }

    if let AccessKeyPermission::FunctionCall(fc) = &access_key.permission {
        let [Action::FunctionCall(call)] = t.actions() else {
            return Err(InvalidTxError::InvalidAccessKeyError(
                InvalidAccessKeyError::RequiresFullAccess,
            ));
        };
        if call.deposit > Balance::ZERO {
            return Err(InvalidTxError::InvalidAccessKeyError(
                InvalidAccessKeyError::DepositWithFunctionCall,
            ));
        }
        if t.receiver_id().as_str() != fc.receiver_id {
            return Err(InvalidTxError::InvalidAccessKeyError(
                InvalidAccessKeyError::ReceiverMismatch {
                    tx_receiver: t.receiver_id().clone(),
                    ak_receiver: fc.receiver_id.clone(),
                },
            ));
        }
        if !fc.method_names.is_empty() && !fc.method_names.contains(&call.method_name) {
            return Err(InvalidTxError::InvalidAccessKeyError(
                InvalidAccessKeyError::MethodNameMismatch {
                    method_name: call.method_name.clone(),
                },
            ));
        }
    }

    state.set_account(signer_id, &signer);
    state.set_access_key(signer_id, public_key, &access_key);
    Ok(())
}

/// Nonce rules: strictly above the key's nonce (`Strict` mode: exactly one above) and below
/// `height · 1e6`.
fn verify_nonce(
    access_key: &AccessKey,
    tx_nonce: u64,
    mode: near_primitives::transaction::NonceMode,
    block_height: BlockHeight,
) -> Result<(), InvalidTxError> {
    let ak_nonce = access_key.nonce;
    let ok = match mode {
        near_primitives::transaction::NonceMode::Monotonic => tx_nonce > ak_nonce,
        near_primitives::transaction::NonceMode::Strict => {
            Some(tx_nonce) == ak_nonce.checked_add(1)
        }
    };
    if !ok {
        return Err(InvalidTxError::InvalidNonce { tx_nonce, ak_nonce });
    }
    let upper_bound = block_height.saturating_mul(AccessKey::ACCESS_KEY_NONCE_RANGE_MULTIPLIER);
    if tx_nonce >= upper_bound {
        return Err(InvalidTxError::NonceTooLarge {
            tx_nonce,
            upper_bound,
        });
    }
    Ok(())
}
