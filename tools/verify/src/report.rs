//! What a check found, as JSON (`--json`) or as text for a person.

use std::fmt::Write as _;

use serde::Serialize;

use crate::registry::{Attestation, Place, Publication, Status};
use crate::verdict::{Comparison, Verdict};

#[derive(Clone, Debug, Serialize)]
pub struct VersionAttestations {
    pub version_id: String,
    pub attestations: Vec<Attestation>,
}

/// One local file.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub verdict: Verdict,
    /// Where this content is published (with `--expect`: where in that version).
    pub places: Vec<Place>,
    /// More places exist than were read.
    pub truncated: bool,
    /// Places with this sha256 but another recorded size (the publisher recorded a wrong size).
    pub wrong_size: Vec<Place>,
    pub warnings: Vec<String>,
    pub attestations: Vec<VersionAttestations>,
}

/// The version a directory was compared with (`--expect`).
#[derive(Clone, Debug, Serialize)]
pub struct ExpectedVersion {
    /// What `--expect` named (a version id, or `model:alias`).
    pub requested: String,
    pub version_id: String,
    pub publisher: String,
    pub publication: Publication,
    pub status: Status,
    pub manifest_digest: String,
    pub training_datasets: Vec<String>,
    pub comparison: Comparison,
}

/// A model directory.
#[derive(Clone, Debug, Serialize)]
pub struct DirReport {
    pub dir: String,
    pub manifest_digest: String,
    pub file_count: usize,
    pub verdict: Verdict,
    /// Versions whose manifest is exactly this directory (found by the manifest digest).
    pub versions: Vec<Place>,
    pub expected: Option<ExpectedVersion>,
    /// File by file, when no version is exactly this directory and none was expected.
    pub files: Vec<FileReport>,
    /// Files beyond the first 64, not looked up one by one.
    pub files_not_looked_up: usize,
    pub warnings: Vec<String>,
    pub attestations: Vec<VersionAttestations>,
}

/// Several files checked at once: verified only if every one is.
#[derive(Clone, Debug, Serialize)]
pub struct FilesReport {
    pub verdict: Verdict,
    pub files: Vec<FileReport>,
}

pub fn state(publication: Publication, status: &Status) -> String {
    match (publication, status) {
        (Publication::Published, Status::Active) => "published, active".into(),
        (Publication::Published, Status::Deprecated { message, .. }) => {
            format!("published, deprecated: {message}")
        }
        (Publication::Published, Status::Revoked { code, reason }) => {
            format!("published, REVOKED ({code}): {reason}")
        }
        (Publication::Pending, _) => "pending (lineage consent check not finished)".into(),
        (other, _) => format!("{other:?}").to_lowercase(),
    }
}

fn place_line(out: &mut String, p: &Place) {
    let _ = writeln!(
        out,
        "    {}@{}{}  {}",
        p.model_id,
        p.version,
        p.path
            .as_ref()
            .map(|x| format!("  {x}"))
            .unwrap_or_default(),
        state(p.publication, &p.status)
    );
}

fn attestation_lines(out: &mut String, all: &[VersionAttestations]) {
    for va in all {
        if va.attestations.is_empty() {
            let _ = writeln!(out, "  no attestations of {}", va.version_id);
            continue;
        }
        let _ = writeln!(out, "  attestations of {}:", va.version_id);
        for a in &va.attestations {
            let kind = match &a.kind {
                serde_json::Value::String(k) => k.clone(),
                other => other["custom"]
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string),
            };
            let _ = writeln!(
                out,
                "    #{} {kind} by {}{}  {}{}",
                a.id,
                a.attester,
                a.score
                    .as_ref()
                    .map(|s| format!(", score {s}"))
                    .unwrap_or_default(),
                a.state,
                a.evidence_uri
                    .as_ref()
                    .map(|u| format!("  {u}"))
                    .unwrap_or_default()
            );
        }
    }
}

impl FileReport {
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(out, "{}  {}", self.verdict.word(), self.file);
        let _ = writeln!(out, "  sha256 {}  {} bytes", self.sha256, self.size);
        if self.places.is_empty() {
            let _ = writeln!(out, "  not published in this registry");
        } else {
            let _ = writeln!(out, "  published in:");
            for p in &self.places {
                place_line(out, p);
            }
            if self.truncated {
                let _ = writeln!(out, "    … and more (only the first places were read)");
            }
        }
        for p in &self.wrong_size {
            let _ = writeln!(
                out,
                "  note: {}@{} lists this sha256 with size {}, not {}",
                p.model_id,
                p.version,
                p.size.map_or_else(|| "?".into(), |s| s.to_string()),
                self.size
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
        attestation_lines(out, &self.attestations);
    }
}

impl FilesReport {
    pub fn render(&self, out: &mut String) {
        for f in &self.files {
            f.render(out);
        }
        if self.files.len() > 1 {
            let _ = writeln!(out, "{}: {} files", self.verdict.word(), self.files.len());
        }
    }
}

impl DirReport {
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{}  {}  ({} files, manifest digest {})",
            self.verdict.word(),
            self.dir,
            self.file_count,
            self.manifest_digest
        );
        if let Some(e) = &self.expected {
            let c = &e.comparison;
            let via = if e.requested == e.version_id {
                String::new()
            } else {
                format!(" ({})", e.requested)
            };
            let _ = writeln!(
                out,
                "  against {}{via}: {}; publisher {}; manifest digest {}{}",
                e.version_id,
                state(e.publication, &e.status),
                e.publisher,
                e.manifest_digest,
                if e.manifest_digest == self.manifest_digest {
                    " (identical)"
                } else {
                    ""
                }
            );
            if !e.training_datasets.is_empty() {
                let _ = writeln!(out, "  trained on: {}", e.training_datasets.join(", "));
            }
            let _ = writeln!(
                out,
                "  {} of {} files match",
                c.matching.len(),
                c.matching.len() + c.missing.len() + c.modified.len()
            );
            for m in &c.modified {
                let _ = writeln!(
                    out,
                    "  changed: {} (expected sha256 {} size {}, here sha256 {} size {})",
                    m.path, m.expected_sha256, m.expected_size, m.local_sha256, m.local_size
                );
            }
            for p in &c.missing {
                let _ = writeln!(out, "  missing: {p}");
            }
            for p in &c.extra {
                let _ = writeln!(out, "  extra (not in the manifest): {p}");
            }
            if !c.merkle_ok.is_empty() {
                let _ = writeln!(out, "  Merkle roots match: {}", c.merkle_ok.join(", "));
            }
        } else if self.versions.is_empty() {
            let _ = writeln!(
                out,
                "  no version's manifest is exactly this directory (compare with one: --expect MODEL@VERSION)"
            );
            for f in &self.files {
                let where_ = f
                    .places
                    .first()
                    .map(|p| format!("  e.g. {}@{}", p.model_id, p.version))
                    .unwrap_or_default();
                let _ = writeln!(out, "    {:<9} {}{where_}", f.verdict.word(), f.file);
            }
            if self.files_not_looked_up > 0 {
                let _ = writeln!(
                    out,
                    "    … {} more files not looked up (a version lists at most 64)",
                    self.files_not_looked_up
                );
            }
        } else {
            let _ = writeln!(out, "  this is exactly:");
            for p in &self.versions {
                place_line(out, p);
            }
        }
        for w in &self.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
        attestation_lines(out, &self.attestations);
    }
}
