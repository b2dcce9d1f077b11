//! `nexus-verify`: anyone verifies local model files against the Nexus model registry.
//!
//! - `file`: each file's sha256 → every (model, version, path) publishing it (`lookup_hash`), with each
//!   version's publication and status, and the attestations of the versions that vouch for it;
//! - `dir`: a model directory's manifest digest (computed as the registry does, [`local`]) → the versions
//!   that are exactly this content; or, with `--expect`, a file-by-file comparison with that version;
//! - `manifest`: the directory's manifest and digest, offline — what a publisher passes to `publish_version`;
//! - `chunks`: a file's chunk list (leaf hashes and Merkle root), offline — what a publisher puts next to a
//!   large file so downloaders can check each chunk against the root on chain.
//!
//! The decision rules are in [`verdict`]; only a verified answer exits 0.

pub mod cli;
pub mod local;
pub mod merkle;
pub mod registry;
pub mod report;
pub mod rpc;
pub mod verdict;

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;

use cli::{Cli, Command};
use local::LocalFile;
use registry::{ChainFile, Place, Registry};
use report::{DirReport, ExpectedVersion, FileReport, FilesReport, VersionAttestations};
use verdict::{Comparison, Verdict};

/// A directory that is no published version has at most this many of its files looked up one by one (the
/// registry's limit of files per version).
const MAX_LOOKED_UP_FILES: usize = 64;
/// Attestations (and Merkle roots, for a directory) are read for at most this many versions per report.
const MAX_ATTESTED_VERSIONS: usize = 10;

/// Runs a parsed command line, writing the report to `out`. `Ok` carries the verdict (exit status 0 or 1);
/// `Err` means the check could not be made (exit status 2).
pub async fn execute(cli: &Cli, out: &mut String) -> Result<Verdict> {
    if let Command::Manifest {
        dir,
        exclude,
        chunk_size,
    } = &cli.command
    {
        let files = local::scan_dir_chunked(dir, exclude, *chunk_size)?;
        let manifest = json!({
            "manifest_digest": hex::encode(local::manifest_digest(&files)),
            "files": files,
        });
        out.push_str(&serde_json::to_string_pretty(&manifest)?);
        out.push('\n');
        return Ok(Verdict::Verified);
    }
    if let Command::Chunks { file, chunk_size } = &cli.command {
        out.push_str(&serde_json::to_string_pretty(&chunk_list(
            file,
            *chunk_size,
        )?)?);
        out.push('\n');
        return Ok(Verdict::Verified);
    }
    let rpc = rpc::Rpc::new(&cli.rpc_url(), cli.finality)?;
    let account = cli.registry()?;
    let registry = Registry::new(&rpc, &account);
    match &cli.command {
        Command::File { files, expect } => {
            let mut reports = Vec::with_capacity(files.len());
            for path in files {
                reports.push(check_file(&registry, path, expect.as_deref()).await?);
            }
            let report = FilesReport {
                verdict: Verdict::worst(reports.iter().map(|r| r.verdict)),
                files: reports,
            };
            emit(cli, out, &report, |o| report.render(o))?;
            Ok(report.verdict)
        }
        Command::Dir {
            dir,
            expect,
            exact,
            exclude,
        } => {
            let report = check_dir(&registry, dir, expect.as_deref(), *exact, exclude).await?;
            emit(cli, out, &report, |o| report.render(o))?;
            Ok(report.verdict)
        }
        Command::Manifest { .. } | Command::Chunks { .. } => unreachable!("handled above"),
    }
}

/// `{path, size, chunk_size, root, leaves}` of one file (hex digests, size as a decimal string).
pub fn chunk_list(file: &Path, chunk_size: u32) -> Result<serde_json::Value> {
    let (sha256, size, leaves) = local::hash_file_leaves(file, Some(chunk_size))?;
    let leaves = leaves.unwrap_or_default();
    Ok(json!({
        "path": file.display().to_string(),
        "sha256": hex::encode(sha256),
        "size": size.to_string(),
        "chunk_size": chunk_size,
        "root": hex::encode(merkle::root(&leaves)),
        "leaves": leaves.iter().map(hex::encode).collect::<Vec<_>>(),
    }))
}

fn emit<T: Serialize>(
    cli: &Cli,
    out: &mut String,
    report: &T,
    text: impl FnOnce(&mut String),
) -> Result<()> {
    if cli.json {
        out.push_str(&serde_json::to_string_pretty(report)?);
        out.push('\n');
    } else {
        text(out);
    }
    Ok(())
}

