//! `config.json`: the neard-shaped node configuration that `init` writes and `run` reads back.
//!
//! near-sandbox merge-patches this file (`rpc.limits_config.json_payload_max_size`,
//! `store.max_open_files`, user `additional_config`), so `init` writes the neard layout and `run`
//! reads back only the keys this node honours, ignoring every other key.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use serde_json::json;

/// The file names neard uses inside the home directory.
pub const CONFIG_FILE: &str = "config.json";
pub const GENESIS_FILE: &str = "genesis.json";
pub const VALIDATOR_KEY_FILE: &str = "validator_key.json";
pub const NODE_KEY_FILE: &str = "node_key.json";

/// neard's default RPC payload limit (10 MiB); near-sandbox raises it to 1 GiB.
const DEFAULT_JSON_PAYLOAD_MAX_SIZE: usize = 10 * 1024 * 1024;
/// neard's default block production delays, and the `--fast` ones.
const DEFAULT_MIN_BLOCK_DELAY: Duration = Duration::from_millis(600);
const DEFAULT_MAX_BLOCK_DELAY: Duration = Duration::from_millis(2000);
const FAST_MIN_BLOCK_DELAY: Duration = Duration::from_millis(120);
const FAST_MAX_BLOCK_DELAY: Duration = Duration::from_millis(500);
/// neard's default `trie_viewer_state_size_limit` (bytes of contract state a `view_state` may return).
const DEFAULT_TRIE_VIEWER_STATE_SIZE_LIMIT: u64 = 50_000;

/// The part of `config.json` this node reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    pub genesis_file: String,
    pub validator_key_file: String,
    pub node_key_file: String,
    pub rpc_addr: String,
    pub json_payload_max_size: usize,
    pub min_block_production_delay: Duration,
    pub max_block_production_delay: Duration,
    /// Gas limit of a view call; `None` means the protocol's `max_gas_burnt_view`.
    pub max_gas_burnt_view: Option<u64>,
    /// Bytes of contract state a `view_state` query may return; `None` means unlimited.
    pub trie_viewer_state_size_limit: Option<u64>,
}

/// `{secs, nanos}`, the serde form of `std::time::Duration` that neard uses.
#[derive(Deserialize)]
struct DurationJson {
    secs: u64,
    #[serde(default)]
    nanos: u32,
}

impl From<DurationJson> for Duration {
    fn from(d: DurationJson) -> Self {
        Duration::new(d.secs, d.nanos)
    }
}

#[derive(Deserialize, Default)]
struct RawLimits {
    json_payload_max_size: Option<usize>,
}

#[derive(Deserialize, Default)]
struct RawRpc {
    addr: Option<String>,
    #[serde(default)]
    limits_config: RawLimits,
}

#[derive(Deserialize, Default)]
struct RawConsensus {
    min_block_production_delay: Option<DurationJson>,
    max_block_production_delay: Option<DurationJson>,
}

/// `config.json` as written by neard or by `init`; unknown keys are ignored.
#[derive(Deserialize)]
struct RawConfig {
    genesis_file: Option<String>,
    validator_key_file: Option<String>,
    node_key_file: Option<String>,
    #[serde(default)]
    rpc: Option<RawRpc>,
    #[serde(default)]
    consensus: Option<RawConsensus>,
    #[serde(default)]
    max_gas_burnt_view: Option<u64>,
    #[serde(default = "default_state_size_limit")]
    trie_viewer_state_size_limit: Option<u64>,
}

fn default_state_size_limit() -> Option<u64> {
    Some(DEFAULT_TRIE_VIEWER_STATE_SIZE_LIMIT)
}

impl NodeConfig {
    /// Parses `config.json` text.
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let raw: RawConfig = serde_json::from_str(text).context("config.json is not valid")?;
        let rpc = raw.rpc.unwrap_or_default();
        let consensus = raw.consensus.unwrap_or_default();
        let min_delay = consensus
            .min_block_production_delay
            .map_or(DEFAULT_MIN_BLOCK_DELAY, Duration::from);
        let max_delay = consensus
            .max_block_production_delay
            .map_or(DEFAULT_MAX_BLOCK_DELAY, Duration::from);
        anyhow::ensure!(
            !min_delay.is_zero() && min_delay <= max_delay,
            "config.json: consensus.min_block_production_delay ({min_delay:?}) must be positive and \
             at most max_block_production_delay ({max_delay:?})"
        );
        Ok(Self {
            genesis_file: raw.genesis_file.unwrap_or_else(|| GENESIS_FILE.to_owned()),
            validator_key_file: raw
                .validator_key_file
                .unwrap_or_else(|| VALIDATOR_KEY_FILE.to_owned()),
            node_key_file: raw
                .node_key_file
                .unwrap_or_else(|| NODE_KEY_FILE.to_owned()),
            rpc_addr: rpc.addr.unwrap_or_else(|| "0.0.0.0:3030".to_owned()),
            json_payload_max_size: rpc
                .limits_config
                .json_payload_max_size
                .unwrap_or(DEFAULT_JSON_PAYLOAD_MAX_SIZE),
            min_block_production_delay: min_delay,
            max_block_production_delay: max_delay,
            max_gas_burnt_view: raw.max_gas_burnt_view,
            trie_viewer_state_size_limit: raw.trie_viewer_state_size_limit,
        })
    }

    /// Reads `<home>/config.json`.
    pub fn load(home: &Path) -> anyhow::Result<Self> {
        let path = home.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("in {}", path.display()))
    }

    /// The average block production delay, by which `sandbox_fast_forward` moves the clock per
    /// skipped height (nearcore `sandbox_process_fast_forward`).
    pub fn avg_block_production_delay(&self) -> Duration {
        (self.min_block_production_delay + self.max_block_production_delay) / 2
    }
}

