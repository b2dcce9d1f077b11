//! Model binding: with `require_active_model`, calls wait for the registry's
//! `version_status` and are refused, releasing their reservations, once the version is revoked.
use super::*;
use crate::assert_fails;
use crate::audit::Outcome;
use crate::execute::PendingCall;
use near_sdk::mock::MockAction;

fn bench() -> (Bench, u64) {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.model = Some(super::grants::model_binding("acme/llm", "1.2.0"));
    s.require_active_model = true;
    let id = b.grant(s);
    (b, id)
}

fn pending(b: &Bench, action_id: u64) -> PendingCall {
    let a = b.vault.get_action(U64(action_id)).unwrap();
    PendingCall {
        action_id: U64(action_id),
        receiver_id: a.receiver_id,
        method_name: a.method_name,
        args: r#"{"model_id":"acme/llm"}"#.to_owned(),
        deposit: a.deposit,
        gas: U64(Gas::from_tgas(30).as_gas()),
    }
}

fn status(s: &str) -> PromiseResult {
    PromiseResult::Successful(format!("\"{s}\"").into_bytes())
}

#[test]
fn execute_asks_the_registry_first_and_reserves_before_the_answer() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc(REGISTRY));
    match &r[0].actions[0] {
        MockAction::FunctionCallWeight {
            method_name, args, ..
        } => {
            assert_eq!(method_name, b"version_status");
            assert_eq!(args, br#"{"model_id":"acme/llm","version":"1.2.0"}"#);
        }
        other => panic!("unexpected action {other:?}"),
    }
    match &r[1].actions[0] {
        MockAction::FunctionCallWeight { method_name, .. } => {
            assert_eq!(method_name, b"on_model_status")
        }
        other => panic!("unexpected action {other:?}"),
    }
    assert_eq!(b.usage(id).reserved.0, near(1));
    assert_eq!(b.vault.get_balance().unsent_deposits.0, near(1));
}

#[test]
fn active_or_deprecated_model_lets_the_call_through() {
    for s in ["active", "deprecated"] {
        let (mut b, id) = bench();
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(near(1))])
            .unwrap();
        let p = pending(&b, 0);
        assert!(b.as_callback(status(s)).on_model_status(vec![p]).unwrap());
        let r = receipts();
        assert_eq!(r[0].receiver_id, acc(APP));
        assert_eq!(b.vault.get_balance().unsent_deposits.0, 0);
        assert_eq!(
            b.vault.get_action(U64(0)).unwrap().outcome,
            Outcome::Pending
        );
        b.settle(0, true);
        assert_eq!(b.usage(id).spent.0, near(1));
    }
}

#[test]
fn tagged_status_objects_are_understood() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let p = pending(&b, 0);
    let revoked = PromiseResult::Successful(br#"{"revoked":{"reason":"leak"}}"#.to_vec());
    assert!(!b.as_callback(revoked).on_model_status(vec![p]).unwrap());
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().outcome,
        Outcome::RefusedModelRevoked
    );
    assert_eq!(b.usage(id).reserved.0, 0);
}

#[test]
fn revoked_model_refuses_the_call_and_releases_the_reservation() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let p = pending(&b, 0);
    assert!(
        !b.as_callback(status("revoked"))
            .on_model_status(vec![p])
            .unwrap()
    );
    assert!(receipts().is_empty(), "no call is made");
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"call_settled","data":{"action_id":"0","grant_id":"0","outcome":"refused_model_revoked","deposit":"1000000000000000000000000"}}"#
        ]
    );
    let u = b.usage(id);
    assert_eq!(
        (u.reserved.0, u.in_flight, u.window_calls, u.refused.0),
        (0, 0, 0, 1)
    );
    assert_eq!(b.vault.get_balance().unsent_deposits.0, 0);
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().outcome,
        Outcome::RefusedModelRevoked
    );
}

#[test]
fn registry_failure_or_unknown_answer_fails_closed() {
    for result in [
        PromiseResult::Failed,
        status("maybe"),
        PromiseResult::Successful(b"{}".to_vec()),
    ] {
        let (mut b, id) = bench();
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(near(1))])
            .unwrap();
        let p = pending(&b, 0);
        assert!(!b.as_callback(result).on_model_status(vec![p]).unwrap());
        assert!(receipts().is_empty());
        assert_eq!(
            b.vault.get_action(U64(0)).unwrap().outcome,
            Outcome::RefusedModelCheckFailed
        );
        assert_eq!(b.usage(id).reserved.0, 0);
    }
}

#[test]
fn reserved_deposits_waiting_for_the_model_check_cannot_be_withdrawn() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let available = b.vault.get_balance().available.0;
    let before = b.vault.get_balance();
    assert_eq!(
        before.balance.0 - before.storage_cost.0 - near(1),
        available
    );
}

#[test]
fn model_callback_called_by_an_outsider_is_rejected() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let p = pending(&b, 0);
    assert_fails!(
        b,
        b.as_agent(EVE).on_model_status(vec![p]),
        "'on_model_status' is a callback and may only be called by the vault itself, not 'eve.near'"
    );
}

#[test]
fn grant_without_binding_makes_a_single_hop() {
    let mut b = Bench::new();
    let id = b.grant(spec(account_agent(BOT)));
    b.as_agent(BOT).execute(U64(id), vec![publish(0)]).unwrap();
    let r = receipts();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].receiver_id, acc(APP));
    assert_eq!(r[1].receiver_id, acc(VAULT));
}

#[test]
fn grant_revoked_while_the_model_is_checked_refuses_the_call() {
    let (mut b, id) = bench();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let p = pending(&b, 0);
    b.as_owner().revoke(U64(id)).unwrap();
    assert!(
        !b.as_callback(status("active"))
            .on_model_status(vec![p])
            .unwrap()
    );
    assert!(receipts().is_empty(), "no call is made");
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().outcome,
        Outcome::RefusedGrantInactive
    );
    assert_eq!(b.usage(id).reserved.0, 0);
}
