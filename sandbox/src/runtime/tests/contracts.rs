//! Contracts: deploy, calls, storage staking, rollback, the promise DAG, views and meta-transactions.

use near_primitives::account::{Account, AccountContract};
use near_primitives::action::delegate::{DelegateAction, NonDelegateAction, SignedDelegateAction};
use near_primitives::action::{DeployContractAction, TransferAction};
use near_primitives::errors::{ActionError, ActionErrorKind, FunctionCallError, TxExecutionError};
use near_primitives::hash::hash;
use near_primitives::state_record::StateRecord;
use near_primitives::transaction::{Action, ExecutionStatus};
use near_primitives::types::{Balance, Gas};

use super::harness::*;
use super::transactions::call;
use crate::runtime::ViewCallError;

fn tgas(n: u64) -> Gas {
    Gas::from_teragas(n)
}

fn stored(chain: &TestChain, key: &[u8]) -> Option<Vec<u8>> {
    chain
        .store
        .contract_data(&id("contract.near"), key, None, None, chain.height)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

#[test]
fn deployed_contract_writes_storage_and_views_agree() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "bob.near",
        "bob.near",
        vec![Action::DeployContract(DeployContractAction {
            code: test_contract(),
        })],
    );
    chain.execute(tx).unwrap();
    let bob = chain.account("bob.near").unwrap();
    assert_eq!(bob.local_contract_hash(), Some(hash(&test_contract())));

    let before = bob.storage_usage();
    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call("write", b"hello", tgas(30), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(vec![])
    );
    assert_eq!(
        chain.account("bob.near").unwrap().storage_usage(),
        before + 1 + 5 + 40,
        "key + value + 40"
    );

    let view = chain
        .runtime
        .view_call(&chain.store, &chain.head(), &id("bob.near"), "read", b"")
        .unwrap();
    assert_eq!(view.result, b"hello");
}

#[test]
fn logs_come_through_the_outcome() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("log", b"", tgas(10), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.receipt_outcomes(&outcome)[0].outcome.logs,
        vec!["hello".to_string()]
    );
}

#[test]
fn failed_receipt_rolls_back_writes_and_refunds_the_deposit() {
    let mut chain = TestChain::new();
    let before = chain.balance("alice.near");
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("fail", b"", tgas(30), 10u128.pow(24))],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(
                "Smart contract panicked: boom".into()
            )),
        }))
    );
    assert_eq!(
        stored(&chain, b"k"),
        None,
        "the write before the panic is rolled back"
    );
    let receipt = chain.receipt_outcomes(&outcome)[0];
    assert!(
        receipt.outcome.gas_burnt > chain.exec(near_parameters::ActionCosts::function_call_base),
        "wasm gas is kept"
    );
    let lost = before.checked_sub(chain.balance("alice.near")).unwrap();
    assert!(
        lost < Balance::from_millinear(10),
        "the 1 N deposit came back: lost {lost}"
    );
}

#[test]
fn failing_action_in_a_batch_rolls_back_the_whole_batch_with_its_index() {
    let mut chain = TestChain::new();
    let before = chain.balance("contract.near");
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![
            Action::Transfer(TransferAction {
                deposit: Balance::from_near(1),
            }),
            call("fail", b"", tgas(30), 0),
        ],
    );
    let outcome = chain.execute(tx).unwrap();
    let ExecutionStatus::Failure(TxExecutionError::ActionError(err)) = chain.final_status(&outcome)
    else {
        panic!("expected an action error");
    };
    assert_eq!(err.index, Some(1));
    assert_eq!(
        chain.balance("contract.near"),
        before,
        "the transfer at index 0 is undone"
    );
}

#[test]
fn callback_sees_the_successful_promise() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("call_ok", b"", tgas(100), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(vec![1]),
        "PromiseResult::Successful = 1"
    );
    assert_eq!(stored(&chain, b"cb"), Some(vec![1]));
    assert_eq!(
        stored(&chain, b"k"),
        Some(b"k".to_vec()),
        "the called `write` ran"
    );
}

