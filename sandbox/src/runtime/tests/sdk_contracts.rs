//! Real near-sdk contracts (the project's `test-contracts`, built by `cargo near build` into
//! `target/near/` by `scripts/build.sh`). A missing wasm fails the test: it is never skipped.

use std::path::PathBuf;

use near_primitives::action::DeployContractAction;
use near_primitives::errors::{ActionError, ActionErrorKind, FunctionCallError, TxExecutionError};
use near_primitives::transaction::{Action, ExecutionStatus};
use near_primitives::types::Gas;

use super::harness::*;
use super::transactions::call;

fn built_wasm(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/near")
        .join(name.replace('_', "-"))
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the contracts first (scripts/build.sh)",
            path.display()
        )
    })
}

fn deploy(chain: &mut TestChain, account: &str, code: Vec<u8>, init: Option<&str>) {
    let mut actions = vec![Action::DeployContract(DeployContractAction { code })];
    if let Some(method) = init {
        actions.push(call(method, b"{}", Gas::from_teragas(30), 0));
    }
    let tx = chain.tx(account, account, actions);
    let outcome = chain.execute(tx).unwrap();
    assert!(
        matches!(
            chain.final_status(&outcome),
            ExecutionStatus::SuccessValue(_)
        ),
        "{:?}",
        chain.final_status(&outcome)
    );
}

#[test]
fn status_message_sets_views_and_rolls_back_a_panic() {
    let code = built_wasm("status_message");
    let mut chain = TestChain::new();
    deploy(&mut chain, "bob.near", code, Some("new"));

    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call(
            "set_status",
            br#"{"message":"hi"}"#,
            Gas::from_teragas(30),
            0,
        )],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(b"1".to_vec())
    );
    let receipt = chain.receipt_outcomes(&outcome)[0];
    assert_eq!(
        receipt.outcome.logs,
        vec![r#"alice.near set status to "hi""#.to_string()]
    );

    let view = chain
        .runtime
        .view_call(
            &chain.store,
            &chain.head(),
            &id("bob.near"),
            "get_status",
            br#"{"account_id":"alice.near"}"#,
        )
        .unwrap();
    assert_eq!(view.result, br#""hi""#);

    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call(
            "set_status_then_panic",
            br#"{"message":"x"}"#,
            Gas::from_teragas(30),
            0,
        )],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::Failure(TxExecutionError::ActionError(ActionError {
            index: Some(0),
            kind: ActionErrorKind::FunctionCallError(FunctionCallError::ExecutionError(
                r#"Smart contract panicked: refusing status "x""#.into()
            )),
        }))
    );
    let view = chain
        .runtime
        .view_call(
            &chain.store,
            &chain.head(),
            &id("bob.near"),
            "get_status",
            br#"{"account_id":"alice.near"}"#,
        )
        .unwrap();
    assert_eq!(
        view.result, br#""hi""#,
        "the panicking write was rolled back"
    );
}

#[test]
fn cross_caller_callbacks_see_success_and_failure_with_gas_weights() {
    let (caller, status) = (built_wasm("cross_caller"), built_wasm("status_message"));
    let mut chain = TestChain::new();
    deploy(&mut chain, "bob.near", caller, None);
    deploy(&mut chain, "contract.near", status, Some("new"));

    let args =
        br#"{"receiver":"contract.near","method":"set_status","args":"{\"message\":\"via\"}"}"#;
    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call("call_then", args, Gas::from_teragas(150), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(br#""ok:1""#.to_vec())
    );

    let args = br#"{"receiver":"contract.near","method":"set_status_then_panic","args":"{\"message\":\"no\"}"}"#;
    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call("call_then", args, Gas::from_teragas(150), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(br#""failed""#.to_vec())
    );

    let args =
        br#"{"first":"contract.near","second":"contract.near","method":"writes","args":"{}"}"#;
    let tx = chain.tx(
        "alice.near",
        "bob.near",
        vec![call("call_both", args, Gas::from_teragas(150), 0)],
    );
    let outcome = chain.execute(tx).unwrap();
    assert_eq!(
        chain.final_status(&outcome),
        ExecutionStatus::SuccessValue(b"[1,1]".to_vec())
    );
}
