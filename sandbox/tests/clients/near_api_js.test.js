// near-api-js acceptance tests of the local node (SANDBOX.md §4, items 13 and 17), with the client used
// exactly as a dApp uses it: JsonRpcProvider + Account, the default options, a custom RPC URL.
//
// Run by scripts/client-tests.sh (needs the node and the contracts built: scripts/build.sh). One node is
// started for this file, in a temp home on a free loopback port, and killed at the end. Tests run in
// order; each one creates its own accounts under test.near, so their balances can be checked exactly.
// test.near itself only funds them: it is the validator and the protocol treasury, whose balance a
// real neard changes at epoch boundaries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  Account,
  JsonRpcProvider,
  KeyPair,
  actions,
  baseEncode,
  nearToYocto,
  teraToGas,
} from 'near-api-js';
import {
  AccessKeyDoesNotExistError,
  AccountDoesNotExistActionError,
  AccountDoesNotExistError,
  ContractCodeDoesNotExistError,
  ContractExecutionError,
  ContractMethodNotFoundError,
  DelegateActionInvalidNonceActionError,
  NotEnoughBalanceError,
  RpcError,
  UnknownTransactionError,
} from 'near-api-js/rpc-errors';

import { REPO_ROOT, sandboxBinary, startSandbox } from './sandbox_node.js';

const NEAR_API_JS_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/near-api-js/package.json', import.meta.url), 'utf8'),
).version;
const STATUS_MESSAGE_WASM = join(REPO_ROOT, 'target/near/status-message/status_message.wasm');
const EMPTY_CODE_HASH = '11111111111111111111111111111111';
const TEST_TIMEOUT_MS = 60_000;

/** Sum of tokens_burnt over the transaction outcome and every receipt outcome (refunds included). */
function tokensBurnt(result) {
  return [result.transaction_outcome, ...result.receipts_outcome].reduce(
    (sum, o) => sum + BigInt(o.outcome.tokens_burnt),
    0n,
  );
}

/** The status of a failed call as near-api-js returns it with throwOnFailure: false. */
function actionError(result) {
  assert.ok(result.status && typeof result.status === 'object' && 'Failure' in result.status, JSON.stringify(result.status));
  return result.status.Failure.ActionError;
}

