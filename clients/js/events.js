// Follow the Nexus contracts' NEP-297 events (or any contract's) from a dApp or a small service, over the
// plain JSON-RPC every NEAR node serves, through a near-api-js provider (anything with `viewBlock`,
// `viewChunk` and `viewTransactionStatus`), or `jsonRpcReader(url)` without one. No dependencies.
//
// How: walk `final` blocks in height order; read each block's chunks; fetch every transaction's outcome at
// FINAL; keep the `EVENT_JSON:` logs of the successful receipts executed by the watched accounts. Every
// receipt descends from a transaction, so an event emitted in a cross-contract call (a vault calling the
// registry) is found through the transaction that started it. Logs of a failed receipt are skipped: its
// state changes were rolled back, so its events did not happen. A transaction whose receipts are still
// running (a yielded promise may wait 200 blocks for its resume) holds the follower at its block until they
// have run: only then does the node answer it at FINAL. A transaction in a final chunk that the node does
// not know (UNKNOWN_TRANSACTION: dropped as invalid when the chunk was applied) has no events; it is listed in
// `dropped`. (A node that answers a timeout instead stops the follower at that block with the error.)
//
// A height below the final one that the node does not know was skipped (no block was produced there): a
// follower must start within the node's retention window (a non-archival node keeps about five epochs), or
// use an archival node, since a block garbage-collected since looks the same.
//
// Scope: one request per block, per chunk and per transaction. That suits a local network, a dApp
// following its own contract, or a testnet tool; a mainnet-scale indexer should read blocks with their
// outcomes from a streaming source (NEAR Lake, the indexer framework) and can reuse `eventsOfTransaction`.

/** The prefix NEP-297 puts before an event's JSON in a log line. */
export const EVENT_PREFIX = 'EVENT_JSON:';

/** Blocks one `poll` reads at most, so that each call is bounded work. */
export const MAX_BLOCKS_PER_POLL = 100;

/** Block heights a follower keeps by hash, to place the receipts of the blocks it reads. */
const KNOWN_HEIGHTS = 1000;
/** Dropped transactions a follower keeps (the latest). */
const KNOWN_DROPPED = 1000;

/**
 * One log line as a NEP-297 event, `{standard, version, event, data}`, or null if the line is not one
 * (no prefix, not a JSON object, or `standard` / `version` / `event` not strings). `data` is optional.
 */
export function parseEventLog(line) {
  if (typeof line !== 'string' || !line.startsWith(EVENT_PREFIX)) return null;
  let value;
  try {
    value = JSON.parse(line.slice(EVENT_PREFIX.length));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { standard, version, event, data } = value;
  if (![standard, version, event].every((field) => typeof field === 'string')) return null;
  return { standard, version, event, data };
}

function setOf(list, what) {
  if (list == null) return null;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
    throw new TypeError(`${what} must be an array of strings`);
  }
  return new Set(list);
}

/**
 * The events of one transaction, from its outcome as `tx` / `EXPERIMENTAL_tx_status` return it (wait for
 * FINAL, so every receipt has run): the `EVENT_JSON:` logs of receipts that succeeded, in the order the
 * RPC lists the receipts, each as `{standard, version, event, data, emitter, receiptId, blockHash,
 * logIndex, txHash}`. `accounts` keeps receipts executed by these accounts; `standards` keeps these
 * standards (both: all when omitted).
 */
export function eventsOfTransaction(outcome, { accounts, standards } = {}) {
  const emitters = setOf(accounts, 'accounts');
  const kept = setOf(standards, 'standards');
  const txHash = outcome.transaction?.hash ?? outcome.transaction_outcome?.id;
  const events = [];
  for (const receipt of outcome.receipts_outcome ?? []) {
    const { executor_id: emitter, logs, status } = receipt.outcome;
    if (emitters && !emitters.has(emitter)) continue;
    if (status == null || typeof status !== 'object' || !('SuccessValue' in status || 'SuccessReceiptId' in status)) {
      continue;
    }
    logs.forEach((line, logIndex) => {
      const parsed = parseEventLog(line);
      if (!parsed || (kept && !kept.has(parsed.standard))) return;
      events.push({ ...parsed, emitter, receiptId: receipt.id, blockHash: receipt.block_hash, logIndex, txHash });
    });
  }
  return events;
}

/**
 * Whether `error` is the node's answer `type` (`UNKNOWN_BLOCK`, ...): near-api-js 7 throws a class per answer
 * (`UnknownBlockError`), older versions and `jsonRpcReader` an error whose `type` is the RPC's cause name.
 */
function isAnswer(error, type, className) {
  return error?.name === className || error?.type === type;
}

/**
 * Follows events block by block from `fromHeight` (default: the block after the current final one, read at
 * the first `poll`). Each event also carries `height`: the block its receipt ran in. Events are returned
 * per transaction in the order the transactions were included, each transaction's events ordered by the
 * block they ran in.
 */
export class EventFollower {
  constructor(provider, { accounts, standards, fromHeight } = {}) {
    if (fromHeight !== undefined && !(Number.isSafeInteger(fromHeight) && fromHeight >= 0)) {
      throw new TypeError('fromHeight must be a non-negative integer');
    }
    setOf(accounts, 'accounts');
    setOf(standards, 'standards');
    this.provider = provider;
    this.filter = { accounts, standards };
    /** The next height to read, and the final height the last `poll` saw. */
    this.nextHeight = fromHeight;
    this.lastFinal = undefined;
    this.heights = new Map();
    /** Events `follow` read but has not yielded yet. */
    this.unyielded = [];
    /** The latest transactions of the blocks read that the node has no outcome for (dropped as invalid): `{txHash, signerId, height}`. */
    this.dropped = [];
  }

