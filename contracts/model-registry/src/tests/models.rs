use super::*;
use crate::history::HistoryAction;
use crate::limits::MAX_MAINTAINERS;

#[test]
fn creating_a_model_claims_the_namespace_and_emits_events() {
    let mut chain = Chain::new();
    let id = chain
        .by(ACME)
        .create_model("acme".into(), "sentiment".into(), Some(metadata()))
        .unwrap();
    assert_eq!(id, "acme/sentiment");
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"namespace_claimed","data":{"namespace":"acme","owner":"acme.near"}}"#,
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"model_created","data":{"model_id":"acme/sentiment","owner":"acme.near"}}"#,
        ]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(m.owner, acc(ACME));
    assert_eq!(m.metadata, metadata());
    assert_eq!(m.created_at, U64(T0));
    assert_eq!(m.version_count, 0);
    assert_eq!(m.latest_version, None);
    let ns = chain.view().get_namespace("acme".into()).unwrap();
    assert_eq!((ns.owner, ns.model_count), (acc(ACME), 1));
}

#[test]
fn the_namespace_owner_creates_more_models_without_a_second_claim_event() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain
        .by(ACME)
        .create_model("acme".into(), "ner".into(), None)
        .unwrap();
    assert_eq!(get_logs().len(), 1, "only model_created");
    assert_eq!(
        chain
            .view()
            .get_namespace("acme".into())
            .unwrap()
            .model_count,
        2
    );
    let ids: Vec<String> = chain
        .view()
        .list_models(None, None)
        .unwrap()
        .into_iter()
        .map(|m| m.model_id)
        .collect();
    assert_eq!(ids, vec!["acme/sentiment", "acme/ner"]);
}

#[test]
fn a_namespace_belongs_to_its_first_publisher() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.must_fail(
        BOB,
        |c| c.create_model("acme".into(), "other".into(), None),
        "namespace 'acme' is owned by acme.near",
    );
}

#[test]
fn a_duplicate_model_id_is_rejected() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.must_fail(
        ACME,
        |c| c.create_model("acme".into(), "sentiment".into(), None),
        "model 'acme/sentiment' already exists",
    );
}

#[test]
fn invalid_namespaces_and_names_are_rejected_naming_the_value() {
    let mut chain = Chain::new();
    let long = "a".repeat(65);
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "a",
            "m",
            "invalid namespace 'a': must be at least 2 bytes".into(),
        ),
        (
            "Acme",
            "m",
            "invalid namespace 'Acme': must start with a lowercase letter or digit".into(),
        ),
        (
            "aCme",
            "m",
            "invalid namespace 'aCme': character 'C' is not allowed (use a-z, 0-9 and '-_')".into(),
        ),
        (
            "ac.me",
            "m",
            "invalid namespace 'ac.me': character '.' is not allowed (use a-z, 0-9 and '-_')"
                .into(),
        ),
        (
            "-acme",
            "m",
            "invalid namespace '-acme': must start with a lowercase letter or digit".into(),
        ),
        (
            &long,
            "m",
            "namespace is too long: 65 bytes, the limit is 64".into(),
        ),
        (
            "acme",
            "",
            "invalid name '': must be at least 1 bytes".into(),
        ),
        (
            "acme",
            "a/b",
            "invalid name 'a/b': character '/' is not allowed (use a-z, 0-9 and '-_.')".into(),
        ),
        (
            "acme",
            "sentiment v2",
            "invalid name 'sentiment v2': character ' ' is not allowed (use a-z, 0-9 and '-_.')"
                .into(),
        ),
        (
            "acme",
            &long,
            "name is too long: 65 bytes, the limit is 64".into(),
        ),
    ];
    for (ns, name, msg) in cases {
        chain.must_fail(ACME, |c| c.create_model(ns.into(), name.into(), None), &msg);
    }
}

