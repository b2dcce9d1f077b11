//! Execute: an agent's call goes out from the vault within its grant; budget and rate are
//! reserved before the call and settled in a private callback.
use super::*;
use crate::assert_fails;
use crate::audit::Outcome;
use near_sdk::mock::MockAction;

fn bench_with_bot_grant() -> (Bench, u64) {
    let mut b = Bench::new();
    let id = b.grant(spec(account_agent(BOT)));
    (b, id)
}

#[test]
fn agent_call_goes_out_from_the_vault_and_settles_in_a_callback() {
    let (mut b, id) = bench_with_bot_grant();
    let ids = b
        .as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    assert_eq!(ids, vec![U64(0)]);

    let r = receipts();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].receiver_id, acc(APP));
    match &r[0].actions[0] {
        MockAction::FunctionCallWeight {
            method_name,
            args,
            attached_deposit,
            prepaid_gas,
            ..
        } => {
            assert_eq!(method_name, b"publish");
            assert_eq!(args, br#"{"model_id":"acme/llm"}"#);
            assert_eq!(attached_deposit.as_yoctonear(), near(1));
            assert_eq!(*prepaid_gas, Gas::from_tgas(30));
        }
        other => panic!("unexpected action {other:?}"),
    }
    assert_eq!(r[1].receiver_id, acc(VAULT));
    assert_eq!(r[1].receipt_indices, vec![0]);
    match &r[1].actions[0] {
        MockAction::FunctionCallWeight {
            method_name, args, ..
        } => {
            assert_eq!(method_name, b"on_settle");
            assert_eq!(args, br#"{"action_id":"0"}"#);
        }
        other => panic!("unexpected action {other:?}"),
    }
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"call_started","data":{"action_id":"0","grant_id":"0","receiver_id":"app.near","method_name":"publish","deposit":"1000000000000000000000000"}}"#
        ]
    );

    // In flight: reserved, not spent.
    let u = b.usage(id);
    assert_eq!(
        (u.reserved.0, u.spent.0, u.in_flight, u.calls.0),
        (near(1), 0, 1, 1)
    );
    assert_eq!(u.last_used_ns.0, NOW);
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().outcome,
        Outcome::Pending
    );

    b.settle(0, true);
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"call_settled","data":{"action_id":"0","grant_id":"0","outcome":"succeeded","deposit":"1000000000000000000000000"}}"#
        ]
    );
    let u = b.usage(id);
    assert_eq!(
        (u.reserved.0, u.spent.0, u.in_flight, u.succeeded.0),
        (0, near(1), 0, 1)
    );
    let action = b.vault.get_action(U64(0)).unwrap();
    assert_eq!(action.outcome, Outcome::Succeeded);
    assert_eq!(action.receiver_id, acc(APP));
    assert_eq!(action.method_name, "publish");
    assert_eq!(action.deposit.0, near(1));
    assert_eq!(action.agent, account_agent(BOT));
}

#[test]
fn failed_call_releases_the_reservation_and_is_logged_as_failed() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    b.settle(0, false);
    let u = b.usage(id);
    assert_eq!(
        (u.reserved.0, u.spent.0, u.in_flight, u.failed.0),
        (0, 0, 0, 1)
    );
    assert_eq!(b.vault.get_action(U64(0)).unwrap().outcome, Outcome::Failed);
    // The whole budget is available again.
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1)); 4])
        .unwrap();
}

#[test]
fn settling_twice_changes_nothing() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    b.settle(0, true);
    let before = b.snapshot();
    let outcome = b.on_settle(PromiseResult::Failed, 0).unwrap();
    assert_eq!(outcome, Outcome::Succeeded);
    assert_eq!(b.snapshot(), before);
}

#[test]
fn settle_callback_called_by_an_outsider_is_rejected() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    assert_fails!(
        b,
        {
            b.as_agent(EVE);
            b.stored(|| AgentVault::on_settle(U64(0)))
        },
        "'on_settle' is a callback and may only be called by the vault itself, not 'eve.near'"
    );
    assert_fails!(
        b,
        {
            b.as_agent(BOT);
            b.stored(|| AgentVault::on_settle(U64(0)))
        },
        "'on_settle' is a callback and may only be called by the vault itself, not 'bot.near'"
    );
    // The vault itself, but not as a callback (no promise result).
    assert_fails!(
        b,
        {
            b.as_account(VAULT, 0);
            b.stored(|| AgentVault::on_settle(U64(0)))
        },
        "'on_settle' must be called as a callback of exactly one promise, got 0 results"
    );
}

