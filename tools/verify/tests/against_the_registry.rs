//! End to end: the `nexus-verify` binary against a model registry on a local node (the one
//! `NEAR_SANDBOX_BIN_PATH` names), checking its reports and exit statuses as a user or a CI job sees them.

use std::path::Path;
use std::process::Command;

use near_workspaces::network::Sandbox;
use near_workspaces::types::{Gas, NearToken};
use near_workspaces::{Account, Contract, Worker};
use sandbox_tests::{must_account, must_deploy_new, must_succeed, sandbox, view};
use serde_json::{Value, json};

const MODEL: &str = "acme/sentiment";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// Asserts the exit status and that the report contains each of `texts`.
    fn shows(&self, code: i32, texts: &[&str]) {
        assert_eq!(self.code, code, "{}{}", self.stdout, self.stderr);
        for text in texts {
            assert!(
                self.stdout.contains(text),
                "no {text:?} in:\n{}",
                self.stdout
            );
        }
    }

    /// The check could not be made: exit status 2; returns the reason (stderr).
    fn cannot_check(&self) -> &str {
        assert_eq!(self.code, 2, "{}{}", self.stdout, self.stderr);
        &self.stderr
    }
}

/// Runs the binary against `registry` on the node `worker` runs.
fn verify(worker: &Worker<Sandbox>, registry: &Contract, args: &[&str]) -> Run {
    verify_at(worker, registry.id().as_str(), args)
}

