//! View calls over NEAR JSON-RPC (`query` / `call_function`), the one RPC method verification needs.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Which block views read: `final` cannot be rolled back; `optimistic` is the latest block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Finality {
    Final,
    Optimistic,
}

impl Finality {
    fn as_str(self) -> &'static str {
        match self {
            Finality::Final => "final",
            Finality::Optimistic => "optimistic",
        }
    }
}

pub struct Rpc {
    url: String,
    finality: Finality,
    http: reqwest::Client,
}

impl Rpc {
    pub fn new(url: &str, finality: Finality) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .context("cannot create the HTTP client")?;
        Ok(Self {
            url: url.to_string(),
            finality,
            http,
        })
    }

    /// Calls view `method` of `contract` with JSON `args` and parses its JSON answer.
    pub async fn view<T: DeserializeOwned>(
        &self,
        contract: &str,
        method: &str,
        args: &Value,
    ) -> Result<T> {
        let request = json!({
            "jsonrpc": "2.0",
            "id": "nexus-verify",
            "method": "query",
            "params": {
                "request_type": "call_function",
                "finality": self.finality.as_str(),
                "account_id": contract,
                "method_name": method,
                "args_base64": STANDARD.encode(args.to_string()),
            },
        });
        let response: Value = self
            .http
            .post(&self.url)
            .json(&request)
            .send()
            .await
            .with_context(|| format!("cannot reach the RPC at {}", self.url))?
            .error_for_status()
            .with_context(|| format!("the RPC at {} refused the request", self.url))?
            .json()
            .await
            .with_context(|| format!("the RPC at {} answered non-JSON", self.url))?;
        let bytes = result_bytes(&response).map_err(|e| explain(contract, method, e))?;
        serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{contract}.{method} answered {:?}, not what this tool expects (is {contract} a Nexus model registry?)",
                String::from_utf8_lossy(&bytes)
            )
        })
    }
}

/// A view's failure in the caller's terms: a wrong `--registry` is the likely cause of a missing method or
/// contract, so say that rather than quote the VM.
fn explain(contract: &str, method: &str, e: anyhow::Error) -> anyhow::Error {
    let text = e.to_string();
    if text.contains("MethodNotFound") {
        anyhow!("{contract} has no view {method}: is it a Nexus model registry?")
    } else if text.contains("CodeDoesNotExist") || text.starts_with("no contract deployed") {
        anyhow!("{contract} has no contract deployed: is it the model registry's account?")
    } else {
        e.context(format!("{contract}.{method}"))
    }
}

/// The bytes a view returned, or the error the node reported (both the structured `error` object and the
/// older `result.error` string that nodes still send for a failed contract call).
fn result_bytes(response: &Value) -> Result<Vec<u8>> {
    if let Some(error) = response.get("error") {
        let cause = &error["cause"];
        let detail = cause["info"]["vm_error"]
            .as_str()
            .or_else(|| cause["info"]["error_message"].as_str())
            .or_else(|| error["data"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| error.to_string());
        match cause["name"].as_str() {
            Some("UNKNOWN_ACCOUNT") => bail!("no such account: {detail}"),
            Some("NO_CONTRACT_CODE") => bail!("no contract deployed: {detail}"),
            _ => bail!("the view failed: {detail}"),
        }
    }
    let result = response
        .get("result")
        .ok_or_else(|| anyhow!("the RPC answer has neither result nor error: {response}"))?;
    if let Some(error) = result.get("error").and_then(Value::as_str) {
        bail!("the view failed: {error}");
    }
    let bytes = result["result"]
        .as_array()
        .ok_or_else(|| anyhow!("the RPC answer has no result bytes: {response}"))?;
    bytes
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .ok_or_else(|| anyhow!("the RPC answer's result is not a byte array: {response}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_bytes_are_read_from_a_successful_query() {
        let ok = json!({"jsonrpc": "2.0", "id": "x",
                        "result": {"result": [110, 117, 108, 108], "logs": [], "block_height": 9}});
        assert_eq!(result_bytes(&ok).unwrap(), b"null");
    }

    #[test]
    fn node_errors_are_reported_with_their_cause() {
        let structured = json!({"jsonrpc": "2.0", "id": "x", "error": {
            "name": "HANDLER_ERROR", "code": -32000, "message": "Server error",
            "cause": {"name": "UNKNOWN_ACCOUNT", "info": {"requested_account_id": "nobody.near"}},
            "data": "account nobody.near does not exist while viewing"}});
        let err = result_bytes(&structured).unwrap_err().to_string();
        assert_eq!(
            err,
            "no such account: account nobody.near does not exist while viewing"
        );

        let panicked = json!({"jsonrpc": "2.0", "id": "x", "error": {
            "name": "HANDLER_ERROR",
            "cause": {"name": "CONTRACT_EXECUTION_ERROR",
                      "info": {"vm_error": "Smart contract panicked: unknown model: acme/x"}}}});
        let err = result_bytes(&panicked).unwrap_err().to_string();
        assert_eq!(
            err,
            "the view failed: Smart contract panicked: unknown model: acme/x"
        );

        let legacy = json!({"jsonrpc": "2.0", "id": "x",
                            "result": {"error": "wasm execution failed with error: MethodNotFound", "logs": []}});
        let err = result_bytes(&legacy).unwrap_err().to_string();
        assert_eq!(
            err,
            "the view failed: wasm execution failed with error: MethodNotFound"
        );
    }

    #[test]
    fn a_wrong_registry_account_is_named_as_the_likely_cause() {
        let no_method = anyhow!(
            "the view failed: wasm execution failed with error: MethodResolveError(MethodNotFound)"
        );
        assert_eq!(
            explain("lineage.near", "lookup_hash", no_method).to_string(),
            "lineage.near has no view lookup_hash: is it a Nexus model registry?"
        );
        let no_code = anyhow!(
            "the view failed: wasm execution failed with error: CompilationError(CodeDoesNotExist {{ account_id: \"alice.near\" }})"
        );
        assert_eq!(
            explain("alice.near", "lookup_hash", no_code).to_string(),
            "alice.near has no contract deployed: is it the model registry's account?"
        );
        let other = explain("r.near", "get_version", anyhow!("no such account: r.near"));
        assert_eq!(
            format!("{other:#}"),
            "r.near.get_version: no such account: r.near"
        );
    }

    #[test]
    fn a_malformed_answer_is_an_error_not_empty_bytes() {
        for bad in [
            json!({"jsonrpc": "2.0"}),
            json!({"result": {"result": "not bytes"}}),
            json!({"result": {"result": [1, 300]}}),
        ] {
            assert!(result_bytes(&bad).is_err(), "{bad}");
        }
    }
}
