//! Running contract code through near-vm-runner (nearcore `function_call.rs` and the function-call
//! half of `actions.rs`): the contract loader, the compiled-contract cache and the conversion of
//! VM errors into the protocol's `FunctionCallError`.

use std::path::Path;
use std::sync::Arc;

use near_primitives::errors::{
    CompilationError, FunctionCallError, MethodResolveError, PrepareError,
};
use near_primitives::hash::CryptoHash;
use near_primitives::types::AccountId;
use near_vm_runner::logic::errors::{
    CompilationError as VmCompilationError, FunctionCallError as VmFunctionCallError,
    MethodResolveError as VmMethodResolveError, VMRunnerError,
};
use near_vm_runner::logic::{External, VMContext, VMOutcome};
use near_vm_runner::{
    ContractCode, ContractRuntimeCache, FilesystemContractRuntimeCache, noop_background_spawner,
};

use near_parameters::RuntimeConfig;

/// The compiled-contract cache: near-vm-runner's filesystem cache, as nearcore uses it, with its
/// in-memory cache of loaded modules. That memory cache matters: without it the VM deserializes the
/// compiled module again on every call, mapping fresh executable memory each time (slower calls, and
/// the node's resident memory grew by about 1.7 MB per call of a 300 KB contract).
///
/// A node keeps it under its home's `data/`, so it goes with the home: near-workspaces kills the
/// node (no destructor runs) and then deletes the home, and a stale cache is harmless because
/// entries are keyed by code hash and VM config. A private temporary directory, removed on drop,
/// serves runtimes without a home (tests).
pub struct ContractCache {
    pub cache: FilesystemContractRuntimeCache,
    _temporary: Option<tempfile::TempDir>,
}

/// Loaded modules kept in memory (near-vm-runner weighs each at 16 MiB of its budget and allows
/// four times this many entries).
const LOADED_MODULES: usize = 64;

/// Where a node keeps compiled contracts, relative to its home.
pub const CACHE_DIR_IN_HOME: &str = "data/contract.cache";

impl ContractCache {
    /// The cache of the node whose home is `home`: `<home>/data/contract.cache`.
    pub fn in_home(home: &Path) -> std::io::Result<Self> {
        Ok(Self {
            cache: Self::open(home, CACHE_DIR_IN_HOME)?,
            _temporary: None,
        })
    }

    /// A cache in a private temporary directory, removed when the cache is dropped.
    pub fn temporary() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("nexus-sandbox-contracts-")
            .tempdir()?;
        Ok(Self {
            cache: Self::open(dir.path(), "contract.cache")?,
            _temporary: Some(dir),
        })
    }

    fn open(base: &Path, dir: &str) -> std::io::Result<FilesystemContractRuntimeCache> {
        FilesystemContractRuntimeCache::with_memory_cache(
            base,
            None::<&str>,
            dir,
            LOADED_MODULES,
            None,
            FilesystemContractRuntimeCache::MAX_DISK_CACHE_BYTES,
            noop_background_spawner(),
        )
    }
}

/// Contract code as the VM loads it: the account's code hash and, when deployed, the code.
pub struct StoredContract {
    pub hash: CryptoHash,
    pub code: Option<Arc<ContractCode>>,
}

impl near_vm_runner::Contract for StoredContract {
    fn hash(&self) -> CryptoHash {
        self.hash
    }

    fn get_code(&self) -> Option<Arc<ContractCode>> {
        self.code.clone()
    }
}

/// Runs `method` of `contract` with the VM of `config` and returns the VM outcome; a missing
/// contract is reported as an aborted outcome with `CodeDoesNotExist`, and any other VM runner
/// failure (a node fault in nearcore) as an aborted outcome carrying its message.
pub fn run_vm(
    config: &RuntimeConfig,
    cache: &dyn ContractRuntimeCache,
    contract: &StoredContract,
    method: &str,
    ext: &mut (dyn External + Send),
    context: &VMContext,
) -> VMOutcome {
    let gas_counter = context.make_gas_counter(&config.wasm_config);
    let prepared = near_vm_runner::prepare(
        contract,
        Arc::clone(&config.wasm_config),
        Some(cache),
        gas_counter,
        method,
    );
    match near_vm_runner::run(prepared, ext, context, Arc::clone(&config.fees)) {
        Ok(outcome) => outcome,
        Err(VMRunnerError::ContractCodeNotPresent) => VMOutcome::nop_outcome(
            VmFunctionCallError::CompilationError(VmCompilationError::CodeDoesNotExist {
                account_id: context.current_account_id.as_str().into(),
            }),
        ),
        Err(err) => {
            tracing::error!(target: "sandbox::runtime", %err, "VM runner failure");
            VMOutcome::nop_outcome(VmFunctionCallError::LoadingError {
                msg: err.to_string(),
            })
        }
    }
}

/// The protocol's view of a VM failure (nearcore `conversions.rs`): compilation and method
/// resolution errors keep their structure; host errors, traps and link errors collapse to
/// `ExecutionError(<Display>)`.
pub fn to_protocol_error(err: &VmFunctionCallError) -> FunctionCallError {
    match err {
        VmFunctionCallError::CompilationError(e) => {
            FunctionCallError::CompilationError(match e {
                VmCompilationError::CodeDoesNotExist { account_id } => {
                    match account_id.parse::<AccountId>() {
                        Ok(account_id) => CompilationError::CodeDoesNotExist { account_id },
                        Err(_) => CompilationError::WasmerCompileError { msg: e.to_string() },
                    }
                }
                VmCompilationError::PrepareError(p) => {
                    // Both enums share the borsh layout; fall back to the message otherwise.
                    match borsh::to_vec(p)
                        .ok()
                        .and_then(|b| borsh::from_slice::<PrepareError>(&b).ok())
                    {
                        Some(p) => CompilationError::PrepareError(p),
                        None => CompilationError::WasmerCompileError { msg: e.to_string() },
                    }
                }
                VmCompilationError::WasmerCompileError { msg }
                | VmCompilationError::WasmtimeCompileError { msg } => {
                    CompilationError::WasmerCompileError { msg: msg.clone() }
                }
            })
        }
        VmFunctionCallError::MethodResolveError(e) => {
            FunctionCallError::MethodResolveError(match e {
                VmMethodResolveError::MethodEmptyName => MethodResolveError::MethodEmptyName,
                VmMethodResolveError::MethodNotFound => MethodResolveError::MethodNotFound,
                VmMethodResolveError::MethodInvalidSignature => {
                    MethodResolveError::MethodInvalidSignature
                }
            })
        }
        VmFunctionCallError::LinkError { .. }
        | VmFunctionCallError::WasmTrap(_)
        | VmFunctionCallError::HostError(_)
        | VmFunctionCallError::LoadingError { .. } => {
            FunctionCallError::ExecutionError(err.to_string())
        }
    }
}
