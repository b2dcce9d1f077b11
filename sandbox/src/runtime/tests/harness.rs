//! A tiny chain around [`Runtime`]: genesis, signed transactions, blocks until idle.

use std::collections::HashMap;

use near_crypto::{InMemorySigner, Signer};
use near_parameters::ActionCosts;
use near_primitives::account::{AccessKey, Account, AccountContract};
use near_primitives::errors::InvalidTxError;
use near_primitives::hash::{CryptoHash, hash};
use near_primitives::receipt::Receipt;
use near_primitives::state_record::StateRecord;
use near_primitives::transaction::{
    Action, ExecutionOutcomeWithId, ExecutionStatus, SignedTransaction, Transaction, TransactionV0,
};
use near_primitives::types::{AccountId, Balance, BlockHeight, EpochId, Gas};

use crate::runtime::{ApplyResult, BlockContext, Runtime};
use crate::state::Store;

pub const PV: u32 = 88;
pub const GAS_PRICE: Balance = Balance::from_yoctonear(100_000_000);

pub fn id(s: &str) -> AccountId {
    s.parse().unwrap()
}

pub fn signer(account: &str) -> Signer {
    InMemorySigner::test_signer(&id(account))
}

/// The test contract (see `contracts.rs`), with the PV 85 yield-id host functions.
pub fn test_contract() -> Vec<u8> {
    contract_with(true)
}

/// The test contract without the yield-id host functions, which do not exist before PV 85.
pub fn basic_test_contract() -> Vec<u8> {
    contract_with(false)
}

const WITH_ID_IMPORTS: &str = r#"  (import "env" "promise_yield_create_with_id" (func $promise_yield_create_with_id (param i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "promise_yield_resume_with_yield_id" (func $promise_yield_resume_with_yield_id (param i64 i64 i64 i64) (result i32)))"#;

const WITH_ID_FUNCS: &str = r#"  (func (export "yield_id")
    (drop (call $promise_yield_create_with_id (i64.const 7) (i64.const 128) (i64.const 0) (i64.const 0)
      (i64.const 0) (i64.const 10000000000000) (i64.const 0) (i64.const 32) (i64.const 176))))
  (func (export "resume_id")
    (drop (call $promise_yield_resume_with_yield_id (i64.const 32) (i64.const 176) (i64.const 2) (i64.const 160))))"#;

fn contract_with(yield_ids: bool) -> Vec<u8> {
    let (imports, funcs) = if yield_ids {
        (WITH_ID_IMPORTS, WITH_ID_FUNCS)
    } else {
        ("", "")
    };
    let wat = CONTRACT_WAT
        .replace("WITH_ID_IMPORTS", imports)
        .replace("WITH_ID_FUNCS", funcs);
    wat::parse_str(wat).expect("valid wat")
}