async fn check_file(
    registry: &Registry<'_>,
    path: &Path,
    expect: Option<&str>,
) -> Result<FileReport> {
    let (sha256, size) = local::hash_file(path)?;
    let sha256 = hex::encode(sha256);
    let mut merkle_warnings = Vec::new();
    let (places, truncated, wrong_size) = match expect {
        Some(version_id) => {
            let v = expected_version(registry, version_id).await?;
            let (same, other): (Vec<_>, Vec<_>) = v
                .files
                .iter()
                .filter(|f| f.sha256.eq_ignore_ascii_case(&sha256))
                .partition(|f| f.size == size);
            for f in &same {
                if merkle_agrees(path, f)? == Some(false) {
                    merkle_warnings.push(merkle_warning(&v.version_id, &f.path));
                }
            }
            let place = |f: &&ChainFile| v.place(Some(f));
            (
                same.iter().map(place).collect(),
                false,
                other.iter().map(place).collect(),
            )
        }
        None => {
            let (all, truncated) = registry.places(&sha256).await?;
            let (places, wrong_size) = verdict::file_places(all, size);
            (places, truncated, wrong_size)
        }
    };
    let verdict = match (expect, places.is_empty()) {
        (Some(_), true) => Verdict::Mismatch,
        _ => verdict::of_places(&places),
    };
    let (mut warnings, attestations) = vouching(registry, &places).await?;
    warnings.extend(merkle_warnings);
    Ok(FileReport {
        file: path.display().to_string(),
        sha256,
        size,
        verdict,
        places,
        truncated,
        wrong_size,
        warnings,
        attestations,
    })
}

async fn check_dir(
    registry: &Registry<'_>,
    dir: &Path,
    expect: Option<&str>,
    exact: bool,
    exclude: &[String],
) -> Result<DirReport> {
    let files = local::scan_dir(dir, exclude)?;
    let manifest_digest = hex::encode(local::manifest_digest(&files));
    let mut report = DirReport {
        dir: dir.display().to_string(),
        manifest_digest: manifest_digest.clone(),
        file_count: files.len(),
        verdict: Verdict::Unknown,
        versions: Vec::new(),
        expected: None,
        files: Vec::new(),
        files_not_looked_up: 0,
        warnings: Vec::new(),
        attestations: Vec::new(),
    };
    if let Some(version_id) = expect {
        let v = expected_version(registry, version_id).await?;
        let mut comparison = Comparison::new(&v.files, &files);
        (comparison.merkle_ok, comparison.merkle_wrong) =
            check_roots(dir, &v, |p| comparison.matching.iter().any(|m| m == p))?;
        report.verdict = verdict::of_comparison(&v, &comparison, exact);
        for path in &comparison.merkle_wrong {
            report.warnings.push(merkle_warning(&v.version_id, path));
        }
        if report.verdict != Verdict::Mismatch {
            let (warnings, attestations) = vouching(registry, &[v.place(None)]).await?;
            report.warnings.extend(warnings);
            report.attestations = attestations;
        }
        report.expected = Some(ExpectedVersion {
            requested: version_id.to_string(),
            version_id: v.version_id,
            publisher: v.publisher,
            publication: v.publication,
            status: v.status,
            manifest_digest: v.manifest_digest,
            training_datasets: v.training_datasets,
            comparison,
        });
        return Ok(report);
    }
    let (places, _) = registry.places(&manifest_digest).await?;
    report.versions = places.into_iter().filter(|p| p.path.is_none()).collect();
    report.verdict = verdict::of_places(&report.versions);
    if report.versions.is_empty() {
        // Not a published version as a whole: say which of its files are known, to help find out why
        // (for as many files as a version can list; a larger directory cannot be one version anyway).
        for f in files.iter().take(MAX_LOOKED_UP_FILES) {
            report.files.push(file_report(registry, dir, f).await?);
        }
        report.files_not_looked_up = files.len().saturating_sub(MAX_LOOKED_UP_FILES);
    } else {
        (report.warnings, report.attestations) = vouching(registry, &report.versions).await?;
        // The content is exactly these versions'; their published Merkle roots may still be wrong.
        for p in report.versions.iter().take(MAX_ATTESTED_VERSIONS) {
            let version_id = format!("{}@{}", p.model_id, p.version);
            let Some(v) = registry.version(&version_id).await? else {
                continue;
            };
            // Every file matches (same manifest digest), so every published root is checked.
            let (_, wrong) = check_roots(dir, &v, |_| true)?;
            for path in wrong {
                report.warnings.push(merkle_warning(&version_id, &path));
            }
        }
    }
    Ok(report)
}