#[test]
fn callback_sees_the_failed_promise() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("call_fail", b"", tgas(100), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(vec![2]),
        "PromiseResult::Failed = 2"
    );
    assert_eq!(stored(&chain, b"cb"), Some(vec![2]));
    assert_eq!(stored(&chain, b"k"), None);
}

#[test]
fn callback_waits_as_a_postponed_receipt_and_runs_a_block_later() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("call_ok", b"", tgas(100), 0)],
    );
    let first = chain.produce(&[tx]);
    let tx_outcome = first.tx_results[0].1.clone().unwrap();
    let call_block = chain.produce(&[]);
    assert_eq!(call_block.receipt_outcomes.len(), 1);
    let call_outcome = &call_block.receipt_outcomes[0];
    // The call sent `write`, the callback and a gas refund; it returns the callback.
    assert_eq!(call_outcome.outcome.receipt_ids.len(), 3);
    let ExecutionStatus::SuccessReceiptId(callback_id) = call_outcome.outcome.status else {
        panic!("call returns the callback promise");
    };
    assert_eq!(call_outcome.outcome.receipt_ids[1], callback_id);
    let next = chain.produce(&[]);
    assert!(
        next.receipt_outcomes.iter().all(|o| o.id != callback_id),
        "callback waits for the data"
    );
    while !next.outgoing_receipts.is_empty() && !chain.outcomes.contains_key(&callback_id) {
        chain.produce(&[]);
    }
    for _ in 0..3 {
        chain.produce(&[]);
    }
    assert!(chain.outcomes.contains_key(&callback_id));
    let dfs: Vec<_> = chain
        .receipt_outcomes(&tx_outcome)
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(dfs[0], tx_outcome.outcome.receipt_ids[0]);
    assert!(dfs.contains(&callback_id));
}

#[test]
fn storage_beyond_the_balance_is_lack_balance_for_state_without_index() {
    let mut chain = TestChain::new();
    let code = test_contract();
    let config = chain.runtime.config().clone();
    let usage = 100 + code.len() as u64;
    // Enough for the account as it is, not for a 2 000-byte value more.
    let amount = config
        .storage_amount_per_byte()
        .checked_mul(u128::from(usage + 100))
        .unwrap();
    let poor = Account::new(
        amount,
        Balance::ZERO,
        AccountContract::Local(hash(&code)),
        usage,
    );
    let h = chain.height;
    chain
        .store
        .apply_patch(
            &[
                StateRecord::Account {
                    account_id: id("poor.near"),
                    account: poor,
                },
                StateRecord::Contract {
                    account_id: id("poor.near"),
                    code,
                },
            ],
            h,
        )
        .unwrap();
    let tx = chain.tx(
        "alice.near",
        "poor.near",
        vec![call("write", &[7u8; 2000], tgas(30), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    let ExecutionStatus::Failure(TxExecutionError::ActionError(err)) = chain.final_status(&outcome)
    else {
        panic!("expected LackBalanceForState");
    };
    assert_eq!(err.index, None);
    assert!(
        matches!(err.kind, ActionErrorKind::LackBalanceForState { ref account_id, .. } if account_id == &id("poor.near"))
    );
    assert_eq!(
        chain.account("poor.near").unwrap().storage_usage(),
        usage,
        "rolled back"
    );
}

#[test]
fn view_calls_follow_state_viewer_semantics() {
    let chain = TestChain::new();
    let head = chain.head();
    let view = |method: &str, account: &str| {
        chain
            .runtime
            .view_call(&chain.store, &head, &id(account), method, b"v")
    };
    assert_eq!(
        view("read", "contract.near").unwrap().result,
        Vec::<u8>::new()
    );
    let Err(ViewCallError::VmError(msg)) = view("write", "contract.near") else {
        panic!("write must fail")
    };
    assert!(msg.contains("ProhibitedInView"), "{msg}");
    assert_eq!(
        view("nope", "contract.near"),
        Err(ViewCallError::VmError(
            "MethodResolveError(MethodNotFound)".into()
        ))
    );
    let Err(ViewCallError::VmError(msg)) = view("read", "bob.near") else {
        panic!("no code")
    };
    assert!(msg.contains("CodeDoesNotExist"), "{msg}");
    assert_eq!(
        view("read", "ghost.near"),
        Err(ViewCallError::AccountDoesNotExist(id("ghost.near")))
    );
}

#[test]
fn calling_a_missing_method_is_method_not_found() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("nope", b"", tgas(10), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::FunctionCallError(FunctionCallError::MethodResolveError(
                near_primitives::errors::MethodResolveError::MethodNotFound
            )),
        }))
    );
}

