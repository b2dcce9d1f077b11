//! Grants: created and revoked by the owner only, with 1 yoctoNEAR; every field validated.
use super::*;
use crate::assert_fails;
use crate::grants::KeyState;
use crate::policy::InactiveReason;

#[test]
fn owner_creates_grant_and_event_names_it() {
    let mut b = Bench::new();
    let id = b.as_owner().create_grant(spec(account_agent(BOT))).unwrap();
    assert_eq!(id, U64(0));
    let view = b.vault.get_grant(U64(0)).unwrap();
    assert!(view.status.active);
    assert_eq!(view.grant.agent, account_agent(BOT));
    assert_eq!(view.grant.depth, 0);
    assert_eq!(view.grant.key_state, KeyState::None);
    let bytes = view.grant.storage_bytes.0;
    assert!(bytes > 200, "storage per grant measured: {bytes}");
    assert_eq!(
        logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-agent-vault","version":"1.0.0","event":"grant_created","data":{{"grant_id":"0","agent":{{"account":"bot.near"}},"storage_bytes":"{bytes}"}}}}"#
        )]
    );
    assert_eq!(b.vault.grants_count(), U64(1));
}

#[test]
fn storage_of_a_grant_is_measured_and_paid_from_the_vault_balance() {
    let mut b = Bench::new();
    let before = env::storage_usage();
    let id = b.grant(spec(account_agent(BOT)));
    b.vault.flush();
    let after = env::storage_usage();
    assert_eq!(
        b.vault.load_grant(id).unwrap().storage_bytes.0,
        after - before
    );
}

#[test]
fn grant_fails_when_vault_balance_cannot_pay_storage() {
    let mut b = Bench::new();
    // Enough for the current storage only (300 KiB mock baseline).
    b.balance = env::storage_byte_cost().as_yoctonear() * u128::from(env::storage_usage());
    let err = b
        .as_owner()
        .create_grant(spec(account_agent(BOT)))
        .unwrap_err();
    // The runtime rolls the write back when the call fails.
    assert!(
        err.to_string().starts_with("vault balance too low: "),
        "{err}"
    );
}

#[test]
fn agent_cannot_create_grants() {
    let mut b = Bench::new();
    assert_fails!(
        b,
        b.as_account(BOT, 1).create_grant(spec(account_agent(BOT))),
        "only the owner 'alice.near' may call 'create_grant', not 'bot.near'"
    );
}

#[test]
fn grant_changes_require_exactly_one_yocto() {
    let mut b = Bench::new();
    assert_fails!(
        b,
        b.as_account(OWNER, 0)
            .create_grant(spec(account_agent(BOT))),
        "'create_grant' requires exactly 1 yoctonear attached (a full-access key), got 0"
    );
    assert_fails!(
        b,
        b.as_account(OWNER, 2)
            .create_grant(spec(account_agent(BOT))),
        "'create_grant' requires exactly 1 yoctonear attached (a full-access key), got 2"
    );
    let id = b.grant(spec(account_agent(BOT)));
    assert_fails!(
        b,
        b.as_account(OWNER, 0).revoke(U64(id)),
        "'revoke' requires exactly 1 yoctonear attached (a full-access key), got 0"
    );
}

