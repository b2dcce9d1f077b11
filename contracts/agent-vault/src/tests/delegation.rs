//! Sub-delegation: narrower only, at most 3 levels, spending counted on every ancestor,
//! revoking cascades.
use super::*;
use crate::assert_fails;
use crate::policy::InactiveReason;

/// BOT holds grant 0 (app.near publish|update, 1 NEAR cap, 10 NEAR total, 5 calls/min,
/// model_id in {acme/llm, acme/tiny}, expires in an hour).
fn bench() -> Bench {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets = vec![target(APP, &["publish", "update"], near(1))];
    s.targets[0].arg_rules = vec![rule(
        "model_id",
        vec![json!("acme/llm"), json!("acme/tiny")],
    )];
    s.period = period(60, Some(near(5)), Some(5));
    s.expires_at_ns = Some(U64(NOW + 3600 * SEC));
    b.grant(s);
    b
}

/// A sub-grant for HELPER no wider than grant 0.
fn narrow(agent: AgentId) -> GrantSpec {
    let mut s = spec(agent);
    s.targets = vec![target(APP, &["publish"], near(1) / 2)];
    s.targets[0].arg_rules = vec![rule("model_id", vec![json!("acme/tiny")])];
    s.total_budget = Some(U128(near(2)));
    s.period = period(120, Some(near(1)), Some(2));
    s.expires_at_ns = Some(U64(NOW + 1800 * SEC));
    s.purpose = "publish tiny models".to_owned();
    s
}

fn tiny(deposit: u128) -> CallRequest {
    call(APP, "publish", json!({"model_id": "acme/tiny"}), deposit)
}

#[test]
fn agent_delegates_a_narrower_grant_and_the_delegate_can_use_it() {
    let mut b = bench();
    let child = b
        .as_agent(BOT)
        .delegate(U64(0), narrow(account_agent(HELPER)))
        .unwrap();
    assert_eq!(child, U64(1));
    let bytes = b.vault.load_grant(1).unwrap().storage_bytes.0;
    assert_eq!(
        logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-agent-vault","version":"1.0.0","event":"grant_created","data":{{"grant_id":"1","agent":{{"account":"helper.near"}},"parent_id":"0","delegated_by":{{"account":"bot.near"}},"storage_bytes":"{bytes}"}}}}"#
        )]
    );
    let g = b.vault.load_grant(1).unwrap();
    assert_eq!((g.depth, g.parent_id), (1, Some(U64(0))));
    assert_eq!(b.vault.load_grant(0).unwrap().children, vec![U64(1)]);
    b.as_agent(HELPER)
        .execute(child, vec![tiny(near(1) / 2)])
        .unwrap();
}

#[test]
fn spending_of_a_sub_grant_counts_against_every_ancestor() {
    let mut b = bench();
    b.as_agent(BOT)
        .delegate(U64(0), narrow(account_agent(HELPER)))
        .unwrap();
    let mut grand = narrow(account_agent(EVE));
    grand.total_budget = Some(U128(near(1)));
    b.as_agent(HELPER).delegate(U64(1), grand).unwrap();
    b.as_agent(EVE)
        .execute(U64(2), vec![tiny(near(1) / 4)])
        .unwrap();
    for id in [0, 1, 2] {
        let u = b.usage(id);
        assert_eq!(
            (u.reserved.0, u.window_calls, u.in_flight),
            (near(1) / 4, 1, 1),
            "grant {id}"
        );
    }
    b.settle(0, true);
    for id in [0, 1, 2] {
        assert_eq!(b.usage(id).spent.0, near(1) / 4, "grant {id}");
    }
    // The parent's rate is shared: BOT used 4 of 5, so EVE's own limit (2) is not the binding one.
    b.as_agent(BOT)
        .execute(U64(0), vec![tiny(0), tiny(0), tiny(0), tiny(0)])
        .unwrap();
    assert_fails!(
        b,
        b.as_agent(EVE).execute(U64(2), vec![tiny(0)]),
        "call rate of grant 0 exhausted: 5 calls this period (incl. in flight), requested 1, max 5"
    );
}

