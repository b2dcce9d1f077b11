//! `query`: `view_account`, `view_code`, `view_state`, `view_access_key`, `view_access_key_list`
//! and `call_function`, with neard's legacy success-shaped errors for an unknown access key and for
//! a failing view call (nearcore `process_query_response`).

use near_jsonrpc_primitives::errors::RpcError;
use near_jsonrpc_primitives::types::query::{
    QueryResponseKind, RpcQueryError, RpcQueryRequest, RpcQueryResponse,
};
use near_primitives::hash::CryptoHash;
use near_primitives::types::{AccountId, BlockHeight, BlockId, BlockReference, Finality};
use near_primitives::views::{
    AccessKeyInfoView, AccessKeyList, AccessKeyView, AccountView, CallResult, ContractCodeView,
    QueryRequest, StateItem, ViewStateResult,
};
use serde_json::{Value, json};

use super::RpcState;
use super::blocks::{UnknownBlock, resolve};
use super::errors::{RpcFailure, failure};
use super::params::Params;
use crate::chain::Chain;
use crate::chain::blocks::Block;
use crate::runtime::ViewCallError;

/// A query's outcome before it becomes JSON: a view, or an error, some of which neard reports as
/// a successful result.
enum QueryOutcome {
    Ok(QueryResponseKind),
    Err(RpcQueryError),
    /// neard's legacy shape: `{"error", "logs": [], "block_height", "block_hash"}` with HTTP 200.
    Legacy(String),
}

pub fn query(state: &RpcState, params: Value) -> Result<Value, RpcFailure> {
    let request: RpcQueryRequest = Params::new(params)
        .try_pair(|path: String, data: String| legacy_query(&path, &data))
        .unwrap_or_parse()?;
    let limit = state.node.trie_viewer_state_size_limit;
    state.chain.read(|chain| {
        let block = resolve(chain, &request.block_reference).map_err(unknown_block_failure)?;
        let (height, hash) = (block.height, block.hash);
        match run_query(chain, block, &request.request, limit) {
            QueryOutcome::Ok(kind) => serde_json::to_value(RpcQueryResponse {
                kind,
                block_height: height,
                block_hash: hash,
            })
            .map_err(|e| RpcFailure::internal(e.to_string())),
            QueryOutcome::Legacy(error) => Ok(json!({
                "error": error,
                "logs": [],
                "block_height": height,
                "block_hash": hash,
            })),
            QueryOutcome::Err(error) => Err(failure(error)),
        }
    })
}

/// neard's legacy `[path, data]` form, read at the optimistic head: `account/<id>`, `code/<id>`,
/// `access_key/<id>[/<public key>]`, `contract/<id>` (data = base58 key prefix) and
/// `call/<id>/<method>` (data = base58 arguments).
fn legacy_query(path: &str, data: &str) -> Result<RpcQueryRequest, RpcFailure> {
    let bad = |what: String| RpcFailure::parse(format!("Failed parsing args: {what}"));
    let data = bs58::decode(data)
        .into_vec()
        .map_err(|e| bad(format!("data is not base58: {e}")))?;
    let parts: Vec<&str> = path.splitn(3, '/').collect();
    let account = |i: usize| -> Result<AccountId, RpcFailure> {
        let id = parts
            .get(i)
            .ok_or_else(|| bad(format!("missing account id in `{path}`")))?;
        id.parse()
            .map_err(|e| bad(format!("invalid account id `{id}`: {e}")))
    };
    let request = match parts[0] {
        "account" => QueryRequest::ViewAccount {
            account_id: account(1)?,
        },
        "code" => QueryRequest::ViewCode {
            account_id: account(1)?,
        },
        "access_key" if parts.len() == 3 => QueryRequest::ViewAccessKey {
            account_id: account(1)?,
            public_key: parts[2]
                .parse()
                .map_err(|e| bad(format!("invalid public key: {e}")))?,
        },
        "access_key" => QueryRequest::ViewAccessKeyList {
            account_id: account(1)?,
            after_key: None,
            limit: None,
        },
        "contract" => QueryRequest::ViewState {
            account_id: account(1)?,
            prefix: data.into(),
            after_key: None,
            limit: None,
            include_proof: false,
        },
        "call" if parts.len() == 3 => QueryRequest::CallFunction {
            account_id: account(1)?,
            method_name: parts[2].to_owned(),
            args: data.into(),
        },
        _ => return Err(bad(format!("unknown legacy query path `{path}`"))),
    };
    Ok(RpcQueryRequest {
        block_reference: BlockReference::Finality(Finality::None),
        request,
    })
}

/// `UNKNOWN_BLOCK` with nearcore's `process_query_response` data strings.
fn unknown_block_failure(unknown: UnknownBlock) -> RpcFailure {
    let data = match &unknown.reference {
        BlockReference::BlockId(BlockId::Height(h)) => {
            format!("DB Not Found Error: BLOCK HEIGHT: {h} \n Cause: Unknown")
        }
        BlockReference::BlockId(BlockId::Hash(h)) => {
            format!("DB Not Found Error: BLOCK HEADER: {h}")
        }
        _ => RpcQueryError::UnknownBlock {
            block_reference: unknown.reference.clone(),
        }
        .to_string(),
    };
    let cause = serde_json::to_value(RpcQueryError::UnknownBlock {
        block_reference: unknown.reference.clone(),
    })
    .unwrap_or(Value::Null);
    let error = RpcError::new_internal_or_handler_error(Some(Value::String(data)), cause);
    unknown.into_failure(error)
}

