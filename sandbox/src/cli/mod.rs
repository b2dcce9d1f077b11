//! The command line, compatible with how near-sandbox 0.4 drives neard:
//! `<bin> --home DIR init [--fast] [other neard init flags, ignored]` writes `config.json`,
//! `genesis.json`, `validator_key.json` and `node_key.json`;
//! `<bin> --home DIR run --rpc-addr 127.0.0.1:P1 --network-addr 127.0.0.1:P2` serves JSON-RPC on P1
//! (loopback only; P2 is accepted and not bound). All chain state lives in memory; SIGKILL is the
//! shutdown. Exit codes: 0 on success, 1 with a message on stderr otherwise.

pub mod config;
pub mod genesis;
pub mod keys;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::chain::{Chain, ChainHandle, ChainParams};
use crate::rpc::{NodeInfo, RpcState};
use crate::runtime::Runtime;
use crate::runtime::function_call::ContractCache;
use crate::state::Store;
use config::{CONFIG_FILE, NodeConfig};

/// How often an empty block is produced while the node has no work (see `chain`).
pub const IDLE_BLOCK_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Parser, Debug)]
#[command(
    name = "nexus-sandbox",
    version,
    about = "A local single-process NEAR node"
)]
struct Cli {
    /// Directory for config and keys (neard's `--home`).
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Writes config.json, genesis.json, validator_key.json and node_key.json.
    Init(InitArgs),
    /// Runs the node.
    Run(RunArgs),
}

#[derive(Args, Debug)]
struct InitArgs {
    /// 120/500 ms block production delays (as neard's `--fast`).
    #[arg(long)]
    fast: bool,
    /// Chain id (default `test-chain-XXXXX`); `mainnet` and `testnet` are refused.
    #[arg(long)]
    chain_id: Option<String>,
    /// Protocol version of the new chain (84..=88, default 88), also taken from
    /// `NEXUS_SANDBOX_PROTOCOL_VERSION` so tests launched through near-sandbox can choose it.
    #[arg(long, env = "NEXUS_SANDBOX_PROTOCOL_VERSION", default_value_t = near_primitives::version::PROTOCOL_VERSION)]
    protocol_version: near_primitives::types::ProtocolVersion,
    /// Other neard `init` flags, accepted and ignored.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    ignored: Vec<String>,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Overrides `rpc.addr` of config.json; must be a loopback address.
    #[arg(long)]
    rpc_addr: Option<String>,
    /// Accepted for neard compatibility; this node has no network.
    #[arg(long)]
    network_addr: Option<String>,
    /// neard's timing, for checking that clients do not depend on this node's speed: blocks at least
    /// this many milliseconds apart, and transaction answers as soon as the requested level is reached,
    /// so refunds land a block after the answer, as on neard. 0 (default): blocks back to back and
    /// answers after the refunds, which keeps tests fast and their answers the same every run.
    #[arg(long, env = "NEXUS_SANDBOX_NEARD_TIMING_MS", default_value_t = 0)]
    neard_timing_ms: u64,
    /// Other neard `run` flags, accepted and ignored.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    ignored: Vec<String>,
}

/// Entry point of the binary; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    init_logging();
    let home = cli.home.unwrap_or_else(default_home);
    let result = match cli.command {
        Command::Init(args) => init(&home, &args),
        Command::Run(args) => run(&home, &args),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("nexus-sandbox: error: {e:#}");
            1
        }
    }
}

fn default_home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(
        || PathBuf::from(".near"),
        |h| PathBuf::from(h).join(".near"),
    )
}

/// Quiet by default; `RUST_LOG` is respected (near-sandbox sets it from `NEAR_SANDBOX_LOG`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn write_if_missing(
    path: &Path,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if path.exists() {
        tracing::info!(target: "init", path = %path.display(), "exists, kept");
        return Ok(());
    }
    write(path)
}

fn init(home: &Path, args: &InitArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(home).with_context(|| format!("cannot create {}", home.display()))?;
    let chain_id = args
        .chain_id
        .clone()
        .unwrap_or_else(genesis::random_chain_id);
    anyhow::ensure!(
        chain_id != near_primitives::chains::MAINNET
            && chain_id != near_primitives::chains::TESTNET,
        "refusing to initialize a sandbox node for `{chain_id}`: only local chains are allowed"
    );
    write_if_missing(&home.join(CONFIG_FILE), |path| {
        let text = serde_json::to_string_pretty(&config::default_config_json(args.fast))?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    })?;
    let validator_path = home.join(config::VALIDATOR_KEY_FILE);
    write_if_missing(&validator_path, |path| {
        keys::write_key_file(&keys::random_signer(keys::VALIDATOR_ACCOUNT), path)
    })?;
    write_if_missing(&home.join(config::NODE_KEY_FILE), |path| {
        keys::write_key_file(&keys::random_signer(keys::NODE_KEY_ACCOUNT), path)
    })?;
    write_if_missing(&home.join(config::GENESIS_FILE), |path| {
        let validator = keys::read_key_file(&validator_path)?;
        let near = near_crypto::InMemorySigner::test_signer(&"near".parse().expect("valid id"));
        let genesis = genesis::local_genesis(
            chain_id,
            args.protocol_version,
            &validator.account_id,
            &validator.public_key,
            &near.public_key(),
        )?;
        let text = serde_json::to_string_pretty(&genesis)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    })?;
    Ok(())
}