#[test]
fn sub_delegation_that_widens_anything_is_refused() {
    let mut b = bench();
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|s| s.targets = vec![target(OTHER_APP, &["publish"], 0)]),
            "sub-grant widens grant 0: receiver 'other.near' is not a target of the parent",
        ),
        (
            Box::new(|s| s.targets[0].methods = vec!["*".to_owned()]),
            "sub-grant widens grant 0: target 'app.near' allows any method, the parent only listed ones",
        ),
        (
            Box::new(|s| s.targets[0].methods = vec!["publish".to_owned(), "delete".to_owned()]),
            "sub-grant widens grant 0: target 'app.near' allows method 'delete', the parent does not",
        ),
        (
            Box::new(|s| s.targets[0].max_deposit = U128(near(2))),
            "sub-grant widens grant 0: target 'app.near' max_deposit 2000000000000000000000000 is above the parent's 1000000000000000000000000",
        ),
        (
            Box::new(|s| s.targets[0].arg_rules.clear()),
            "sub-grant widens grant 0: target 'app.near' drops the parent's argument rule 'model_id'",
        ),
        (
            Box::new(|s| s.targets[0].arg_rules = vec![rule("model_id", vec![json!("evil/llm")])]),
            "sub-grant widens grant 0: target 'app.near' argument 'model_id' allows \"evil/llm\", the parent does not",
        ),
        (
            Box::new(|s| s.total_budget = Some(U128(near(11)))),
            "sub-grant widens grant 0: total_budget 11000000000000000000000000 is above the parent's 10000000000000000000000000",
        ),
        (
            Box::new(|s| s.total_budget = None),
            "sub-grant widens grant 0: total_budget is unlimited, the parent's is 10000000000000000000000000",
        ),
        (
            Box::new(|s| s.period = None),
            "sub-grant widens grant 0: period limits are missing, the parent has them",
        ),
        (
            Box::new(|s| s.period = period(60, Some(near(6)), Some(1))),
            "sub-grant widens grant 0: period budget 6000000000000000000000000 is above the parent's 5000000000000000000000000",
        ),
        (
            Box::new(|s| s.period = period(60, Some(1), None)),
            "sub-grant widens grant 0: period max_calls unlimited is above the parent's 5",
        ),
        (
            Box::new(|s| s.period = period(60, Some(1), Some(6))),
            "sub-grant widens grant 0: period max_calls 6 is above the parent's 5",
        ),
        (
            Box::new(|s| s.expires_at_ns = Some(U64(NOW + 7200 * SEC))),
            "sub-grant widens grant 0: expires_at_ns is later than the parent's 1700003600000000000",
        ),
        (
            Box::new(|s| s.expires_at_ns = None),
            "sub-grant widens grant 0: expires_at_ns is later than the parent's 1700003600000000000",
        ),
    ];
    for (mutate, msg) in cases {
        let mut s = narrow(account_agent(HELPER));
        mutate(&mut s);
        assert_fails!(b, b.as_agent(BOT).delegate(U64(0), s), msg);
    }
}

#[test]
fn a_shorter_rate_period_widens_the_rate() {
    let mut b = bench();
    b.as_agent(BOT)
        .delegate(U64(0), narrow(account_agent(HELPER)))
        .unwrap();
    let mut s = narrow(account_agent(EVE));
    s.period = period(60, Some(1), Some(1));
    assert_fails!(
        b,
        b.as_agent(HELPER).delegate(U64(1), s),
        "sub-grant widens grant 1: period_secs 60 is shorter than the parent's 120"
    );
}

#[test]
fn model_binding_of_the_parent_must_be_kept() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.model = Some(super::grants::model_binding("acme/llm", "1.0.0"));
    s.require_active_model = true;
    b.grant(s);
    let mut child = spec(account_agent(HELPER));
    child.total_budget = Some(U128(1));
    assert_fails!(
        b,
        b.as_agent(BOT).delegate(U64(0), child.clone()),
        "sub-grant widens grant 0: model binding differs from the parent's"
    );
    child.model = Some(super::grants::model_binding("acme/llm", "1.0.0"));
    assert_fails!(
        b,
        b.as_agent(BOT).delegate(U64(0), child.clone()),
        "sub-grant widens grant 0: require_active_model is off, the parent requires it"
    );
    child.require_active_model = true;
    b.as_agent(BOT).delegate(U64(0), child).unwrap();
}

#[test]
fn delegation_is_limited_to_three_levels() {
    let mut b = bench();
    let agents = [HELPER, EVE, "dave.near", "erin.near"];
    let mut parent = 0;
    let mut delegator = BOT;
    for (level, agent) in agents.iter().enumerate() {
        let result = b
            .as_agent(delegator)
            .delegate(U64(parent), narrow(account_agent(agent)));
        if level < 3 {
            parent = result.unwrap().0;
            delegator = agent;
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                "grant 3 is at delegation depth 3; at most 3 levels"
            );
        }
    }
}

