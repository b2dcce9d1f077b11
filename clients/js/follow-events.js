#!/usr/bin/env node
// Prints the NEP-297 events of the named contract accounts as they become final, one JSON object per line
// (`--text`: one readable line each), until interrupted; with `--once`, those up to the current final block,
// then exits. No dependencies (Node.js >= 20).
//
//   node clients/js/follow-events.js --rpc http://127.0.0.1:3030 registry.test.near lineage.test.near
//   node clients/js/follow-events.js --rpc http://127.0.0.1:3030 --from 0 --once --text registry.test.near
//   node clients/js/follow-events.js --rpc https://rpc.testnet.near.org --from 190000000 --standard nexus-model-registry registry.example.testnet
import { EventFollower, jsonRpcReader } from './events.js';

const USAGE =
  'usage: follow-events.js --rpc URL [--from HEIGHT] [--once] [--text] [--standard NAME]... [--interval-ms MS] ACCOUNT...';

function parse(argv) {
  const options = { accounts: [], standards: [], intervalMs: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const integer = (text) => {
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Error(`${arg}: not a height/count: ${text}`);
      return Number(text);
    };
    if (arg === '--rpc') options.rpc = value();
    else if (arg === '--from') options.fromHeight = integer(value());
    else if (arg === '--standard') options.standards.push(value());
    else if (arg === '--interval-ms') options.intervalMs = integer(value());
    else if (arg === '--once') options.once = true;
    else if (arg === '--text') options.text = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else options.accounts.push(arg);
  }
  if (!options.rpc) throw new Error('--rpc URL is required');
  if (options.accounts.length === 0) throw new Error('name at least one contract account');
  return options;
}

let options;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  console.error(`follow-events: ${error.message}\n${USAGE}`);
  process.exit(2);
}

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => controller.abort());
const follower = new EventFollower(jsonRpcReader(options.rpc), {
  accounts: options.accounts,
  standards: options.standards.length > 0 ? options.standards : undefined,
  fromHeight: options.fromHeight,
});
const print = (event) => {
  const line = options.text
    ? `#${event.height} ${event.emitter} ${event.standard}/${event.version} ${event.event} ${JSON.stringify(event.data ?? null)}`
    : JSON.stringify(event);
  process.stdout.write(`${line}\n`);
};

try {
  if (options.once) {
    const final = await follower.finalHeight();
    do {
      for (const event of await follower.poll()) print(event);
    } while (follower.nextHeight <= final && !controller.signal.aborted);
  } else {
    for await (const event of follower.follow({ intervalMs: options.intervalMs, signal: controller.signal })) print(event);
  }
} catch (error) {
  const resume = follower.nextHeight === undefined ? '' : ` (to resume: --from ${follower.nextHeight})`;
  console.error(`follow-events: ${error.message}${resume}`);
  process.exit(1);
}