fn duration_json(d: Duration) -> serde_json::Value {
    json!({ "secs": d.as_secs(), "nanos": d.subsec_nanos() })
}

/// The `config.json` that `init` writes: neard's layout, with the keys near-sandbox patches.
pub fn default_config_json(fast: bool) -> serde_json::Value {
    let (min_delay, max_delay) = if fast {
        (FAST_MIN_BLOCK_DELAY, FAST_MAX_BLOCK_DELAY)
    } else {
        (DEFAULT_MIN_BLOCK_DELAY, DEFAULT_MAX_BLOCK_DELAY)
    };
    json!({
        "genesis_file": GENESIS_FILE,
        "genesis_records_file": null,
        "validator_key_file": VALIDATOR_KEY_FILE,
        "node_key_file": NODE_KEY_FILE,
        "rpc": {
            "addr": "0.0.0.0:3030",
            "prometheus_addr": null,
            "cors_allowed_origins": ["*"],
            "polling_config": {
                "polling_interval": duration_json(Duration::from_millis(500)),
                "polling_timeout": duration_json(Duration::from_secs(10)),
            },
            "limits_config": { "json_payload_max_size": DEFAULT_JSON_PAYLOAD_MAX_SIZE },
            "enable_debug_rpc": false,
        },
        "network": {
            "addr": "0.0.0.0:24567",
            "boot_nodes": "",
            "max_num_peers": 0,
        },
        "consensus": {
            "min_num_peers": 0,
            "block_production_tracking_delay": duration_json(Duration::from_millis(100)),
            "min_block_production_delay": duration_json(min_delay),
            "max_block_production_delay": duration_json(max_delay),
            "max_block_wait_delay": duration_json(Duration::from_secs(6)),
            "produce_empty_blocks": true,
        },
        "tracked_shards_config": "AllShards",
        "archive": false,
        "save_trie_changes": true,
        "store": { "path": "data" },
        "max_gas_burnt_view": null,
        "trie_viewer_state_size_limit": DEFAULT_TRIE_VIEWER_STATE_SIZE_LIMIT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_init_config_reads_back() {
        let text = default_config_json(true).to_string();
        let config = NodeConfig::from_json(&text).unwrap();
        assert_eq!(
            config.min_block_production_delay,
            Duration::from_millis(120)
        );
        assert_eq!(
            config.max_block_production_delay,
            Duration::from_millis(500)
        );
        assert_eq!(
            config.avg_block_production_delay(),
            Duration::from_millis(310)
        );
        assert_eq!(config.json_payload_max_size, 10 * 1024 * 1024);
        assert_eq!(config.trie_viewer_state_size_limit, Some(50_000));
        assert_eq!(config.max_gas_burnt_view, None);
        assert_eq!(config.genesis_file, "genesis.json");
    }

    #[test]
    fn near_sandbox_merge_patch_is_honoured_and_unknown_keys_ignored() {
        let mut value = default_config_json(true);
        // What near-sandbox 0.4 merges on top, plus a user `additional_config`.
        let patch = json!({
            "rpc": { "limits_config": { "json_payload_max_size": 1_073_741_824u64 } },
            "store": { "max_open_files": 3000 },
            "some_future_key": { "x": 1 },
            "max_gas_burnt_view": 300_000_000_000_000u64,
            "trie_viewer_state_size_limit": null,
        });
        merge(&mut value, &patch);
        let config = NodeConfig::from_json(&value.to_string()).unwrap();
        assert_eq!(config.json_payload_max_size, 1_073_741_824);
        assert_eq!(config.max_gas_burnt_view, Some(300_000_000_000_000));
        assert_eq!(config.trie_viewer_state_size_limit, None);
    }

    #[test]
    fn bad_delays_are_refused() {
        let mut value = default_config_json(true);
        value["consensus"]["min_block_production_delay"] = json!({"secs": 5, "nanos": 0});
        let err = NodeConfig::from_json(&value.to_string()).unwrap_err();
        assert!(
            format!("{err:#}").contains("min_block_production_delay"),
            "{err:#}"
        );
    }

    /// RFC 7396 merge patch, as near-sandbox applies it.
    fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
        if let Some(patch) = patch.as_object() {
            if !target.is_object() {
                *target = json!({});
            }
            let map = target.as_object_mut().unwrap();
            for (key, value) in patch {
                if value.is_object() {
                    merge(map.entry(key.clone()).or_insert(json!({})), value);
                } else {
                    map.insert(key.clone(), value.clone());
                }
            }
        } else {
            *target = patch.clone();
        }
    }
}
