//! Versioned state and upgrade: owner-only code deployment followed by `migrate`, which keeps
//! every grant, ledger entry and log entry.
use super::*;
use crate::assert_fails;
use near_sdk::mock::MockAction;

#[test]
fn upgrade_is_owner_only_with_one_yocto_and_deploys_then_migrates() {
    let mut b = Bench::new();
    assert_fails!(
        b,
        b.as_account(BOT, 1).upgrade(),
        "only the owner 'alice.near' may call 'upgrade', not 'bot.near'"
    );
    assert_fails!(
        b,
        b.as_account(OWNER, 0).upgrade(),
        "'upgrade' requires exactly 1 yoctonear attached (a full-access key), got 0"
    );
    assert_fails!(b, b.as_owner().upgrade(), "code must not be empty");
    let usage = env::storage_usage();
    let mut ctx = VMContextBuilder::new();
    ctx.current_account_id(acc(VAULT))
        .predecessor_account_id(acc(OWNER))
        .attached_deposit(NearToken::from_yoctonear(1))
        .storage_usage(usage);
    ctx.context.input = std::rc::Rc::from(b"\0asm-new-code".as_slice());
    testing_env!(ctx.build());
    b.vault.upgrade().unwrap().detach();
    let r = receipts();
    assert_eq!(r[0].receiver_id, acc(VAULT));
    assert!(
        matches!(&r[0].actions[0], MockAction::DeployContract { code, .. } if code == b"\0asm-new-code")
    );
    assert!(
        matches!(&r[0].actions[1], MockAction::FunctionCallWeight { method_name, .. } if method_name == b"migrate")
    );
}

#[test]
fn migrate_keeps_grants_ledger_and_log() {
    let mut b = Bench::new();
    let id = b.grant(spec(account_agent(BOT)));
    b.as_agent(BOT)
        .execute(U64(id), vec![publish(near(1))])
        .unwrap();
    b.settle(0, true);
    let before = b.snapshot();
    b.vault.flush();
    env::state_write(&b.vault);
    b.as_account(VAULT, 0);
    let migrated = AgentVault::migrate();
    b.vault = migrated;
    assert_eq!(b.snapshot(), before);
}

/// The borsh layout of the state is frozen once deployed: this snapshot fails if a field is
/// added, removed or reordered without a migration.
#[test]
fn state_layout_snapshot() {
    let b = Bench::new();
    let bytes = near_sdk::borsh::to_vec(&b.vault).unwrap();
    let hex: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(
        hex,
        // owner_id "alice.near" | paused | next_grant_id | epoch | grants (prefix 0x00) |
        // agent_keys (prefix 0x01: key vector "\x01v", values map "\x01m") | actions (len,
        // prefix 0x02) | unsent_deposits
        "0a000000616c6963652e6e6561720000000000000000000000000001000000000000000002000000017602000000016d00000000010000000200000000000000000000000000000000"
    );
}