#[test]
fn unknown_agent_cannot_execute() {
    let (mut b, id) = bench_with_bot_grant();
    assert_fails!(
        b,
        b.as_agent(EVE).execute(U64(id), vec![publish(0)]),
        "caller 'eve.near' is not the agent of grant 0"
    );
    assert_fails!(
        b,
        b.as_agent(EVE).execute(U64(42), vec![publish(0)]),
        "grant 42 not found"
    );
    // A key the vault never added.
    assert_fails!(
        b,
        b.as_key(key(9)).execute(U64(id), vec![publish(0)]),
        format!(
            "caller '{}' is not the agent of grant 0",
            String::from(&key(9))
        )
    );
}

#[test]
fn expired_and_not_yet_valid_grants_cannot_execute() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.not_before_ns = Some(U64(NOW + 10 * SEC));
    s.expires_at_ns = Some(U64(NOW + 20 * SEC));
    let id = b.grant(s);
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "grant 0 is not valid before 1700000010000000000 (now 1700000000000000000)"
    );
    b.now = NOW + 20 * SEC;
    b.as_agent(BOT);
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "grant 0 expired at 1700000020000000000 (now 1700000020000000000)"
    );
    b.now = NOW + 19 * SEC;
    b.as_agent(BOT).execute(U64(id), vec![publish(0)]).unwrap();
}

#[test]
fn revoked_grant_cannot_execute() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_owner().revoke(U64(id)).unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "grant 0 is revoked"
    );
    b.as_owner().revoke_all().unwrap();
    let id = b.grant(spec(account_agent(BOT)));
    b.as_owner().revoke_all().unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "grant 1 was revoked by revoke_all"
    );
}

#[test]
fn paused_vault_refuses_execute_until_unpaused() {
    let (mut b, id) = bench_with_bot_grant();
    assert!(b.as_owner().pause().unwrap());
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"vault_paused","data":{"paused":true}}"#
        ]
    );
    assert!(!b.as_owner().pause().unwrap());
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "vault is paused"
    );
    assert_fails!(
        b,
        b.as_account(BOT, 1).unpause(),
        "only the owner 'alice.near' may call 'unpause', not 'bot.near'"
    );
    assert!(b.as_owner().unpause().unwrap());
    b.as_agent(BOT).execute(U64(id), vec![publish(0)]).unwrap();
}

#[test]
fn in_flight_calls_still_settle_while_paused() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    b.as_owner().pause().unwrap();
    b.settle(0, true);
    assert_eq!(b.usage(id).spent.0, near(1));
}

#[test]
fn wrong_receiver_method_or_deposit_is_refused() {
    let (mut b, id) = bench_with_bot_grant();
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(OTHER_APP, "publish", json!({}), 0)]),
        "call 0: receiver 'other.near' is not a target of grant 0"
    );
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(APP, "delete_all", json!({}), 0)]),
        "call 0: method 'delete_all' is not allowed on 'app.near' by grant 0"
    );
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(0), publish(near(1) + 1)]),
        "call 1: deposit 1000000000000000000000001 is above the per-call cap 1000000000000000000000000 of grant 0"
    );
}

#[test]
fn any_method_wildcard_allows_every_method_of_that_receiver_only() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets = vec![target(APP, &["*"], 0)];
    let id = b.grant(s);
    b.as_agent(BOT)
        .execute(U64(id), vec![call(APP, "anything", json!({}), 0)])
        .unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(OTHER_APP, "anything", json!({}), 0)]),
        "call 0: receiver 'other.near' is not a target of grant 0"
    );
}

#[test]
fn total_budget_cannot_be_exceeded() {
    let (mut b, id) = bench_with_bot_grant();
    for i in 0..9 {
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(near(1))])
            .unwrap();
        b.settle(i, true);
    }
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(near(1)), publish(1)]),
        "total budget of grant 0 exhausted: spent 9000000000000000000000000, in flight 0, requested 1000000000000000000000001, budget 10000000000000000000000000"
    );
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
}

#[test]
fn concurrent_executes_cannot_overshoot_the_budget_before_settlement() {
    let (mut b, id) = bench_with_bot_grant();
    // Ten executes in the same block, none settled yet.
    for _ in 0..10 {
        b.as_agent(BOT)
            .execute(U64(id), vec![publish(near(1))])
            .unwrap();
    }
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(1)]),
        "total budget of grant 0 exhausted: spent 0, in flight 10000000000000000000000000, requested 1, budget 10000000000000000000000000"
    );
    // One of them fails: its reservation is released, one more call fits.
    b.settle(3, false);
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    let u = b.usage(id);
    assert_eq!((u.reserved.0, u.in_flight), (near(10), 10));
}

