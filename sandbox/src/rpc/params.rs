//! Request parameters in both forms neard accepts: an object (parsed into the
//! near-jsonrpc-primitives request type) or a positional array (neard `Params::try_singleton` /
//! `try_pair`). Failures are `PARSE_ERROR`s with neard's "Failed parsing args: …" message.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::errors::RpcFailure;

/// Parses `value` as `T`, with neard's error message.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, RpcFailure> {
    serde_json::from_value(value)
        .map_err(|e| RpcFailure::parse(format!("Failed parsing args: {e}")))
}

/// Request parameters being matched against the positional forms, then the object form.
pub struct Params<T> {
    value: Value,
    parsed: Option<Result<T, RpcFailure>>,
}

impl<T> Params<T> {
    pub fn new(value: Value) -> Self {
        Self {
            value,
            parsed: None,
        }
    }

    /// `[a]`: parse the single element as `A` and map it.
    pub fn try_singleton<A: DeserializeOwned>(
        mut self,
        f: impl FnOnce(A) -> Result<T, RpcFailure>,
    ) -> Self {
        if self.parsed.is_none()
            && let Value::Array(items) = &self.value
            && let [item] = items.as_slice()
        {
            self.parsed = Some(parse::<A>(item.clone()).and_then(f));
        }
        self
    }

    /// `[a, b]`: parse the two elements and map them.
    pub fn try_pair<A: DeserializeOwned, B: DeserializeOwned>(
        mut self,
        f: impl FnOnce(A, B) -> Result<T, RpcFailure>,
    ) -> Self {
        if self.parsed.is_none()
            && let Value::Array(items) = &self.value
            && let [a, b] = items.as_slice()
        {
            let parsed =
                parse::<A>(a.clone()).and_then(|a| parse::<B>(b.clone()).and_then(|b| f(a, b)));
            self.parsed = Some(parsed);
        }
        self
    }

    /// The positional result if one matched, else the whole value parsed as `T`.
    pub fn unwrap_or_parse(self) -> Result<T, RpcFailure>
    where
        T: DeserializeOwned,
    {
        match self.parsed {
            Some(parsed) => parsed,
            None => parse(self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_primitives::types::{BlockId, BlockReference, Finality};
    use serde_json::json;

    fn block_reference(value: Value) -> Result<BlockReference, RpcFailure> {
        Params::new(value)
            .try_singleton(|id: BlockId| Ok(BlockReference::BlockId(id)))
            .unwrap_or_parse()
    }

    #[test]
    fn object_and_positional_forms_parse_alike() {
        assert_eq!(
            block_reference(json!([5])).unwrap(),
            BlockReference::BlockId(BlockId::Height(5))
        );
        assert_eq!(
            block_reference(json!({"block_id": 5})).unwrap(),
            BlockReference::BlockId(BlockId::Height(5))
        );
        assert_eq!(
            block_reference(json!({"finality": "near-final"})).unwrap(),
            BlockReference::Finality(Finality::DoomSlug)
        );
        let hash = "11111111111111111111111111111111";
        assert!(matches!(
            block_reference(json!([hash])).unwrap(),
            BlockReference::BlockId(BlockId::Hash(_))
        ));
    }

    #[test]
    fn bad_params_are_parse_errors_with_neards_prefix() {
        let err = block_reference(json!({"finality": "soon"})).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        let value = serde_json::to_value(&err.error).unwrap();
        assert_eq!(value["cause"]["name"], "PARSE_ERROR");
        assert!(
            value["data"]
                .as_str()
                .unwrap()
                .starts_with("Failed parsing args: "),
            "{value}"
        );
        let pair: Result<(u64, String), RpcFailure> = Params::new(json!([1, "x"]))
            .try_pair(|a: u64, b: String| Ok((a, b)))
            .unwrap_or_parse();
        assert_eq!(pair.unwrap(), (1, "x".to_owned()));
    }
}
