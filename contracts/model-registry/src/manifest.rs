//! Artifact manifests and their canonical digest.
//!
//! # Canonical encoding (version 1)
//!
//! The manifest digest identifies a version's content. It is `SHA-256` over this UTF-8 byte string:
//!
//! ```text
//! "nexus-model-manifest/v1\n"
//! for each file, sorted by path (byte-wise ascending):
//!     <path> "\n" <sha256 as 64 lowercase hex characters> "\n" <size in decimal, no leading zeros> "\n"
//! ```
//!
//! Paths are unique and contain no control characters, so the encoding is unambiguous. For a manifest with
//! one file `config.json` (sha256 `00…00`, 12 bytes) the encoded bytes are
//! `"nexus-model-manifest/v1\nconfig.json\n0000000000000000000000000000000000000000000000000000000000000000\n12\n"`.
//! Anyone can recompute it off-chain (`sha256sum` over those lines) or call the view
//! `compute_manifest_digest({"files": [...]})`.
//!
//! # Paths
//!
//! 1–256 bytes, relative (`/`-separated, no leading `/`, no empty, `.` or `..` segments, no `\`), no control
//! characters, unique within a manifest. At most [`MAX_FILES`] files.

use near_sdk::env;
use near_sdk::json_types::U64;
use near_sdk::near;

use crate::errors::RegistryError;
use crate::limits::{MAX_FILES, PATH_MAX_LEN};
use crate::validate;

pub const MANIFEST_DOMAIN: &str = "nexus-model-manifest/v1\n";

/// A file as a client sends it.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct FileInput {
    pub path: String,
    /// 64 hex characters.
    pub sha256: String,
    /// Size in bytes, as a decimal string.
    pub size: U64,
}

/// A file as stored.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: [u8; 32],
    pub size: u64,
}

/// A file as returned by views.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileView {
    pub path: String,
    pub sha256: String,
    pub size: U64,
}

impl From<&ManifestFile> for FileView {
    fn from(f: &ManifestFile) -> Self {
        Self {
            path: f.path.clone(),
            sha256: hex::encode(f.sha256),
            size: U64(f.size),
        }
    }
}

/// Checks the path of `files[i]`; the field name is only formatted for an error (publishing checks up to 64).
fn check_path(i: usize, path: &str) -> Result<(), RegistryError> {
    let field = || format!("files[{i}].path");
    if path.len() > PATH_MAX_LEN {
        return validate::max_len(&field(), path, PATH_MAX_LEN);
    }
    let reason = if path.is_empty() {
        Some("must not be empty")
    } else if path.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else if path.contains('\\') {
        Some("must use '/' as separator")
    } else if path.starts_with('/') {
        Some("must be relative")
    } else if path
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        Some("must not contain empty, '.' or '..' segments")
    } else {
        None
    };
    match reason {
        Some(r) => Err(RegistryError::invalid(field(), path, r)),
        None => Ok(()),
    }
}

/// Validates a manifest and returns it in canonical order (sorted by path).
pub fn parse(files: &[FileInput]) -> Result<Vec<ManifestFile>, RegistryError> {
    if files.is_empty() {
        return Err(RegistryError::EmptyManifest);
    }
    validate::max_items("files", files, MAX_FILES)?;
    let mut out = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        check_path(i, &f.path)?;
        let sha256 = validate::digest_of(|| format!("files[{i}].sha256"), &f.sha256)?;
        out.push(ManifestFile {
            path: f.path.clone(),
            sha256,
            size: f.size.0,
        });
    }
    out.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    if let Some(w) = out.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(RegistryError::Duplicate {
            field: "files.path".to_string(),
            value: w[0].path.clone(),
        });
    }
    Ok(out)
}

/// The canonical encoding described in the module docs. `files` must already be sorted.
pub fn encode(files: &[ManifestFile]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(
        MANIFEST_DOMAIN
            .len()
            .saturating_add(files.len().saturating_mul(128)),
    );
    buf.extend_from_slice(MANIFEST_DOMAIN.as_bytes());
    for f in files {
        buf.extend_from_slice(f.path.as_bytes());
        buf.push(b'\n');
        buf.extend_from_slice(hex::encode(f.sha256).as_bytes());
        buf.push(b'\n');
        buf.extend_from_slice(f.size.to_string().as_bytes());
        buf.push(b'\n');
    }
    buf
}

pub fn digest(files: &[ManifestFile]) -> [u8; 32] {
    env::sha256_array(encode(files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, sha: &str, size: u64) -> FileInput {
        FileInput {
            path: path.into(),
            sha256: sha.into(),
            size: U64(size),
        }
    }

    #[test]
    fn encoding_is_sorted_lines_under_a_domain_header() {
        let files = parse(&[
            input("b.bin", &"ab".repeat(32), 7),
            input("a/config.json", &"00".repeat(32), 12),
        ])
        .unwrap();
        let expected = format!(
            "nexus-model-manifest/v1\na/config.json\n{}\n12\nb.bin\n{}\n7\n",
            "00".repeat(32),
            "ab".repeat(32)
        );
        assert_eq!(String::from_utf8(encode(&files)).unwrap(), expected);
        assert_eq!(digest(&files), env::sha256_array(expected.as_bytes()));
    }

    #[test]
    fn digest_does_not_depend_on_input_order_or_hex_case() {
        let a = parse(&[
            input("x", &"AB".repeat(32), 1),
            input("y", &"cd".repeat(32), 2),
        ])
        .unwrap();
        let b = parse(&[
            input("y", &"CD".repeat(32), 2),
            input("x", &"ab".repeat(32), 1),
        ])
        .unwrap();
        assert_eq!(digest(&a), digest(&b));
    }

    #[test]
    fn bad_paths_are_rejected() {
        let h = "00".repeat(32);
        let cases = [
            ("", "invalid files[0].path '': must not be empty"),
            ("/abs", "invalid files[0].path '/abs': must be relative"),
            (
                "a/../b",
                "invalid files[0].path 'a/../b': must not contain empty, '.' or '..' segments",
            ),
            (
                "a//b",
                "invalid files[0].path 'a//b': must not contain empty, '.' or '..' segments",
            ),
            (
                "a\\b",
                "invalid files[0].path 'a\\b': must use '/' as separator",
            ),
            (
                "a\nb",
                "invalid files[0].path 'a\nb': must not contain control characters",
            ),
        ];
        for (path, msg) in cases {
            assert_eq!(parse(&[input(path, &h, 1)]).unwrap_err().to_string(), msg);
        }
    }
}