#[test]
fn period_budget_refills_each_period() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.period = period(3600, Some(near(2)), None);
    let id = b.grant(s);
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1)), publish(near(1))])
        .unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(1)]),
        "period budget of grant 0 exhausted: used 2000000000000000000000000 (incl. in flight), requested 1, budget 2000000000000000000000000"
    );
    b.settle(0, true);
    b.settle(1, true);
    b.now = NOW + 3600 * SEC;
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(2) - near(1))])
        .unwrap();
    let u = b.usage(id);
    assert_eq!(u.window_start_ns.0, NOW + 3600 * SEC);
    assert_eq!(u.window_spent.0, near(1));
}

#[test]
fn call_rate_is_limited_per_period_including_in_flight_calls() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.period = period(60, None, Some(3));
    let id = b.grant(s);
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(0), publish(0)])
        .unwrap();
    b.as_agent(BOT).execute(U64(id), vec![publish(0)]).unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "call rate of grant 0 exhausted: 3 calls this period (incl. in flight), requested 1, max 3"
    );
    // A failed call still counts as an attempt.
    b.settle(0, false);
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "call rate of grant 0 exhausted: 3 calls this period (incl. in flight), requested 1, max 3"
    );
    b.now = NOW + 61 * SEC;
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(0), publish(0), publish(0)])
        .unwrap();
}

#[test]
fn argument_rules_restrict_field_values() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets[0].arg_rules = vec![
        rule("model_id", vec![json!("acme/llm"), json!("acme/tiny")]),
        rule("meta.license", vec![json!("mit")]),
    ];
    let id = b.grant(s);
    let ok = json!({"model_id": "acme/tiny", "meta": {"license": "mit"}, "extra": 1});
    b.as_agent(BOT)
        .execute(U64(id), vec![call(APP, "publish", ok, 0)])
        .unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(
            U64(id),
            vec![call(
                APP,
                "publish",
                json!({"model_id": "evil/llm", "meta": {"license": "mit"}}),
                0
            )]
        ),
        "call 0: argument 'model_id' = \"evil/llm\" is not allowed by grant 0"
    );
    assert_fails!(
        b,
        b.as_agent(BOT).execute(
            U64(id),
            vec![call(APP, "publish", json!({"model_id": "acme/llm"}), 0)]
        ),
        "call 0: argument 'meta.license' is required by grant 0 but missing"
    );
    assert_fails!(
        b,
        b.as_agent(BOT).execute(
            U64(id),
            vec![call(
                APP,
                "publish",
                json!({"model_id": "acme/llm", "meta": {"license": 1}}),
                0
            )]
        ),
        "call 0: argument 'meta.license' = 1 is not allowed by grant 0"
    );
}

#[test]
fn malformed_calls_are_refused() {
    let (mut b, id) = bench_with_bot_grant();
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![]),
        "calls must list between 1 and 4 calls, got 0"
    );
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0); 5]),
        "calls must list between 1 and 4 calls, got 5"
    );
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(APP, "publish", json!([1, 2]), 0)]),
        "call 0: args must be a json object, got an array"
    );
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(APP, "publish", json!("{oops"), 0)]),
        "call 0: args must be a json object, got a string"
    );
    assert_fails!(
        b,
        b.as_agent(BOT).execute(
            U64(id),
            vec![call(APP, "publish", json!({"blob": "x".repeat(17_000)}), 0)]
        ),
        "call 0: args are 17011 bytes, at most 16384"
    );
    assert_fails!(
        b,
        b.as_agent(BOT)
            .execute(U64(id), vec![call(APP, "", json!({}), 0)]),
        "call 0: invalid method name ''"
    );
    let mut low = publish(0);
    low.gas = U64(1);
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![low]),
        "call 0: gas 1 must be between 1000000000000 and 250000000000000"
    );
    let mut high = publish(0);
    high.gas = U64(Gas::from_tgas(250).as_gas());
    let before = b.snapshot();
    let err = b
        .as_agent(BOT)
        .execute(U64(id), vec![high.clone(), high])
        .unwrap_err()
        .to_string();
    // 10 TGas for execute + 2 x (250 TGas call + 10 TGas settle).
    assert!(err.starts_with("not enough gas: "), "{err}");
    assert!(
        err.ends_with(" available, at least 530000000000000 needed"),
        "{err}"
    );
    assert_eq!(b.snapshot(), before);
}

