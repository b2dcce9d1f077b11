//! What is on this machine: file digests, a directory's manifest and its canonical digest.
//!
//! The manifest digest is the registry's (`contracts/model-registry/src/manifest.rs`, version 1), written
//! here from its documentation rather than shared code, so the end-to-end tests that compare the two catch a
//! drift on either side:
//!
//! ```text
//! sha256("nexus-model-manifest/v1\n" + for each file sorted by path bytes:
//!        path "\n" sha256-hex-lowercase "\n" size-decimal "\n")
//! ```

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::merkle;

pub const MANIFEST_DOMAIN: &str = "nexus-model-manifest/v1\n";

/// A file as a manifest lists it: its path relative to the model directory (`/`-separated), its sha256
/// and its size in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalFile {
    pub path: String,
    #[serde(serialize_with = "as_hex")]
    pub sha256: [u8; 32],
    #[serde(serialize_with = "as_decimal_string")]
    pub size: u64,
    /// Only when asked for (`manifest --chunk-size`) and the file is larger than one chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merkle: Option<LocalMerkle>,
}

fn as_hex<S: serde::Serializer>(d: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(d))
}

/// The registry takes sizes as `U64`, a decimal string.
fn as_decimal_string<S: serde::Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&n.to_string())
}

/// A file's chunked Merkle root, as `publish_version` takes it (`merkle` of a file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalMerkle {
    pub chunk_size: u32,
    #[serde(serialize_with = "as_hex")]
    pub root: [u8; 32],
}

/// sha256 and size of a file, read in 1 MiB blocks (model weights run to many gigabytes).
pub fn hash_file(path: &Path) -> Result<([u8; 32], u64)> {
    let (sha256, size, _) = hash_file_chunked(path, None)?;
    Ok((sha256, size))
}

/// [`hash_file`], and in the same pass the file's Merkle root over `chunk_size`-byte chunks
/// ([`crate::merkle`]) when a chunk size is given.
pub fn hash_file_chunked(
    path: &Path,
    chunk_size: Option<u32>,
) -> Result<([u8; 32], u64, Option<[u8; 32]>)> {
    let (sha256, size, leaves) = hash_file_leaves(path, chunk_size)?;
    Ok((sha256, size, leaves.map(|l| merkle::root(&l))))
}

/// [`hash_file`], and in the same pass the leaf hashes of the file's `chunk_size`-byte chunks.
pub fn hash_file_leaves(
    path: &Path,
    chunk_size: Option<u32>,
) -> Result<([u8; 32], u64, Option<Vec<merkle::Hash>>)> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut chunks = chunk_size.map(|c| Chunker::new(u64::from(c)));
    let mut buf = vec![0u8; 1 << 20];
    let mut size: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        hasher.update(&buf[..n]);
        if let Some(c) = &mut chunks {
            c.update(&buf[..n]);
        }
        size += n as u64;
    }
    Ok((hasher.finalize().into(), size, chunks.map(Chunker::leaves)))
}

/// Cuts a stream into fixed-size chunks across read blocks and keeps their leaf hashes.
struct Chunker {
    chunk_size: u64,
    leaf: Sha256,
    in_leaf: u64,
    leaves: Vec<merkle::Hash>,
}

impl Chunker {
    fn new(chunk_size: u64) -> Self {
        Self {
            chunk_size,
            leaf: Sha256::new_with_prefix([0u8]),
            in_leaf: 0,
            leaves: Vec::new(),
        }
    }

    fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = usize::try_from(self.chunk_size - self.in_leaf).unwrap_or(usize::MAX);
            let take = room.min(data.len());
            self.leaf.update(&data[..take]);
            self.in_leaf += take as u64;
            data = &data[take..];
            if self.in_leaf == self.chunk_size {
                self.finish_leaf();
            }
        }
    }

    fn finish_leaf(&mut self) {
        let leaf = std::mem::replace(&mut self.leaf, Sha256::new_with_prefix([0u8]));
        self.leaves.push(leaf.finalize().into());
        self.in_leaf = 0;
    }

    fn leaves(mut self) -> Vec<merkle::Hash> {
        if self.in_leaf > 0 {
            self.finish_leaf();
        }
        self.leaves
    }
}