describe(`near-api-js ${NEAR_API_JS_VERSION} against ${sandboxBinary()}`, { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  let node;
  let provider;
  let root;
  let nextId = 0;

  before(async () => {
    node = await startSandbox();
    provider = new JsonRpcProvider({ url: node.url });
    root = new Account(node.rootAccountId, provider, node.rootSecretKey);
  });

  after(async () => {
    await node?.stop();
  });

  /** A new named sub-account of test.near holding `balance`, with a fresh full-access key. */
  async function newAccount(prefix, balance = nearToYocto(10)) {
    const accountId = `${prefix}-${nextId++}.${root.accountId}`;
    const keyPair = KeyPair.fromRandom('ed25519');
    await root.createSubAccount({ accountOrPrefix: accountId, publicKey: keyPair.getPublicKey(), nearToTransfer: balance });
    return new Account(accountId, provider, keyPair.toString());
  }

  async function amountOf(accountId) {
    return (await provider.viewAccount({ accountId, blockQuery: { finality: 'optimistic' } })).amount;
  }

  /** Sends `actions` from `account` and waits until the transaction is FINAL (refunds executed). */
  function sendFinal(account, receiverId, txActions, extra = {}) {
    return account.signAndSendTransaction({ receiverId, actions: txActions, waitUntil: 'FINAL', ...extra });
  }

  async function deployStatusMessage(prefix) {
    assert.ok(existsSync(STATUS_MESSAGE_WASM), `${STATUS_MESSAGE_WASM} is missing: run scripts/build.sh`);
    const code = new Uint8Array(readFileSync(STATUS_MESSAGE_WASM));
    const contract = await newAccount(prefix, nearToYocto(20));
    await sendFinal(contract, contract.accountId, [
      actions.deployContract(code),
      actions.functionCall('new', {}, teraToGas(30), 0n),
    ]);
    return { contract, code };
  }

  it('status: the genesis chain id, a head, and a final block the block RPC serves by height and hash', { timeout: TEST_TIMEOUT_MS }, async () => {
    const status = await provider.viewNodeStatus();
    assert.equal(status.chain_id, node.genesis.chain_id);
    assert.equal(await provider.getNetworkId(), node.genesis.chain_id);
    assert.equal(status.protocol_version, node.genesis.protocol_version);
    assert.equal(status.sync_info.syncing, false);

    const final = await provider.viewBlock({ finality: 'final' });
    assert.equal(typeof final.header.height, 'number');
    assert.ok(final.header.height <= (await provider.viewNodeStatus()).sync_info.latest_block_height);
    const byHeight = await provider.viewBlock({ blockId: final.header.height });
    const byHash = await provider.viewBlock({ blockId: final.header.hash });
    assert.equal(byHeight.header.hash, final.header.hash);
    assert.equal(byHash.header.height, final.header.height);
    assert.equal(final.header.gas_price, node.genesis.min_gas_price);
  });

  it('account state: test.near has its genesis balance and storage_usage 182', { timeout: TEST_TIMEOUT_MS }, async () => {
    const record = node.genesis.records.find((r) => r.Account?.account_id === root.accountId).Account.account;
    const view = await provider.viewAccount({ accountId: root.accountId });
    assert.equal(view.amount, BigInt(record.amount));
    assert.equal(view.locked, BigInt(record.locked));
    assert.equal(view.storage_usage, 182);
    assert.equal(view.code_hash, EMPTY_CODE_HASH);

    const state = await root.getState();
    assert.equal(state.storageUsage, 182);
    assert.equal(state.codeHash, EMPTY_CODE_HASH);
    assert.equal(state.balance.total, BigInt(record.amount) + BigInt(record.locked));
    assert.equal(state.balance.usedOnStorage, 182n * 10n ** 19n);
    assert.equal(state.balance.available, BigInt(record.amount));
  });

  it('protocol config: storage_amount_per_byte 1e19 yN and the genesis protocol version', { timeout: TEST_TIMEOUT_MS }, async () => {
    const config = await provider.experimental_protocolConfig({ finality: 'final' });
    assert.equal(config.runtime_config.storage_amount_per_byte, '10000000000000000000');
    assert.equal(config.protocol_version, node.genesis.protocol_version);
    assert.equal(config.chain_id, node.genesis.chain_id);
    assert.deepEqual(config.minimum_stake_ratio, node.genesis.minimum_stake_ratio);
  });

  it('validators: test.near is the only validator, with its genesis stake; the seat price derives from it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const [genesisValidator] = node.genesis.validators;
    const validators = await provider.viewValidators();
    assert.deepEqual(validators.current_validators.map((v) => [v.account_id, v.stake]), [[root.accountId, genesisValidator.amount]]);
    assert.deepEqual(validators.next_validators.map((v) => v.account_id), [root.accountId]);
    assert.ok(Array.isArray(validators.current_proposals));
    const seatPrice = await provider.getCurrentEpochSeatPrice();
    assert.equal(typeof seatPrice, 'bigint');
    assert.ok(seatPrice > 0n && seatPrice <= BigInt(genesisValidator.amount), String(seatPrice));
  });

  it('gas price: the genesis min_gas_price, at the head and at a given block', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.deepEqual(await provider.viewGasPrice(), { gas_price: node.genesis.min_gas_price });
    const final = await provider.viewBlock({ finality: 'final' });
    assert.deepEqual(await provider.viewGasPrice(final.header.height), { gas_price: node.genesis.min_gas_price });
  });

  it('createSubAccount: a named sub-account holding exactly the amount sent, storage 182, with its key', { timeout: TEST_TIMEOUT_MS }, async () => {
    const keyPair = KeyPair.fromRandom('ed25519');
    const accountId = `fresh-${nextId++}.${root.accountId}`;
    const amount = nearToYocto(3) + 123n;
    const result = await root.createSubAccount({ accountOrPrefix: accountId, publicKey: keyPair.getPublicKey(), nearToTransfer: amount });
    assert.deepEqual(result.status, { SuccessValue: '' });
    assert.equal(result.transaction.receiver_id, accountId);

    const view = await provider.viewAccount({ accountId });
    assert.equal(view.amount, amount);
    assert.equal(view.locked, 0n);
    assert.equal(view.storage_usage, 182);
    const key = await provider.viewAccessKey({ accountId, publicKey: keyPair.getPublicKey() });
    assert.equal(key.permission, 'FullAccess');
    const { keys } = await provider.viewAccessKeyList({ accountId });
    assert.deepEqual(keys.map((k) => k.public_key), [keyPair.getPublicKey().toString()]);
  });

  it('transfer to an existing account: the receiver gains exactly the amount, the sender pays amount + tokens burnt, tx FINAL', { timeout: TEST_TIMEOUT_MS }, async () => {
    const sender = await newAccount('sender');
    const receiver = await newAccount('receiver');
    const [sender0, receiver0] = [await amountOf(sender.accountId), await amountOf(receiver.accountId)];
    const amount = nearToYocto(1) + 7n;

    const sent = await sender.transfer({ receiverId: receiver.accountId, amount });
    assert.deepEqual(sent.status, { SuccessValue: '' });
    assert.deepEqual(sent.transaction.actions, [{ Transfer: { deposit: amount.toString() } }]);

    const final = await provider.viewTransactionStatus({ txHash: sent.transaction.hash, accountId: sender.accountId, waitUntil: 'FINAL' });
    assert.equal(final.final_execution_status, 'FINAL');
    assert.deepEqual(final.status, { SuccessValue: '' });
    assert.equal(final.transaction.hash, sent.transaction.hash);

    assert.equal((await amountOf(receiver.accountId)) - receiver0, amount);
    const burnt = tokensBurnt(final);
    assert.ok(burnt > 0n);
    assert.equal(sender0 - (await amountOf(sender.accountId)), amount + burnt);
  });

  it('sendTransactionAsync: NONE at once; the hash then reaches FINAL; EXPERIMENTAL_tx_status lists the receipts', { timeout: TEST_TIMEOUT_MS }, async () => {
    const sender = await newAccount('async');
    const signed = await sender.createSignedTransaction({ receiverId: root.accountId, actions: [actions.transfer(5n)] });
    const txHash = baseEncode(createHash('sha256').update(signed.transaction.encode()).digest());
    assert.deepEqual(await provider.sendTransactionAsync(signed), { final_execution_status: 'NONE' });

    const final = await provider.viewTransactionStatus({ txHash, accountId: sender.accountId, waitUntil: 'FINAL' });
    assert.equal(final.final_execution_status, 'FINAL');
    assert.equal(final.transaction.hash, txHash);
    assert.deepEqual(final.status, { SuccessValue: '' });
    const withReceipts = await provider.viewTransactionStatusWithReceipts({ txHash, accountId: sender.accountId, waitUntil: 'FINAL' });
    assert.deepEqual(
      withReceipts.receipts.map((r) => [r.predecessor_id, r.receiver_id]),
      [[sender.accountId, root.accountId], ['system', sender.accountId]],
    );
    const receipt = await provider.viewTransactionReceipt(final.receipts_outcome[0].id);
    assert.equal(receipt.receipt_id, final.receipts_outcome[0].id);
    assert.equal(receipt.receiver_id, root.accountId);

    await assert.rejects(
      provider.viewTransactionStatus({ txHash: '11111111111111111111111111111111', accountId: sender.accountId, waitUntil: 'FINAL' }),
      (e) => {
        assert.ok(e instanceof UnknownTransactionError, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.txHash, '11111111111111111111111111111111');
        return true;
      },
    );
  });

  it('transfer to a missing named account: AccountDoesNotExistActionError, the deposit comes back', { timeout: TEST_TIMEOUT_MS }, async () => {
    const sender = await newAccount('sender');
    const missing = `missing-${nextId++}.near`;
    const before0 = await amountOf(sender.accountId);

    let failedHash;
    await assert.rejects(sender.transfer({ receiverId: missing, amount: nearToYocto(1) }), (e) => {
      assert.ok(e instanceof AccountDoesNotExistActionError, `${e.constructor.name}: ${e.message}`);
      assert.equal(e.accountId, missing);
      assert.equal(e.actionIndex, 0);
      failedHash = e.txHash;
      return true;
    });
    const failed = await provider.viewTransactionStatus({ txHash: failedHash, accountId: sender.accountId, waitUntil: 'FINAL' });
    const expected = { index: 0, kind: { AccountDoesNotExist: { account_id: missing } } };
    assert.equal(failed.final_execution_status, 'FINAL');
    assert.deepEqual(actionError(failed), expected);

    const result = await sendFinal(sender, missing, [actions.transfer(nearToYocto(1))], { throwOnFailure: false });
    assert.deepEqual(actionError(result), expected);
    await assert.rejects(provider.viewAccount({ accountId: missing }), AccountDoesNotExistError);
    // Both deposits came back: the sender paid exactly the gas burnt by the two transactions.
    assert.equal(before0 - (await amountOf(sender.accountId)), tokensBurnt(failed) + tokensBurnt(result));
  });

  it('a transfer far beyond the balance: NotEnoughBalanceError with the signer, balance and cost; nothing is charged', { timeout: TEST_TIMEOUT_MS }, async () => {
    const sender = await newAccount('poor', nearToYocto(2));
    const balance = await amountOf(sender.accountId);
    await assert.rejects(sender.transfer({ receiverId: root.accountId, amount: 10n ** 36n }), (e) => {
      assert.ok(e instanceof NotEnoughBalanceError, `${e.constructor.name}: ${e.message}`);
      assert.equal(e.signerId, sender.accountId);
      assert.equal(e.balance, balance);
      assert.ok(e.cost > 10n ** 36n, String(e.cost));
      return true;
    });
    assert.equal(await amountOf(sender.accountId), balance);
  });

  it('view errors: AccountDoesNotExist for a missing account, AccessKeyDoesNotExist, CodeDoesNotExist for an account without code', { timeout: TEST_TIMEOUT_MS }, async () => {
    const missing = `nobody-${nextId++}.near`;
    for (const attempt of [() => provider.viewAccount({ accountId: missing }), () => new Account(missing, provider).getState()]) {
      await assert.rejects(attempt(), (e) => {
        assert.ok(e instanceof AccountDoesNotExistError, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.accountId, missing);
        assert.equal(typeof e.blockHeight, 'number');
        return true;
      });
    }
    const unknownKey = KeyPair.fromRandom('ed25519').getPublicKey();
    await assert.rejects(provider.viewAccessKey({ accountId: root.accountId, publicKey: unknownKey }), (e) => {
      assert.ok(e instanceof AccessKeyDoesNotExistError, `${e.constructor.name}: ${e.message}`);
      assert.equal(e.publicKey.toString(), unknownKey.toString());
      return true;
    });
    await assert.rejects(provider.callFunction({ contractId: root.accountId, method: 'get_status', args: {} }), (e) => {
      assert.ok(e instanceof ContractCodeDoesNotExistError, `${e.constructor.name}: ${e.message}`);
      assert.equal(e.contractId, root.accountId);
      return true;
    });
  });

  describe('status-message contract', () => {
    let contract;
    let code;

    before(async () => {
      ({ contract, code } = await deployStatusMessage('status'));
    });

    it('deploy: the account carries the code, its hash is sha256(wasm)', { timeout: TEST_TIMEOUT_MS }, async () => {
      const state = await contract.getState();
      assert.equal(state.codeHash, baseEncode(createHash('sha256').update(code).digest()));
      const onChain = await contract.getContractCode();
      assert.deepEqual(Buffer.from(onChain.code), Buffer.from(code));
      assert.ok(state.storageUsage > 182 + code.length, String(state.storageUsage));
    });

    it('callFunction then a view: the value set is the value read, the log comes through', { timeout: TEST_TIMEOUT_MS }, async () => {
      const caller = await newAccount('caller');
      const message = `hello from ${caller.accountId} ✓`;
      const writes0 = await provider.callFunction({ contractId: contract.accountId, method: 'writes', args: {} });

      const writes = await caller.callFunction({ contractId: contract.accountId, methodName: 'set_status', args: { message } });
      assert.equal(writes, writes0 + 1);
      assert.equal(await provider.callFunction({ contractId: contract.accountId, method: 'get_status', args: { account_id: caller.accountId } }), message);
      assert.equal(await provider.callFunction({ contractId: contract.accountId, method: 'get_status', args: { account_id: `nobody-${nextId++}.near` } }), null);

      const raw = await caller.callFunctionRaw({ contractId: contract.accountId, methodName: 'set_status', args: { message: 'second' } });
      const logs = raw.receipts_outcome.flatMap((o) => o.outcome.logs);
      assert.deepEqual(logs, [`${caller.accountId} set status to "second"`]);
      assert.equal(raw.receipts_outcome[0].outcome.executor_id, contract.accountId);
      const rawView = await provider.callFunctionRaw({ contractId: contract.accountId, method: 'get_status', args: { account_id: caller.accountId } });
      assert.equal(Buffer.from(rawView.result).toString(), '"second"');
      assert.deepEqual(rawView.logs, []);
    });

    it('view errors on a contract: MethodNotFound is typed; a guest panic keeps its message', { timeout: TEST_TIMEOUT_MS }, async () => {
      await assert.rejects(provider.callFunction({ contractId: contract.accountId, method: 'no_such_method', args: {} }), (e) => {
        assert.ok(e instanceof ContractMethodNotFoundError, `${e.constructor.name}: ${e.message}`);
        return true;
      });
      // near-api-js has no typed error for a panicking view: it passes neard's legacy message through.
      await assert.rejects(provider.callFunction({ contractId: contract.accountId, method: 'view_panic', args: {} }), (e) => {
        assert.ok(e instanceof RpcError, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.message, 'wasm execution failed with error: HostError(GuestPanic { panic_msg: "view panicked on purpose" })');
        return true;
      });
    });

    it('a call to a missing method: ContractMethodNotFoundError, and a FINAL Failure status at index 0', { timeout: TEST_TIMEOUT_MS }, async () => {
      const caller = await newAccount('caller');
      await assert.rejects(caller.callFunction({ contractId: contract.accountId, methodName: 'no_such_method', args: {} }), (e) => {
        assert.ok(e instanceof ContractMethodNotFoundError, `${e.constructor.name}: ${e.message}`);
        return true;
      });

      const result = await sendFinal(caller, contract.accountId, [actions.functionCall('no_such_method', {}, teraToGas(30), 0n)], { throwOnFailure: false });
      const expected = { index: 0, kind: { FunctionCallError: { MethodResolveError: 'MethodNotFound' } } };
      assert.deepEqual(actionError(result), expected);
      const status = await provider.viewTransactionStatus({ txHash: result.transaction.hash, accountId: caller.accountId, waitUntil: 'FINAL' });
      assert.equal(status.final_execution_status, 'FINAL');
      assert.deepEqual(actionError(status), expected);
      const failing = status.receipts_outcome.find((o) => o.outcome.executor_id === contract.accountId);
      assert.deepEqual(failing.outcome.status, { Failure: { ActionError: expected } });
    });

    it('a panicking call: ContractExecutionError "Smart contract panicked", state rolled back, deposit refunded', { timeout: TEST_TIMEOUT_MS }, async () => {
      const caller = await newAccount('caller');
      await caller.callFunction({ contractId: contract.accountId, methodName: 'set_status', args: { message: 'kept' } });
      await assert.rejects(
        caller.callFunction({ contractId: contract.accountId, methodName: 'set_status_then_panic', args: { message: 'lost' }, deposit: nearToYocto(1) }),
        (e) => {
          assert.ok(e instanceof ContractExecutionError, `${e.constructor.name}: ${e.message}`);
          assert.equal(e.message, 'Smart contract panicked: refusing status "lost"');
          return true;
        },
      );

      const before0 = await amountOf(caller.accountId);
      const result = await sendFinal(
        caller,
        contract.accountId,
        [actions.functionCall('set_status_then_panic', { message: 'lost' }, teraToGas(30), nearToYocto(1))],
        { throwOnFailure: false },
      );
      assert.deepEqual(actionError(result), {
        index: 0,
        kind: { FunctionCallError: { ExecutionError: 'Smart contract panicked: refusing status "lost"' } },
      });
      assert.equal(await provider.callFunction({ contractId: contract.accountId, method: 'get_status', args: { account_id: caller.accountId } }), 'kept');
      assert.equal(before0 - (await amountOf(caller.accountId)), tokensBurnt(result));
    });

    it('meta-transaction (NEP-366): the relayer submits the sender\'s signed delegate; the contract sees the sender, the relayer pays', { timeout: TEST_TIMEOUT_MS }, async () => {
      const sender = await newAccount('meta-sender', nearToYocto(1));
      const relayer = await newAccount('relayer');
      const message = `relayed for ${sender.accountId}`;
      const [sender0, relayer0] = [await amountOf(sender.accountId), await amountOf(relayer.accountId)];
      const senderKey = await sender.getSigner().getPublicKey();
      const nonce0 = (await sender.getAccessKey(senderKey)).nonce;

      const { signedDelegate } = await sender.createSignedMetaTransaction({
        receiverId: contract.accountId,
        actions: [actions.functionCall('set_status', { message }, teraToGas(30), 0n)],
      });
      assert.equal(signedDelegate.delegateAction.senderId, sender.accountId);
      assert.equal(signedDelegate.delegateAction.nonce, nonce0 + 1n);

      const relayed = await relayer.relayMetaTransaction(signedDelegate);
      assert.equal(relayed.transaction.signer_id, relayer.accountId);
      assert.equal(relayed.transaction.receiver_id, sender.accountId);
      assert.equal(relayed.transaction.actions.length, 1);
      assert.ok('Delegate' in relayed.transaction.actions[0], JSON.stringify(relayed.transaction.actions));

      const final = await provider.viewTransactionStatus({ txHash: relayed.transaction.hash, accountId: relayer.accountId, waitUntil: 'FINAL' });
      assert.equal(final.final_execution_status, 'FINAL');
      assert.deepEqual(final.status, { SuccessValue: '' });
      // tx (relayer) -> Delegate receipt (sender) -> set_status (contract); gas refunds go to the relayer.
      const executors = final.receipts_outcome.map((o) => o.outcome.executor_id);
      assert.equal(executors.filter((id) => id === sender.accountId).length, 1, executors.join());
      const refunds = final.receipts_outcome.filter((o) => o.outcome.executor_id === relayer.accountId);
      assert.ok(refunds.length >= 1, executors.join());
      assert.ok(refunds.every((o) => o.outcome.tokens_burnt === '0'));
      const call = final.receipts_outcome.find((o) => o.outcome.executor_id === contract.accountId);
      assert.ok(call, 'no outcome executed by the contract');
      assert.deepEqual(call.outcome.status, { SuccessValue: Buffer.from(String(await provider.callFunction({ contractId: contract.accountId, method: 'writes', args: {} }))).toString('base64') });
      assert.deepEqual(call.outcome.logs, [`${sender.accountId} set status to ${JSON.stringify(message)}`]);

      // The predecessor the contract saw is the sender, not the relayer.
      assert.equal(await provider.callFunction({ contractId: contract.accountId, method: 'get_status', args: { account_id: sender.accountId } }), message);
      assert.equal(await provider.callFunction({ contractId: contract.accountId, method: 'get_status', args: { account_id: relayer.accountId } }), null);

      // The relayer paid all the gas (and got the refunds); the sender paid nothing; the delegate nonce was used.
      assert.equal(await amountOf(sender.accountId), sender0);
      const burnt = tokensBurnt(final);
      assert.ok(burnt > 0n);
      assert.equal(relayer0 - (await amountOf(relayer.accountId)), burnt);
      assert.equal((await sender.getAccessKey(senderKey)).nonce, nonce0 + 1n);

      // Relaying the same signed delegate again fails on its nonce, still at the relayer's expense.
      await assert.rejects(relayer.relayMetaTransaction(signedDelegate), (e) => {
        assert.ok(e instanceof DelegateActionInvalidNonceActionError, `${e.constructor.name}: ${e.message}`);
        assert.equal(BigInt(e.delegateNonce), nonce0 + 1n);
        assert.equal(BigInt(e.akNonce), nonce0 + 1n);
        return true;
      });
      assert.equal(await amountOf(sender.accountId), sender0);
    });
  });
});