#[test]
fn calls_cannot_spend_the_balance_that_pays_for_storage() {
    let (mut b, id) = bench_with_bot_grant();
    let storage = env::storage_byte_cost().as_yoctonear() * u128::from(env::storage_usage());
    b.balance = storage + near(1) / 2;
    let before = b.snapshot();
    let err = b
        .as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("vault balance too low: 1000000000000000000000000 needed, "),
        "{err}"
    );
    assert_eq!(b.snapshot(), before);
}

#[test]
fn audit_log_is_paginated_and_records_every_outcome() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(1), publish(2), publish(3)])
        .unwrap();
    b.settle(0, true);
    b.settle(2, false);
    assert_eq!(b.vault.actions_count(), U64(3));
    let page = b.vault.list_actions(Some(U64(1)), Some(5));
    let outcomes: Vec<(u64, Outcome)> = page.iter().map(|a| (a.action_id.0, a.outcome)).collect();
    assert_eq!(outcomes, vec![(1, Outcome::Pending), (2, Outcome::Failed)]);
    assert!(b.vault.list_actions(Some(U64(9)), None).is_empty());
    let u = b.usage(id);
    assert_eq!(
        (u.calls.0, u.succeeded.0, u.failed.0, u.in_flight),
        (3, 1, 1, 1)
    );
    assert_eq!(u.spent.0, 1);
    assert_eq!(u.reserved.0, 2);
}

#[test]
fn agents_cannot_call_the_vault_through_execute() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets = vec![target(VAULT, &["*"], 0)];
    assert_fails!(
        b,
        b.as_owner().create_grant(s),
        "target receiver 'vault.alice.near' is the vault itself; agents may not call the vault"
    );
}

#[test]
fn failure_settled_after_the_window_rolled_does_not_refill_the_new_window() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.period = period(60, Some(near(2)), None);
    let id = b.grant(s);
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    b.now = NOW + 60 * SEC;
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1)), publish(near(1))])
        .unwrap();
    // The first call (reserved in the old window) fails now.
    b.settle(0, false);
    let u = b.usage(id);
    assert_eq!((u.window_spent.0, u.reserved.0), (near(2), near(2)));
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(1)]),
        "period budget of grant 0 exhausted: used 2000000000000000000000000 (incl. in flight), requested 1, budget 2000000000000000000000000"
    );
}

#[test]
fn argument_rules_compare_json_values_whatever_the_key_order() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets[0].arg_rules = vec![rule(
        "meta",
        vec![json!({"a": 1, "b": [1, {"d": 2, "c": 3}]})],
    )];
    let id = b.grant(s);
    let args: Value =
        serde_json::from_str(r#"{"meta": {"b": [1, {"c": 3, "d": 2}], "a": 1}}"#).unwrap();
    b.as_agent(BOT)
        .execute(U64(id), vec![call(APP, "publish", args, 0)])
        .unwrap();
}

#[test]
fn an_audit_entry_and_its_ledger_update_cost_a_bounded_number_of_bytes() {
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT);
    // The root state is stored, as on chain (settling reads the stored state).
    b.stored(|| ());
    let before = env::storage_usage();
    b.vault.execute(U64(id), vec![publish(near(1))]).unwrap();
    b.vault.flush();
    let per_call = env::storage_usage() - before;
    println!("storage per execute (one call, one grant): {per_call} bytes");
    assert!(per_call <= 200, "{per_call}");
    // Settling writes fixed-size records only.
    b.settle(0, true);
    b.vault.flush();
    assert_eq!(env::storage_usage() - before, per_call);
}

#[test]
fn settlement_opens_the_audit_log_by_prefix_and_sees_the_entries_execute_appended() {
    // `on_settle` reads the log through a map over the Vector's storage keys (no root state):
    // the two must name the same entries, or settlement would silently find nothing.
    let (mut b, id) = bench_with_bot_grant();
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1)), publish(near(1))])
        .unwrap();
    b.vault.flush();
    let by_prefix: near_sdk::store::LookupMap<u32, crate::audit::ActionRecord> =
        near_sdk::store::LookupMap::new(crate::storage_keys::StorageKey::Actions);
    for index in 0..2u32 {
        assert_eq!(by_prefix.get(&index), b.vault.actions.get(index));
    }
    assert_eq!(by_prefix.get(&2), None);
    b.settle(1, false);
    assert_eq!(b.vault.get_action(U64(1)).unwrap().outcome, Outcome::Failed);
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().outcome,
        Outcome::Pending
    );
}
