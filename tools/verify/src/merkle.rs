//! Chunked Merkle roots as the registry documents them (`contracts/model-registry/src/manifest.rs`): the
//! RFC 9162 (Certificate Transparency v2) tree over a file cut into fixed-size chunks. A downloader that
//! knows a file's root can check every chunk as it arrives, given its inclusion proof (or the list of leaf
//! hashes, checked once against the root).

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `sha256(0x00 ‖ chunk)`.
pub fn leaf_hash(chunk: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(chunk);
    h.finalize().into()
}

/// `sha256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (n ≥ 2): where RFC 9162 splits a list of n leaves.
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The root over `leaves` (already leaf hashes); `sha256("")` for none.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` (RFC 9162 §2.1.3.1), nearest sibling first.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    let (mut lo, mut hi, mut m) = (0, leaves.len(), index);
    // Walk down from the root collecting the other side at every split, then reverse.
    while hi - lo > 1 {
        let k = split(hi - lo);
        if m < k {
            path.push(root(&leaves[lo + k..hi]));
            hi = lo + k;
        } else {
            path.push(root(&leaves[lo..lo + k]));
            lo += k;
            m -= k;
        }
    }
    path.reverse();
    Some(path)
}

/// Whether `leaf` is leaf `index` of a tree of `size` leaves with root `root`, by its audit path
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

/// Leaf hashes of `data` cut into `chunk_size`-byte chunks (none for empty data).
pub fn leaves_of(data: &[u8], chunk_size: usize) -> Vec<Hash> {
    data.chunks(chunk_size).map(leaf_hash).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight inputs of the RFC 6962 / RFC 9162 reference test vectors (certificate-transparency and
    /// trillian) and the tree roots over their first 1..=8 entries.
    fn reference_leaves() -> Vec<Hash> {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        inputs.iter().map(|d| leaf_hash(d)).collect()
    }

    #[test]
    fn roots_match_the_rfc_6962_reference_vectors() {
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves = reference_leaves();
        for (n, expected) in roots.iter().enumerate() {
            assert_eq!(
                hex::encode(root(&leaves[..=n])),
                *expected,
                "{} leaves",
                n + 1
            );
        }
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn every_leaf_proves_its_inclusion_and_nothing_else_does() {
        let leaves = reference_leaves();
        for n in 1..=leaves.len() {
            let tree = &leaves[..n];
            let r = root(tree);
            for i in 0..n {
                let proof = inclusion_proof(tree, i).unwrap();
                assert!(
                    verify_inclusion(i as u64, n as u64, &tree[i], &proof, &r),
                    "leaf {i} of {n}"
                );
                // Another leaf, another index, another size or a cut proof fails.
                let other = leaf_hash(b"not in the tree");
                assert!(!verify_inclusion(i as u64, n as u64, &other, &proof, &r));
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(!verify_inclusion(j as u64, n as u64, &tree[i], &proof, &r));
                    assert!(!verify_inclusion(
                        i as u64,
                        n as u64,
                        &tree[i],
                        &proof[..proof.len() - 1],
                        &r
                    ));
                }
                assert!(!verify_inclusion(n as u64, n as u64, &tree[i], &proof, &r));
            }
            assert_eq!(inclusion_proof(tree, n), None);
        }
    }

    #[test]
    fn a_file_is_cut_into_chunks_with_a_short_last_one() {
        let data: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        let leaves = leaves_of(&data, 1024);
        assert_eq!(
            leaves,
            [
                leaf_hash(&data[..1024]),
                leaf_hash(&data[1024..2048]),
                leaf_hash(&data[2048..])
            ]
        );
        assert!(leaves_of(&[], 1024).is_empty());
    }
}