#[test]
fn a_grant_has_at_most_four_sub_grants() {
    let mut b = bench();
    for i in 0..4 {
        b.as_agent(BOT)
            .delegate(U64(0), narrow(account_agent(&format!("h{i}.near"))))
            .unwrap();
    }
    assert_fails!(
        b,
        b.as_agent(BOT)
            .delegate(U64(0), narrow(account_agent("h9.near"))),
        "grant 0 already has 4 sub-grants"
    );
}

#[test]
fn only_the_grant_agent_delegates_and_not_to_itself() {
    let mut b = bench();
    assert_fails!(
        b,
        b.as_agent(EVE)
            .delegate(U64(0), narrow(account_agent(HELPER))),
        "caller 'eve.near' is not the agent of grant 0"
    );
    assert_fails!(
        b,
        b.as_agent(BOT).delegate(U64(0), narrow(account_agent(BOT))),
        "an agent cannot delegate to itself ('bot.near')"
    );
    b.as_owner().revoke(U64(0)).unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT)
            .delegate(U64(0), narrow(account_agent(HELPER))),
        "grant 0 is revoked"
    );
}

#[test]
fn revoking_a_grant_revokes_its_whole_subtree() {
    let mut b = bench();
    b.as_agent(BOT)
        .delegate(U64(0), narrow(account_agent(HELPER)))
        .unwrap();
    b.as_agent(HELPER)
        .delegate(U64(1), narrow(account_agent(EVE)))
        .unwrap();
    b.as_owner().revoke(U64(0)).unwrap();
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"grant_revoked","data":{"grant_ids":["0","1","2"],"revoked_by":{"account":"alice.near"}}}"#
        ]
    );
    for id in [0, 1, 2] {
        assert_eq!(
            b.vault.grant_status(U64(id)).unwrap().reason,
            Some(InactiveReason::Revoked)
        );
    }
    assert_fails!(
        b,
        b.as_agent(EVE).execute(U64(2), vec![tiny(0)]),
        "grant 2 is revoked"
    );
}

#[test]
fn an_ancestor_agent_may_revoke_a_sub_grant_others_may_not() {
    let mut b = bench();
    b.as_agent(BOT)
        .delegate(U64(0), narrow(account_agent(HELPER)))
        .unwrap();
    b.as_agent(HELPER)
        .delegate(U64(1), narrow(account_agent(EVE)))
        .unwrap();
    assert_fails!(
        b,
        b.as_agent(EVE).revoke_delegated(U64(2)),
        "caller 'eve.near' is not the agent of an ancestor of grant 2"
    );
    assert_fails!(
        b,
        b.as_agent(HELPER).revoke_delegated(U64(0)),
        "caller 'helper.near' is not the agent of an ancestor of grant 0"
    );
    assert!(b.as_agent(BOT).revoke_delegated(U64(2)).unwrap());
    assert!(!b.as_agent(HELPER).revoke_delegated(U64(2)).unwrap());
    assert!(b.vault.grant_status(U64(1)).unwrap().active);
}

#[test]
fn sub_grant_is_inactive_when_an_ancestor_expires() {
    let mut b = bench();
    let mut s = narrow(account_agent(HELPER));
    s.expires_at_ns = Some(U64(NOW + 3600 * SEC));
    b.as_agent(BOT).delegate(U64(0), s).unwrap();
    b.now = NOW + 3600 * SEC;
    b.as_agent(HELPER);
    let status = b.vault.grant_status(U64(1)).unwrap();
    assert_eq!(status.reason, Some(InactiveReason::Expired));
}

#[test]
fn delegation_is_refused_while_paused() {
    let mut b = bench();
    b.as_owner().pause().unwrap();
    assert_fails!(
        b,
        b.as_agent(BOT)
            .delegate(U64(0), narrow(account_agent(HELPER))),
        "vault is paused"
    );
}

#[test]
fn a_sub_grant_cannot_start_earlier_than_its_parent() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.not_before_ns = Some(U64(NOW - SEC));
    b.grant(s);
    let mut child = spec(account_agent(HELPER));
    child.not_before_ns = Some(U64(NOW - 2 * SEC));
    assert_fails!(
        b,
        b.as_agent(BOT).delegate(U64(0), child.clone()),
        "sub-grant widens grant 0: not_before_ns is earlier than the parent's 1699999999000000000"
    );
    child.not_before_ns = None;
    assert_fails!(
        b,
        b.as_agent(BOT).delegate(U64(0), child),
        "sub-grant widens grant 0: not_before_ns is earlier than the parent's 1699999999000000000"
    );
}
