//! `validator_key.json` and `node_key.json`: `near_crypto::KeyFile`s, as neard writes them.

use std::path::Path;

use anyhow::Context;
use near_crypto::{InMemorySigner, KeyFile, KeyType, SecretKey, Signer};
use near_primitives::types::AccountId;

/// The validator account of a local chain; near-workspaces' `root_account()` signs as it.
pub const VALIDATOR_ACCOUNT: &str = "test.near";
/// The account neard puts in `node_key.json`.
pub const NODE_KEY_ACCOUNT: &str = "node";

/// A fresh ed25519 signer for `account_id`.
pub fn random_signer(account_id: &str) -> Signer {
    let account_id: AccountId = account_id.parse().expect("a valid built-in account id");
    InMemorySigner::from_secret_key(account_id, SecretKey::from_random(KeyType::ED25519))
}

/// Writes `signer` as a KeyFile (`{account_id, public_key, secret_key}`).
pub fn write_key_file(signer: &Signer, path: &Path) -> anyhow::Result<()> {
    KeyFile::from(signer.clone())
        .write_to_file(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a KeyFile; `private_key` is accepted as an alias of `secret_key`.
pub fn read_key_file(path: &Path) -> anyhow::Result<KeyFile> {
    KeyFile::from_file(path).with_context(|| format!("cannot read key file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_with_the_neard_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("validator_key.json");
        let signer = random_signer(VALIDATOR_ACCOUNT);
        write_key_file(&signer, &path).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["account_id"], "test.near");
        assert!(json["public_key"].as_str().unwrap().starts_with("ed25519:"));
        assert!(json["secret_key"].as_str().unwrap().starts_with("ed25519:"));
        let back = read_key_file(&path).unwrap();
        assert_eq!(back.public_key, signer.public_key());
    }

    #[test]
    fn private_key_alias_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registrar.json");
        let sk = SecretKey::from_random(KeyType::ED25519);
        let text = serde_json::json!({
            "account_id": "registrar",
            "public_key": sk.public_key(),
            "private_key": sk,
        });
        std::fs::write(&path, text.to_string()).unwrap();
        assert_eq!(read_key_file(&path).unwrap().secret_key, sk);
    }
}
