//! Command line: where the registry is, and what to verify.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::rpc::Finality;

/// What `scripts/localnet.sh` deploys the registry as.
pub const LOCAL_REGISTRY: &str = "registry.test.near";

#[derive(Debug, Parser)]
#[command(
    name = "nexus-verify",
    version,
    about = "Verify local model files against the Nexus model registry on NEAR",
    long_about = "Verify local model files against the Nexus model registry on NEAR.\n\n\
        Hashes the files here (sha256, and a directory's manifest digest as the registry computes it) and \
        asks the registry where that content is published, with each version's status and attestations.\n\n\
        Exit status: 0 verified (published in a version that is not revoked; a deprecated one is reported), \
        1 not verified (unknown, changed, revoked, or still pending its lineage consent check), \
        2 the check could not be made (arguments, files, network)."
)]
pub struct Cli {
    /// The network whose registry to ask.
    #[arg(long, value_enum, default_value_t = Network::Local, global = true)]
    pub network: Network,
    /// JSON-RPC endpoint [default: local http://127.0.0.1:3030; testnet and mainnet: the FastNEAR RPCs
    /// near-cli-rs uses (NEAR's rpc.*.near.org endpoints are deprecated)].
    #[arg(long, env = "NEXUS_RPC_URL", global = true)]
    pub rpc_url: Option<String>,
    /// Account of the model registry [default on the local network: registry.test.near].
    #[arg(long, env = "NEXUS_REGISTRY", global = true)]
    pub registry: Option<String>,
    /// Read the final block (cannot be rolled back) or the latest one.
    #[arg(long, value_enum, default_value_t = Finality::Final, global = true)]
    pub finality: Finality,
    /// Print the report as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Where is each file published? Looks every file's sha256 up in the registry.
    File {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only accept the file as part of this version: namespace/name@version, or namespace/name:alias
        /// for the version an alias (e.g. production) points to now.
        #[arg(long, value_name = "MODEL@VERSION|MODEL:ALIAS")]
        expect: Option<String>,
    },
    /// Is this model directory a published version? By its manifest digest, or file by file against
    /// `--expect`.
    Dir {
        dir: PathBuf,
        /// Compare with this version's manifest (namespace/name@version, or namespace/name:alias for the
        /// version an alias points to now): reports missing, changed and extra files.
        #[arg(long, value_name = "MODEL@VERSION|MODEL:ALIAS")]
        expect: Option<String>,
        /// With --expect: files here that the manifest does not list also fail the check.
        #[arg(long, requires = "expect")]
        exact: bool,
        /// Directory names to skip at any depth.
        #[arg(long, value_name = "NAME", default_values_t = [".git".to_string()])]
        exclude: Vec<String>,
    },
    /// Print a directory's manifest (the `files` argument of `publish_version`) and its digest. Offline.
    Manifest {
        dir: PathBuf,
        /// Directory names to skip at any depth.
        #[arg(long, value_name = "NAME", default_values_t = [".git".to_string()])]
        exclude: Vec<String>,
        /// Add chunked Merkle roots (chunks of this many bytes: a power of two from 1024 to 1073741824) to
        /// files larger than one chunk.
        #[arg(long, value_name = "BYTES", value_parser = chunk_size)]
        chunk_size: Option<u32>,
    },
    /// Print a file's chunk list: the leaf hashes of its chunks and their Merkle root. Offline. Published
    /// next to the file, it lets a downloader check the list once against the root on chain, then every
    /// chunk as it arrives.
    Chunks {
        file: PathBuf,
        /// Bytes per chunk (a power of two from 1024 to 1073741824), as in the published root.
        #[arg(long, value_name = "BYTES", value_parser = chunk_size)]
        chunk_size: u32,
    },
}

/// The registry's rule for chunk sizes (`MIN_CHUNK_SIZE`..=`MAX_CHUNK_SIZE`, powers of two).
fn chunk_size(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n.is_power_of_two() && (1 << 10..=1 << 30).contains(&n) => Ok(n),
        _ => Err("must be a power of two from 1024 to 1073741824".into()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Network {
    Local,
    Testnet,
    Mainnet,
}

impl Cli {
    pub fn rpc_url(&self) -> String {
        match (&self.rpc_url, self.network) {
            (Some(url), _) => url.clone(),
            (None, Network::Local) => "http://127.0.0.1:3030".into(),
            (None, Network::Testnet) => "https://test.rpc.fastnear.com".into(),
            (None, Network::Mainnet) => "https://rpc.mainnet.fastnear.com".into(),
        }
    }

    pub fn registry(&self) -> Result<String> {
        match (&self.registry, self.network) {
            (Some(r), _) => Ok(r.clone()),
            (None, Network::Local) => Ok(LOCAL_REGISTRY.into()),
            (None, network) => bail!(
                "--registry (or NEXUS_REGISTRY) is required on {}: the account the model registry is deployed to",
                format!("{network:?}").to_lowercase()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("nexus-verify").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn the_local_network_needs_no_endpoint_or_registry() {
        let cli = parse(&["file", "model.bin"]);
        assert_eq!(cli.rpc_url(), "http://127.0.0.1:3030");
        assert_eq!(cli.registry().unwrap(), LOCAL_REGISTRY);
        assert_eq!(cli.finality, Finality::Final);
    }

    #[test]
    fn public_networks_need_the_registry_account() {
        let cli = parse(&["--network", "testnet", "file", "model.bin"]);
        assert_eq!(cli.rpc_url(), "https://test.rpc.fastnear.com");
        let err = cli.registry().unwrap_err().to_string();
        assert!(
            err.contains("--registry (or NEXUS_REGISTRY) is required on testnet"),
            "{err}"
        );
        let cli = parse(&[
            "file",
            "m.bin",
            "--network",
            "mainnet",
            "--registry",
            "registry.nexus.near",
        ]);
        assert_eq!(cli.rpc_url(), "https://rpc.mainnet.fastnear.com");
        assert_eq!(cli.registry().unwrap(), "registry.nexus.near");
    }

    #[test]
    fn dir_excludes_git_by_default_and_exact_needs_expect() {
        let cli = parse(&["dir", "./model"]);
        match cli.command {
            Command::Dir { exclude, exact, .. } => {
                assert_eq!(exclude, [".git"]);
                assert!(!exact);
            }
            other => panic!("{other:?}"),
        }
        let err = Cli::try_parse_from(["nexus-verify", "dir", "./model", "--exact"]).unwrap_err();
        assert!(err.to_string().contains("--expect"), "{err}");
    }

    #[test]
    fn manifest_chunk_sizes_follow_the_registry_rule() {
        match parse(&["manifest", "m", "--chunk-size", "4194304"]).command {
            Command::Manifest { chunk_size, .. } => assert_eq!(chunk_size, Some(4 << 20)),
            other => panic!("{other:?}"),
        }
        for bad in ["512", "3000", "2147483648", "x"] {
            let err = Cli::try_parse_from(["nexus-verify", "manifest", "m", "--chunk-size", bad])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("must be a power of two from 1024 to 1073741824"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn file_needs_at_least_one_path() {
        assert!(Cli::try_parse_from(["nexus-verify", "file"]).is_err());
    }
}
