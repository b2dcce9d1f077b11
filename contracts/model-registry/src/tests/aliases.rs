use super::*;
use crate::aliases::AliasMove;
use crate::limits::MAX_ALIASES;

fn set(c: &mut VersionedContract, alias: &str, version: &str) -> Result<(), RegistryError> {
    c.set_alias("acme/sentiment".into(), alias.into(), version.into())
}

#[test]
fn aliases_move_and_keep_their_history() {
    let mut chain = Chain::with_two_versions();
    chain.advance(HOUR);
    set(chain.by(ACME), "production", "1.0.0").unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"alias_set","data":{"model_id":"acme/sentiment","alias":"production","from":null,"to":"1.0.0","by":"acme.near"}}"#
        ]
    );
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain.advance(HOUR);
    set(chain.by(BOB), "production", "1.1.0").unwrap();
    chain.advance(HOUR);
    chain
        .by(ACME)
        .remove_alias("acme/sentiment".into(), "production".into())
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"alias_removed","data":{"model_id":"acme/sentiment","alias":"production","from":"1.1.0","by":"acme.near"}}"#
        ]
    );

    let history = chain
        .view()
        .get_alias_history("acme/sentiment".into(), "production".into(), None, None)
        .unwrap();
    let moves: Vec<_> = history
        .iter()
        .map(|m| {
            (
                m.from.clone(),
                m.to.clone(),
                m.by.to_string(),
                m.timestamp.0,
            )
        })
        .collect();
    assert_eq!(
        moves,
        vec![
            (None, Some("1.0.0".into()), ACME.into(), T0 + HOUR),
            (
                Some("1.0.0".into()),
                Some("1.1.0".into()),
                BOB.into(),
                T0 + 2 * HOUR
            ),
            (Some("1.1.0".into()), None, ACME.into(), T0 + 3 * HOUR),
        ]
    );
    let page: Vec<AliasMove> = chain
        .view()
        .get_alias_history(
            "acme/sentiment".into(),
            "production".into(),
            Some(1),
            Some(1),
        )
        .unwrap();
    assert_eq!(page, history[1..2].to_vec());

    // "what was production at time T?"
    let at = |chain: &mut Chain, t: u64| {
        chain
            .view()
            .get_alias_at("acme/sentiment".into(), "production".into(), U64(t))
            .unwrap()
    };
    assert_eq!(at(&mut chain, T0), None);
    assert_eq!(at(&mut chain, T0 + HOUR), Some("1.0.0".into()));
    assert_eq!(at(&mut chain, T0 + HOUR + 1), Some("1.0.0".into()));
    assert_eq!(at(&mut chain, T0 + 2 * HOUR + 5), Some("1.1.0".into()));
    assert_eq!(at(&mut chain, T0 + 3 * HOUR), None);

    // a removed alias is no longer live, and can come back with its history intact
    assert!(
        chain
            .view()
            .get_model("acme/sentiment".into())
            .unwrap()
            .aliases
            .is_empty()
    );
    set(chain.by(ACME), "production", "1.1.0").unwrap();
    assert_eq!(
        chain
            .view()
            .get_alias("acme/sentiment".into(), "production".into())
            .unwrap()
            .history_len,
        4
    );
}

#[test]
fn alias_writes_are_validated() {
    let mut chain = Chain::with_two_versions();
    chain.must_fail(
        BOB,
        |c| set(c, "production", "1.0.0"),
        "bob.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| set(c, "production", "3.0.0"),
        "version 'acme/sentiment@3.0.0' not found",
    );
    chain.must_fail(
        ACME,
        |c| set(c, "Production", "1.0.0"),
        "invalid alias 'Production': must start with a lowercase letter or digit",
    );
    chain.must_fail(
        ACME,
        |c| set(c, &"a".repeat(33), "1.0.0"),
        "alias is too long: 33 bytes, the limit is 32",
    );
    chain.must_fail(
        ACME,
        |c| c.remove_alias("acme/sentiment".into(), "production".into()),
        "alias 'production' not found on model 'acme/sentiment'",
    );
    set(chain.by(ACME), "production", "1.0.0").unwrap();
    chain.must_fail(
        ACME,
        |c| set(c, "production", "1.0.0"),
        "alias 'production' already points to version '1.0.0'",
    );
    for i in 1..MAX_ALIASES {
        set(chain.by(ACME), &format!("a{i}"), "1.0.0").unwrap();
    }
    chain.must_fail(
        ACME,
        |c| set(c, "one-more", "1.0.0"),
        "aliases has too many entries: 33, the limit is 32",
    );
    // moving a live alias is still allowed at the limit
    set(chain.by(ACME), "production", "1.1.0").unwrap();
}