#[test]
fn oversized_or_malformed_metadata_is_rejected() {
    let mut chain = Chain::new();
    let with = |f: &dyn Fn(&mut ModelMetadata)| {
        let mut m = metadata();
        f(&mut m);
        m
    };
    let cases: Vec<(ModelMetadata, String)> = vec![
        (with(&|m| m.description = "x".repeat(1025)), "metadata.description is too long: 1025 bytes, the limit is 1024".into()),
        (with(&|m| m.description = "bad\u{0}".into()), "invalid metadata.description 'bad\u{0}': control character '\\0' is not allowed".into()),
        (with(&|m| m.tags = (0..17).map(|i| format!("t{i}")).collect()), "metadata.tags has too many entries: 17, the limit is 16".into()),
        (with(&|m| m.tags = vec!["NLP".into()]), "invalid metadata.tags[0] 'NLP': must start with a lowercase letter or digit".into()),
        (with(&|m| m.tags = vec!["nlp".into(), "nlp".into()]), "duplicate metadata.tags 'nlp'".into()),
        (with(&|m| m.homepage = Some("ftp://x".into())), "invalid metadata.homepage 'ftp://x': must start with one of https://, http://, ipfs://, hf://, ar://".into()),
        (with(&|m| m.homepage = Some(format!("https://{}", "x".repeat(510)))), "metadata.homepage is too long: 518 bytes, the limit is 512".into()),
        (with(&|m| m.license = Some("MIT License".into())), "invalid metadata.license 'MIT License': character ' ' is not allowed (use A-Z, a-z, 0-9, '.', '+', '-', '_')".into()),
        (with(&|m| m.task = Some(String::new())), "invalid metadata.task '': must not be empty".into()),
    ];
    for (m, msg) in cases {
        chain.must_fail(
            ACME,
            |c| c.create_model("acme".into(), "m".into(), Some(m)),
            &msg,
        );
    }
}

#[test]
fn a_write_without_deposit_is_rejected() {
    let mut chain = Chain::new();
    chain.call(ACME, yocto(0));
    let err = chain
        .c
        .create_model("acme".into(), "m".into(), None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "attach a deposit of at least 1 yoctoNEAR to cover storage; the unused part is refunded"
    );
}

#[test]
fn an_insufficient_deposit_fails_with_the_exact_amount_and_that_amount_succeeds() {
    // Measure what the call adds on one chain...
    let mut probe = Chain::new();
    probe.by(ACME);
    let before = env::storage_usage();
    probe
        .c
        .create_model("acme".into(), "sentiment".into(), Some(metadata()))
        .unwrap();
    probe.c.registry_mut().flush();
    let bytes = env::storage_usage() - before;
    let required = u128::from(bytes) * byte_cost();

    // ...an identical chain rejects one yoctoNEAR less, naming the exact amount...
    let mut chain = Chain::new();
    chain.call(ACME, yocto(required - 1));
    let err = chain
        .c
        .create_model("acme".into(), "sentiment".into(), Some(metadata()))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "insufficient deposit: attached {} yoctoNEAR, required {required} yoctoNEAR ({bytes} bytes of storage)",
            required - 1
        )
    );

    // ...and accepts exactly that amount with nothing to refund.
    let mut chain = Chain::new();
    chain
        .call(ACME, yocto(required))
        .create_model("acme".into(), "sentiment".into(), Some(metadata()))
        .unwrap();
    assert!(transfers().is_empty());
}

#[test]
fn the_excess_deposit_is_refunded_in_the_same_call() {
    let mut chain = Chain::new();
    chain.by(ACME);
    let before = env::storage_usage();
    chain
        .c
        .create_model("acme".into(), "sentiment".into(), None)
        .unwrap();
    let cost = u128::from(env::storage_usage() - before) * byte_cost();
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), near(1).as_yoctonear() - cost)]
    );
}

#[test]
fn the_owner_manages_maintainers_and_maintainers_edit_metadata() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"maintainer_added","data":{"model_id":"acme/sentiment","account":"bob.near","by":"acme.near"}}"#
        ]
    );
    let mut new_meta = metadata();
    new_meta.description = "v2 description".into();
    chain
        .by(BOB)
        .update_metadata("acme/sentiment".into(), new_meta.clone())
        .unwrap();
    assert_eq!(
        chain
            .view()
            .get_model("acme/sentiment".into())
            .unwrap()
            .metadata,
        new_meta
    );

    // every metadata version is an audit record
    let history = chain
        .view()
        .get_history("acme/sentiment".into(), None, None)
        .unwrap();
    let actions: Vec<_> = history
        .iter()
        .map(|e| (e.actor.to_string(), e.action.clone()))
        .collect();
    assert_eq!(
        actions,
        vec![
            (
                ACME.into(),
                HistoryAction::ModelCreated {
                    metadata: metadata()
                }
            ),
            (
                ACME.into(),
                HistoryAction::MaintainerAdded { account: acc(BOB) }
            ),
            (
                BOB.into(),
                HistoryAction::MetadataUpdated { metadata: new_meta }
            ),
        ]
    );

    chain
        .by(ACME)
        .remove_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain.must_fail(
        BOB,
        |c| c.update_metadata("acme/sentiment".into(), metadata()),
        "bob.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
}

#[test]
fn only_the_owner_manages_maintainers() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain.must_fail(
        BOB,
        |c| c.add_maintainer("acme/sentiment".into(), acc(CAROL)),
        "bob.near is not the owner of model 'acme/sentiment'",
    );
    chain.must_fail(
        BOB,
        |c| c.remove_maintainer("acme/sentiment".into(), acc(BOB)),
        "bob.near is not the owner of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| c.add_maintainer("acme/sentiment".into(), acc(BOB)),
        "bob.near is already a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| c.add_maintainer("acme/sentiment".into(), acc(ACME)),
        "acme.near is already the owner of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| c.remove_maintainer("acme/sentiment".into(), acc(CAROL)),
        "carol.near is not a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| c.add_maintainer("acme/unknown".into(), acc(CAROL)),
        "model 'acme/unknown' not found",
    );
}

