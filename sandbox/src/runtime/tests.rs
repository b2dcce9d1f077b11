//! Specifications of the runtime, run against a small in-memory chain. Every expected number is
//! derived from the protocol config, never hard-coded.

mod harness;

mod accounts;
mod contracts;
mod sdk_contracts;
mod transactions;