/// Every regular file under `root`, as manifest entries sorted by path bytes (the manifest's order).
///
/// Directories named in `exclude` (by name, at any depth) are skipped. Symbolic links to files are followed
/// (a Hugging Face snapshot links every file into its blob store); a symbolic link to a directory is an
/// error rather than a silent skip or a possible cycle. Paths must be UTF-8.
pub fn scan_dir(root: &Path, exclude: &[String]) -> Result<Vec<LocalFile>> {
    scan_dir_chunked(root, exclude, None)
}

/// [`scan_dir`], adding Merkle roots over `chunk_size`-byte chunks to files larger than one chunk (a root
/// over a single chunk would only repeat the sha256).
pub fn scan_dir_chunked(
    root: &Path,
    exclude: &[String],
    chunk_size: Option<u32>,
) -> Result<Vec<LocalFile>> {
    let meta =
        std::fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
    if !meta.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let mut paths = Vec::new();
    collect(root, root, exclude, &mut paths)?;
    let mut files = Vec::with_capacity(paths.len());
    for (rel, full) in paths {
        let len = std::fs::metadata(&full)
            .with_context(|| format!("cannot stat {}", full.display()))?
            .len();
        let chunks = chunk_size.filter(|c| len > u64::from(*c));
        let (sha256, size, root) = hash_file_chunked(&full, chunks)?;
        files.push(LocalFile {
            path: rel,
            sha256,
            size,
            merkle: chunks
                .zip(root)
                .map(|(chunk_size, root)| LocalMerkle { chunk_size, root }),
        });
    }
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    Ok(files)
}

fn collect(
    root: &Path,
    dir: &Path,
    exclude: &[String],
    out: &mut Vec<(String, PathBuf)>,
) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let full = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            bail!("{} is not valid UTF-8", full.display());
        };
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot stat {}", full.display()))?;
        let is_dir = if kind.is_symlink() {
            let target = std::fs::metadata(&full)
                .with_context(|| format!("broken symbolic link {}", full.display()))?;
            if target.is_dir() {
                bail!(
                    "{} is a symbolic link to a directory; pass that directory itself",
                    full.display()
                );
            }
            false
        } else {
            kind.is_dir()
        };
        if is_dir {
            if !exclude.iter().any(|x| x == name) {
                collect(root, &full, exclude, out)?;
            }
        } else if kind.is_file() || kind.is_symlink() {
            out.push((relative(root, &full)?, full));
        }
    }
    Ok(())
}

/// `full` relative to `root`, `/`-separated whatever the platform.
fn relative(root: &Path, full: &Path) -> Result<String> {
    let rel = full
        .strip_prefix(root)
        .with_context(|| format!("{} is outside {}", full.display(), root.display()))?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c.as_os_str().to_str() {
            Some(s) => parts.push(s),
            None => bail!("{} is not valid UTF-8", full.display()),
        }
    }
    Ok(parts.join("/"))
}

