use super::*;
use crate::attestations::{AttestationInput, AttestationKind, AttestationState};

fn input(score: &str, expires_at: Option<u64>) -> Option<AttestationInput> {
    Some(AttestationInput {
        score: Some(score.into()),
        evidence_uri: Some("https://evals.example/acme-sentiment".into()),
        evidence_digest: Some(hash(0xee)),
        expires_at: expires_at.map(U64),
    })
}

fn attest(
    c: &mut VersionedContract,
    version: &str,
    kind: AttestationKind,
) -> Result<U64, RegistryError> {
    c.attest(
        "acme/sentiment".into(),
        version.into(),
        kind,
        input("0.874", None),
    )
}

#[test]
fn anyone_attests_a_published_version() {
    let mut chain = Chain::with_two_versions();
    let id = attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Evaluation).unwrap();
    assert_eq!(id, U64(0));
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"attestation_added","data":{"id":"0","model_id":"acme/sentiment","version":"1.0.0","attester":"auditor.near","kind":"evaluation","supersedes":null}}"#
        ]
    );
    let a = chain.view().get_attestation(id).unwrap();
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        json!({
            "id": "0", "model_id": "acme/sentiment", "version": "1.0.0", "attester": "auditor.near",
            "kind": "evaluation", "score": "0.874", "evidence_uri": "https://evals.example/acme-sentiment",
            "evidence_digest": hash(0xee), "expires_at": null, "created_at": T0.to_string(),
            "supersedes": null, "superseded_by": null, "revocation": null, "state": "active",
            "version_status": {"state": "active"},
        })
    );
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "1.0.0".into())
            .unwrap()
            .attestation_count,
        1
    );
    // the attester pays for the model's audit record too
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    assert_eq!(history.last().unwrap().actor, acc(AUDITOR));
}

#[test]
fn attestation_input_is_validated() {
    let mut chain = Chain::with_two_versions();
    chain.must_fail(
        AUDITOR,
        |c| attest(c, "5.0.0", AttestationKind::Audit),
        "version 'acme/sentiment@5.0.0' not found",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/nothing".into(),
                "1.0.0".into(),
                AttestationKind::Audit,
                None,
            )
        },
        "model 'acme/nothing' not found",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "1.0.0".into(),
                AttestationKind::Audit,
                input("87%", None),
            )
        },
        "invalid score '87%': expected a decimal number such as '0.874' or '97'",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "1.0.0".into(),
                AttestationKind::Custom("Red Team".into()),
                None,
            )
        },
        "invalid kind.custom 'Red Team': must start with a lowercase letter or digit",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "1.0.0".into(),
                AttestationKind::Audit,
                input("1", Some(T0)),
            )
        },
        &format!("expires_at {T0} must be later than the current block timestamp {T0}"),
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "1.0.0".into(),
                AttestationKind::Audit,
                Some(AttestationInput {
                    evidence_digest: Some("xy".into()),
                    ..Default::default()
                }),
            )
        },
        "invalid evidence_digest 'xy': expected 64 hex characters (32 bytes), got 2 characters",
    );
    chain.must_fail(
        AUDITOR,
        |c| {
            c.attest(
                "acme/sentiment".into(),
                "1.0.0".into(),
                AttestationKind::Audit,
                Some(AttestationInput { evidence_uri: Some("file:///etc".into()), ..Default::default() }),
            )
        },
        "invalid evidence_uri 'file:///etc': must start with one of https://, http://, ipfs://, hf://, ar://",
    );
}

#[test]
fn expired_and_revoked_attestations_are_listed_as_such() {
    let mut chain = Chain::with_two_versions();
    let expiring = chain
        .by(AUDITOR)
        .attest(
            "acme/sentiment".into(),
            "1.0.0".into(),
            AttestationKind::Benchmark,
            input("97.5", Some(T0 + HOUR)),
        )
        .unwrap();
    let revoked = attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Audit).unwrap();
    chain
        .by(AUDITOR)
        .revoke_attestation(revoked, "evaluated the wrong weights".into())
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"attestation_revoked","data":{"id":"1","model_id":"acme/sentiment","version":"1.0.0","attester":"auditor.near","reason":"evaluated the wrong weights"}}"#
        ]
    );
    let state = |chain: &mut Chain, id: U64| chain.view().get_attestation(id).unwrap().state;
    assert_eq!(state(&mut chain, expiring), AttestationState::Active);
    chain.advance(HOUR);
    assert_eq!(state(&mut chain, expiring), AttestationState::Expired);
    assert_eq!(state(&mut chain, revoked), AttestationState::Revoked);
    let all = chain
        .view()
        .list_attestations(
            "acme/sentiment".into(),
            "1.0.0".into(),
            None,
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        all.items.iter().map(|a| a.state).collect::<Vec<_>>(),
        vec![AttestationState::Expired, AttestationState::Revoked]
    );
    assert_eq!(
        all.items[1].revocation.as_ref().unwrap().reason,
        "evaluated the wrong weights"
    );
}

#[test]
fn only_the_attester_revokes_and_only_once() {
    let mut chain = Chain::with_two_versions();
    let id = attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Audit).unwrap();
    chain.must_fail(
        BOB,
        |c| c.revoke_attestation(id, "spam".into()),
        "bob.near is not the attester of attestation 0",
    );
    chain.must_fail(
        AUDITOR,
        |c| c.revoke_attestation(U64(42), "x".into()),
        "attestation 42 not found",
    );
    chain.must_fail(
        AUDITOR,
        |c| c.revoke_attestation(id, String::new()),
        "invalid reason '': must not be empty",
    );
    chain
        .by(AUDITOR)
        .revoke_attestation(id, "mistake".into())
        .unwrap();
    chain.must_fail(
        AUDITOR,
        |c| c.revoke_attestation(id, "again".into()),
        "attestation 0 is already revoked",
    );
    chain.must_fail(
        AUDITOR,
        |c| c.supersede_attestation(id, AttestationKind::Audit, None),
        "attestation 0 is already revoked",
    );
}

