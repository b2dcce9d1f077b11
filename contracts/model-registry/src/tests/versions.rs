use super::*;
use crate::manifest::MANIFEST_DOMAIN;
use crate::status::VersionStatus;
use crate::versions::{Publication, Relation};

#[test]
fn publishing_stores_the_manifest_and_its_canonical_digest() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.advance(HOUR);
    let result = chain.must_publish(ACME, "acme/sentiment", "1.0.0", 1);
    assert_eq!(
        result,
        PublishResult {
            version_id: "acme/sentiment@1.0.0".into(),
            publication: Publication::Published
        }
    );

    // digest = sha256 over the documented line encoding, files sorted by path
    let encoding = format!(
        "{MANIFEST_DOMAIN}config.json\n{}\n712\nmodel.safetensors\n{}\n498000000\ntokenizer.json\n{}\n2100000\n",
        hash(0xc0),
        hash(1),
        hash(0x70)
    );
    let digest = hex::encode(env::sha256_array(encoding.as_bytes()));
    assert_eq!(
        get_logs(),
        vec![format!(
            r#"EVENT_JSON:{{"standard":"nexus-model-registry","version":"1.0.0","event":"version_published","data":{{"model_id":"acme/sentiment","version":"1.0.0","manifest_digest":"{digest}","publisher":"acme.near"}}}}"#
        )]
    );
    assert_eq!(
        chain.view().compute_manifest_digest(files(1)).unwrap(),
        digest
    );

    let v = chain
        .view()
        .get_version("acme/sentiment".into(), "1.0.0".into())
        .unwrap();
    assert_eq!(v.manifest_digest, digest);
    assert_eq!(
        v.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        vec!["config.json", "model.safetensors", "tokenizer.json"]
    );
    assert_eq!(v.files[1].size, U64(498_000_000));
    assert_eq!(
        (v.publisher, v.published_at, v.publication),
        (acc(ACME), U64(T0 + HOUR), Publication::Published)
    );
    assert_eq!(v.status, VersionStatus::Active);
    let m = chain.view().get_model("acme/sentiment".into()).unwrap();
    assert_eq!(
        (m.version_count, m.latest_version),
        (1, Some("1.0.0".into()))
    );
}

#[test]
fn optional_fields_are_stored_and_a_base_model_must_be_a_live_version() {
    let mut chain = Chain::with_two_versions();
    chain.must_create(BOB, "bob", "sentiment-int8");
    let base = BaseModel {
        model_version_id: "acme/sentiment@1.1.0".into(),
        relation: Relation::Quantized,
    };
    let publish = |c: &mut VersionedContract, base: BaseModel| {
        c.publish_version(
            "bob/sentiment-int8".into(),
            "1.0.0".into(),
            files(7),
            Some(vec![
                "ipfs://bafybeigdyr".into(),
                "hf://bob/sentiment-int8".into(),
            ]),
            Some(hash(0xcc)),
            Some(base),
            None,
            true,
        )
    };
    chain.must_fail(
        BOB,
        |c| {
            publish(
                c,
                BaseModel {
                    model_version_id: "acme/sentiment@9.0.0".into(),
                    relation: Relation::Quantized,
                },
            )
        },
        "version 'acme/sentiment@9.0.0' not found",
    );
    chain.must_fail(
        BOB,
        |c| {
            publish(
                c,
                BaseModel {
                    model_version_id: "acme/sentiment".into(),
                    relation: Relation::Quantized,
                },
            )
        },
        "invalid base_model.model_version_id 'acme/sentiment': expected 'namespace/name@version'",
    );
    let _ = publish(chain.by(BOB), base.clone()).unwrap();
    let v = chain
        .view()
        .get_version("bob/sentiment-int8".into(), "1.0.0".into())
        .unwrap();
    assert_eq!(v.base_model, Some(base));
    assert_eq!(
        v.uris,
        vec![
            "ipfs://bafybeigdyr".to_string(),
            "hf://bob/sentiment-int8".to_string()
        ]
    );
    assert_eq!(v.model_card_digest, Some(hash(0xcc)));
    assert!(v.commercial_use);

    chain
        .by(ACME)
        .revoke_version(
            "acme/sentiment".into(),
            "1.0.0".into(),
            crate::status::RevocationCode::SecurityVulnerability,
            "pickle payload".into(),
        )
        .unwrap();
    chain.must_fail(
        BOB,
        |c| {
            c.publish_version(
                "bob/sentiment-int8".into(),
                "1.1.0".into(),
                files(8),
                None,
                None,
                Some(BaseModel {
                    model_version_id: "acme/sentiment@1.0.0".into(),
                    relation: Relation::FineTune,
                }),
                None,
                false,
            )
        },
        "version 'acme/sentiment@1.0.0' is revoked",
    );
}