#[test]
fn every_invalid_field_is_rejected_with_its_name_and_value() {
    let mut b = Bench::new();
    let cases: Vec<(Mutation, &str)> = vec![
        (
            Box::new(|s| s.targets.clear()),
            "targets must list between 1 and 8 targets, got 0",
        ),
        (
            Box::new(|s| {
                s.targets = (0..9)
                    .map(|i| target(&format!("app{i}.near"), &["a"], 0))
                    .collect()
            }),
            "targets must list between 1 and 8 targets, got 9",
        ),
        (
            Box::new(|s| s.targets = vec![target(VAULT, &["withdraw"], 0)]),
            "target receiver 'vault.alice.near' is the vault itself; agents may not call the vault",
        ),
        (
            Box::new(|s| s.targets = vec![target(APP, &["a"], 0), target(APP, &["b"], 0)]),
            "target receiver 'app.near' is listed twice",
        ),
        (
            Box::new(|s| s.targets = vec![target(APP, &[], 0)]),
            "target 'app.near': methods must list between 1 and 16 names, got 0",
        ),
        (
            Box::new(|s| s.targets = vec![target(APP, &["pub lish"], 0)]),
            "target 'app.near': invalid method name 'pub lish'",
        ),
        (
            Box::new(|s| s.targets = vec![target(APP, &["*", "publish"], 0)]),
            "target 'app.near': '*' (any method) must be the only entry in methods",
        ),
        (
            Box::new(|s| s.targets = vec![target(APP, &["publish", "publish"], 0)]),
            "target 'app.near': method 'publish' is listed twice",
        ),
        (
            Box::new(|s| s.targets[0].arg_rules = vec![rule("a..b", vec![json!(1)])]),
            "target 'app.near': invalid argument rule field 'a..b'",
        ),
        (
            Box::new(|s| {
                s.targets[0].arg_rules = vec![rule("a", vec![json!(1)]), rule("a", vec![json!(2)])]
            }),
            "target 'app.near': argument rule 'a' is listed twice",
        ),
        (
            Box::new(|s| s.targets[0].arg_rules = vec![rule("a", vec![])]),
            "target 'app.near': argument rule 'a' must list between 1 and 16 values, got 0",
        ),
        (
            Box::new(|s| s.targets[0].arg_rules = vec![rule("a", vec![json!("x".repeat(300))])]),
            "target 'app.near': argument rule 'a' has a value longer than 256 bytes",
        ),
        (
            Box::new(|s| s.total_budget = Some(U128(0))),
            "total_budget must be positive, got 0",
        ),
        (
            Box::new(|s| s.period = period(59, Some(1), None)),
            "period.period_secs must be between 60 and 31622400, got 59",
        ),
        (
            Box::new(|s| s.period = period(60, None, None)),
            "period must limit budget or max_calls (or both)",
        ),
        (
            Box::new(|s| s.period = period(60, None, Some(0))),
            "period.max_calls must be between 1 and 4294967295, got 0",
        ),
        (
            Box::new(|s| s.expires_at_ns = Some(U64(NOW))),
            "expires_at_ns 1700000000000000000 must be after now (1700000000000000000) and after not_before_ns (0)",
        ),
        (
            Box::new(|s| {
                s.not_before_ns = Some(U64(NOW + 10 * SEC));
                s.expires_at_ns = Some(U64(NOW + 5 * SEC));
            }),
            "expires_at_ns 1700000005000000000 must be after now (1700000000000000000) and after not_before_ns (1700000010000000000)",
        ),
        (
            Box::new(|s| s.purpose = String::new()),
            "purpose must be 1 to 256 characters, got 0",
        ),
        (
            Box::new(|s| s.model = Some(model_binding("acme", "1.0.0"))),
            "model.model_id is invalid: 'acme'",
        ),
        (
            Box::new(|s| s.model = Some(model_binding("acme/llm", "v1"))),
            "model.version is invalid: 'v1'",
        ),
        (
            Box::new(|s| s.require_active_model = true),
            "require_active_model is set but no model is bound",
        ),
        (
            Box::new(|s| s.key_allowance = Some(U128(1))),
            "key_allowance is only for key agents (agent 'bot.near' is an account)",
        ),
        (
            Box::new(|s| s.agent = account_agent(VAULT)),
            "agent 'vault.alice.near' is the vault itself",
        ),
        (
            Box::new(|s| {
                s.agent = AgentId::Key(key(1));
                s.key_allowance = Some(U128(near(6)));
            }),
            "key_allowance must be between 1 yoctonear and 5000000000000000000000000, got 6000000000000000000000000",
        ),
    ];
    for (mutate, msg) in cases {
        let mut s = spec(account_agent(BOT));
        mutate(&mut s);
        assert_fails!(b, b.as_owner().create_grant(s), msg);
    }
}

pub fn model_binding(model_id: &str, version: &str) -> crate::grants::ModelBinding {
    crate::grants::ModelBinding {
        registry: acc(REGISTRY),
        model_id: model_id.to_owned(),
        version: version.to_owned(),
    }
}