/// A directory's file looked up on its own (no attestations: the directory's report is about the whole).
async fn file_report(registry: &Registry<'_>, dir: &Path, f: &LocalFile) -> Result<FileReport> {
    let sha256 = hex::encode(f.sha256);
    let (all, truncated) = registry.places(&sha256).await?;
    let (places, wrong_size) = verdict::file_places(all, f.size);
    Ok(FileReport {
        file: dir.join(&f.path).display().to_string(),
        sha256,
        size: f.size,
        verdict: verdict::of_places(&places),
        places,
        truncated,
        wrong_size,
        warnings: Vec::new(),
        attestations: Vec::new(),
    })
}

/// The files of `v` (those `include` accepts) whose published Merkle root the local copy under `dir`
/// matches, and those it does not; files without a root are in neither.
fn check_roots(
    dir: &Path,
    v: &registry::Version,
    include: impl Fn(&str) -> bool,
) -> Result<(Vec<String>, Vec<String>)> {
    let (mut ok, mut wrong) = (Vec::new(), Vec::new());
    for f in v.files.iter().filter(|f| include(&f.path)) {
        match merkle_agrees(&dir.join(&f.path), f)? {
            Some(true) => ok.push(f.path.clone()),
            Some(false) => wrong.push(f.path.clone()),
            None => {}
        }
    }
    Ok((ok, wrong))
}

/// Whether the Merkle root published for `f` is the one of the local file at `path` (`None`: no root
/// published). Reads the file again, chunked as the root says.
fn merkle_agrees(path: &Path, f: &ChainFile) -> Result<Option<bool>> {
    let Some(m) = &f.merkle else {
        return Ok(None);
    };
    let (_, _, root) = local::hash_file_chunked(path, Some(m.chunk_size))?;
    Ok(Some(root.is_some_and(|r| {
        hex::encode(r).eq_ignore_ascii_case(&m.root)
    })))
}

fn merkle_warning(version_id: &str, path: &str) -> String {
    format!(
        "{version_id} publishes a Merkle root for {path} that does not match its content: \
         chunk-by-chunk checks of that file will fail"
    )
}

/// The version `--expect` names: `model@version`, or `model:alias` resolved to the version it points to now.
async fn expected_version(registry: &Registry<'_>, expected: &str) -> Result<registry::Version> {
    let version_id = registry.resolve(expected).await?;
    registry
        .version(&version_id)
        .await?
        .with_context(|| format!("{version_id} is not in the registry"))
}

/// Deprecation warnings and attestations of the versions that vouch for the content (published, not
/// revoked), each version once, at most [`MAX_ATTESTED_VERSIONS`].
async fn vouching(
    registry: &Registry<'_>,
    places: &[Place],
) -> Result<(Vec<String>, Vec<VersionAttestations>)> {
    let mut seen = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut attestations = Vec::new();
    for p in places {
        if verdict::of_version(p.publication, &p.status) != Verdict::Verified
            || !seen.insert((p.model_id.as_str(), p.version.as_str()))
        {
            continue;
        }
        warnings.extend(verdict::warnings(&p.model_id, &p.version, &p.status));
        if attestations.len() < MAX_ATTESTED_VERSIONS {
            attestations.push(VersionAttestations {
                version_id: format!("{}@{}", p.model_id, p.version),
                attestations: registry.attestations(&p.model_id, &p.version).await?,
            });
        }
    }
    Ok((warnings, attestations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_list_checks_against_its_root_and_proves_every_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 199) as u8).collect();
        let file = dir.path().join("w.bin");
        std::fs::write(&file, &data).unwrap();
        let list = chunk_list(&file, 1024).unwrap();
        assert_eq!(list["size"], "5000");
        assert_eq!(list["chunk_size"], 1024);
        let leaves: Vec<merkle::Hash> = list["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                hex::decode(h.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect();
        // What a downloader does: the list matches the root, and each chunk its leaf.
        assert_eq!(hex::encode(merkle::root(&leaves)), list["root"]);
        assert_eq!(leaves.len(), 5);
        for (i, chunk) in data.chunks(1024).enumerate() {
            assert_eq!(merkle::leaf_hash(chunk), leaves[i]);
            let proof = merkle::inclusion_proof(&leaves, i).unwrap();
            let root = merkle::root(&leaves);
            assert!(merkle::verify_inclusion(
                i as u64, 5, &leaves[i], &proof, &root
            ));
        }
        let (_, _, root) = local::hash_file_chunked(&file, Some(1024)).unwrap();
        assert_eq!(hex::encode(root.unwrap()), list["root"]);
    }
}