#[test]
fn maintainers_are_limited() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    for i in 0..MAX_MAINTAINERS {
        chain
            .by(ACME)
            .add_maintainer("acme/sentiment".into(), acc(&format!("m{i}.near")))
            .unwrap();
    }
    chain.must_fail(
        ACME,
        |c| c.add_maintainer("acme/sentiment".into(), acc("one-more.near")),
        "maintainers has too many entries: 17, the limit is 16",
    );
}

#[test]
fn ownership_moves_in_two_steps() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain.must_fail(
        BOB,
        |c| c.accept_ownership("acme/sentiment".into()),
        "model 'acme/sentiment' has no pending ownership transfer",
    );

    chain
        .by(ACME)
        .propose_owner("acme/sentiment".into(), acc(BOB))
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"ownership_transfer_proposed","data":{"model_id":"acme/sentiment","from":"acme.near","to":"bob.near"}}"#
        ]
    );
    // proposing changes nothing yet
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!((m.owner, m.pending_owner), (acc(ACME), Some(acc(BOB))));
    chain.must_fail(
        CAROL,
        |c| c.accept_ownership("acme/sentiment".into()),
        "carol.near is not the proposed owner of model 'acme/sentiment'",
    );

    chain
        .by(BOB)
        .accept_ownership("acme/sentiment".into())
        .unwrap();
    assert_eq!(
        get_logs(),
        vec![
            r#"EVENT_JSON:{"standard":"nexus-model-registry","version":"1.0.0","event":"ownership_transferred","data":{"model_id":"acme/sentiment","from":"acme.near","to":"bob.near"}}"#
        ]
    );
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.owner, m.pending_owner, m.maintainers),
        (acc(BOB), None, vec![])
    );
    // the previous owner keeps no rights
    chain.must_fail(
        ACME,
        |c| c.update_metadata("acme/sentiment".into(), metadata()),
        "acme.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
}

#[test]
fn the_owner_can_cancel_a_proposal() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.must_fail(
        ACME,
        |c| c.cancel_ownership_transfer("acme/sentiment".into()),
        "model 'acme/sentiment' has no pending ownership transfer",
    );
    chain.must_fail(
        BOB,
        |c| c.propose_owner("acme/sentiment".into(), acc(BOB)),
        "bob.near is not the owner of model 'acme/sentiment'",
    );
    chain.must_fail(
        ACME,
        |c| c.propose_owner("acme/sentiment".into(), acc(ACME)),
        "acme.near is already the owner of model 'acme/sentiment'",
    );
    chain
        .by(ACME)
        .propose_owner("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain
        .by(ACME)
        .cancel_ownership_transfer("acme/sentiment".into())
        .unwrap();
    chain.must_fail(
        BOB,
        |c| c.accept_ownership("acme/sentiment".into()),
        "model 'acme/sentiment' has no pending ownership transfer",
    );
}

#[test]
fn views_reject_out_of_range_limits() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    assert_eq!(
        chain
            .view()
            .list_models(None, Some(0))
            .unwrap_err()
            .to_string(),
        "limit must be between 1 and 100, got 0"
    );
    assert_eq!(
        chain
            .view()
            .list_models(None, Some(101))
            .unwrap_err()
            .to_string(),
        "limit must be between 1 and 100, got 101"
    );
    assert_eq!(chain.view().list_models(Some(5), Some(10)).unwrap(), vec![]);
    assert_eq!(
        chain
            .view()
            .get_history("acme/none".into(), None, None)
            .unwrap_err()
            .to_string(),
        "model 'acme/none' not found"
    );
}

#[test]
fn history_is_paginated() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    for i in 0..5 {
        chain
            .by(ACME)
            .add_maintainer("acme/sentiment".into(), acc(&format!("m{i}.near")))
            .unwrap();
    }
    let page = chain
        .view()
        .get_history("acme/sentiment".into(), Some(2), Some(2))
        .unwrap();
    assert_eq!(
        page.iter().map(|e| e.action.clone()).collect::<Vec<_>>(),
        vec![
            HistoryAction::MaintainerAdded {
                account: acc("m1.near")
            },
            HistoryAction::MaintainerAdded {
                account: acc("m2.near")
            },
        ]
    );
    assert_eq!(
        chain
            .view()
            .get_model("acme/sentiment".into())
            .unwrap()
            .history_len,
        6
    );
}