#[test]
fn versions_must_strictly_increase() {
    let mut chain = Chain::with_two_versions();
    for (version, latest) in [
        ("1.1.0", "1.1.0"),
        ("1.0.5", "1.1.0"),
        ("1.1.0-rc.1", "1.1.0"),
        ("1.1.0+build.7", "1.1.0"),
    ] {
        chain.must_fail(
            ACME,
            |c| publish(c, "acme/sentiment", version, files(3)),
            &format!("version '{version}' must be greater than the latest version '{latest}' of model 'acme/sentiment'"),
        );
    }
    chain.must_publish(ACME, "acme/sentiment", "1.2.0-rc.1", 3);
    chain.must_publish(ACME, "acme/sentiment", "1.2.0", 4);
    chain.must_publish(ACME, "acme/sentiment", "10.0.0", 5);
    let versions: Vec<String> = chain
        .view()
        .list_versions("acme/sentiment".into(), None, None)
        .unwrap()
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(
        versions,
        vec!["1.0.0", "1.1.0", "1.2.0-rc.1", "1.2.0", "10.0.0"]
    );
    let page: Vec<String> = chain
        .view()
        .list_versions("acme/sentiment".into(), Some(1), Some(2))
        .unwrap()
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(page, vec!["1.1.0", "1.2.0-rc.1"]);
}

#[test]
fn malformed_semver_is_rejected() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let cases = [
        ("1.0", "invalid semver '1.0' in version: expected MAJOR.MINOR.PATCH".to_string()),
        ("v1.0.0", "invalid semver 'v1.0.0' in version: major must be an unsigned 64-bit number without leading zeros".into()),
        ("1.02.0", "invalid semver '1.02.0' in version: minor must be an unsigned 64-bit number without leading zeros".into()),
        ("1.0.0-", "invalid semver '1.0.0-' in version: pre-release identifiers must not be empty".into()),
        ("1.0.0+b@d", "invalid semver '1.0.0+b@d' in version: build metadata identifiers may only contain [0-9A-Za-z-]".into()),
        (&*format!("1.0.0-{}", "a".repeat(60)), "version is too long: 66 bytes, the limit is 64".into()),
    ];
    for (version, msg) in cases {
        chain.must_fail(
            ACME,
            |c| publish(c, "acme/sentiment", version, files(1)),
            &msg,
        );
    }
}

#[test]
fn bad_manifests_are_rejected() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let with = |f: &dyn Fn(&mut Vec<FileInput>)| {
        let mut fs = files(1);
        f(&mut fs);
        fs
    };
    let cases: Vec<(Vec<FileInput>, String)> = vec![
        (vec![], "manifest is empty: a version must publish at least one file".into()),
        (
            with(&|fs| fs[1].sha256 = "abcd".into()),
            "invalid files[1].sha256 'abcd': expected 64 hex characters (32 bytes), got 4 characters".into(),
        ),
        (
            with(&|fs| fs[0].sha256 = "zz".repeat(32)),
            format!("invalid files[0].sha256 '{}': expected 64 hex characters (32 bytes), found a non-hex character", "zz".repeat(32)),
        ),
        (
            with(&|fs| fs[2].sha256 = "ab".repeat(33)),
            format!("invalid files[2].sha256 '{}': expected 64 hex characters (32 bytes), got 66 characters", "ab".repeat(33)),
        ),
        (with(&|fs| fs[2].path = "config.json".into()), "duplicate files.path 'config.json'".into()),
        (with(&|fs| fs[0].path = "../etc/passwd".into()), "invalid files[0].path '../etc/passwd': must not contain empty, '.' or '..' segments".into()),
        (with(&|fs| fs[0].path = "p".repeat(257)), "files[0].path is too long: 257 bytes, the limit is 256".into()),
        ((0..65).map(|i| file(&format!("shard-{i}.bin"), 1, 1)).collect(), "files has too many entries: 65, the limit is 64".into()),
    ];
    for (fs, msg) in cases {
        chain.must_fail(ACME, |c| publish(c, "acme/sentiment", "1.0.0", fs), &msg);
    }
    assert_eq!(
        chain
            .view()
            .compute_manifest_digest(vec![])
            .unwrap_err()
            .to_string(),
        "manifest is empty: a version must publish at least one file"
    );
}

