//! Execution outcomes and the transaction-status index: which block each transaction and receipt
//! executed in, the `FinalExecutionOutcomeView` of a transaction (nearcore
//! `Chain::get_final_transaction_result`) and its `final_execution_status` (nearcore
//! `view_client_actor.rs:get_tx_execution_status`).

use std::collections::{HashMap, HashSet};

use near_primitives::errors::InvalidTxError;
use near_primitives::hash::CryptoHash;
use near_primitives::receipt::Receipt;
use near_primitives::transaction::{ExecutionOutcomeWithId, SignedTransaction};
use near_primitives::types::BlockHeight;
use near_primitives::views::{
    ExecutionOutcomeWithIdView, ExecutionStatusView, FinalExecutionOutcomeView,
    FinalExecutionStatus, ReceiptView, SignedTransactionView, TxExecutionStatus,
};

/// An outcome and the block it was produced in.
#[derive(Debug, Clone)]
pub struct OutcomeRecord {
    pub outcome: ExecutionOutcomeWithId,
    pub block_hash: CryptoHash,
    pub block_height: BlockHeight,
}

impl OutcomeRecord {
    pub fn view(&self) -> ExecutionOutcomeWithIdView {
        ExecutionOutcomeWithIdView {
            proof: vec![],
            block_hash: self.block_hash,
            id: self.outcome.id,
            outcome: self.outcome.outcome.clone().into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TxRecord {
    pub transaction: SignedTransaction,
    pub outcome: OutcomeRecord,
}

/// Outcomes of every transaction and receipt, and the receipts themselves.
#[derive(Debug, Default)]
pub struct TxStatusIndex {
    transactions: HashMap<CryptoHash, TxRecord>,
    /// Transactions dropped at inclusion (they passed submission checks but not the chunk's).
    rejected: HashMap<CryptoHash, InvalidTxError>,
    receipt_outcomes: HashMap<CryptoHash, OutcomeRecord>,
    receipts: HashMap<CryptoHash, Receipt>,
}

impl TxStatusIndex {
    pub fn record_transaction(&mut self, transaction: SignedTransaction, outcome: OutcomeRecord) {
        self.transactions.insert(
            outcome.outcome.id,
            TxRecord {
                transaction,
                outcome,
            },
        );
    }

    pub fn record_rejected(&mut self, hash: CryptoHash, error: InvalidTxError) {
        self.rejected.insert(hash, error);
    }

    pub fn record_receipt_outcome(&mut self, outcome: OutcomeRecord) {
        self.receipt_outcomes.insert(outcome.outcome.id, outcome);
    }

    pub fn record_receipt(&mut self, receipt: Receipt) {
        self.receipts.insert(*receipt.receipt_id(), receipt);
    }

    pub fn transaction(&self, hash: &CryptoHash) -> Option<&TxRecord> {
        self.transactions.get(hash)
    }

    pub fn rejected(&self, hash: &CryptoHash) -> Option<&InvalidTxError> {
        self.rejected.get(hash)
    }

    pub fn receipt(&self, id: &CryptoHash) -> Option<&Receipt> {
        self.receipts.get(id)
    }

    pub fn receipt_outcome(&self, id: &CryptoHash) -> Option<&OutcomeRecord> {
        self.receipt_outcomes.get(id)
    }

    /// Receipt outcomes reachable from the transaction, depth-first pre-order over `receipt_ids`,
    /// skipping receipts that have not executed yet.
    fn receipt_outcomes_dfs(&self, tx: &TxRecord) -> Vec<&OutcomeRecord> {
        let mut out = Vec::new();
        let mut visited = HashSet::new();
        let mut stack: Vec<CryptoHash> = tx
            .outcome
            .outcome
            .outcome
            .receipt_ids
            .iter()
            .rev()
            .copied()
            .collect();
        while let Some(id) = stack.pop() {
            if !visited.insert(id) {
                continue;
            }
            if let Some(record) = self.receipt_outcomes.get(&id) {
                out.push(record);
                stack.extend(record.outcome.outcome.receipt_ids.iter().rev().copied());
            }
        }
        out
    }

    /// The transaction's `FinalExecutionOutcomeView` as far as it has executed.
    pub fn final_outcome(&self, tx: &TxRecord) -> FinalExecutionOutcomeView {
        let receipts_outcome: Vec<ExecutionOutcomeWithIdView> = self
            .receipt_outcomes_dfs(tx)
            .into_iter()
            .map(OutcomeRecord::view)
            .collect();
        let transaction_outcome = tx.outcome.view();
        let status = final_status(&transaction_outcome, &receipts_outcome);
        FinalExecutionOutcomeView {
            status,
            transaction: SignedTransactionView::from(tx.transaction.clone()),
            transaction_outcome,
            receipts_outcome,
        }
    }

    /// The receipts of an outcome (for `EXPERIMENTAL_tx_status`), leaving out the first receipt
    /// of a local transaction (signer == receiver), which nearcore does not store.
    pub fn receipts_of(
        &self,
        tx: &TxRecord,
        outcome: &FinalExecutionOutcomeView,
    ) -> Vec<ReceiptView> {
        let local =
            tx.transaction.transaction.signer_id() == tx.transaction.transaction.receiver_id();
        let first = tx.outcome.outcome.outcome.receipt_ids.first().copied();
        outcome
            .receipts_outcome
            .iter()
            .filter(|o| !(local && Some(o.id) == first))
            .filter_map(|o| self.receipts.get(&o.id))
            .map(|r| ReceiptView::from(r.clone()))
            .collect()
    }
}

/// `status` of a `FinalExecutionOutcomeView`: follow the `SuccessReceiptId` chain from the
/// transaction outcome; an unexecuted receipt on the way means `Started`.
pub fn final_status(
    transaction_outcome: &ExecutionOutcomeWithIdView,
    receipts_outcome: &[ExecutionOutcomeWithIdView],
) -> FinalExecutionStatus {
    let by_id: HashMap<CryptoHash, &ExecutionOutcomeWithIdView> =
        receipts_outcome.iter().map(|o| (o.id, o)).collect();
    let mut current = transaction_outcome;
    // The chain cannot be longer than the number of outcomes.
    for _ in 0..=receipts_outcome.len() {
        match &current.outcome.status {
            ExecutionStatusView::Unknown => return FinalExecutionStatus::Started,
            ExecutionStatusView::Failure(e) => return FinalExecutionStatus::Failure(e.clone()),
            ExecutionStatusView::SuccessValue(v) => {
                return FinalExecutionStatus::SuccessValue(v.clone());
            }
            ExecutionStatusView::SuccessReceiptId(id) => match by_id.get(id) {
                Some(next) => current = next,
                None => return FinalExecutionStatus::Started,
            },
        }
    }
    FinalExecutionStatus::Started
}

/// The finality level a transaction has reached (nearcore `get_tx_execution_status`):
/// the last of an outcome's `receipt_ids` is not waited for if it is a refund (`is_refund`: sent by
/// `system`; an unknown receipt is waited for, as nearcore does);
/// `INCLUDED` until every other receipt executed, then `EXECUTED_OPTIMISTIC`;
/// `INCLUDED_FINAL` / `EXECUTED` when the transaction's block is final; `FINAL` once every receipt,
/// refunds included, executed and all their blocks are final.
pub fn execution_status(
    outcome: &FinalExecutionOutcomeView,
    is_final: impl Fn(&CryptoHash) -> bool,
    is_refund: impl Fn(&CryptoHash) -> bool,
) -> TxExecutionStatus {
    let tx_final = is_final(&outcome.transaction_outcome.block_hash);
    let tx_receipts = &outcome.transaction_outcome.outcome.receipt_ids;
    let mut awaiting: HashSet<CryptoHash> = tx_receipts.iter().copied().collect();
    let mut executed = HashSet::new();
    for receipt_outcome in &outcome.receipts_outcome {
        executed.insert(receipt_outcome.id);
        awaiting.extend(receipt_outcome.outcome.receipt_ids.iter().copied());
    }
    let mut awaiting_non_refund = awaiting.clone();
    for receipt_outcome in &outcome.receipts_outcome {
        if let Some(last) = receipt_outcome.outcome.receipt_ids.last()
            && !executed.contains(last)
            && is_refund(last)
        {
            awaiting_non_refund.remove(last);
        }
    }
    if !awaiting_non_refund.is_subset(&executed) {
        return if tx_final {
            TxExecutionStatus::IncludedFinal
        } else {
            TxExecutionStatus::Included
        };
    }
    if !awaiting.is_subset(&executed) {
        return if tx_final {
            TxExecutionStatus::Executed
        } else {
            TxExecutionStatus::ExecutedOptimistic
        };
    }
    let all_final = tx_final
        && outcome
            .receipts_outcome
            .iter()
            .all(|o| is_final(&o.block_hash));
    if all_final {
        TxExecutionStatus::Final
    } else if tx_final {
        TxExecutionStatus::Executed
    } else {
        TxExecutionStatus::ExecutedOptimistic
    }
}

/// Whether every receipt of the transaction has executed, gas and deposit refunds included.
pub fn all_receipts_executed(outcome: &FinalExecutionOutcomeView) -> bool {
    let executed: HashSet<CryptoHash> = outcome.receipts_outcome.iter().map(|o| o.id).collect();
    outcome
        .transaction_outcome
        .outcome
        .receipt_ids
        .iter()
        .chain(
            outcome
                .receipts_outcome
                .iter()
                .flat_map(|o| o.outcome.receipt_ids.iter()),
        )
        .all(|id| executed.contains(id))
}

/// The order of the `wait_until` levels: `INCLUDED_FINAL` is reached by `EXECUTED` but not by
/// `EXECUTED_OPTIMISTIC`, and `EXECUTED_OPTIMISTIC` is not reached by `INCLUDED_FINAL`.
pub fn reached(status: &TxExecutionStatus, wanted: &TxExecutionStatus) -> bool {
    use TxExecutionStatus::*;
    match wanted {
        None => true,
        Included => *status != None,
        ExecutedOptimistic => matches!(status, ExecutedOptimistic | Executed | Final),
        IncludedFinal => matches!(status, IncludedFinal | Executed | Final),
        Executed => matches!(status, Executed | Final),
        Final => *status == Final,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_primitives::views::{ExecutionMetadataView, ExecutionOutcomeView};

    fn h(n: u8) -> CryptoHash {
        CryptoHash([n; 32])
    }

    fn outcome(
        id: u8,
        block: u8,
        status: ExecutionStatusView,
        receipts: &[u8],
    ) -> ExecutionOutcomeWithIdView {
        ExecutionOutcomeWithIdView {
            proof: vec![],
            block_hash: h(100 + block),
            id: h(id),
            outcome: ExecutionOutcomeView {
                logs: vec![],
                receipt_ids: receipts.iter().map(|&r| h(r)).collect(),
                gas_burnt: near_primitives::types::Gas::from_gas(0),
                tokens_burnt: near_primitives::types::Balance::from_yoctonear(0),
                executor_id: "alice.near".parse().unwrap(),
                status,
                metadata: ExecutionMetadataView::default(),
            },
        }
    }

    fn view(
        tx: ExecutionOutcomeWithIdView,
        receipts: Vec<ExecutionOutcomeWithIdView>,
    ) -> FinalExecutionOutcomeView {
        FinalExecutionOutcomeView {
            status: final_status(&tx, &receipts),
            transaction: serde_json::from_value(serde_json::json!({
                "signer_id": "alice.near", "public_key": "ed25519:6E8sCci9badyRkXb3JoRpBj5p8C6Tw41ELDZoiihKEtp",
                "nonce": 1, "receiver_id": "bob.near", "actions": [], "signature":
                "ed25519:5vhnzDXH3eTKsiVHc8jeEg3ZPRV2pQswf46BBMAVwUdkrLBhjdmoPvm9FKTPeRTLA1ZFzNQB9HEzRgPAqzFX7Lzf",
                "hash": "11111111111111111111111111111111", "priority_fee": 0
            }))
            .unwrap(),
            transaction_outcome: tx,
            receipts_outcome: receipts,
        }
    }

    /// A transfer: tx (block 1) -> receipt 10 (block 2) -> refund 11 (block 3).
    fn transfer(executed: usize) -> FinalExecutionOutcomeView {
        let tx = outcome(1, 1, ExecutionStatusView::SuccessReceiptId(h(10)), &[10]);
        let mut receipts = vec![
            outcome(10, 2, ExecutionStatusView::SuccessValue(vec![]), &[11]),
            outcome(11, 3, ExecutionStatusView::SuccessValue(vec![]), &[]),
        ];
        receipts.truncate(executed);
        view(tx, receipts)
    }

    fn final_up_to(block: u8) -> impl Fn(&CryptoHash) -> bool {
        move |hash: &CryptoHash| hash.0[0] <= 100 + block
    }

    /// Receipt `id` is a refund (sent by `system`); no other is.
    fn refund(id: u8) -> impl Fn(&CryptoHash) -> bool {
        move |receipt: &CryptoHash| *receipt == h(id)
    }

    #[test]
    fn refunds_count_for_all_receipts_executed_but_not_for_executed_optimistic() {
        assert!(!all_receipts_executed(&transfer(0)));
        assert!(
            !all_receipts_executed(&transfer(1)),
            "the refund receipt 11 has not run yet"
        );
        assert!(all_receipts_executed(&transfer(2)));
    }

    #[test]
    fn status_levels_follow_execution_and_finality() {
        use TxExecutionStatus::*;
        // (receipts executed, blocks final up to, status); receipt 11 is the refund.
        for (executed, final_block, status) in [
            (0, 0, Included),
            (0, 1, IncludedFinal),
            // The refund is still pending: executed ignoring refunds.
            (1, 0, ExecutedOptimistic),
            (1, 2, Executed),
            (2, 2, Executed),
            (2, 3, Final),
            (2, 0, ExecutedOptimistic),
        ] {
            assert_eq!(
                execution_status(&transfer(executed), final_up_to(final_block), refund(11)),
                status,
                "{executed} receipts executed, final up to block {final_block}"
            );
        }
    }

    #[test]
    fn a_last_receipt_that_is_not_a_refund_is_waited_for() {
        use TxExecutionStatus::*;
        // Receipt 11 is the last of receipt 10's, but a real receipt (a callback, say), or one this
        // node cannot find: until it has run, the transaction is only included.
        let not_a_refund = |_: &CryptoHash| false;
        for (executed, final_block, status) in [
            (1, 0, Included),
            (1, 1, IncludedFinal),
            (2, 0, ExecutedOptimistic),
        ] {
            assert_eq!(
                execution_status(&transfer(executed), final_up_to(final_block), not_a_refund),
                status,
                "{executed} receipts executed, final up to block {final_block}"
            );
        }
    }

    #[test]
    fn final_status_follows_the_receipt_chain() {
        assert_eq!(transfer(0).status, FinalExecutionStatus::Started);
        assert_eq!(
            transfer(1).status,
            FinalExecutionStatus::SuccessValue(vec![])
        );
        // A call whose result comes from a callback two receipts later.
        let tx = outcome(1, 1, ExecutionStatusView::SuccessReceiptId(h(10)), &[10]);
        let call = outcome(
            10,
            2,
            ExecutionStatusView::SuccessReceiptId(h(13)),
            &[12, 13, 14],
        );
        let inner = outcome(
            12,
            3,
            ExecutionStatusView::SuccessValue(b"1".to_vec()),
            &[15],
        );
        assert_eq!(
            final_status(&tx, &[call.clone(), inner.clone()]),
            FinalExecutionStatus::Started
        );
        let callback = outcome(
            13,
            4,
            ExecutionStatusView::SuccessValue(b"2".to_vec()),
            &[16],
        );
        assert_eq!(
            final_status(&tx, &[call, inner, callback]),
            FinalExecutionStatus::SuccessValue(b"2".to_vec())
        );
    }

    #[test]
    fn wait_until_levels_are_partially_ordered() {
        use TxExecutionStatus::*;
        assert!(reached(&Final, &Executed));
        assert!(reached(&Executed, &IncludedFinal));
        assert!(!reached(&IncludedFinal, &ExecutedOptimistic));
        assert!(!reached(&ExecutedOptimistic, &IncludedFinal));
        assert!(reached(&Included, &Included));
        assert!(!reached(&None, &Included));
        assert!(reached(&None, &None));
    }
}
