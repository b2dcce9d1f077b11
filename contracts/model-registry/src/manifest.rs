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
//!
//! # Chunked Merkle roots (optional, per file)
//!
//! A file may also carry `merkle: {chunk_size, root}`: the root of a Merkle tree over the file cut into
//! `chunk_size`-byte chunks (the last one shorter), so a client can check each chunk of a large file as it
//! arrives (from any mirror, in any order) instead of only the whole file at the end. The tree is RFC 9162's
//! (Certificate Transparency): leaf = `sha256(0x00 ‖ chunk)`, node = `sha256(0x01 ‖ left ‖ right)`, a list of
//! n > 1 leaves split after the largest power of two below n; an empty file (no chunks) has root
//! `sha256("")`. Inclusion proofs are RFC 9162 §2.1.3 audit paths. `chunk_size` is a power of two from
//! [`MIN_CHUNK_SIZE`] to [`MAX_CHUNK_SIZE`].
//!
//! The root is a commitment the publisher adds; it is not part of the manifest digest, which identifies the
//! content (path, sha256, size) whether or not roots are given. `nexus-verify` recomputes the roots of local
//! files and reports one that does not match.

use near_sdk::env;
use near_sdk::json_types::U64;
use near_sdk::near;

use crate::errors::RegistryError;
use crate::limits::{MAX_CHUNK_SIZE, MAX_FILES, MIN_CHUNK_SIZE, PATH_MAX_LEN};
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
    /// Optional chunked Merkle root (see the module docs).
    #[serde(default)]
    pub merkle: Option<MerkleInput>,
}

/// A chunked Merkle root as a client sends it.
#[near(serializers = [json])]
#[derive(Clone, Debug)]
pub struct MerkleInput {
    /// Bytes per chunk: a power of two from 1024 to 1073741824.
    pub chunk_size: u32,
    /// 64 hex characters.
    pub root: String,
}

/// A file's chunked Merkle root as stored (and returned by views, root in hex).
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MerkleRoot {
    pub chunk_size: u32,
    pub root: [u8; 32],
}

#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleView {
    pub chunk_size: u32,
    pub root: String,
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
    /// Only present when the publisher gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merkle: Option<MerkleView>,
}

impl FileView {
    pub fn new(f: &ManifestFile, merkle: Option<&MerkleRoot>) -> Self {
        Self {
            path: f.path.clone(),
            sha256: hex::encode(f.sha256),
            size: U64(f.size),
            merkle: merkle.map(|m| MerkleView {
                chunk_size: m.chunk_size,
                root: hex::encode(m.root),
            }),
        }
    }
}

/// A validated manifest in canonical order.
#[derive(Debug)]
pub struct Manifest {
    pub files: Vec<ManifestFile>,
    /// Aligned with `files`; empty when no file has a Merkle root (the version is then stored as before).
    pub merkle_roots: Vec<Option<MerkleRoot>>,
}

fn check_merkle(i: usize, m: &MerkleInput) -> Result<MerkleRoot, RegistryError> {
    if !m.chunk_size.is_power_of_two() || !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&m.chunk_size)
    {
        return Err(RegistryError::invalid(
            format!("files[{i}].merkle.chunk_size"),
            m.chunk_size.to_string(),
            "must be a power of two from 1024 to 1073741824",
        ));
    }
    Ok(MerkleRoot {
        chunk_size: m.chunk_size,
        root: validate::digest_of(|| format!("files[{i}].merkle.root"), &m.root)?,
    })
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
pub fn parse(files: &[FileInput]) -> Result<Manifest, RegistryError> {
    if files.is_empty() {
        return Err(RegistryError::EmptyManifest);
    }
    validate::max_items("files", files, MAX_FILES)?;
    let mut out = Vec::with_capacity(files.len());
    // Roots are rare: kept apart (no allocation without one) and aligned after sorting.
    let mut roots = Vec::new();
    for (i, f) in files.iter().enumerate() {
        check_path(i, &f.path)?;
        let sha256 = validate::digest_of(|| format!("files[{i}].sha256"), &f.sha256)?;
        if let Some(m) = &f.merkle {
            roots.push((f.path.as_str(), check_merkle(i, m)?));
        }
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
    let mut merkle_roots = Vec::new();
    if !roots.is_empty() {
        merkle_roots.resize(out.len(), None);
        for (path, root) in roots {
            // Paths are unique and every root's path is in `out`.
            if let Ok(at) = out.binary_search_by(|f| f.path.as_bytes().cmp(path.as_bytes())) {
                merkle_roots[at] = Some(root);
            }
        }
    }
    Ok(Manifest {
        files: out,
        merkle_roots,
    })
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
            merkle: None,
        }
    }

    #[test]
    fn encoding_is_sorted_lines_under_a_domain_header() {
        let files = parse(&[
            input("b.bin", &"ab".repeat(32), 7),
            input("a/config.json", &"00".repeat(32), 12),
        ])
        .unwrap()
        .files;
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
        assert_eq!(digest(&a.files), digest(&b.files));
    }

    fn merkle(chunk_size: u32, root: &str) -> Option<MerkleInput> {
        Some(MerkleInput {
            chunk_size,
            root: root.into(),
        })
    }

    #[test]
    fn merkle_roots_travel_with_their_files_into_canonical_order_and_leave_the_digest_alone() {
        let plain = [
            input("z.bin", &"11".repeat(32), 5),
            input("a.bin", &"22".repeat(32), 6),
        ];
        let mut with_root = plain.clone();
        with_root[0].merkle = merkle(1 << 20, &"EF".repeat(32));
        let parsed = parse(&with_root).unwrap();
        assert_eq!(parsed.files[1].path, "z.bin");
        assert_eq!(
            parsed.merkle_roots,
            [
                None,
                Some(MerkleRoot {
                    chunk_size: 1 << 20,
                    root: [0xef; 32]
                })
            ]
        );
        let without = parse(&plain).unwrap();
        assert!(without.merkle_roots.is_empty(), "no roots, nothing stored");
        assert_eq!(digest(&parsed.files), digest(&without.files));
    }

    #[test]
    fn merkle_chunk_sizes_and_roots_are_validated() {
        let h = "00".repeat(32);
        for bad in [0, 512, 1000, 3 << 20, 1 << 31] {
            let mut f = input("a.bin", &h, 1);
            f.merkle = merkle(bad, &h);
            assert_eq!(
                parse(&[f]).unwrap_err().to_string(),
                format!(
                    "invalid files[0].merkle.chunk_size '{bad}': must be a power of two from 1024 to 1073741824"
                )
            );
        }
        for good in [1024, 1 << 30] {
            let mut f = input("a.bin", &h, 1);
            f.merkle = merkle(good, &h);
            assert!(parse(&[f]).is_ok(), "{good}");
        }
        let mut f = input("a.bin", &h, 1);
        f.merkle = merkle(4096, "abc");
        assert_eq!(
            parse(&[input("b.bin", &h, 1), f]).unwrap_err().to_string(),
            "invalid files[1].merkle.root 'abc': expected 64 hex characters (32 bytes), got 3 characters"
        );
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