#[test]
fn bad_uris_digests_and_datasets_are_rejected() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    fn call(
        uris: Vec<&'static str>,
        card: Option<&'static str>,
        datasets: Vec<String>,
    ) -> impl FnOnce(&mut VersionedContract) -> Result<PromiseOrValue<PublishResult>, RegistryError>
    {
        move |c: &mut VersionedContract| {
            c.publish_version(
                "acme/sentiment".into(),
                "1.0.0".into(),
                files(1),
                Some(uris.into_iter().map(String::from).collect()),
                card.map(String::from),
                None,
                Some(datasets),
                false,
            )
        }
    }
    chain.must_fail(
        ACME,
        call(vec!["ftp://x"], None, vec![]),
        "invalid uris[0] 'ftp://x': must start with one of https://, ipfs://, hf://, ar://, s3://",
    );
    chain.must_fail(
        ACME,
        call(vec!["https://"], None, vec![]),
        "invalid uris[0] 'https://': must start with one of https://, ipfs://, hf://, ar://, s3://",
    );
    chain.must_fail(
        ACME,
        call(vec!["https://a b"], None, vec![]),
        "invalid uris[0] 'https://a b': character ' ' is not allowed",
    );
    chain.must_fail(
        ACME,
        call(vec!["hf://a"; 9], None, vec![]),
        "uris has too many entries: 9, the limit is 8",
    );
    chain.must_fail(
        ACME,
        call(vec!["hf://a", "hf://a"], None, vec![]),
        "duplicate uris 'hf://a'",
    );
    chain.must_fail(
        ACME,
        call(vec![], Some("00"), vec![]),
        "invalid model_card_digest '00': expected 64 hex characters (32 bytes), got 2 characters",
    );
    chain.must_fail(
        ACME,
        call(vec![], None, vec!["reviews".into()]),
        "invalid training_datasets[0] 'reviews': expected '<dataset_id>@<version>'",
    );
    chain.must_fail(
        ACME,
        call(vec![], None, vec!["a@1".into(), "a@1".into()]),
        "duplicate training_datasets 'a@1'",
    );
    chain.must_fail(
        ACME,
        call(vec![], None, (0..33).map(|i| format!("d{i}@1")).collect()),
        "training_datasets has too many entries: 33, the limit is 32",
    );
    chain.must_fail(
        ACME,
        call(vec![], None, vec!["acme/reviews@1.0.0".into()]),
        "training_datasets is not empty but no lineage contract is configured; publish without datasets or ask the registry owner to set one",
    );
}

#[test]
fn only_the_owner_and_maintainers_publish() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.must_fail(
        BOB,
        |c| publish(c, "acme/sentiment", "1.0.0", files(1)),
        "bob.near is not the owner or a maintainer of model 'acme/sentiment'",
    );
    chain.must_fail(
        BOB,
        |c| publish(c, "acme/unknown", "1.0.0", files(1)),
        "model 'acme/unknown' not found",
    );
    chain
        .by(ACME)
        .add_maintainer("acme/sentiment".into(), acc(BOB))
        .unwrap();
    chain.must_publish(BOB, "acme/sentiment", "1.0.0", 1);
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "1.0.0".into())
            .unwrap()
            .publisher,
        acc(BOB)
    );
}

#[test]
fn lookup_by_hash_finds_every_place_a_file_or_manifest_is_published() {
    let mut chain = Chain::with_two_versions();
    // config.json (0xc0) is in both versions; the weights differ.
    let hits = chain.view().lookup_hash(hash(0xc0), None, None).unwrap();
    assert_eq!(
        hits.iter()
            .map(|h| (h.version.as_str(), h.path.as_deref(), h.size))
            .collect::<Vec<_>>(),
        vec![
            ("1.0.0", Some("config.json"), Some(U64(712))),
            ("1.1.0", Some("config.json"), Some(U64(712)))
        ]
    );
    let weights = chain
        .view()
        .lookup_hash(hash(2).to_uppercase(), None, None)
        .unwrap();
    assert_eq!(weights.len(), 1);
    assert_eq!(
        (weights[0].model_id.as_str(), weights[0].version.as_str()),
        ("acme/sentiment", "1.1.0")
    );
    assert_eq!(weights[0].publication, Publication::Published);
    assert_eq!(weights[0].status, VersionStatus::Active);

    let digest = chain
        .view()
        .get_version("acme/sentiment".into(), "1.0.0".into())
        .unwrap()
        .manifest_digest;
    let by_manifest = chain.view().lookup_hash(digest, None, None).unwrap();
    assert_eq!(by_manifest.len(), 1);
    assert_eq!(
        (by_manifest[0].version.as_str(), by_manifest[0].path.clone()),
        ("1.0.0", None)
    );

    let page = chain
        .view()
        .lookup_hash(hash(0xc0), Some(1), Some(1))
        .unwrap();
    assert_eq!(
        page.iter().map(|h| h.version.as_str()).collect::<Vec<_>>(),
        vec!["1.1.0"]
    );
    assert_eq!(
        chain.view().lookup_hash(hash(0xee), None, None).unwrap(),
        vec![]
    );
    assert_eq!(
        chain
            .view()
            .lookup_hash("xyz".into(), None, None)
            .unwrap_err()
            .to_string(),
        "invalid sha256 'xyz': expected 64 hex characters (32 bytes), got 3 characters"
    );
    assert_eq!(
        chain
            .view()
            .lookup_hash(hash(0xc0), None, Some(1000))
            .unwrap_err()
            .to_string(),
        "limit must be between 1 and 100, got 1000"
    );
}

