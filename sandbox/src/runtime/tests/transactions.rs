//! Transaction verification, costs and refunds.

use near_crypto::{KeyType, SecretKey};
use near_parameters::ActionCosts;
use near_primitives::account::{AccessKey, AccessKeyPermission, FunctionCallPermission};
use near_primitives::action::{
    AddKeyAction, DeployGlobalContractAction, FunctionCallAction, GlobalContractDeployMode,
    TransferAction,
};
use near_primitives::errors::{ActionsValidationError, InvalidAccessKeyError, InvalidTxError};
use near_primitives::hash::CryptoHash;
use near_primitives::receipt::ReceiptEnum;
use near_primitives::transaction::{Action, ExecutionStatus};
use near_primitives::types::{Balance, Gas};

use super::harness::*;

fn transfer(n: u128) -> Action {
    Action::Transfer(TransferAction {
        deposit: Balance::from_near(n),
    })
}

#[test]
fn transfer_burns_exactly_the_configured_send_and_exec_fees() {
    let mut chain = TestChain::new();
    let alice_before = chain.balance("alice.near");
    let bob_before = chain.balance("bob.near");
    let tx = chain.tx("alice.near", "bob.near", vec![transfer(1)]);
    let outcome = chain.execute(tx).unwrap();

    let send = chain
        .send(ActionCosts::new_action_receipt, false)
        .checked_add(chain.send(ActionCosts::transfer, false))
        .unwrap();
    assert_eq!(
        outcome.outcome.gas_burnt, send,
        "tx gas = receipt creation + transfer send fees"
    );
    assert_eq!(outcome.outcome.tokens_burnt, gas_cost(GAS_PRICE, send));

    let receipts = chain.receipt_outcomes(&outcome);
    let exec = chain
        .exec(ActionCosts::new_action_receipt)
        .checked_add(chain.exec(ActionCosts::transfer))
        .unwrap();
    assert_eq!(
        receipts[0].outcome.gas_burnt, exec,
        "receipt gas = exec fees"
    );
    assert_eq!(receipts[0].outcome.tokens_burnt, gas_cost(GAS_PRICE, exec));
    assert_eq!(receipts[0].outcome.executor_id, id("bob.near"));
    assert_eq!(
        receipts[0].outcome.receipt_ids.len(),
        1,
        "one gas refund (NEP-642 surplus)"
    );
    let refund = &receipts[1].outcome;
    assert_eq!(refund.tokens_burnt, Balance::ZERO, "refunds burn no tokens");
    assert_eq!(
        refund.gas_burnt, exec,
        "a refund reports its exec fees as gas burnt (as neard does)"
    );

    assert_eq!(
        chain.balance("bob.near"),
        bob_before.checked_add(Balance::from_near(1)).unwrap()
    );
    let spent = gas_cost(GAS_PRICE, send)
        .checked_add(gas_cost(GAS_PRICE, exec))
        .unwrap();
    assert_eq!(
        chain.balance("alice.near"),
        alice_before
            .checked_sub(Balance::from_near(1))
            .unwrap()
            .checked_sub(spent)
            .unwrap(),
        "the signer pays the deposit and the burnt gas at the block price, nothing more"
    );
}

#[test]
fn gas_is_bought_at_the_nep642_minimum_purchase_price() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "bob.near", vec![transfer(1)]);
    let result = chain.produce(&[tx]);
    let receipt = &result.outgoing_receipts[0];
    let ReceiptEnum::Action(action_receipt) = receipt.receipt() else {
        panic!("action receipt")
    };
    let min_price = chain.runtime.config().min_gas_purchase_price;
    assert!(min_price > GAS_PRICE);
    assert_eq!(action_receipt.gas_price, min_price);
}

#[test]
fn nonce_replay_is_invalid_nonce() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "bob.near", vec![transfer(1)]);
    chain.execute(tx.clone()).unwrap();
    let expected = InvalidTxError::InvalidNonce {
        tx_nonce: 1,
        ak_nonce: 1,
    };
    let head = chain.head();
    assert_eq!(
        chain.runtime.validate_tx(&chain.store, &tx, &head, Some(0)),
        Err(expected.clone())
    );
    assert_eq!(chain.execute(tx), Err(expected));
}

#[test]
fn nonce_at_height_times_a_million_is_too_large() {
    let mut chain = TestChain::new();
    let nonce = 1_000_000; // the first block is height 1: upper bound 1 · 1e6
    let tx = sign_tx(
        &signer("alice.near"),
        "alice.near",
        "bob.near",
        nonce,
        block_hash(0),
        vec![transfer(1)],
    );
    assert_eq!(
        chain.execute(tx),
        Err(InvalidTxError::NonceTooLarge {
            tx_nonce: nonce,
            upper_bound: 1_000_000
        })
    );
}