/// Runs the binary against whatever account `registry` names.
fn verify_at(worker: &Worker<Sandbox>, registry: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_nexus-verify"))
        .args([
            "--rpc-url",
            &worker.rpc_addr(),
            "--registry",
            registry,
            // The node produces blocks as transactions arrive; `final` trails the head by two.
            "--finality",
            "optimistic",
        ])
        .args(args)
        .env_remove("NEXUS_RPC_URL")
        .env_remove("NEXUS_REGISTRY")
        .output()
        .expect("run nexus-verify");
    Run {
        code: out.status.code().expect("exit status"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

async fn call(who: &Account, registry: &Contract, method: &str, args: Value) {
    must_succeed(
        &who.call(registry.id(), method)
            .args_json(args)
            .deposit(NearToken::from_near(1))
            .gas(Gas::from_tgas(100))
            .transact()
            .await
            .unwrap_or_else(|e| panic!("{method}: {e:?}")),
    );
}

fn write(dir: &Path, rel: &str, data: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[tokio::test]
async fn a_published_directory_verifies_and_every_change_to_it_or_its_status_is_reported()
-> anyhow::Result<()> {
    let worker = sandbox().await?;
    let registry =
        must_deploy_new(&worker, "model-registry", |c| json!({ "owner_id": c.id() })).await;
    let acme = must_account(&worker).await;
    let auditor = must_account(&worker).await;
    call(
        &acme,
        &registry,
        "create_model",
        json!({ "namespace": "acme", "name": "sentiment" }),
    )
    .await;

    // A model directory with real content; the publisher takes its manifest from the tool.
    let model = tempfile::tempdir()?;
    let dir = model.path();
    let weights: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
    write(dir, "model.safetensors", &weights);
    write(dir, "config.json", br#"{"labels":["neg","pos"]}"#);
    write(dir, "tokenizer/vocab.txt", b"[PAD]\n[UNK]\ngood\nbad\n");
    write(dir, ".git/HEAD", b"ref: refs/heads/main\n");
    // 64 KiB chunks: the 300 000-byte weights get a Merkle root, the small files do not.
    let manifest = verify(
        &worker,
        &registry,
        &["manifest", path(dir), "--chunk-size", "65536"],
    );
    assert_eq!(manifest.code, 0, "{}", manifest.stderr);
    let manifest = manifest.json();
    assert_eq!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["config.json", "model.safetensors", "tokenizer/vocab.txt"],
        ".git is not part of the manifest"
    );
    assert_eq!(manifest["files"][1]["merkle"]["chunk_size"], 65536);
    assert_eq!(manifest["files"][0].get("merkle"), None);
    // The registry computes the same digest for the same files.
    assert_eq!(
        view(
            &registry,
            "compute_manifest_digest",
            json!({ "files": manifest["files"] })
        )
        .await,
        manifest["manifest_digest"]
    );
    call(
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "files": manifest["files"],
                "commercial_use": true }),
    )
    .await;
    let version = view(
        &registry,
        "get_version",
        json!({ "model_id": MODEL, "version": "1.0.0" }),
    )
    .await;
    assert_eq!(version["manifest_digest"], manifest["manifest_digest"]);
    assert_eq!(version["files"], manifest["files"], "roots included");
    // The chunk list a publisher puts next to the weights agrees with the root on chain.
    let chunks = verify(
        &worker,
        &registry,
        &[
            "chunks",
            path(&dir.join("model.safetensors")),
            "--chunk-size",
            "65536",
        ],
    );
    assert_eq!(chunks.code, 0, "{}", chunks.stderr);
    let chunks = chunks.json();
    assert_eq!(chunks["root"], version["files"][1]["merkle"]["root"]);
    assert_eq!(
        chunks["leaves"].as_array().unwrap().len(),
        5,
        "300 000 bytes in 64 KiB chunks"
    );
    call(
        &auditor,
        &registry,
        "attest",
        json!({ "model_id": MODEL, "version": "1.0.0", "kind": "audit",
                "attestation": { "score": "0.97", "evidence_uri": "https://audits.example/1" } }),
    )
    .await;

    // The directory as a whole is the published version, found by its manifest digest.
    let run = verify(&worker, &registry, &["dir", path(dir)]);
    run.shows(
        0,
        &[
            "this is exactly:\n    acme/sentiment@1.0.0  published, active\n",
            &format!(
                "    #0 audit by {}, score 0.97  active  https://audits.example/1\n",
                auditor.id()
            ),
        ],
    );
    assert!(run.stdout.starts_with("VERIFIED  "), "{}", run.stdout);

    // Against what an alias points to now: the deployment gate "is this what production is?".
    call(
        &acme,
        &registry,
        "set_alias",
        json!({ "model_id": MODEL, "alias": "production", "version": "1.0.0" }),
    )
    .await;
    let run = verify(
        &worker,
        &registry,
        &["dir", path(dir), "--expect", "acme/sentiment:production"],
    );
    run.shows(
        0,
        &["  against acme/sentiment@1.0.0 (acme/sentiment:production): published, active;"],
    );
    let run = verify(
        &worker,
        &registry,
        &["dir", path(dir), "--expect", "acme/sentiment:staging"],
    );
    assert_eq!(
        run.cannot_check(),
        "error: acme/sentiment has no alias \"staging\"\n"
    );

    // One file, as JSON: where it is published and who vouches for that version.
    let weights_path = dir.join("model.safetensors");
    let run = verify(&worker, &registry, &["--json", "file", path(&weights_path)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["verdict"], "verified");
    let file = &report["files"][0];
    assert_eq!(file["size"], 300_000);
    assert_eq!(
        file["places"],
        json!([{ "model_id": MODEL, "version": "1.0.0", "path": "model.safetensors",
                 "size": "300000", "publication": "published", "status": { "state": "active" } }])
    );
    assert_eq!(
        file["attestations"][0]["version_id"],
        "acme/sentiment@1.0.0"
    );
    assert_eq!(
        file["attestations"][0]["attestations"][0]["attester"],
        auditor.id().as_str()
    );

    // An extra file: the version's content is all here (verified), but not exactly (`--exact` fails).
    write(dir, "README.md", b"# notes\n");
    let run = verify(
        &worker,
        &registry,
        &["dir", path(dir), "--expect", "acme/sentiment@1.0.0"],
    );
    run.shows(
        0,
        &[
            "  3 of 3 files match\n  extra (not in the manifest): README.md\n  Merkle roots match: model.safetensors\n",
            "  extra (not in the manifest): README.md\n",
        ],
    );
    let run = verify(
        &worker,
        &registry,
        &[
            "dir",
            path(dir),
            "--expect",
            "acme/sentiment@1.0.0",
            "--exact",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("MISMATCH  "), "{}", run.stdout);
    std::fs::remove_file(dir.join("README.md"))?;

    // A changed file: named with both digests; without --expect the directory is no version, and the
    // per-file list shows which file is unknown.
    let mut tampered = weights.clone();
    tampered[1000] ^= 1;
    write(dir, "model.safetensors", &tampered);
    let run = verify(
        &worker,
        &registry,
        &[
            "--json",
            "dir",
            path(dir),
            "--expect",
            "acme/sentiment@1.0.0",
        ],
    );
    assert_eq!(run.code, 1);
    let report = run.json();
    assert_eq!(report["verdict"], "mismatch");
    let comparison = &report["expected"]["comparison"];
    assert_eq!(
        comparison["matching"],
        json!(["config.json", "tokenizer/vocab.txt"])
    );
    assert_eq!(comparison["modified"][0]["path"], "model.safetensors");
    assert_eq!(
        comparison["modified"][0]["expected_sha256"],
        version["files"][1]["sha256"]
    );
    assert_eq!(comparison["missing"], json!([]));
    let run = verify(&worker, &registry, &["dir", path(dir)]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("UNKNOWN  "), "{}", run.stdout);
    let model_line = format!(
        "    UNKNOWN   {}\n",
        dir.join("model.safetensors").display()
    );
    let config_line = format!(
        "    VERIFIED  {}  e.g. acme/sentiment@1.0.0\n",
        dir.join("config.json").display()
    );
    assert!(run.stdout.contains(&model_line), "{}", run.stdout);
    assert!(run.stdout.contains(&config_line), "{}", run.stdout);
    write(dir, "model.safetensors", &weights);

    // Deprecated: still verified, with the successor named. Revoked: not verified, with the reason.
    call(
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.1.0",
                "files": [{ "path": "model.safetensors", "sha256": "ab".repeat(32), "size": "1" }],
                "commercial_use": true }),
    )
    .await;
    call(
        &acme,
        &registry,
        "deprecate_version",
        json!({ "model_id": MODEL, "version": "1.0.0", "message": "use 1.1.0", "successor": "1.1.0" }),
    )
    .await;
    let run = verify(&worker, &registry, &["file", path(&weights_path)]);
    run.shows(
        0,
        &["  warning: acme/sentiment@1.0.0 is deprecated: use 1.1.0 (successor: acme/sentiment@1.1.0)\n"],
    );
    call(
        &acme,
        &registry,
        "revoke_version",
        json!({ "model_id": MODEL, "version": "1.0.0",
                "code": "security_vulnerability", "reason": "pickle payload" }),
    )
    .await;
    let run = verify(&worker, &registry, &["dir", path(dir)]);
    run.shows(
        1,
        &["    acme/sentiment@1.0.0  published, REVOKED (security_vulnerability): pickle payload\n"],
    );
    assert!(run.stdout.starts_with("REVOKED  "), "{}", run.stdout);
    // Several files: only as good as the worst; the other file is in no version with this content.
    let config = dir.join("config.json");
    let run = verify(
        &worker,
        &registry,
        &[
            "file",
            path(&config),
            path(&weights_path),
            "--expect",
            "acme/sentiment@1.1.0",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.ends_with("MISMATCH: 2 files\n"),
        "{}",
        run.stdout
    );

    // A version whose publisher got a Merkle root wrong: the file is still that version's (verified), and the
    // report says chunk-by-chunk checks against that root will fail.
    let mut wrong_root = manifest["files"].clone();
    wrong_root[1]["merkle"]["root"] = json!("00".repeat(32));
    call(
        &acme,
        &registry,
        "publish_version",
        json!({ "model_id": MODEL, "version": "1.2.0", "files": wrong_root, "commercial_use": true }),
    )
    .await;
    let wrong_root_warning = "  warning: acme/sentiment@1.2.0 publishes a Merkle root for model.safetensors that does not match its content: chunk-by-chunk checks of that file will fail\n";
    let run = verify(
        &worker,
        &registry,
        &[
            "file",
            path(&weights_path),
            "--expect",
            "acme/sentiment@1.2.0",
        ],
    );
    run.shows(0, &[wrong_root_warning]);
    // Found by its manifest digest (1.0.0, revoked, and 1.2.0 publish exactly this content), the
    // directory gets the same warning.
    let run = verify(&worker, &registry, &["dir", path(dir)]);
    run.shows(
        0,
        &[
            "this is exactly:\n    acme/sentiment@1.0.0  published, REVOKED (security_vulnerability): pickle payload\n    acme/sentiment@1.2.0  published, active\n",
            wrong_root_warning,
        ],
    );

    // A directory that is no version, larger than any version can be: the first 64 files are looked up.
    let big = tempfile::tempdir()?;
    for i in 0..66 {
        write(
            big.path(),
            &format!("shard-{i:03}.bin"),
            format!("{i}").as_bytes(),
        );
    }
    let run = verify(&worker, &registry, &["--json", "dir", path(big.path())]);
    assert_eq!(run.code, 1);
    let report = run.json();
    assert_eq!(report["verdict"], "unknown");
    assert_eq!(report["files"].as_array().unwrap().len(), 64);
    assert_eq!(report["files_not_looked_up"], 2);

    // Checks that cannot be made exit 2 with the reason.
    let run = verify(
        &worker,
        &registry,
        &["dir", path(dir), "--expect", "acme/sentiment@9.9.9"],
    );
    assert_eq!(
        run.cannot_check(),
        "error: acme/sentiment@9.9.9 is not in the registry\n"
    );
    let run = verify(
        &worker,
        &registry,
        &["file", path(&dir.join("missing.bin"))],
    );
    let reason = run.cannot_check();
    assert!(reason.starts_with("error: cannot open "), "{reason}");
    let run = verify_at(&worker, "nobody.test.near", &["file", path(&weights_path)]);
    let reason = run.cannot_check();
    assert!(
        reason.starts_with("error: nobody.test.near.lookup_hash: no such account: "),
        "{reason}"
    );
    let run = verify_at(&worker, acme.id().as_str(), &["file", path(&weights_path)]);
    assert_eq!(
        run.cannot_check(),
        format!(
            "error: {} has no contract deployed: is it the model registry's account?\n",
            acme.id()
        )
    );
    Ok(())
}
