//! Every bound the contract enforces, in one place. Each is part of the public interface: inputs past a
//! bound fail with an error naming the field, its value and the maximum.

/// Dataset ids: 1..=64 characters of `a-z 0-9 - _ .`, starting with a letter or digit.
pub const MAX_DATASET_ID_LEN: usize = 64;
/// Version labels: 1..=32 characters of `a-z 0-9 - _ . +`, starting with a letter or digit.
pub const MAX_VERSION_LEN: usize = 32;
/// Model version ids (`<namespace>/<name>@<version>`, set by the model registry): at most 256 bytes.
pub const MAX_MODEL_VERSION_ID_LEN: usize = 256;
/// Dataset titles: 1..=128 characters, no control characters.
pub const MAX_TITLE_LEN: usize = 128;
/// URIs (data locations, terms, code): 1..=512 bytes of printable ASCII without spaces.
pub const MAX_URI_LEN: usize = 512;
/// Data-location URIs per dataset version.
pub const MAX_URIS: usize = 4;
/// Parents of a derived dataset version.
pub const MAX_PARENTS: usize = 16;
/// Flag reasons: 1..=512 characters, no control characters.
pub const MAX_REASON_LEN: usize = 512;
/// Access purposes: 1..=256 characters, no control characters.
pub const MAX_PURPOSE_LEN: usize = 256;
/// Accounts a dataset owner may appoint to flag its versions.
pub const MAX_FLAGGERS: usize = 8;
/// Dataset versions in one `record_training_usage` call.
pub const MAX_TRAINING_DATASETS: usize = 32;
/// Shortest and longest access grant, in seconds (one minute .. ten years).
pub const MIN_ACCESS_DURATION_SECS: u64 = 60;
pub const MAX_ACCESS_DURATION_SECS: u64 = 10 * 365 * 24 * 60 * 60;

/// Largest page any paginated view returns.
pub const MAX_PAGE_LIMIT: u32 = 100;
/// Page size used when a view's `limit` is omitted.
pub const DEFAULT_PAGE_LIMIT: u32 = 50;
/// Deepest level an ancestry/descendant walk or provenance report goes to.
pub const MAX_WALK_DEPTH: u32 = 32;
/// Most graph nodes one walk visits (ancestors, descendants, provenance reports). A walk that would visit
/// more stops and says so (`complete: false`); `from_index + limit` of a walk page may not exceed it.
pub const MAX_WALK_NODES: u32 = 256;

/// Deposit the model registry forwards per dataset version in `record_training_usage` (0.01 NEAR); the
/// unused part goes to the publisher in the same call.
pub const TRAINING_DEPOSIT_PER_DATASET_YOCTO: u128 = 10_000_000_000_000_000_000_000;
/// Most edges (parent or child entries) one walk examines, whether or not they lead to a new node.
pub const MAX_WALK_EDGES: u32 = 4 * MAX_WALK_NODES;
