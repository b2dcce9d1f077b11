//! Deciding what the chain says about local content. Pure functions over what the views returned, so every
//! rule is unit-tested without a node.

use serde::Serialize;

use crate::local::LocalFile;
use crate::registry::{ChainFile, Place, Publication, Status, Version};

/// The answer. Only `Verified` exits 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Published in a version that is not revoked (a deprecated one is verified, with a warning).
    Verified,
    /// Published only in revoked versions: must not be used.
    Revoked,
    /// Only in versions whose lineage consent check has not finished.
    Pending,
    /// The content differs from the version it was compared with.
    Mismatch,
    /// Not published anywhere in this registry.
    Unknown,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Verified => 0,
            _ => 1,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Verified => "VERIFIED",
            Verdict::Revoked => "REVOKED",
            Verdict::Pending => "PENDING",
            Verdict::Mismatch => "MISMATCH",
            Verdict::Unknown => "UNKNOWN",
        }
    }

    /// How alarming the answer is: a revoked file is worse than a changed one, which is worse than one
    /// never published, which is worse than one whose publication is still being checked.
    fn severity(self) -> u8 {
        match self {
            Verdict::Verified => 0,
            Verdict::Pending => 1,
            Verdict::Unknown => 2,
            Verdict::Mismatch => 3,
            Verdict::Revoked => 4,
        }
    }

    /// The most alarming of several answers (a directory is only as good as its worst file).
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts
            .into_iter()
            .max_by_key(|v| v.severity())
            .unwrap_or(Verdict::Verified)
    }
}

/// What one published version says about content found in it.
pub fn of_version(publication: Publication, status: &Status) -> Verdict {
    match (publication, status) {
        (Publication::Published, Status::Revoked { .. }) => Verdict::Revoked,
        (Publication::Published, _) => Verdict::Verified,
        _ => Verdict::Pending,
    }
}

/// What a set of places publishing the same content says: verified if any version holding it is usable,
/// else revoked if a published one revoked it, else pending if one is still pending, else unknown.
pub fn of_places<'a>(places: impl IntoIterator<Item = &'a Place>) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::Verified => 0,
        Verdict::Revoked => 1,
        Verdict::Pending => 2,
        _ => 3,
    };
    places
        .into_iter()
        .map(|p| of_version(p.publication, &p.status))
        .min_by_key(|v| rank(*v))
        .unwrap_or(Verdict::Unknown)
}

/// Places for a file: file entries (not manifest digests) whose recorded size is the local one. A matching
/// sha256 with another size means the publisher recorded a wrong size; those are returned apart.
pub fn file_places(places: Vec<Place>, size: u64) -> (Vec<Place>, Vec<Place>) {
    places
        .into_iter()
        .filter(|p| p.path.is_some())
        .partition(|p| p.size == Some(size))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Modified {
    pub path: String,
    pub expected_sha256: String,
    pub local_sha256: String,
    pub expected_size: u64,
    pub local_size: u64,
}

/// A local directory against a version's manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// In the manifest and identical here.
    pub matching: Vec<String>,
    /// In the manifest, absent here.
    pub missing: Vec<String>,
    /// In the manifest, different here.
    pub modified: Vec<Modified>,
    /// Here, not in the manifest.
    pub extra: Vec<String>,
    /// Matching files whose published Merkle root was recomputed here and agrees.
    pub merkle_ok: Vec<String>,
    /// Matching files whose published Merkle root does not match their content: the content is the
    /// version's, but chunk-by-chunk checks against that root will fail (the publisher's error).
    pub merkle_wrong: Vec<String>,
}

impl Comparison {
    pub fn new(chain: &[ChainFile], local: &[LocalFile]) -> Self {
        let mut c = Comparison::default();
        for f in chain {
            match local.iter().find(|l| l.path == f.path) {
                None => c.missing.push(f.path.clone()),
                Some(l) => {
                    let local_sha256 = hex::encode(l.sha256);
                    if local_sha256 == f.sha256.to_lowercase() && l.size == f.size {
                        c.matching.push(f.path.clone());
                    } else {
                        c.modified.push(Modified {
                            path: f.path.clone(),
                            expected_sha256: f.sha256.clone(),
                            local_sha256,
                            expected_size: f.size,
                            local_size: l.size,
                        });
                    }
                }
            }
        }
        c.extra = local
            .iter()
            .filter(|l| !chain.iter().any(|f| f.path == l.path))
            .map(|l| l.path.clone())
            .collect();
        c
    }

    /// The version's content is here (and, if `exact`, nothing else is).
    pub fn holds(&self, exact: bool) -> bool {
        self.missing.is_empty() && self.modified.is_empty() && (!exact || self.extra.is_empty())
    }
}

/// A directory against the version it claims to be.
pub fn of_comparison(version: &Version, comparison: &Comparison, exact: bool) -> Verdict {
    if comparison.holds(exact) {
        of_version(version.publication, &version.status)
    } else {
        Verdict::Mismatch
    }
}