#[test]
fn superseding_points_the_new_attestation_at_the_old() {
    let mut chain = Chain::with_two_versions();
    let old = attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Evaluation).unwrap();
    chain.must_fail(
        BOB,
        |c| c.supersede_attestation(old, AttestationKind::Evaluation, None),
        "bob.near is not the attester of attestation 0",
    );
    let new = chain
        .by(AUDITOR)
        .supersede_attestation(old, AttestationKind::Evaluation, input("0.91", None))
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"attestation_added","data":{"id":"1","model_id":"acme/sentiment","version":"1.0.0","attester":"auditor.near","kind":"evaluation","supersedes":"0"}}"#
        ]
    );
    let o = chain.view().get_attestation(old).unwrap();
    let n = chain.view().get_attestation(new).unwrap();
    assert_eq!(
        (o.state, o.superseded_by),
        (AttestationState::Superseded, Some(new))
    );
    assert_eq!(
        (n.state, n.supersedes, n.score),
        (AttestationState::Active, Some(old), Some("0.91".into()))
    );
    chain.must_fail(
        AUDITOR,
        |c| c.supersede_attestation(old, AttestationKind::Evaluation, None),
        "attestation 0 is already superseded by attestation 1",
    );
}

#[test]
fn attestations_are_filtered_by_attester_and_kind_and_paginated() {
    let mut chain = Chain::with_two_versions();
    attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Audit).unwrap(); // 0
    attest(chain.by(BOB), "1.0.0", AttestationKind::Audit).unwrap(); // 1
    attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Benchmark).unwrap(); // 2
    attest(chain.by(AUDITOR), "1.1.0", AttestationKind::Audit).unwrap(); // 3, other version
    attest(
        chain.by(AUDITOR),
        "1.0.0",
        AttestationKind::Custom("red-team".into()),
    )
    .unwrap(); // 4

    let ids =
        |page: crate::views::AttestationPage| page.items.iter().map(|a| a.id.0).collect::<Vec<_>>();
    let list = |chain: &mut Chain,
                attester: Option<&str>,
                kind: Option<AttestationKind>,
                from: Option<u32>,
                limit: Option<u32>| {
        chain
            .view()
            .list_attestations(
                "acme/sentiment".into(),
                "1.0.0".into(),
                attester.map(acc),
                kind,
                from,
                limit,
            )
            .unwrap()
    };
    assert_eq!(
        ids(list(&mut chain, None, None, None, None)),
        vec![0, 1, 2, 4]
    );
    assert_eq!(
        ids(list(&mut chain, Some(AUDITOR), None, None, None)),
        vec![0, 2, 4]
    );
    assert_eq!(
        ids(list(
            &mut chain,
            None,
            Some(AttestationKind::Audit),
            None,
            None
        )),
        vec![0, 1]
    );
    assert_eq!(
        ids(list(
            &mut chain,
            Some(AUDITOR),
            Some(AttestationKind::Custom("red-team".into())),
            None,
            None
        )),
        vec![4]
    );

    let first = list(&mut chain, Some(AUDITOR), None, None, Some(1));
    assert_eq!(
        (ids(first.clone()), first.next_from_index),
        (vec![0], Some(1))
    );
    let second = list(
        &mut chain,
        Some(AUDITOR),
        None,
        first.next_from_index,
        Some(1),
    );
    assert_eq!(
        (ids(second.clone()), second.next_from_index),
        (vec![2], Some(3))
    );
    let last = list(
        &mut chain,
        Some(AUDITOR),
        None,
        second.next_from_index,
        Some(5),
    );
    assert_eq!((ids(last.clone()), last.next_from_index), (vec![4], None));
}

#[test]
fn a_revoked_version_takes_no_new_attestations_but_keeps_its_old_ones() {
    let mut chain = Chain::with_two_versions();
    let id = attest(chain.by(AUDITOR), "1.0.0", AttestationKind::Audit).unwrap();
    chain
        .by(ACME)
        .revoke_version(
            "acme/sentiment".into(),
            "1.0.0".into(),
            crate::status::RevocationCode::MaliciousBehavior,
            "backdoored weights".into(),
        )
        .unwrap();
    chain.must_fail(
        CAROL,
        |c| attest(c, "1.0.0", AttestationKind::Evaluation),
        "cannot attest revoked version 'acme/sentiment@1.0.0'",
    );
    // superseding would attest it again
    chain.must_fail(
        AUDITOR,
        |c| c.supersede_attestation(id, AttestationKind::Audit, input("0.1", None)),
        "cannot attest revoked version 'acme/sentiment@1.0.0'",
    );
    // the old attestation stays listed (showing the version's status) and its attester can still retract it
    let page = chain
        .view()
        .list_attestations(
            "acme/sentiment".into(),
            "1.0.0".into(),
            None,
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(
        serde_json::to_value(&page.items[0].version_status).unwrap()["state"],
        "revoked"
    );
    chain
        .by(AUDITOR)
        .revoke_attestation(id, "version revoked".into())
        .unwrap();
    // a deprecated version still takes attestations
    chain
        .by(ACME)
        .deprecate_version("acme/sentiment".into(), "1.1.0".into(), "old".into(), None)
        .unwrap();
    attest(chain.by(CAROL), "1.1.0", AttestationKind::Evaluation).unwrap();
}