/// The canonical encoding (see the module docs). `files` must be sorted by path bytes.
pub fn encode(files: &[LocalFile]) -> Vec<u8> {
    let mut buf = Vec::from(MANIFEST_DOMAIN.as_bytes());
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

/// The manifest digest the registry computes for `files` (sorted by path bytes).
pub fn manifest_digest(files: &[LocalFile]) -> [u8; 32] {
    Sha256::digest(encode(files)).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, data: &[u8]) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    }

    #[test]
    fn the_encoding_is_the_one_the_registry_documents() {
        // The example in the registry's `manifest` module docs.
        let files = [LocalFile {
            path: "config.json".into(),
            sha256: [0; 32],
            size: 12,
            merkle: None,
        }];
        let expected = format!(
            "nexus-model-manifest/v1\nconfig.json\n{}\n12\n",
            "0".repeat(64)
        );
        assert_eq!(encode(&files), expected.as_bytes());
        assert_eq!(
            manifest_digest(&files),
            <[u8; 32]>::from(Sha256::digest(expected.as_bytes()))
        );
    }

    #[test]
    fn a_file_is_hashed_whole_across_read_blocks() {
        let dir = tempfile::tempdir().unwrap();
        // Larger than one 1 MiB block, not a multiple of it.
        let data: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i % 251) as u8).collect();
        write(dir.path(), "weights.bin", &data);
        let (sha, size) = hash_file(&dir.path().join("weights.bin")).unwrap();
        assert_eq!(size, data.len() as u64);
        assert_eq!(sha, <[u8; 32]>::from(Sha256::digest(&data)));
    }

    #[test]
    fn the_streamed_merkle_root_is_the_tree_over_the_whole_files_chunks() {
        let dir = tempfile::tempdir().unwrap();
        // Chunks of 1 KiB straddle the 1 MiB read blocks unevenly: 2 MiB + 1500 bytes.
        let data: Vec<u8> = (0..(2 << 20) + 1500).map(|i| (i % 253) as u8).collect();
        write(dir.path(), "w.bin", &data);
        let (sha, size, root) = hash_file_chunked(&dir.path().join("w.bin"), Some(1024)).unwrap();
        assert_eq!(size, data.len() as u64);
        assert_eq!(sha, <[u8; 32]>::from(Sha256::digest(&data)));
        assert_eq!(root, Some(merkle::root(&merkle::leaves_of(&data, 1024))));
        write(dir.path(), "empty", b"");
        let (_, _, root) = hash_file_chunked(&dir.path().join("empty"), Some(1024)).unwrap();
        assert_eq!(root, Some(merkle::root(&[])));
    }

    #[test]
    fn roots_are_added_only_to_files_larger_than_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "small.json", &[1u8; 1024]);
        write(dir.path(), "big.bin", &[2u8; 1025]);
        let files = scan_dir_chunked(dir.path(), &[], Some(1024)).unwrap();
        assert_eq!(files[0].path, "big.bin");
        assert_eq!(
            files[0].merkle,
            Some(LocalMerkle {
                chunk_size: 1024,
                root: merkle::root(&merkle::leaves_of(&[2u8; 1025], 1024))
            })
        );
        assert_eq!(files[1].merkle, None);
    }

    #[test]
    fn a_directory_becomes_sorted_relative_slash_paths_without_excluded_directories() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "tokenizer/vocab.txt", b"a b c");
        write(dir.path(), "config.json", b"{}");
        write(dir.path(), "Z.txt", b"upper case sorts first");
        write(dir.path(), ".git/HEAD", b"ref: refs/heads/main");
        write(dir.path(), "sub/.git/keep", b"excluded at any depth");
        let files = scan_dir(dir.path(), &[".git".to_string()]).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["Z.txt", "config.json", "tokenizer/vocab.txt"]);
        assert_eq!(files[2].size, 5);
        assert_eq!(files[2].sha256, <[u8; 32]>::from(Sha256::digest(b"a b c")));
        let all = scan_dir(dir.path(), &[]).unwrap();
        assert_eq!(all.len(), 5, "nothing is excluded unless asked");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_to_files_are_followed_and_to_directories_refused() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = tempfile::tempdir().unwrap();
        write(blobs.path(), "blob", b"weights");
        std::os::unix::fs::symlink(blobs.path().join("blob"), dir.path().join("model.bin"))
            .unwrap();
        let files = scan_dir(dir.path(), &[]).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "model.bin");
        assert_eq!(
            files[0].sha256,
            <[u8; 32]>::from(Sha256::digest(b"weights"))
        );

        std::os::unix::fs::symlink(blobs.path(), dir.path().join("linked")).unwrap();
        let err = scan_dir(dir.path(), &[]).unwrap_err().to_string();
        assert!(err.contains("symbolic link to a directory"), "{err}");
    }

    #[test]
    fn a_missing_directory_or_a_file_given_as_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"x");
        let err = scan_dir(&dir.path().join("a.txt"), &[]).unwrap_err();
        assert!(err.to_string().contains("is not a directory"), "{err}");
        let err = scan_dir(&dir.path().join("missing"), &[]).unwrap_err();
        assert!(err.to_string().contains("cannot read"), "{err}");
    }

    #[test]
    fn manifest_entries_serialize_as_publish_version_takes_them() {
        let mut f = LocalFile {
            path: "a.bin".into(),
            sha256: [0xab; 32],
            size: 438_000_000,
            merkle: None,
        };
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"path": "a.bin", "sha256": "ab".repeat(32), "size": "438000000"})
        );
        f.merkle = Some(LocalMerkle {
            chunk_size: 1 << 22,
            root: [0xcd; 32],
        });
        assert_eq!(
            serde_json::to_value(&f).unwrap()["merkle"],
            serde_json::json!({"chunk_size": 4194304, "root": "cd".repeat(32)})
        );
    }
}