fn run_query(
    chain: &Chain,
    block: &Block,
    request: &QueryRequest,
    state_limit: Option<u64>,
) -> QueryOutcome {
    let store = chain.store();
    let (block_height, block_hash): (BlockHeight, CryptoHash) = (block.height, block.hash);
    let unknown_account = |account_id: &near_primitives::types::AccountId| {
        QueryOutcome::Err(RpcQueryError::UnknownAccount {
            requested_account_id: account_id.clone(),
            block_height,
            block_hash,
        })
    };
    match request {
        QueryRequest::ViewAccount { account_id } => match store.account(account_id, block_height) {
            Some(account) => {
                QueryOutcome::Ok(QueryResponseKind::ViewAccount(AccountView::from(&account)))
            }
            None => unknown_account(account_id),
        },
        QueryRequest::ViewCode { account_id } => {
            let Some(account) = store.account(account_id, block_height) else {
                return unknown_account(account_id);
            };
            match store.code(account_id, block_height) {
                Some(code) => QueryOutcome::Ok(QueryResponseKind::ViewCode(ContractCodeView {
                    hash: account
                        .local_contract_hash()
                        .unwrap_or_else(|| CryptoHash::hash_bytes(&code)),
                    code,
                })),
                None => QueryOutcome::Err(RpcQueryError::NoContractCode {
                    contract_account_id: account_id.clone(),
                    block_height,
                    block_hash,
                }),
            }
        }
        QueryRequest::ViewState {
            account_id,
            prefix,
            after_key,
            limit,
            include_proof: _,
        } => {
            let Some(account) = store.account(account_id, block_height) else {
                return unknown_account(account_id);
            };
            if let Some(max) = state_limit {
                let code_len = store
                    .code(account_id, block_height)
                    .map_or(0, |c| c.len() as u64);
                if account.storage_usage().saturating_sub(code_len) > max {
                    return QueryOutcome::Err(RpcQueryError::TooLargeContractState {
                        contract_account_id: account_id.clone(),
                        block_height,
                        block_hash,
                    });
                }
            }
            let limit = limit.map(|l| l.get() as usize);
            let after: Option<&[u8]> = after_key.as_ref().map(|k| k.as_ref());
            let mut values = store.contract_data(
                account_id,
                prefix.as_ref(),
                after,
                limit.map(|l| l + 1),
                block_height,
            );
            let last_key = match limit {
                Some(l) if values.len() > l => {
                    values.truncate(l);
                    values.last().map(|(k, _)| k.clone().into())
                }
                _ => None,
            };
            QueryOutcome::Ok(QueryResponseKind::ViewState(ViewStateResult {
                values: values
                    .into_iter()
                    .map(|(key, value)| StateItem {
                        key: key.into(),
                        value: value.into(),
                    })
                    .collect(),
                proof: vec![],
                last_key,
            }))
        }
        QueryRequest::ViewAccessKey {
            account_id,
            public_key,
        } => match store.access_key(account_id, public_key, block_height) {
            Some(key) => QueryOutcome::Ok(QueryResponseKind::AccessKey(AccessKeyView::from(key))),
            None => QueryOutcome::Legacy(format!(
                "access key {public_key} does not exist while viewing"
            )),
        },
        QueryRequest::ViewAccessKeyList { account_id, .. } => {
            let keys = store
                .access_keys(account_id, block_height)
                .into_iter()
                .map(|(public_key, access_key)| AccessKeyInfoView {
                    public_key: public_key.into(),
                    access_key: access_key.into(),
                })
                .collect::<AccessKeyList>();
            QueryOutcome::Ok(QueryResponseKind::AccessKeyList(keys))
        }
        QueryRequest::CallFunction {
            account_id,
            method_name,
            args,
        } => {
            let context = chain.block_context(block);
            match chain
                .runtime()
                .view_call(store, &context, account_id, method_name, args.as_ref())
            {
                Ok(result) => QueryOutcome::Ok(QueryResponseKind::CallResult(CallResult {
                    result: result.result,
                    logs: result.logs,
                })),
                Err(ViewCallError::AccountDoesNotExist(id)) => unknown_account(&id),
                Err(ViewCallError::VmError(debug)) => {
                    QueryOutcome::Legacy(format!("wasm execution failed with error: {debug}"))
                }
            }
        }
        QueryRequest::ViewGasKeyNonces { public_key, .. } => {
            QueryOutcome::Err(RpcQueryError::UnknownGasKey {
                public_key: public_key.clone(),
                block_height,
                block_hash,
            })
        }
        QueryRequest::ViewGlobalContractCode { .. }
        | QueryRequest::ViewGlobalContractCodeByAccountId { .. } => {
            QueryOutcome::Err(RpcQueryError::InternalError {
                error_message: "global contracts are not supported by this node".to_owned(),
            })
        }
    }
}