#[test]
fn meta_transaction_runs_as_the_sender_and_refunds_the_relayer() {
    let mut chain = TestChain::new();
    let bob_key = signer("bob.near");
    let delegate = DelegateAction {
        sender_id: id("bob.near"),
        receiver_id: id("contract.near"),
        actions: vec![NonDelegateAction::try_from(call("write", b"meta", tgas(20), 0)).unwrap()],
        nonce: 1,
        max_block_height: 100,
        public_key: bob_key.public_key(),
    };
    let signed = SignedDelegateAction::sign(&bob_key, delegate);
    let bob_before = chain.balance("bob.near");
    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![Action::Delegate(Box::new(signed))],
    );
    let outcome = chain.execute(tx).unwrap();
    let all = chain.receipt_outcomes(&outcome);
    assert!(
        all.iter()
            .all(|o| !matches!(o.outcome.status, ExecutionStatus::Failure(_))),
        "{all:?}"
    );
    assert_eq!(stored(&chain, b"k"), Some(b"meta".to_vec()));
    let inner = all
        .iter()
        .find(|o| o.outcome.executor_id == id("contract.near"))
        .unwrap();
    let inner_receipt = &chain.receipts[&inner.id];
    assert_eq!(
        inner_receipt.predecessor_id(),
        &id("bob.near"),
        "the predecessor is the sender"
    );
    assert_eq!(
        chain.balance("bob.near"),
        bob_before,
        "the sender pays nothing"
    );
    let bob_nonce = chain
        .store
        .access_key(&id("bob.near"), &bob_key.public_key(), chain.height)
        .unwrap()
        .nonce;
    assert_eq!(bob_nonce, 1, "the delegate nonce is consumed");
}

#[test]
fn yielded_promise_resumes_with_the_submitted_data() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("yield", b"", tgas(50), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(vec![])
    );
    assert_eq!(stored(&chain, b"cb"), None, "the yield waits");
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("resume", b"", tgas(50), 0)],
    );
    chain.execute(tx).unwrap();
    for _ in 0..3 {
        chain.produce(&[]);
    }
    assert_eq!(
        stored(&chain, b"cb"),
        Some(vec![1]),
        "resumed with PromiseResult::Successful"
    );
}

#[test]
fn yielded_promise_times_out_with_a_failed_result() {
    let mut chain = TestChain::new();
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("yield", b"", tgas(50), 0)],
    );
    chain.execute(tx).unwrap();
    let timeout = chain
        .runtime
        .config()
        .wasm_config
        .limit_config
        .yield_timeout_length_in_blocks;
    for _ in 0..timeout - 5 {
        chain.produce(&[]);
    }
    assert_eq!(stored(&chain, b"cb"), None);
    for _ in 0..10 {
        chain.produce(&[]);
    }
    assert_eq!(
        stored(&chain, b"cb"),
        Some(vec![2]),
        "timed out: PromiseResult::Failed"
    );
}