  async finalHeight() {
    return (await this.provider.viewBlock({ finality: 'final' })).header.height;
  }

  /** The height of the block with this hash (recent blocks this follower read are known without a request). */
  async heightOf(blockHash) {
    if (!this.heights.has(blockHash)) {
      this.remember(blockHash, (await this.provider.viewBlock({ blockId: blockHash })).header.height);
    }
    return this.heights.get(blockHash);
  }

  remember(blockHash, height) {
    this.heights.set(blockHash, height);
    // Receipts run within a few blocks of their transaction: the latest heights are all that is asked for.
    if (this.heights.size > KNOWN_HEIGHTS) this.heights.delete(this.heights.keys().next().value);
  }

  /**
   * The events of every transaction included in the block at `height` and the transactions dropped there,
   * `{events, dropped}`, or null if no block has that height.
   */
  async eventsOfBlock(height) {
    let block;
    try {
      block = await this.provider.viewBlock({ blockId: height });
    } catch (error) {
      // Below the final height: a height where no block was produced.
      if (isAnswer(error, 'UNKNOWN_BLOCK', 'UnknownBlockError')) return null;
      throw error;
    }
    this.remember(block.header.hash, height);
    const events = [];
    const dropped = [];
    for (const header of block.chunks) {
      // A shard without a new chunk repeats its last chunk header: read each chunk once, where included.
      if (header.height_included !== height) continue;
      const chunk = await this.provider.viewChunk(header.chunk_hash);
      for (const tx of chunk.transactions) {
        let outcome;
        try {
          outcome = await this.provider.viewTransactionStatus({
            txHash: tx.hash,
            accountId: tx.signer_id,
            waitUntil: 'FINAL',
          });
        } catch (error) {
          if (!isAnswer(error, 'UNKNOWN_TRANSACTION', 'UnknownTransactionError')) throw error;
          // In a final block yet without an outcome: since relaxed chunk validation a chunk may carry a
          // transaction found invalid when applied, which is dropped and has no receipts, so no events.
          dropped.push({ txHash: tx.hash, signerId: tx.signer_id, height });
          continue;
        }
        const found = eventsOfTransaction(outcome, this.filter);
        for (const event of found) event.height = await this.heightOf(event.blockHash);
        // Stable: receipts that ran in the same block keep the RPC's order.
        found.sort((a, b) => a.height - b.height);
        events.push(...found);
      }
    }
    return { events, dropped };
  }

  /**
   * Reads the final blocks after the last one read, at most `maxBlocks`, and returns their events (after any
   * that `follow` had read but not yet yielded). The position only moves past a block once its events are in
   * hand: if the node fails on a block, the events before it are returned and the next `poll` starts at that
   * block; the error is thrown when there are none to return. No event is skipped or returned twice.
   */
  async poll({ maxBlocks = MAX_BLOCKS_PER_POLL } = {}) {
    const events = this.unyielded.splice(0);
    let final;
    try {
      final = await this.finalHeight();
      this.lastFinal = final;
    } catch (error) {
      if (events.length === 0) throw error;
      return events;
    }
    if (this.nextHeight === undefined) this.nextHeight = final + 1;
    const last = Math.min(final, this.nextHeight + maxBlocks - 1);
    while (this.nextHeight <= last) {
      let found;
      try {
        found = await this.eventsOfBlock(this.nextHeight);
      } catch (error) {
        if (events.length === 0) throw error;
        break;
      }
      if (found) {
        events.push(...found.events);
        this.dropped.push(...found.dropped);
        this.dropped.splice(0, this.dropped.length - KNOWN_DROPPED);
      }
      this.nextHeight += 1;
    }
    return events;
  }

  /**
   * Yields events as their blocks become final, polling every `intervalMs` once caught up, until `signal`
   * aborts. Leaving the loop early (break, abort, or an error of the node, which it throws) loses nothing:
   * events read but not yet yielded come first from the next `poll` or `follow`, which resume where it was.
   */
  async *follow({ intervalMs = 1000, signal } = {}) {
    while (!signal?.aborted) {
      this.unyielded = await this.poll();
      while (this.unyielded.length > 0 && !signal?.aborted) yield this.unyielded.shift();
      // Caught up with the final block the poll saw: wait for the next one.
      if (!signal?.aborted && this.nextHeight > this.lastFinal) await pause(intervalMs, signal);
    }
  }
}

/**
 * The three reads a follower needs, over `fetch` against a JSON-RPC URL, for use without near-api-js. A node
 * error is thrown as an Error whose `type` is the RPC's cause name (`UNKNOWN_BLOCK`, `TIMEOUT_ERROR`, ...).
 */
export function jsonRpcReader(url) {
  let id = 0;
  async function call(method, params) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const body = await response.json().catch(() => null);
    if (body?.error) {
      const { cause, name, data, message } = body.error;
      const error = new Error(`${method}: ${cause?.name ?? name}: ${typeof data === 'string' ? data : JSON.stringify(data ?? message)}`);
      error.type = cause?.name ?? name;
      throw error;
    }
    if (!response.ok || !body || !('result' in body)) throw new Error(`${method}: HTTP ${response.status} without a result`);
    return body.result;
  }
  return {
    viewBlock: (query) => call('block', 'blockId' in query ? { block_id: query.blockId } : { finality: query.finality }),
    viewChunk: (chunkId) => call('chunk', { chunk_id: chunkId }),
    viewTransactionStatus: ({ txHash, accountId, waitUntil }) =>
      call('tx', { tx_hash: txHash, sender_account_id: accountId, wait_until: waitUntil }),
  };
}

/** Waits `ms`, or less if `signal` aborts. */
function pause(ms, signal) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
