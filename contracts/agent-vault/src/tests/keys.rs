//! Key-based agents: the vault adds a function-call key (receiver = vault, agent entry points),
//! recognises the agent by `signer_account_pk`, and deletes the key when the grant goes.
use super::*;
use crate::assert_fails;
use crate::grants::KeyState;
use near_sdk::mock::MockAction;

fn key_grant(b: &mut Bench, n: u8) -> u64 {
    let mut s = spec(AgentId::Key(key(n)));
    s.key_allowance = Some(U128(near(1) / 10));
    b.grant(s)
}

fn key_added(b: &mut Bench, id: u64, n: u8) {
    b.as_callback(PromiseResult::Successful(vec![]))
        .on_key_added(U64(id), key(n))
        .unwrap();
}

#[test]
fn key_grant_adds_a_function_call_key_limited_to_the_agent_entry_points() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc(VAULT));
    match &r[0].actions[0] {
        MockAction::AddKeyWithFunctionCall {
            allowance,
            receiver_id,
            method_names,
            ..
        } => {
            assert_eq!(allowance.unwrap().as_yoctonear(), near(1) / 10);
            assert_eq!(receiver_id, &acc(VAULT));
            assert_eq!(method_names, &["execute", "delegate", "revoke_delegated"]);
        }
        other => panic!("unexpected action {other:?}"),
    }
    assert_eq!(b.vault.grant_of_key(key(1)), Some(U64(id)));
    assert_eq!(b.vault.load_grant(id).unwrap().key_state, KeyState::Pending);
    assert_fails!(
        b,
        b.as_key(key(1)).execute(U64(id), vec![publish(0)]),
        "grant 0: the agent key is still being added"
    );
    key_added(&mut b, id, 1);
    assert_eq!(
        logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-agent-vault","version":"1.0.0","event":"agent_key_added","data":{{"grant_id":"0","public_key":"{}","success":true}}}}"#,
            String::from(&key(1))
        )]
    );
    assert_eq!(b.vault.load_grant(id).unwrap().key_state, KeyState::Added);
}

#[test]
fn key_agent_executes_by_signer_key_and_other_keys_cannot() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    key_added(&mut b, id, 1);
    b.as_key(key(1))
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    assert_eq!(
        b.vault.get_action(U64(0)).unwrap().agent,
        AgentId::Key(key(1))
    );
    assert_fails!(
        b,
        b.as_key(key(2)).execute(U64(id), vec![publish(0)]),
        format!(
            "caller '{}' is not the agent of grant 0",
            String::from(&key(2))
        )
    );
    // The same key signing for another account is not the agent.
    assert_fails!(
        b,
        b.as_agent(BOT).execute(U64(id), vec![publish(0)]),
        "caller 'bot.near' is not the agent of grant 0"
    );
}

#[test]
fn revoking_a_key_grant_deletes_the_key() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    key_added(&mut b, id, 1);
    b.as_owner().revoke(U64(id)).unwrap();
    let r = receipts();
    assert!(matches!(r[0].actions[0], MockAction::DeleteKey { .. }));
    assert_eq!(b.vault.grant_of_key(key(1)), None);
    assert_eq!(b.vault.load_grant(id).unwrap().key_state, KeyState::Deleted);
    assert_fails!(
        b,
        b.as_key(key(1)).execute(U64(id), vec![publish(0)]),
        "grant 0 is revoked"
    );
    // The key is free for a new grant.
    key_grant(&mut b, 1);
}

#[test]
fn revoke_all_deletes_every_agent_key_in_one_receipt() {
    let mut b = Bench::new();
    for n in 1..=3 {
        let id = key_grant(&mut b, n);
        key_added(&mut b, id, n);
    }
    assert_eq!(b.as_owner().revoke_all().unwrap(), 3);
    let r = receipts();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].actions.len(), 3);
    assert!(
        r[0].actions
            .iter()
            .all(|a| matches!(a, MockAction::DeleteKey { .. }))
    );
    assert_eq!(b.vault.grant_of_key(key(2)), None);
}

#[test]
fn one_active_grant_per_agent_key() {
    let mut b = Bench::new();
    key_grant(&mut b, 1);
    let mut s = spec(AgentId::Key(key(1)));
    s.key_allowance = Some(U128(1));
    assert_fails!(
        b,
        b.as_owner().create_grant(s),
        format!(
            "agent key '{}' already has active grant 0",
            String::from(&key(1))
        )
    );
}

#[test]
fn key_that_could_not_be_added_leaves_the_grant_unusable() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    assert!(
        !b.as_callback(PromiseResult::Failed)
            .on_key_added(U64(id), key(1))
            .unwrap()
    );
    assert_eq!(b.vault.load_grant(id).unwrap().key_state, KeyState::Failed);
    assert_eq!(b.vault.grant_of_key(key(1)), None);
    assert_eq!(
        b.vault.grant_status(U64(id)).unwrap().detail.as_deref(),
        Some("grant 0: the agent key could not be added to the vault")
    );
}

#[test]
fn key_callback_called_by_an_outsider_is_rejected() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    assert_fails!(
        b,
        b.as_agent(EVE).on_key_added(U64(id), key(1)),
        "'on_key_added' is a callback and may only be called by the vault itself, not 'eve.near'"
    );
}

#[test]
fn key_agent_can_delegate_a_narrower_grant_to_an_account() {
    let mut b = Bench::new();
    let id = key_grant(&mut b, 1);
    key_added(&mut b, id, 1);
    let mut child = spec(account_agent(HELPER));
    child.total_budget = Some(U128(near(1)));
    let child_id = b.as_key(key(1)).delegate(U64(id), child).unwrap();
    b.as_agent(HELPER)
        .execute(child_id, vec![publish(near(1))])
        .unwrap();
    assert_eq!(b.usage(id).reserved.0, near(1));
    // A sub-key may not get more gas allowance than the delegating key.
    let mut sub_key = spec(AgentId::Key(key(2)));
    sub_key.total_budget = Some(U128(1));
    sub_key.key_allowance = Some(U128(near(1)));
    assert_fails!(
        b,
        b.as_key(key(1)).delegate(U64(id), sub_key),
        "sub-grant widens grant 0: key_allowance 1000000000000000000000000 is above 100000000000000000000000"
    );
}
