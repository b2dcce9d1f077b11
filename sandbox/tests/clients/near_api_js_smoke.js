// near-api-js 5 smoke test against a running node (not run by cargo).
//
//   npm install near-api-js@5                       # in any scratch directory
//   nexus-sandbox --home /tmp/nx init --fast
//   nexus-sandbox --home /tmp/nx run --rpc-addr 127.0.0.1:3030 &
//   NODE_PATH=<scratch>/node_modules node near_api_js_smoke.js /tmp/nx http://127.0.0.1:3030
//
// Checks that near-api-js reads status, blocks, account state, protocol config, validators and gas
// price, sends money, polls a transaction to FINAL, and maps view-call and transaction failures to
// its typed errors (CodeDoesNotExist, AccountDoesNotExist, NotEnoughBalance). Last run against the
// node on 2026-11-25: every line as expected.
const { connect, keyStores, KeyPair, utils, providers } = require('near-api-js');
const fs = require('fs');
(async () => {
  const home = process.argv[2], url = process.argv[3];
  const key = JSON.parse(fs.readFileSync(home + '/validator_key.json'));
  const keyStore = new keyStores.InMemoryKeyStore();
  const status0 = await new providers.JsonRpcProvider({ url }).status();
  const networkId = status0.chain_id;
  await keyStore.setKey(networkId, 'test.near', KeyPair.fromString(key.secret_key));
  const near = await connect({ networkId, nodeUrl: url, keyStore });
  const provider = near.connection.provider;
  console.log('status chain_id', (await provider.status()).chain_id);
  const block = await provider.block({ finality: 'final' });
  console.log('final block', block.header.height);
  const account = await near.account('test.near');
  console.log('state', JSON.stringify(await account.state()));
  const config = await provider.experimental_protocolConfig({ finality: 'final' });
  console.log('storage_amount_per_byte', config.runtime_config.storage_amount_per_byte);
  const validators = await provider.validators(null);
  console.log('validators', validators.current_validators.map(v => v.account_id));
  const gas = await provider.gasPrice(null);
  console.log('gas price', gas.gas_price);
  const r = await account.sendMoney('near', BigInt(utils.format.parseNearAmount('1')));
  console.log('sendMoney status', JSON.stringify(r.status), r.final_execution_status);
  const txs = await provider.txStatus(r.transaction.hash, 'test.near', 'FINAL');
  console.log('txStatus', txs.final_execution_status);
  try {
    await account.viewFunction({ contractId: 'test.near', methodName: 'nope', args: {} });
  } catch (e) { console.log('viewFunction error:', e.type || '', String(e.message).slice(0, 120)); }
  try {
    await (await near.account('nobody.near')).state();
  } catch (e) { console.log('missing account error type:', e.type); }
  try {
    await account.sendMoney('missing-named-account-xyz.near', 1n);
    console.log('UNEXPECTED success');
  } catch (e) { console.log('failing tx error type:', e.type, String(e.message).slice(0, 100)); }
  try {
    await account.signAndSendTransaction({ receiverId: 'near', actions: [require('near-api-js').transactions.transfer(10n ** 40n)] });
  } catch (e) { console.log('NotEnoughBalance error type:', e.type, String(e.message).slice(0, 100)); }
})().catch(e => { console.error('FAILED', e); process.exit(1); });