#[test]
fn unknown_or_stale_block_hash_is_expired() {
    let mut chain = TestChain::new();
    let tx = sign_tx(
        &signer("alice.near"),
        "alice.near",
        "bob.near",
        1,
        CryptoHash::hash_bytes(b"nope"),
        vec![transfer(1)],
    );
    assert_eq!(chain.execute(tx), Err(InvalidTxError::Expired));
    for _ in 0..101 {
        chain.produce(&[]);
    }
    let tx = sign_tx(
        &signer("alice.near"),
        "alice.near",
        "bob.near",
        1,
        block_hash(0),
        vec![transfer(1)],
    );
    assert_eq!(chain.execute(tx), Err(InvalidTxError::Expired));
}

#[test]
fn signature_by_another_key_is_invalid() {
    let mut chain = TestChain::new();
    let mut tx = chain.tx("alice.near", "bob.near", vec![transfer(1)]);
    tx.signature = signer("bob.near").sign(tx.get_hash().as_ref());
    assert_eq!(chain.execute(tx), Err(InvalidTxError::InvalidSignature));
}

#[test]
fn missing_signer_and_key_are_reported() {
    let mut chain = TestChain::new();
    let tx = sign_tx(
        &signer("nobody.near"),
        "nobody.near",
        "bob.near",
        1,
        block_hash(0),
        vec![transfer(1)],
    );
    assert_eq!(
        chain.execute(tx),
        Err(InvalidTxError::SignerDoesNotExist {
            signer_id: id("nobody.near")
        })
    );
    let tx = sign_tx(
        &signer("bob.near"),
        "alice.near",
        "bob.near",
        1,
        block_hash(1),
        vec![transfer(1)],
    );
    assert_eq!(
        chain.execute(tx),
        Err(InvalidTxError::InvalidAccessKeyError(
            InvalidAccessKeyError::AccessKeyNotFound {
                account_id: id("alice.near"),
                public_key: Box::new(signer("bob.near").public_key()),
            }
        ))
    );
}

#[test]
fn spending_more_than_the_balance_is_not_enough_balance() {
    let mut chain = TestChain::new();
    let balance = chain.balance("alice.near");
    let tx = chain.tx("alice.near", "bob.near", vec![transfer(1_000_000)]);
    let Err(InvalidTxError::NotEnoughBalance {
        signer_id,
        balance: reported,
        cost,
    }) = chain.execute(tx)
    else {
        panic!("expected NotEnoughBalance");
    };
    assert_eq!((signer_id, reported), (id("alice.near"), balance));
    assert!(cost > Balance::from_near(1_000_000));
}

#[test]
fn unsupported_actions_are_refused_at_submission() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "alice.near",
        vec![Action::DeployGlobalContract(DeployGlobalContractAction {
            code: test_contract().into(),
            deploy_mode: GlobalContractDeployMode::CodeHash,
        })],
    );
    assert_eq!(
        chain.execute(tx),
        Err(InvalidTxError::ActionsValidation(
            ActionsValidationError::UnsupportedProtocolFeature {
                protocol_feature: "GlobalContracts".into(),
                version: PV,
            }
        ))
    );
}

#[test]
fn zero_gas_function_call_is_refused() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("write", b"v", Gas::ZERO, 0)],
    );
    assert_eq!(
        chain.execute(tx),
        Err(InvalidTxError::ActionsValidation(
            ActionsValidationError::FunctionCallZeroAttachedGas
        ))
    );
}

pub fn call(method: &str, args: &[u8], gas: Gas, deposit_yocto: u128) -> Action {
    Action::FunctionCall(Box::new(FunctionCallAction {
        method_name: method.into(),
        args: args.to_vec(),
        gas,
        deposit: Balance::from_yoctonear(deposit_yocto),
    }))
}

/// alice.near gets a function-call key for `contract.near`'s `write` with `allowance`.
fn with_function_call_key(chain: &mut TestChain, allowance: Balance) -> near_crypto::Signer {
    let key = SecretKey::from_seed(KeyType::ED25519, "fc-key");
    let fc_signer = near_crypto::InMemorySigner::from_secret_key(id("alice.near"), key);
    let add = Action::AddKey(Box::new(AddKeyAction {
        public_key: fc_signer.public_key(),
        access_key: AccessKey {
            nonce: 0,
            permission: AccessKeyPermission::FunctionCall(FunctionCallPermission {
                allowance: Some(allowance),
                receiver_id: "contract.near".into(),
                method_names: vec!["write".into()],
            }),
        },
    }));
    let tx = chain.tx("alice.near", "alice.near", vec![add]);
    chain.execute(tx).unwrap();
    fc_signer
}

#[test]
fn function_call_key_violations_each_have_their_error() {
    let mut chain = TestChain::new();
    let fc = with_function_call_key(&mut chain, Balance::from_near(1));
    let nonce = chain
        .store
        .access_key(&id("alice.near"), &fc.public_key(), chain.height)
        .unwrap()
        .nonce;
    let tgas = Gas::from_teragas(10);
    let cases = [
        (
            vec![call("write", b"v", tgas, 1)],
            "contract.near",
            InvalidAccessKeyError::DepositWithFunctionCall,
        ),
        (
            vec![call("write", b"v", tgas, 0)],
            "bob.near",
            InvalidAccessKeyError::ReceiverMismatch {
                tx_receiver: id("bob.near"),
                ak_receiver: "contract.near".into(),
            },
        ),
        (
            vec![call("read", b"", tgas, 0)],
            "contract.near",
            InvalidAccessKeyError::MethodNameMismatch {
                method_name: "read".into(),
            },
        ),
        (
            vec![Action::Transfer(TransferAction {
                deposit: Balance::from_yoctonear(1),
            })],
            "contract.near",
            InvalidAccessKeyError::RequiresFullAccess,
        ),
    ];
    for (actions, receiver, expected) in cases {
        let tx = sign_tx(
            &fc,
            "alice.near",
            receiver,
            nonce + 1,
            block_hash(chain.height),
            actions,
        );
        assert_eq!(
            chain.execute(tx),
            Err(InvalidTxError::InvalidAccessKeyError(expected))
        );
    }
}