#[test]
fn function_call_refunds_everything_but_the_gas_burnt_at_the_block_price() {
    let mut chain = TestChain::new();
    let before = chain.balance("alice.near");
    let contract_before = chain.balance("contract.near");
    let tx = chain.tx(
        "alice.near",
        "contract.near",
        vec![call("write", b"value", tgas(100), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    let receipts = chain.receipt_outcomes(&outcome);
    // Every outcome but the refunds' (predecessor `system`, free) is paid at the block price.
    let paid: Gas = std::iter::once(&outcome)
        .chain(
            receipts
                .iter()
                .copied()
                .filter(|o| o.outcome.executor_id != id("alice.near")),
        )
        .map(|o| o.outcome.gas_burnt)
        .fold(Gas::ZERO, |a, b| a.checked_add(b).unwrap());
    let tokens: Balance = std::iter::once(&outcome)
        .chain(receipts.iter().copied())
        .map(|o| o.outcome.tokens_burnt)
        .fold(Balance::ZERO, |a, b| a.checked_add(b).unwrap());
    assert_eq!(
        tokens,
        gas_cost(GAS_PRICE, paid),
        "tokens burnt = gas burnt · block price"
    );
    assert_eq!(
        before.checked_sub(chain.balance("alice.near")).unwrap(),
        gas_cost(GAS_PRICE, paid),
        "the signer's net change is exactly the burnt gas"
    );
    assert_eq!(
        chain.balance("contract.near"),
        contract_before,
        "no contract reward from PV 87"
    );
}

#[test]
fn every_supported_protocol_version_runs_calls_and_callbacks() {
    for pv in crate::runtime::SUPPORTED_PROTOCOL_VERSIONS {
        let mut chain = TestChain::at_protocol_version(pv);
        let deploy = Action::DeployContract(DeployContractAction {
            code: basic_test_contract(),
        });
        let tx = chain.tx("contract.near", "contract.near", vec![deploy]);
        chain.execute(tx).unwrap();
        let before = chain.balance("contract.near");
        let tx = chain.tx(
            "alice.near",
            "contract.near",
            vec![call("call_ok", b"", tgas(100), 0)],
        );
        let outcome = chain.execute(tx).unwrap();
        assert_eq!(
            chain.final_status(&outcome),
            ExecutionStatus::SuccessValue(vec![1]),
            "PV {pv}"
        );
        let rewarded = chain.balance("contract.near") > before;
        let reward_ratio = chain.runtime.config().fees.burnt_gas_reward;
        assert_eq!(
            rewarded,
            *reward_ratio.numer() > 0,
            "PV {pv}: contract reward only below PV 87"
        );
    }
    assert!(
        crate::runtime::Runtime::new(
            83,
            "test-chain-xyz".into(),
            (id("test.near"), Balance::ZERO)
        )
        .is_err()
    );
}

#[test]
fn yield_with_a_user_id_resumes_by_that_id_and_frees_it() {
    let mut chain = TestChain::new();
    for round in 0..2 {
        let tx = chain.tx(
            "alice.near",
            "contract.near",
            vec![call("yield_id", b"", tgas(50), 0)],
        );
        chain.execute(tx).unwrap();
        let tx = chain.tx(
            "alice.near",
            "contract.near",
            vec![call("resume_id", b"", tgas(50), 0)],
        );
        chain.execute(tx).unwrap();
        for _ in 0..3 {
            chain.produce(&[]);
        }
        assert_eq!(
            stored(&chain, b"cb"),
            Some(vec![1]),
            "round {round}: resumed by id"
        );
        let key = near_primitives::trie_key::TrieKey::YieldIdToDataId {
            receiver_id: id("contract.near"),
            yield_id: near_primitives::hash::YieldId(near_primitives::hash::CryptoHash([b'Y'; 32])),
        };
        assert_eq!(
            chain.store.get_raw(&key.to_vec(), chain.height),
            None,
            "the id is free again"
        );
    }
}
