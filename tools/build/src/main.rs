//! `nexus-build [--out DIR] [CONTRACT ...]`: builds every contract of the workspace (the crates under
//! `contracts/` and `test-contracts/`) the way `cargo near build non-reproducible-wasm` does, by
//! driving cargo-near-build as a library: release profile, `wasm32-unknown-unknown`, ABI generated
//! and embedded (zstd, `__contract_abi`), NEP-330 source metadata, `wasm-opt -O`.
//!
//! Outputs `target/near/<contract>/<contract>.wasm` and `<contract>_abi.json`, then prints a size table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use cargo_near_build::camino::Utf8PathBuf;
use cargo_near_build::{BuildOpts, CliDescription};

/// Folders whose sub-folders are contract crates.
const CONTRACT_DIRS: [&str; 2] = ["contracts", "test-contracts"];

fn main() {
    if let Err(err) = run() {
        eprintln!("nexus-build: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let root = workspace_root()?;
    let mut out_root = root.join("target").join("near");
    let mut wanted = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out_root = PathBuf::from(args.next().context("--out needs a directory")?),
            "-h" | "--help" => {
                println!(
                    "usage: nexus-build [--out DIR] [CONTRACT ...]   (default: every contract)"
                );
                return Ok(());
            }
            name if name.starts_with('-') => bail!("unknown option {name:?}"),
            name => wanted.push(name.to_string()),
        }
    }

    let all = discover(&root)?;
    let selected: Vec<&(String, PathBuf)> = if wanted.is_empty() {
        all.iter().collect()
    } else {
        wanted
            .iter()
            .map(|name| {
                all.iter().find(|(n, _)| n == name).with_context(|| {
                    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
                    format!("unknown contract {name:?}; known: {}", names.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };

    let mut built = Vec::new();
    for (name, manifest) in selected {
        let out_dir = out_root.join(name);
        let wasm = build_one(manifest, &out_dir).with_context(|| format!("building {name}"))?;
        let size = std::fs::metadata(&wasm)?.len();
        built.push((name.clone(), wasm, size));
    }

    println!("\n| contract | wasm | bytes |\n|---|---|---|");
    for (name, wasm, size) in &built {
        println!("| {name} | {} | {size} |", wasm.display());
    }
    Ok(())
}

fn build_one(manifest: &Path, out_dir: &Path) -> Result<PathBuf> {
    let manifest = Utf8PathBuf::from_path_buf(manifest.to_path_buf())
        .map_err(|p| anyhow::anyhow!("non-UTF-8 path {}", p.display()))?;
    let out_dir = Utf8PathBuf::from_path_buf(out_dir.to_path_buf())
        .map_err(|p| anyhow::anyhow!("non-UTF-8 path {}", p.display()))?;
    let opts = BuildOpts::builder()
        .manifest_path(manifest)
        .out_dir(out_dir)
        .cli_description(CliDescription {
            cli_name_abi: "nexus-build".into(),
            cli_command_prefix: vec![
                "cargo".into(),
                "run".into(),
                "-p".into(),
                "nexus-build".into(),
                "--".into(),
            ],
        })
        .build();
    let artifact = cargo_near_build::build(opts).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(artifact.path.into_std_path_buf())
}

/// Contract crates: every `<dir>/<name>/Cargo.toml` under [`CONTRACT_DIRS`], sorted by name.
fn discover(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    for dir in CONTRACT_DIRS {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries {
            let manifest = entry?.path().join("Cargo.toml");
            if manifest.is_file() {
                let name = package_name(&manifest)?;
                found.push((name, manifest));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn package_name(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest)?;
    text.lines()
        .find_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("name")?
                .trim_start()
                .strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
        .with_context(|| format!("no package name in {}", manifest.display()))
}

/// The repository root: two levels above this crate's manifest. `cargo run` passes the manifest
/// directory at run time; prefer it to the compile-time one, which is stale when two checkouts
/// share one target directory and cargo reuses a binary built from the other.
fn workspace_root() -> Result<PathBuf> {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    here.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .context("cannot locate the workspace root")
}