/// Parses the RPC address and keeps it on loopback: an unspecified address (`0.0.0.0`, neard's
/// default) becomes `127.0.0.1`; any other non-loopback address is refused.
fn loopback_addr(addr: &str) -> anyhow::Result<SocketAddr> {
    let mut parsed: SocketAddr = addr
        .parse()
        .with_context(|| format!("invalid RPC address `{addr}`"))?;
    if parsed.ip().is_unspecified() {
        parsed.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    anyhow::ensure!(
        parsed.ip().is_loopback(),
        "RPC address {parsed} is not a loopback address; this node only serves locally"
    );
    Ok(parsed)
}

/// Everything `run` needs, loaded and checked before any port is bound.
pub struct LoadedNode {
    pub config: NodeConfig,
    pub rpc_addr: SocketAddr,
    pub chain: Chain,
    pub node_key: near_crypto::PublicKey,
}

/// Loads config, genesis and keys from `home` and builds the chain at genesis.
pub fn load_node(home: &Path, rpc_addr_override: Option<&str>) -> anyhow::Result<LoadedNode> {
    let config = NodeConfig::load(home)?;
    let rpc_addr = loopback_addr(rpc_addr_override.unwrap_or(&config.rpc_addr))?;
    let genesis = genesis::load_genesis(&home.join(&config.genesis_file))?;
    let node_key = match keys::read_key_file(&home.join(&config.node_key_file)) {
        Ok(key) => key.public_key,
        Err(_) => keys::random_signer(keys::NODE_KEY_ACCOUNT).public_key(),
    };
    let validator = genesis
        .config
        .validators
        .first()
        .cloned()
        .context("genesis has no validator")?;
    let cache = ContractCache::in_home(home).with_context(|| {
        format!(
            "cannot open the compiled-contract cache in {}",
            home.display()
        )
    })?;
    let runtime = Runtime::with_cache(
        genesis.config.protocol_version,
        genesis.config.chain_id.clone(),
        (validator.account_id.clone(), validator.amount),
        cache,
    )
    .context("cannot create the runtime")?
    .with_transaction_validity_period(genesis.config.transaction_validity_period)
    .with_max_gas_burnt_view(
        config
            .max_gas_burnt_view
            .map(near_primitives::types::Gas::from_gas),
    );
    let mut store = Store::new();
    store
        .load_genesis(&genesis::genesis_records(&genesis), runtime.config())
        .context("cannot load the genesis state")?;
    let params = ChainParams {
        genesis_config: genesis.config,
        validator_id: validator.account_id,
        validator_key: validator.public_key,
        validator_stake: validator.amount,
        avg_block_delay: config.avg_block_production_delay(),
        idle_tick: IDLE_BLOCK_INTERVAL,
        min_block_interval: Duration::ZERO,
    };
    Ok(LoadedNode {
        config,
        rpc_addr,
        chain: Chain::new(params, runtime, store),
        node_key,
    })
}

/// A running node: its RPC address and chain. The server runs on the current tokio runtime.
pub struct RunningNode {
    pub rpc_addr: SocketAddr,
    pub chain: ChainHandle,
}

/// Binds the RPC port and starts block production and the server on the current tokio runtime.
pub async fn start_node(loaded: LoadedNode) -> anyhow::Result<RunningNode> {
    let listener = tokio::net::TcpListener::bind(loaded.rpc_addr)
        .await
        .with_context(|| format!("cannot bind the RPC address {}", loaded.rpc_addr))?;
    let rpc_addr = listener.local_addr()?;
    let chain = ChainHandle::start(loaded.chain);
    let state = RpcState {
        chain: chain.clone(),
        node: Arc::new(NodeInfo {
            rpc_addr: rpc_addr.to_string(),
            node_key: loaded.node_key,
            started: Instant::now(),
            trie_viewer_state_size_limit: loaded.config.trie_viewer_state_size_limit,
            json_payload_max_size: loaded.config.json_payload_max_size,
        }),
    };
    tokio::spawn(async move {
        if let Err(e) = crate::rpc::server::serve(listener, state).await {
            eprintln!("nexus-sandbox: error: the RPC server stopped: {e}");
            std::process::exit(1);
        }
    });
    Ok(RunningNode { rpc_addr, chain })
}

fn run(home: &Path, args: &RunArgs) -> anyhow::Result<()> {
    let mut loaded = load_node(home, args.rpc_addr.as_deref())?;
    loaded
        .chain
        .set_min_block_interval(Duration::from_millis(args.neard_timing_ms));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        start_node(loaded).await?;
        // Runs until killed (near-sandbox sends SIGKILL).
        std::future::pending::<()>().await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_sandbox_command_lines_parse() {
        let cli =
            Cli::try_parse_from(["nexus-sandbox", "--home", "/tmp/x", "init", "--fast"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Init(InitArgs { fast: true, .. })
        ));
        let cli = Cli::try_parse_from([
            "nexus-sandbox",
            "--home",
            "/tmp/x",
            "run",
            "--rpc-addr",
            "127.0.0.1:3030",
            "--network-addr",
            "127.0.0.1:3031",
        ])
        .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("run expected")
        };
        assert_eq!(run.rpc_addr.as_deref(), Some("127.0.0.1:3030"));
        // Other neard init flags are accepted.
        let cli = Cli::try_parse_from([
            "nexus-sandbox",
            "--home",
            "/tmp/x",
            "init",
            "--fast",
            "--account-id",
            "x.near",
            "--num-shards",
            "1",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Init(InitArgs { fast: true, .. })
        ));
    }

    #[test]
    fn rpc_addresses_stay_on_loopback() {
        assert_eq!(
            loopback_addr("0.0.0.0:3030").unwrap().to_string(),
            "127.0.0.1:3030"
        );
        assert_eq!(
            loopback_addr("127.0.0.1:1").unwrap().to_string(),
            "127.0.0.1:1"
        );
        assert!(loopback_addr("192.0.2.1:3030").is_err());
        assert!(loopback_addr("nonsense").is_err());
    }

    /// `init --fast` at `protocol_version`.
    fn fast_init(protocol_version: u32) -> InitArgs {
        InitArgs {
            fast: true,
            chain_id: None,
            protocol_version,
            ignored: vec![],
        }
    }

    #[test]
    fn init_writes_the_four_files_and_refuses_public_chains() {
        let dir = tempfile::tempdir().unwrap();
        let args = fast_init(near_primitives::version::PROTOCOL_VERSION);
        init(dir.path(), &args).unwrap();
        for file in [
            "config.json",
            "genesis.json",
            "validator_key.json",
            "node_key.json",
        ] {
            assert!(dir.path().join(file).exists(), "{file}");
        }
        let genesis: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("genesis.json")).unwrap(),
        )
        .unwrap();
        let validator: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("validator_key.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(validator["account_id"], "test.near");
        assert_eq!(
            genesis["validators"][0]["public_key"],
            validator["public_key"]
        );
        let config = NodeConfig::load(dir.path()).unwrap();
        assert_eq!(
            config.min_block_production_delay,
            Duration::from_millis(120)
        );

        let other = tempfile::tempdir().unwrap();
        let args = InitArgs {
            fast: false,
            chain_id: Some("mainnet".into()),
            ..fast_init(near_primitives::version::PROTOCOL_VERSION)
        };
        assert!(
            init(other.path(), &args)
                .unwrap_err()
                .to_string()
                .contains("mainnet")
        );
    }

    #[test]
    fn a_loaded_node_keeps_compiled_contracts_in_its_home() {
        // near-workspaces SIGKILLs the node and then deletes its home: anything kept outside the
        // home (a temporary directory the node would remove on exit) would leak on every test.
        let home = tempfile::tempdir().unwrap();
        let args = fast_init(near_primitives::version::PROTOCOL_VERSION);
        init(home.path(), &args).unwrap();
        let cache = home
            .path()
            .join(crate::runtime::function_call::CACHE_DIR_IN_HOME);
        assert!(!cache.exists());
        let _node = load_node(home.path(), Some("127.0.0.1:0")).unwrap();
        assert!(cache.is_dir(), "{} was not created", cache.display());
    }

    #[test]
    fn init_writes_the_requested_protocol_version_and_refuses_unsupported_ones() {
        let dir = tempfile::tempdir().unwrap();
        let args = fast_init(86);
        init(dir.path(), &args).unwrap();
        let genesis: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("genesis.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(genesis["protocol_version"], 86);

        let other = tempfile::tempdir().unwrap();
        let args = fast_init(83);
        let err = init(other.path(), &args).unwrap_err().to_string();
        assert!(
            err.contains("protocol version 83 is not supported"),
            "{err}"
        );
    }
}
