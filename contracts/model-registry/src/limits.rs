//! Documented limits. Every string and list a caller can store is bounded, so a write's gas and storage are
//! bounded too. Lengths are in bytes (UTF-8).

use near_sdk::Gas;
use near_sdk::NearToken;

/// Namespace: 2–64 bytes of `a-z 0-9 - _`, starting with a letter or digit.
pub const NAMESPACE_MIN_LEN: usize = 2;
pub const NAMESPACE_MAX_LEN: usize = 64;
/// Model name: 1–64 bytes of `a-z 0-9 - _ .`, starting with a letter or digit.
pub const NAME_MAX_LEN: usize = 64;
/// Semantic version string (SemVer 2.0.0, including pre-release and build metadata).
pub const VERSION_MAX_LEN: usize = 64;
/// Alias name: 1–32 bytes of `a-z 0-9 - _`, starting with a letter or digit.
pub const ALIAS_MAX_LEN: usize = 32;

/// Model metadata.
pub const DESCRIPTION_MAX_LEN: usize = 1024;
pub const MAX_TAGS: usize = 16;
pub const TAG_MAX_LEN: usize = 32;
pub const URI_MAX_LEN: usize = 512;
pub const LICENSE_MAX_LEN: usize = 64;
pub const LABEL_MAX_LEN: usize = 64;

/// Owner plus at most this many maintainers per model.
pub const MAX_MAINTAINERS: usize = 16;
/// Live aliases per model (alias history is unbounded and paginated).
pub const MAX_ALIASES: usize = 32;

/// Artifact manifest.
pub const MAX_FILES: usize = 64;
pub const PATH_MAX_LEN: usize = 256;
/// Chunk sizes of a file's Merkle root (powers of two): 1 KiB to 1 GiB.
pub const MIN_CHUNK_SIZE: u32 = 1 << 10;
pub const MAX_CHUNK_SIZE: u32 = 1 << 30;
pub const MAX_URIS: usize = 8;
pub const MAX_DATASETS: usize = 32;
pub const DATASET_ID_MAX_LEN: usize = 160;

/// Deprecation messages, revocation reasons, attestation revocation reasons.
pub const MESSAGE_MAX_LEN: usize = 512;
/// Custom attestation kind label.
pub const KIND_MAX_LEN: usize = 32;
/// Attestation score: a decimal string such as `0.874` or `-3` or `97.5`.
pub const SCORE_MAX_LEN: usize = 40;

/// Views: default and maximum `limit`.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 100;
/// A filtered view inspects at most this many entries per call and returns where to continue.
pub const MAX_SCAN: u32 = 200;

/// Deposit forwarded to the lineage contract per training dataset, to pay for its usage records. The lineage
/// contract gives the unused part to the publisher.
pub const LINEAGE_USAGE_DEPOSIT_PER_DATASET: NearToken = NearToken::from_millinear(10);
/// Gas for `record_training_usage` on the lineage contract.
pub const LINEAGE_CALL_GAS: Gas = Gas::from_tgas(30);
/// Gas reserved for the registry's callback (the refusal path removes up to 65 hash-index entries). Both the
/// lineage call and the callback also share any unused prepaid gas.
pub const LINEAGE_CALLBACK_GAS: Gas = Gas::from_tgas(40);
/// Gas the publish call itself needs on top of the two above. The heaviest allowed publish (64 files,
/// 32 dataset ids of 97 bytes) burns 32.4 TGas on the local node, so 20 TGas was not enough.
pub const PUBLISH_GAS: Gas = Gas::from_tgas(40);
/// A version pending lineage consent for at least this many blocks (its callback never settled it, e.g. it ran
/// out of gas) can be abandoned by the model's owner or a maintainer. A consent round trip takes two blocks;
/// 1000 blocks (about 10–20 minutes) leaves room for receipts delayed by congestion.
pub const ABANDON_PENDING_AFTER_BLOCKS: u64 = 1_000;
/// Gas for asking the lineage contract, when abandoning, whether it recorded the version's training usage
/// (`get_training_datasets`, a view called as a function call).
pub const ABANDON_CHECK_GAS: Gas = Gas::from_tgas(10);
/// Prepaid gas `abandon_pending_version` needs while a lineage contract is configured: the question, the
/// callback ([`LINEAGE_CALLBACK_GAS`], which may remove the version as a refusal does) and the call itself.
pub const ABANDON_GAS: Gas = Gas::from_tgas(70);
/// A usage record longer than this (the most is 32 datasets with their consent digests, ~12 KB) is taken as
/// recorded without being read.
pub const LINEAGE_USAGE_VIEW_MAX_LEN: usize = 32 * 1024;
/// Gas for `migrate` after an upgrade.
pub const MIGRATE_GAS: Gas = Gas::from_tgas(100);
/// A lineage response larger than this is treated as malformed.
pub const LINEAGE_RESPONSE_MAX_LEN: usize = 1024;