#[test]
fn function_call_key_allowance_is_debited_then_topped_up_by_the_gas_refund() {
    let mut chain = TestChain::new();
    let allowance = Balance::from_near(1);
    let fc = with_function_call_key(&mut chain, allowance);
    let nonce = chain
        .store
        .access_key(&id("alice.near"), &fc.public_key(), chain.height)
        .unwrap()
        .nonce;
    let tx = sign_tx(
        &fc,
        "alice.near",
        "contract.near",
        nonce + 1,
        block_hash(chain.height),
        vec![call("write", b"v", Gas::from_teragas(30), 0)],
    );
    let cost = crate::runtime::config::tx_cost(chain.runtime.config(), &tx, GAS_PRICE).unwrap();
    let after_charge = allowance.checked_sub(cost.total_cost).unwrap();
    chain.produce(std::slice::from_ref(&tx));
    let key_after = |chain: &TestChain| {
        let ak = chain
            .store
            .access_key(&id("alice.near"), &fc.public_key(), chain.height)
            .unwrap();
        ak.permission
            .function_call_permission()
            .unwrap()
            .allowance
            .unwrap()
    };
    assert_eq!(
        key_after(&chain),
        after_charge,
        "the whole purchase is debited first"
    );
    for _ in 0..4 {
        chain.produce(&[]);
    }
    let final_allowance = key_after(&chain);
    assert!(
        final_allowance > after_charge && final_allowance < allowance,
        "the gas refund tops it up"
    );

    let tiny = with_function_call_key_named(&mut chain, "tiny", Balance::from_yoctonear(1));
    let nonce = chain
        .store
        .access_key(&id("alice.near"), &tiny.public_key(), chain.height)
        .unwrap()
        .nonce;
    let tx = sign_tx(
        &tiny,
        "alice.near",
        "contract.near",
        nonce + 1,
        block_hash(chain.height),
        vec![call("write", b"v", Gas::from_teragas(30), 0)],
    );
    assert!(matches!(
        chain.execute(tx),
        Err(InvalidTxError::InvalidAccessKeyError(
            InvalidAccessKeyError::NotEnoughAllowance { .. }
        ))
    ));
}

fn with_function_call_key_named(
    chain: &mut TestChain,
    seed: &str,
    allowance: Balance,
) -> near_crypto::Signer {
    let key = SecretKey::from_seed(KeyType::ED25519, seed);
    let fc_signer = near_crypto::InMemorySigner::from_secret_key(id("alice.near"), key);
    let add = Action::AddKey(Box::new(AddKeyAction {
        public_key: fc_signer.public_key(),
        access_key: AccessKey {
            nonce: 0,
            permission: AccessKeyPermission::FunctionCall(FunctionCallPermission {
                allowance: Some(allowance),
                receiver_id: "contract.near".into(),
                method_names: vec![],
            }),
        },
    }));
    let tx = chain.tx("alice.near", "alice.near", vec![add]);
    chain.execute(tx).unwrap();
    fc_signer
}

#[test]
fn local_transactions_run_their_receipt_in_the_same_block() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "alice.near", vec![transfer(1)]);
    let result = chain.produce(&[tx]);
    assert_eq!(
        result.receipt_outcomes.len(),
        1,
        "signer == receiver: executed at once"
    );
    assert!(matches!(
        result.receipt_outcomes[0].outcome.status,
        ExecutionStatus::SuccessValue(_)
    ));
}

#[test]
fn receipt_metadata_is_v4_with_the_action_costs_in_the_gas_profile() {
    let mut chain = TestChain::new();
    let tx = chain.tx("alice.near", "bob.near", vec![transfer(1)]);
    let outcome = chain.execute(tx).unwrap();
    let receipt = chain.receipt_outcomes(&outcome)[0];
    let near_primitives::transaction::ExecutionMetadata::V4(metadata) = &receipt.outcome.metadata
    else {
        panic!(
            "expected ExecutionMetadataV4, got {:?}",
            receipt.outcome.metadata
        );
    };
    assert_eq!(
        metadata
            .profile
            .get_action_cost(ActionCosts::new_action_receipt),
        chain.exec(ActionCosts::new_action_receipt)
    );
    assert_eq!(
        metadata.profile.get_action_cost(ActionCosts::transfer),
        chain.exec(ActionCosts::transfer)
    );
    assert_eq!(metadata.profile.action_gas(), receipt.outcome.gas_burnt);
}
