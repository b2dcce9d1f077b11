//! The lookup-by-hash index: a file's sha256 or a manifest digest → every (version, file) that publishes it.
//!
//! # Layout (second release)
//!
//! Each digest has a list of hits at dense positions `0..len`:
//!
//! - the head, [`StorageKey::HashHead`]` { digest }` → [`HashHead`]` { len, first }`, holds position 0 inline;
//! - [`StorageKey::HashEntry`]` { digest, position }` → [`HashHit`] holds each position `1..len`.
//!
//! Publishing is the hot path and this layout is chosen for it: a digest seen for the first time costs **one
//! storage write and no read**. [`add`] writes a one-hit head blindly; `env::storage_write` hands back the value
//! it replaced (`env::storage_get_evicted`), and only when there was one (the digest is already published
//! elsewhere) does it write the head again with `len + 1` and the new hit at position `len` — three writes where
//! read-then-write costs one read and two. With writes at 64 Ggas and reads at 56 Ggas (base fees),
//! write-first is cheaper unless more than ~88 % of a manifest's digests are already indexed. The first
//! release spent about three writes and two reads on every digest (a nested `IterableSet` per digest).
//!
//! # Removing hits
//!
//! Published versions are never removed (revocation only changes their status), so hits are removed only when a
//! pending version is (lineage consent refused, or the version abandoned). Positions stay dense — a hit is
//! replaced by the list's last hit ([`remove`]) — so views page by position with no gaps. The pending version's
//! positions are remembered on its model ([`crate::models::PendingPublish`]), so a removal touches only its own
//! hits, never a whole list. When the moved hit belongs to another pending version, that version's remembered
//! position is updated ([`crate::Registry::unindex_pending`]).
//!
//! Every removal checks the hit it overwrites or deletes is the one expected (the evicted value comes free with
//! the write) and aborts the call otherwise, rather than corrupt another version's entry.
//!
//! # Storage accounting
//!
//! A head (33-byte key, `len` + hit value) and an entry (37-byte key with the position, hit value) hold the same
//! number of bytes for the same hit, so removing a hit frees what adding it cost (±2 bytes when the hit moved in
//! is a manifest hit and the removed one a file hit, or the reverse: `file` is an `Option<u16>`).
//!
//! # First-release layout
//!
//! The first release kept `digest → IterableSet<HashHit>` ([`crate::Registry::legacy_hash_index`], prefixes
//! [`StorageKey::HashIndex`] and [`StorageKey::HashHits`]). Those entries stay where they are — no migration walks
//! them: views list a digest's legacy hits first, then its hits in this layout, as one list of positions. New hits
//! always go to this layout; legacy hits are only removed when a version that was still pending at the upgrade
//! is refused or abandoned.

use near_sdk::borsh::{self, BorshDeserialize, BorshSerialize};
use near_sdk::{IntoStorageKey, env, near};

use crate::errors::RegistryError;
use crate::storage_keys::StorageKey;

/// One place that publishes a digest: a file of a version, or (`file: None`) the version's manifest.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HashHit {
    pub version: u64,
    /// Index into the version's sorted `files`.
    pub file: Option<u16>,
}

/// A digest's hit count and its hit at position 0.
#[near(serializers = [borsh])]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashHead {
    pub len: u32,
    pub first: HashHit,
}

fn head_key(digest: [u8; 32]) -> Vec<u8> {
    StorageKey::HashHead { digest }.into_storage_key()
}

fn entry_key(digest: [u8; 32], position: u32) -> Vec<u8> {
    StorageKey::HashEntry { digest, position }.into_storage_key()
}

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> T {
    borsh::from_slice(bytes).unwrap_or_else(|_| env::panic_str("corrupt hash index record"))
}

fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).unwrap_or_else(|_| env::panic_str("cannot encode a hash index record"))
}

/// Writes `value` at `key` and returns the value it replaced.
fn swap<T: BorshSerialize + BorshDeserialize>(key: &[u8], value: &T) -> Option<T> {
    if env::storage_write(key, &encode(value)) {
        env::storage_get_evicted().map(|b| decode(&b))
    } else {
        None
    }
}

/// Deletes `key` and returns the value it held.
fn take<T: BorshDeserialize>(key: &[u8]) -> Option<T> {
    if env::storage_remove(key) {
        env::storage_get_evicted().map(|b| decode(&b))
    } else {
        None
    }
}

/// The head of `digest`'s list in this layout, if it has hits.
pub fn head(digest: [u8; 32]) -> Option<HashHead> {
    env::storage_read(&head_key(digest)).map(|b| decode(&b))
}

/// The hit at `position` of a list whose head is `head`.
pub fn hit_at(digest: [u8; 32], head: &HashHead, position: u32) -> Option<HashHit> {
    match position {
        0 => Some(head.first),
        p if p < head.len => env::storage_read(&entry_key(digest, p)).map(|b| decode(&b)),
        _ => None,
    }
}

/// Appends `hit` to `digest`'s list and returns its position (see the module docs for why it writes first).
pub fn add(digest: [u8; 32], hit: HashHit) -> Result<u32, RegistryError> {
    let key = head_key(digest);
    let Some(previous) = swap(&key, &HashHead { len: 1, first: hit }) else {
        return Ok(0);
    };
    let position = previous.len;
    let len = position
        .checked_add(1)
        .ok_or(RegistryError::Overflow("hash index length"))?;
    env::storage_write(
        &key,
        &encode(&HashHead {
            len,
            first: previous.first,
        }),
    );
    env::storage_write(&entry_key(digest, position), &encode(&hit));
    Ok(position)
}

/// Removes `hit`, which must be at `position` of `digest`'s list, by moving the last hit into its place.
/// Returns the hit that moved and the position it came from, if one did. Aborts the call when the list does
/// not hold `hit` there.
pub fn remove(
    digest: [u8; 32],
    hit: HashHit,
    position: u32,
) -> Result<Option<(HashHit, u32)>, RegistryError> {
    let expect = |found: Option<HashHit>| {
        if found != Some(hit) {
            env::panic_str(&format!(
                "hash index of {} does not hold version {} at position {position}",
                hex::encode(digest),
                hit.version
            ));
        }
    };
    let head_key = head_key(digest);
    let Some(head) = head(digest) else {
        expect(None);
        return Ok(None);
    };
    let last = head
        .len
        .checked_sub(1)
        .ok_or(RegistryError::Overflow("hash index length"))?;
    if last == 0 {
        expect((position == 0).then_some(head.first));
        env::storage_remove(&head_key);
        return Ok(None);
    }
    // `last` ≥ 1: its hit is an entry; take it out and shorten the list.
    let moved: HashHit =
        take(&entry_key(digest, last)).unwrap_or_else(|| env::panic_str("corrupt hash index"));
    let mut head = HashHead {
        len: last,
        first: head.first,
    };
    if position == last {
        expect(Some(moved));
        env::storage_write(&head_key, &encode(&head));
        return Ok(None);
    }
    if position == 0 {
        expect(Some(head.first));
        head.first = moved;
    } else {
        expect(swap(&entry_key(digest, position), &moved));
    }
    env::storage_write(&head_key, &encode(&head));
    Ok(Some((moved, last)))
}