/// Human warnings about a usable version (deprecation), shown next to a verified answer.
pub fn warnings(model_id: &str, version: &str, status: &Status) -> Option<String> {
    match status {
        Status::Deprecated { message, successor } => Some(format!(
            "{model_id}@{version} is deprecated: {message}{}",
            successor
                .as_ref()
                .map(|s| format!(" (successor: {model_id}@{s})"))
                .unwrap_or_default()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(version: &str, publication: Publication, status: Status) -> Place {
        Place {
            model_id: "acme/sentiment".into(),
            version: version.into(),
            path: Some("model.safetensors".into()),
            size: Some(10),
            publication,
            status,
        }
    }

    fn revoked() -> Status {
        Status::Revoked {
            code: "security_vulnerability".into(),
            reason: "backdoor".into(),
        }
    }

    fn deprecated() -> Status {
        Status::Deprecated {
            message: "use 2.0.0".into(),
            successor: Some("2.0.0".into()),
        }
    }

    #[test]
    fn one_usable_version_is_enough_to_verify_content() {
        let places = [
            place("1.0.0", Publication::Published, revoked()),
            place("1.1.0", Publication::Published, deprecated()),
        ];
        assert_eq!(of_places(&places), Verdict::Verified);
    }

    #[test]
    fn content_only_in_revoked_versions_is_revoked_even_if_also_pending_elsewhere() {
        let places = [
            place("2.0.0", Publication::Pending, Status::Active),
            place("1.0.0", Publication::Published, revoked()),
        ];
        assert_eq!(of_places(&places), Verdict::Revoked);
    }

    #[test]
    fn content_only_in_pending_versions_is_pending_and_nowhere_is_unknown() {
        let pending = [place("2.0.0", Publication::Pending, Status::Active)];
        assert_eq!(of_places(&pending), Verdict::Pending);
        assert_eq!(of_places(&[]), Verdict::Unknown);
    }

    #[test]
    fn a_file_matches_only_file_places_of_its_own_size() {
        let mut manifest = place("1.0.0", Publication::Published, Status::Active);
        manifest.path = None;
        manifest.size = None;
        let mut other_size = place("1.1.0", Publication::Published, Status::Active);
        other_size.size = Some(11);
        let same = place("1.2.0", Publication::Published, Status::Active);
        let (matching, wrong_size) = file_places(vec![manifest, other_size, same.clone()], 10);
        assert_eq!(matching, [same]);
        assert_eq!(wrong_size.len(), 1);
        assert_eq!(wrong_size[0].version, "1.1.0");
    }

    fn chain(path: &str, byte: u8, size: u64) -> ChainFile {
        ChainFile {
            path: path.into(),
            sha256: hex::encode([byte; 32]),
            size,
            merkle: None,
        }
    }

    fn local(path: &str, byte: u8, size: u64) -> LocalFile {
        LocalFile {
            path: path.into(),
            sha256: [byte; 32],
            size,
            merkle: None,
        }
    }

    #[test]
    fn a_directory_is_compared_file_by_file_with_the_manifest() {
        let manifest = [
            chain("config.json", 1, 10),
            chain("model.bin", 2, 20),
            chain("tokenizer.json", 3, 30),
            chain("vocab.txt", 4, 40),
        ];
        let here = [
            local("README.md", 9, 5),
            local("config.json", 1, 10),
            local("model.bin", 7, 20),
            local("vocab.txt", 4, 41),
        ];
        let c = Comparison::new(&manifest, &here);
        assert_eq!(c.matching, ["config.json"]);
        assert_eq!(c.missing, ["tokenizer.json"]);
        assert_eq!(c.extra, ["README.md"]);
        let modified: Vec<(&str, u64, u64)> = c
            .modified
            .iter()
            .map(|m| (m.path.as_str(), m.expected_size, m.local_size))
            .collect();
        assert_eq!(modified, [("model.bin", 20, 20), ("vocab.txt", 40, 41)]);
        assert_eq!(c.modified[0].local_sha256, hex::encode([7u8; 32]));
        assert!(!c.holds(false));
    }

    #[test]
    fn extra_local_files_fail_only_an_exact_comparison() {
        let manifest = [chain("model.bin", 2, 20)];
        let here = [local("README.md", 9, 5), local("model.bin", 2, 20)];
        let c = Comparison::new(&manifest, &here);
        assert!(c.holds(false));
        assert!(!c.holds(true));
        let version = Version {
            version_id: "acme/sentiment@1.0.0".into(),
            model_id: "acme/sentiment".into(),
            version: "1.0.0".into(),
            files: manifest.to_vec(),
            manifest_digest: String::new(),
            publisher: "acme.near".into(),
            training_datasets: vec![],
            publication: Publication::Published,
            status: Status::Active,
            attestation_count: 0,
        };
        assert_eq!(of_comparison(&version, &c, false), Verdict::Verified);
        assert_eq!(of_comparison(&version, &c, true), Verdict::Mismatch);
        let revoked_version = Version {
            status: revoked(),
            ..version
        };
        assert_eq!(of_comparison(&revoked_version, &c, false), Verdict::Revoked);
    }

    #[test]
    fn the_worst_answer_wins_and_only_verified_exits_zero() {
        assert_eq!(
            Verdict::worst([Verdict::Revoked, Verdict::Pending, Verdict::Verified]),
            Verdict::Revoked
        );
        assert_eq!(
            Verdict::worst([Verdict::Verified, Verdict::Unknown]),
            Verdict::Unknown
        );
        assert_eq!(Verdict::worst([]), Verdict::Verified);
        for v in [
            Verdict::Revoked,
            Verdict::Pending,
            Verdict::Mismatch,
            Verdict::Unknown,
        ] {
            assert_eq!(v.exit_code(), 1);
        }
        assert_eq!(Verdict::Verified.exit_code(), 0);
    }

    #[test]
    fn a_deprecated_version_is_verified_with_a_warning_naming_its_successor() {
        assert_eq!(
            of_version(Publication::Published, &deprecated()),
            Verdict::Verified
        );
        assert_eq!(
            warnings("acme/sentiment", "1.0.0", &deprecated()).unwrap(),
            "acme/sentiment@1.0.0 is deprecated: use 2.0.0 (successor: acme/sentiment@2.0.0)"
        );
        assert_eq!(warnings("acme/sentiment", "1.0.0", &Status::Active), None);
    }
}