const CONTRACT_WAT: &str = r#"(module
  (import "env" "input" (func $input (param i64)))
  (import "env" "read_register" (func $read_register (param i64 i64)))
  (import "env" "register_len" (func $register_len (param i64) (result i64)))
  (import "env" "storage_write" (func $storage_write (param i64 i64 i64 i64 i64) (result i64)))
  (import "env" "storage_read" (func $storage_read (param i64 i64 i64) (result i64)))
  (import "env" "value_return" (func $value_return (param i64 i64)))
  (import "env" "panic_utf8" (func $panic_utf8 (param i64 i64)))
  (import "env" "log_utf8" (func $log_utf8 (param i64 i64)))
  (import "env" "current_account_id" (func $current_account_id (param i64)))
  (import "env" "promise_create" (func $promise_create (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "promise_then" (func $promise_then (param i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "promise_result" (func $promise_result (param i64 i64) (result i64)))
  (import "env" "promise_return" (func $promise_return (param i64)))
  (import "env" "promise_yield_create" (func $promise_yield_create (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "promise_yield_resume" (func $promise_yield_resume (param i64 i64 i64 i64) (result i32)))
WITH_ID_IMPORTS
  (memory (export "memory") 1)
  (data (i32.const 16) "k")
  (data (i32.const 32) "boom")
  (data (i32.const 48) "write")
  (data (i32.const 64) "fail")
  (data (i32.const 80) "callback")
  (data (i32.const 96) "cb")
  (data (i32.const 112) "hello")
  (data (i32.const 128) "resumed")
  (data (i32.const 144) "y")
  (data (i32.const 160) "ok")
  (data (i32.const 176) "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY")
WITH_ID_FUNCS
  (func (export "yield")
    (drop (call $promise_yield_create (i64.const 7) (i64.const 128) (i64.const 0) (i64.const 0)
      (i64.const 10000000000000) (i64.const 0) (i64.const 1)))
    (call $read_register (i64.const 1) (i64.const 3200))
    (drop (call $storage_write (i64.const 1) (i64.const 144) (i64.const 32) (i64.const 3200) (i64.const 2))))
  (func (export "resume")
    (drop (call $storage_read (i64.const 1) (i64.const 144) (i64.const 0)))
    (call $read_register (i64.const 0) (i64.const 3200))
    (drop (call $promise_yield_resume (i64.const 32) (i64.const 3200) (i64.const 2) (i64.const 160))))
  (func (export "resumed")
    (i64.store8 (i32.const 3072) (call $promise_result (i64.const 0) (i64.const 0)))
    (drop (call $storage_write (i64.const 2) (i64.const 96) (i64.const 1) (i64.const 3072) (i64.const 1))))
  (func (export "write")
    (call $input (i64.const 0))
    (call $read_register (i64.const 0) (i64.const 1024))
    (drop (call $storage_write (i64.const 1) (i64.const 16)
      (call $register_len (i64.const 0)) (i64.const 1024) (i64.const 1))))
  (func (export "read")
    (if (i64.eq (call $storage_read (i64.const 1) (i64.const 16) (i64.const 0)) (i64.const 1))
      (then
        (call $read_register (i64.const 0) (i64.const 1024))
        (call $value_return (call $register_len (i64.const 0)) (i64.const 1024)))))
  (func (export "fail")
    (drop (call $storage_write (i64.const 1) (i64.const 16) (i64.const 4) (i64.const 32) (i64.const 1)))
    (call $panic_utf8 (i64.const 4) (i64.const 32)))
  (func (export "log")
    (call $log_utf8 (i64.const 5) (i64.const 112)))
  (func $call_self_then (param $method_len i64) (param $method_ptr i64)
    (local $p i64) (local $len i64)
    (call $current_account_id (i64.const 0))
    (local.set $len (call $register_len (i64.const 0)))
    (call $read_register (i64.const 0) (i64.const 2048))
    (local.set $p (call $promise_create (local.get $len) (i64.const 2048)
      (local.get $method_len) (local.get $method_ptr)
      (i64.const 1) (i64.const 16) (i64.const 0) (i64.const 10000000000000)))
    (call $promise_return (call $promise_then (local.get $p) (local.get $len) (i64.const 2048)
      (i64.const 8) (i64.const 80) (i64.const 0) (i64.const 0) (i64.const 0)
      (i64.const 10000000000000))))
  (func (export "call_ok") (call $call_self_then (i64.const 5) (i64.const 48)))
  (func (export "call_fail") (call $call_self_then (i64.const 4) (i64.const 64)))
  (func (export "callback")
    (i64.store8 (i32.const 3072) (call $promise_result (i64.const 0) (i64.const 0)))
    (drop (call $storage_write (i64.const 2) (i64.const 96) (i64.const 1) (i64.const 3072) (i64.const 1)))
    (call $value_return (i64.const 1) (i64.const 3072)))
)"#;

pub struct TestChain {
    pub runtime: Runtime,
    pub store: Store,
    pub height: BlockHeight,
    pending: Vec<Receipt>,
    nonces: HashMap<AccountId, u64>,
    pub outcomes: HashMap<CryptoHash, ExecutionOutcomeWithId>,
    /// Every receipt sent, by id.
    pub receipts: HashMap<CryptoHash, Receipt>,
}

pub fn block_hash(height: BlockHeight) -> CryptoHash {
    hash(&height.to_le_bytes())
}

impl TestChain {
    /// Genesis with `test.near` (validator), `registrar`, `alice.near`, `bob.near` (1000 N each,
    /// full-access test keys) and `contract.near` holding [`test_contract`].
    pub fn new() -> Self {
        Self::at_protocol_version(PV)
    }

    /// The same genesis at another protocol version (84..=88).
    pub fn at_protocol_version(protocol_version: u32) -> Self {
        let mut records = vec![];
        for name in [
            "test.near",
            "registrar",
            "alice.near",
            "bob.near",
            "contract.near",
        ] {
            let code = if name == "contract.near" {
                test_contract()
            } else {
                vec![]
            };
            let contract = if code.is_empty() {
                AccountContract::None
            } else {
                AccountContract::Local(hash(&code))
            };
            records.push(StateRecord::Account {
                account_id: id(name),
                account: Account::new(Balance::from_near(1000), Balance::ZERO, contract, 0),
            });
            records.push(StateRecord::AccessKey {
                account_id: id(name),
                public_key: signer(name).public_key().into(),
                access_key: AccessKey::full_access(),
            });
            if !code.is_empty() {
                records.push(StateRecord::Contract {
                    account_id: id(name),
                    code,
                });
            }
        }
        let runtime = Runtime::new(
            protocol_version,
            "test-chain-xyz".into(),
            (id("test.near"), Balance::from_near(50_000_000)),
        )
        .unwrap();
        let mut store = Store::new();
        store.load_genesis(&records, runtime.config()).unwrap();
        Self {
            runtime,
            store,
            height: 0,
            pending: vec![],
            nonces: HashMap::new(),
            outcomes: HashMap::new(),
            receipts: HashMap::new(),
        }
    }

    pub fn block(&self, height: BlockHeight) -> BlockContext {
        BlockContext {
            height,
            prev_height: height - 1,
            block_hash: block_hash(height),
            timestamp_ns: height * 1_000_000_000,
            epoch_height: 1,
            epoch_id: EpochId::default(),
            gas_price: GAS_PRICE,
            random_seed: hash(b"seed"),
        }
    }

    pub fn head(&self) -> BlockContext {
        let mut head = self.block(self.height.max(1));
        head.height = self.height;
        head
    }

    /// A signed transaction with the signer's next nonce, valid on the current head.
    pub fn tx(
        &mut self,
        signer_name: &str,
        receiver: &str,
        actions: Vec<Action>,
    ) -> SignedTransaction {
        let nonce = self.nonces.entry(id(signer_name)).or_insert(0);
        *nonce += 1;
        let nonce = *nonce;
        sign_tx(
            &signer(signer_name),
            signer_name,
            receiver,
            nonce,
            block_hash(self.height),
            actions,
        )
    }

    /// Produces one block with `txs` and the receipts the previous block sent.
    pub fn produce(&mut self, txs: &[SignedTransaction]) -> ApplyResult {
        self.height += 1;
        let block = self.block(self.height);
        let incoming = std::mem::take(&mut self.pending);
        let tip = self.height;
        let lookup = move |h: &CryptoHash| (0..tip).find(|height| block_hash(*height) == *h);
        let result = self
            .runtime
            .apply_chunk(&mut self.store, &block, txs, incoming, &lookup);
        for (_, outcome) in &result.tx_results {
            if let Ok(outcome) = outcome {
                self.outcomes.insert(outcome.id, outcome.clone());
            }
        }
        for outcome in &result.receipt_outcomes {
            self.outcomes.insert(outcome.id, outcome.clone());
        }
        for receipt in &result.outgoing_receipts {
            self.receipts.insert(*receipt.receipt_id(), receipt.clone());
        }
        for receipt in &result.processed_receipts {
            self.receipts.insert(*receipt.receipt_id(), receipt.clone());
        }
        self.pending = result.outgoing_receipts.clone();
        result
    }

    /// Submits `tx` and produces blocks until no receipt is in flight; returns the tx outcome.
    pub fn execute(
        &mut self,
        tx: SignedTransaction,
    ) -> Result<ExecutionOutcomeWithId, InvalidTxError> {
        let mut first = self.produce(std::slice::from_ref(&tx));
        let (_, outcome) = first.tx_results.remove(0);
        while !self.pending.is_empty() {
            self.produce(&[]);
        }
        outcome
    }

    pub fn outcome(&self, id: &CryptoHash) -> &ExecutionOutcomeWithId {
        self.outcomes
            .get(id)
            .unwrap_or_else(|| panic!("no outcome for {id}"))
    }

    /// The outcomes of the receipts `outcome` spawned, in DFS pre-order.
    pub fn receipt_outcomes(
        &self,
        outcome: &ExecutionOutcomeWithId,
    ) -> Vec<&ExecutionOutcomeWithId> {
        let mut out = vec![];
        for id in &outcome.outcome.receipt_ids {
            if let Some(child) = self.outcomes.get(id) {
                out.push(child);
                out.extend(self.receipt_outcomes(child));
            }
        }
        out
    }

    /// The final status of a transaction: follow `SuccessReceiptId` from the tx outcome.
    pub fn final_status(&self, tx_outcome: &ExecutionOutcomeWithId) -> ExecutionStatus {
        let mut status = tx_outcome.outcome.status.clone();
        while let ExecutionStatus::SuccessReceiptId(id) = status {
            status = self.outcome(&id).outcome.status.clone();
        }
        status
    }

    pub fn account(&self, name: &str) -> Option<Account> {
        self.store.account(&id(name), self.height)
    }

    pub fn balance(&self, name: &str) -> Balance {
        self.account(name).map_or(Balance::ZERO, |a| a.amount())
    }

    pub fn fee(&self, cost: ActionCosts) -> &near_parameters::Fee {
        self.runtime.config().fees.fee(cost)
    }

    pub fn send(&self, cost: ActionCosts, sir: bool) -> Gas {
        self.fee(cost).send_fee(sir).gas
    }

    pub fn exec(&self, cost: ActionCosts) -> Gas {
        self.fee(cost).exec_fee().gas
    }
}

pub fn sign_tx(
    signer: &Signer,
    signer_id: &str,
    receiver: &str,
    nonce: u64,
    block_hash: CryptoHash,
    actions: Vec<Action>,
) -> SignedTransaction {
    let tx = Transaction::V0(TransactionV0 {
        signer_id: id(signer_id),
        public_key: signer.public_key(),
        nonce,
        receiver_id: id(receiver),
        block_hash,
        actions,
    });
    let (tx_hash, _) = tx.get_hash_and_size();
    SignedTransaction::new(signer.sign(tx_hash.as_ref()), tx)
}

pub fn gas_cost(price: Balance, gas: Gas) -> Balance {
    price.checked_mul(u128::from(gas.as_gas())).unwrap()
}