#[test]
fn argument_values_are_stored_as_canonical_json() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.targets[0].arg_rules = vec![rule(
        "meta",
        vec![json!({"b": 1, "a": 2}), json!({"a": 2, "b": 1})],
    )];
    let id = b.grant(s);
    let stored = &b.vault.load_grant(id).unwrap().terms.targets[0].arg_rules[0];
    assert_eq!(stored.one_of_json, vec![r#"{"a":2,"b":1}"#.to_owned()]);
}

#[test]
fn revoke_marks_grant_inactive_and_twice_is_harmless() {
    let mut b = Bench::new();
    let id = b.grant(spec(account_agent(BOT)));
    assert!(b.as_owner().revoke(U64(id)).unwrap());
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"grant_revoked","data":{"grant_ids":["0"],"revoked_by":{"account":"alice.near"}}}"#
        ]
    );
    let status = b.vault.grant_status(U64(id)).unwrap();
    assert!(!status.active);
    assert_eq!(status.reason, Some(InactiveReason::Revoked));
    assert_eq!(status.detail.as_deref(), Some("grant 0 is revoked"));

    let before = b.snapshot();
    assert!(!b.as_owner().revoke(U64(id)).unwrap());
    assert!(logs().is_empty());
    assert_eq!(b.snapshot(), before);
}

#[test]
fn revoke_unknown_grant_fails() {
    let mut b = Bench::new();
    assert_fails!(b, b.as_owner().revoke(U64(7)), "grant 7 not found");
}

#[test]
fn agent_cannot_revoke_or_revoke_all() {
    let mut b = Bench::new();
    let id = b.grant(spec(account_agent(BOT)));
    assert_fails!(
        b,
        b.as_account(BOT, 1).revoke(U64(id)),
        "only the owner 'alice.near' may call 'revoke', not 'bot.near'"
    );
    assert_fails!(
        b,
        b.as_account(BOT, 1).revoke_all(),
        "only the owner 'alice.near' may call 'revoke_all', not 'bot.near'"
    );
}

#[test]
fn revoke_all_revokes_every_existing_grant_but_not_later_ones() {
    let mut b = Bench::new();
    let first = b.grant(spec(account_agent(BOT)));
    let second = b.grant(spec(account_agent(HELPER)));
    assert_eq!(b.as_owner().revoke_all().unwrap(), 0);
    assert_eq!(
        logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-agent-vault","version":"1.0.0","event":"all_grants_revoked","data":{"epoch":1,"keys_deleted":0}}"#
        ]
    );
    for id in [first, second] {
        let status = b.vault.grant_status(U64(id)).unwrap();
        assert_eq!(status.reason, Some(InactiveReason::RevokedByRevokeAll));
    }
    let third = b.grant(spec(account_agent(BOT)));
    assert!(b.vault.grant_status(U64(third)).unwrap().active);
    // Revoking an already revoked-by-all grant is harmless.
    assert!(b.as_owner().revoke(U64(first)).unwrap());
}

#[test]
fn list_grants_is_paginated_and_bounded() {
    let mut b = Bench::new();
    for _ in 0..5 {
        b.grant(spec(account_agent(BOT)));
    }
    let page: Vec<u64> = b
        .vault
        .list_grants(Some(U64(1)), Some(2))
        .iter()
        .map(|g| g.grant_id.0)
        .collect();
    assert_eq!(page, vec![1, 2]);
    assert_eq!(b.vault.list_grants(Some(U64(4)), Some(1000)).len(), 1);
    assert!(b.vault.list_grants(Some(U64(u64::MAX)), None).is_empty());
    assert!(b.vault.get_grant(U64(99)).is_none());
    assert!(b.vault.grant_status(U64(99)).is_none());
}

#[test]
fn grant_status_says_why_a_grant_is_not_active() {
    let mut b = Bench::new();
    let mut s = spec(account_agent(BOT));
    s.not_before_ns = Some(U64(NOW + 10 * SEC));
    s.expires_at_ns = Some(U64(NOW + 20 * SEC));
    let id = b.grant(s);
    let status = b.vault.grant_status(U64(id)).unwrap();
    assert_eq!(status.reason, Some(InactiveReason::NotYetValid));
    b.now = NOW + 15 * SEC;
    b.as_agent(BOT);
    assert!(b.vault.grant_status(U64(id)).unwrap().active);
    b.now = NOW + 20 * SEC;
    b.as_agent(BOT);
    let status = b.vault.grant_status(U64(id)).unwrap();
    assert_eq!(status.reason, Some(InactiveReason::Expired));
    assert_eq!(
        status.detail.as_deref(),
        Some("grant 0 expired at 1700000020000000000 (now 1700000020000000000)")
    );
    b.now = NOW + 15 * SEC;
    b.as_owner().pause().unwrap();
    assert_eq!(
        b.vault.grant_status(U64(id)).unwrap().reason,
        Some(InactiveReason::VaultPaused)
    );
}
