use super::*;
use crate::status::{RevocationCode, VersionStatus};

fn deprecate(
    c: &mut VersionedContract,
    version: &str,
    successor: Option<&str>,
) -> Result<(), RegistryError> {
    c.deprecate_version(
        "acme/sentiment".into(),
        version.into(),
        "use 1.1.0".into(),
        successor.map(String::from),
    )
}

fn revoke(c: &mut VersionedContract, version: &str) -> Result<(), RegistryError> {
    c.revoke_version(
        "acme/sentiment".into(),
        version.into(),
        RevocationCode::SecurityVulnerability,
        "pickle payload in weights".into(),
    )
}

#[test]
fn a_deprecated_version_stays_usable_and_says_so_everywhere() {
    let mut chain = Chain::with_two_versions();
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "stable".into(), "1.0.0".into())
        .unwrap();
    chain.advance(HOUR);
    deprecate(chain.by(ACME), "1.0.0", Some("1.1.0")).unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"version_deprecated","data":{"model_id":"acme/sentiment","version":"1.0.0","message":"use 1.1.0","successor":"1.1.0","by":"acme.near"}}"#
        ]
    );
    let expected = VersionStatus::Deprecated {
        message: "use 1.1.0".into(),
        successor: Some("1.1.0".into()),
        by: acc(ACME),
        at: U64(T0 + HOUR),
    };
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "1.0.0".into())
            .unwrap()
            .status,
        expected
    );
    assert_eq!(
        chain.view().lookup_hash(hash(1), None, None).unwrap()[0].status,
        expected
    );
    assert_eq!(
        chain
            .view()
            .get_alias("acme/sentiment".into(), "stable".into())
            .unwrap()
            .version_status,
        Some(expected)
    );
    // still usable
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "legacy".into(), "1.0.0".into())
        .unwrap();
    chain
        .by(AUDITOR)
        .attest(
            "acme/sentiment".into(),
            "1.0.0".into(),
            crate::attestations::AttestationKind::Audit,
            None,
        )
        .unwrap();
}

#[test]
fn deprecation_is_validated() {
    let mut chain = Chain::with_two_versions();
    chain.must_fail(
        BOB,
        |c| deprecate(c, "1.0.0", None),
        "bob.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| deprecate(c, "7.0.0", None),
        "version 'acme/sentiment@7.0.0' not found",
    );
    for successor in ["1.0.0", "9.9.9"] {
        chain.must_fail(
            ACME,
            |c| deprecate(c, "1.0.0", Some(successor)),
            &format!("successor '{successor}' must be a published version of model 'acme/sentiment' other than '1.0.0'"),
        );
    }
    chain.must_fail(
        ACME,
        |c| c.deprecate_version("acme/sentiment".into(), "1.0.0".into(), " ".into(), None),
        "invalid message ' ': must not be empty",
    );
    chain.must_fail(
        ACME,
        |c| {
            c.deprecate_version(
                "acme/sentiment".into(),
                "1.0.0".into(),
                "m".repeat(513),
                None,
            )
        },
        "message is too long: 513 bytes, the limit is 512",
    );
    deprecate(chain.by(ACME), "1.0.0", None).unwrap();
    chain.must_fail(
        ACME,
        |c| deprecate(c, "1.0.0", None),
        "version 'acme/sentiment@1.0.0' is already deprecated",
    );
}

#[test]
fn revocation_is_final_and_visible_in_every_view() {
    let mut chain = Chain::with_two_versions();
    chain
        .by(ACME)
        .set_alias("acme/sentiment".into(), "production".into(), "1.0.0".into())
        .unwrap();
    let att = chain
        .by(AUDITOR)
        .attest(
            "acme/sentiment".into(),
            "1.0.0".into(),
            crate::attestations::AttestationKind::Audit,
            None,
        )
        .unwrap();
    deprecate(chain.by(ACME), "1.0.0", Some("1.1.0")).unwrap();
    revoke(chain.by(ACME), "1.0.0").unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"version_revoked","data":{"model_id":"acme/sentiment","version":"1.0.0","code":"security_vulnerability","reason":"pickle payload in weights","by":"acme.near"}}"#
        ]
    );
    let revoked = VersionStatus::Revoked {
        code: RevocationCode::SecurityVulnerability,
        reason: "pickle payload in weights".into(),
        by: acc(ACME),
        at: U64(T0),
    };
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "1.0.0".into())
            .unwrap()
            .status,
        revoked
    );
    assert_eq!(
        chain
            .view()
            .list_versions("acme/sentiment".into(), None, None)
            .unwrap()[0]
            .status,
        revoked
    );
    assert_eq!(
        chain.view().lookup_hash(hash(1), None, None).unwrap()[0].status,
        revoked
    );
    assert_eq!(
        chain
            .view()
            .get_alias("acme/sentiment".into(), "production".into())
            .unwrap()
            .version_status,
        Some(revoked.clone())
    );
    assert_eq!(
        chain.view().get_attestation(att).unwrap().version_status,
        revoked
    );
    assert_eq!(
        serde_json::to_value(&revoked).unwrap(),
        json!({"state": "revoked", "code": "security_vulnerability", "reason": "pickle payload in weights", "by": "acme.near", "at": T0.to_string()})
    );

    chain.must_fail(
        ACME,
        |c| revoke(c, "1.0.0"),
        "version 'acme/sentiment@1.0.0' is already revoked",
    );
    chain.must_fail(
        ACME,
        |c| deprecate(c, "1.0.0", None),
        "version 'acme/sentiment@1.0.0' is revoked",
    );
    chain.must_fail(
        ACME,
        |c| c.set_alias("acme/sentiment".into(), "staging".into(), "1.0.0".into()),
        "cannot alias revoked version 'acme/sentiment@1.0.0'",
    );
    chain.must_fail(
        ACME,
        |c| deprecate(c, "1.1.0", Some("1.0.0")),
        "successor '1.0.0' must be a published version of model 'acme/sentiment' other than '1.1.0'",
    );
}

#[test]
fn only_maintainers_revoke_with_a_reason() {
    let mut chain = Chain::with_two_versions();
    chain.must_fail(
        BOB,
        |c| revoke(c, "1.0.0"),
        "bob.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| revoke(c, "0.9.0"),
        "version 'acme/sentiment@0.9.0' not found",
    );
    chain.must_fail(
        ACME,
        |c| {
            c.revoke_version(
                "acme/sentiment".into(),
                "1.0.0".into(),
                RevocationCode::Other,
                String::new(),
            )
        },
        "invalid reason '': must not be empty",
    );
}

#[test]
fn version_status_names_the_state_in_one_word_for_gating_contracts() {
    let mut chain = Chain::with_two_versions();
    let status = |chain: &mut Chain, v: &str| {
        chain
            .view()
            .version_status("acme/sentiment".into(), v.into())
    };
    assert_eq!(status(&mut chain, "1.0.0").unwrap(), "active");
    deprecate(chain.by(ACME), "1.0.0", None).unwrap();
    assert_eq!(status(&mut chain, "1.0.0").unwrap(), "deprecated");
    revoke(chain.by(ACME), "1.1.0").unwrap();
    assert_eq!(status(&mut chain, "1.1.0").unwrap(), "revoked");
    assert_eq!(
        status(&mut chain, "9.9.9").unwrap_err().to_string(),
        RegistryError::VersionNotFound("acme/sentiment@9.9.9".into()).to_string()
    );
}