#[test]
fn unknown_versions_are_reported() {
    let mut chain = Chain::with_two_versions();
    assert_eq!(
        chain
            .view()
            .get_version("acme/sentiment".into(), "3.0.0".into()),
        None
    );
    assert_eq!(
        chain.view().get_version("acme/none".into(), "1.0.0".into()),
        None
    );
    assert_eq!(
        chain
            .view()
            .list_versions("acme/none".into(), None, None)
            .unwrap_err()
            .to_string(),
        "model 'acme/none' not found"
    );
}

#[test]
fn a_publish_charges_exactly_its_storage() {
    let mut probe = Chain::with_two_versions();
    probe.by(ACME);
    let before = env::storage_usage();
    let _ = publish(&mut probe.c, "acme/sentiment", "2.0.0", files(3)).unwrap();
    let bytes = env::storage_usage() - before;
    let required = u128::from(bytes) * byte_cost();
    assert_eq!(
        transfers(),
        vec![(ACME.to_string(), near(1).as_yoctonear() - required)]
    );

    let mut chain = Chain::with_two_versions();
    chain.call(ACME, yocto(required - 1));
    assert_eq!(
        publish(&mut chain.c, "acme/sentiment", "2.0.0", files(3))
            .err()
            .unwrap()
            .to_string(),
        format!(
            "insufficient deposit: attached {} yoctoNEAR, required {required} yoctoNEAR ({bytes} bytes of storage)",
            required - 1
        )
    );
    let mut chain = Chain::with_two_versions();
    chain.call(ACME, yocto(required));
    let _ = publish(&mut chain.c, "acme/sentiment", "2.0.0", files(3)).unwrap();
    assert!(transfers().is_empty());
}

/// Storage each write adds at realistic sizes (a 12-file manifest, a 200-byte description). Printed with
/// `cargo test -p model-registry storage_footprint -- --nocapture`; the bounds keep regressions visible.
#[test]
fn storage_footprint_of_realistic_writes() {
    fn measure(
        chain: &mut Chain,
        caller: &str,
        f: impl FnOnce(&mut VersionedContract),
    ) -> (u64, u64) {
        chain.by(caller);
        let before = env::storage_usage();
        f(&mut chain.c);
        chain.c.registry_mut().flush();
        (env::storage_usage() - before, env::used_gas().as_ggas())
    }
    let mut chain = Chain::new();
    let mut meta = metadata();
    meta.description = "d".repeat(200);
    let twelve: Vec<FileInput> = (0..12u8)
        .map(|i| {
            file(
                &format!("model-{i:05}-of-00012.safetensors"),
                i + 1,
                4_000_000_000,
            )
        })
        .collect();
    let rows = [
        (
            "create_model",
            measure(&mut chain, ACME, |c| {
                drop(
                    c.create_model("acme".into(), "llm".into(), Some(meta))
                        .unwrap(),
                )
            }),
        ),
        (
            "publish_version (12 files)",
            measure(&mut chain, ACME, |c| {
                drop(publish(c, "acme/llm", "1.0.0", twelve).unwrap())
            }),
        ),
        (
            "set_alias",
            measure(&mut chain, ACME, |c| {
                c.set_alias("acme/llm".into(), "production".into(), "1.0.0".into())
                    .unwrap()
            }),
        ),
        (
            "add_maintainer",
            measure(&mut chain, ACME, |c| {
                c.add_maintainer("acme/llm".into(), acc(BOB)).unwrap()
            }),
        ),
        (
            "attest",
            measure(&mut chain, AUDITOR, |c| {
                let _ = c
                    .attest(
                        "acme/llm".into(),
                        "1.0.0".into(),
                        crate::attestations::AttestationKind::Evaluation,
                        None,
                    )
                    .unwrap();
            }),
        ),
        (
            "deprecate_version",
            measure(&mut chain, ACME, |c| {
                c.deprecate_version("acme/llm".into(), "1.0.0".into(), "use 1.1".into(), None)
                    .unwrap()
            }),
        ),
    ];
    // Gas here is host-function gas only (storage, hashing, logs): a lower bound, not the on-chain cost.
    for (name, (bytes, ggas)) in rows {
        // 1 byte = 10^19 yoctoNEAR = 0.00001 NEAR
        println!(
            "{name:<28} {bytes:>6} bytes  {}.{:05} NEAR  host gas {ggas} Ggas",
            bytes / 100_000,
            bytes % 100_000
        );
    }
    // The first release wrote 5.5 kB and burnt 5.9 Tgas of host gas here (three writes and two reads per
    // digest); one record per new digest brings it to ~2.5 kB and ~2 Tgas.
    assert!(rows[1].1.0 < 3_000, "a 12-file publish stays under 3 kB");
    assert!(
        rows[1].1.1 < 2_500,
        "a 12-file publish stays under 2.5 Tgas of host gas"
    );
}

#[test]
fn merkle_roots_are_kept_per_file_and_shown_only_where_given() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    chain.must_publish(ACME, "acme/sentiment", "1.0.0", 1);
    let mut with_roots = files(2);
    // files[0] of the input is model.safetensors, files[1] once sorted by path.
    with_roots[0].merkle = Some(crate::manifest::MerkleInput {
        chunk_size: 4 << 20,
        root: hash(0xee),
    });
    chain.by(ACME);
    let before = env::storage_usage();
    publish(&mut chain.c, "acme/sentiment", "1.1.0", with_roots)
        .unwrap()
        .detach();
    let with_root_bytes = env::storage_usage() - before;

    let v = chain
        .view()
        .get_version("acme/sentiment".into(), "1.1.0".into())
        .unwrap();
    let roots: Vec<_> = v.files.iter().map(|f| f.merkle.clone()).collect();
    assert_eq!(
        roots,
        [
            None,
            Some(crate::manifest::MerkleView {
                chunk_size: 4 << 20,
                root: hash(0xee)
            }),
            None
        ],
        "the root stays with model.safetensors (files[1] in canonical order)"
    );
    // The manifest digest identifies the content alone: the same files without roots have the same digest.
    assert_eq!(
        v.manifest_digest,
        chain.view().compute_manifest_digest(files(2)).unwrap()
    );
    // A file without a root has no `merkle` key in JSON (views of older versions read as before).
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["files"][0].get("merkle"), None);
    assert_eq!(
        json["files"][1]["merkle"],
        serde_json::json!({"chunk_size": 4194304, "root": hash(0xee)})
    );
    let listed = chain
        .view()
        .list_versions("acme/sentiment".into(), None, None)
        .unwrap();
    assert_eq!(listed[0].files[1].merkle, None);
    assert_eq!(listed[1], v);

    // Storage: a version without roots keeps the first layout; roots cost their bytes (the list's length,
    // a tag per file, chunk size and root per file with one).
    // (files(3) repeats exactly what files(2) repeated of 1.0.0, so the hash index grows alike.)
    chain.by(ACME);
    let before = env::storage_usage();
    publish(&mut chain.c, "acme/sentiment", "1.2.0", files(3))
        .unwrap()
        .detach();
    let plain_bytes = env::storage_usage() - before;
    assert_eq!(with_root_bytes - plain_bytes, 4 + 3 + 4 + 32);
}

#[test]
fn an_invalid_merkle_root_is_refused_and_changes_nothing() {
    let mut chain = Chain::new();
    chain.must_create(ACME, "acme", "sentiment");
    let mut bad = files(1);
    bad[0].merkle = Some(crate::manifest::MerkleInput {
        chunk_size: 1000,
        root: hash(1),
    });
    chain.must_fail(
        ACME,
        |c| publish(c, "acme/sentiment", "1.0.0", bad.clone()).map(drop),
        "invalid files[0].merkle.chunk_size '1000': must be a power of two from 1024 to 1073741824",
    );
}
