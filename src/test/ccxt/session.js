// ccxt's Kraken client against the stand-alone paper exchange (PaperExchangeCcxtTest, docs/paper-exchange.md):
// markets, ticker, order book, balance, every order type, look-ups, amends, cancels, trade history, ledger, candles,
// margin positions, and Kraken's errors as ccxt's exception classes. Prints one JSON report on stdout; exits 1 when a
// step throws what it should not.
//   node session.js http://127.0.0.1:18090 <api key> <api secret (base64)>
'use strict';
const ccxt = require('ccxt');

const [base, apiKey, secret] = process.argv.slice(2);
const urls = { api: { public: base, private: base } };
const kraken = new ccxt.kraken({ apiKey, secret, urls, enableRateLimit: false });
const report = { ccxt: ccxt.version, steps: [] };

function step(name, value) {
  report.steps.push({ step: name, ...value });
}

async function expectError(name, cls, call) {
  try {
    await call();
    step(name, { error: null });
  } catch (e) {
    step(name, { error: e.constructor.name, expected: cls.name, matches: e instanceof cls, message: e.message });
  }
}

async function main() {
  const markets = await kraken.loadMarkets();
  const btc = markets['BTC/USD'];
  step('loadMarkets', { markets: Object.keys(markets).length, btcUsd: btc.id, amountMin: btc.limits.amount.min,
    currencies: Object.keys(kraken.currencies).length });

  const ticker = await kraken.fetchTicker('BTC/USD');
  step('fetchTicker', { last: ticker.last, bid: ticker.bid, ask: ticker.ask });

  const book = await kraken.fetchOrderBook('BTC/USD', 10);
  step('fetchOrderBook', { asks: book.asks.length, bids: book.bids.length, bestAsk: book.asks[0][0],
    bestBid: book.bids[0][0] });

  const balance = await kraken.fetchBalance();
  step('fetchBalance', { usd: balance.total.USD, btc: balance.total.BTC });

  const small = await kraken.createOrder('BTC/USD', 'market', 'buy', 0.01);
  const smallFilled = await kraken.fetchOrder(small.id, 'BTC/USD');
  const large = await kraken.createOrder('BTC/USD', 'market', 'buy', 10);
  const largeFilled = await kraken.fetchOrder(large.id, 'BTC/USD');
  step('market', { status: smallFilled.status, filled: smallFilled.filled, average: smallFilled.average,
    largeAverage: largeFilled.average, slipped: largeFilled.average > smallFilled.average });

  const sell = await kraken.createOrder('BTC/USD', 'market', 'sell', 10);
  step('market sell', { status: (await kraken.fetchOrder(sell.id, 'BTC/USD')).status });

  const last = ticker.last;
  const clientId = 'c0ffee00-0000-4000-8000-000000000001';
  const limit = await kraken.createOrder('BTC/USD', 'limit', 'buy', 0.01, Math.round(last * 0.8),
    { clientOrderId: clientId, postOnly: true });
  const types = {};
  types['stop-loss'] = await kraken.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined,
    { stopLossPrice: Math.round(last * 0.9) });
  types['take-profit'] = await kraken.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined,
    { takeProfitPrice: Math.round(last * 1.1) });
  types['stop-loss-limit'] = await kraken.createOrder('BTC/USD', 'limit', 'sell', 0.01, Math.round(last * 0.89),
    { stopLossPrice: Math.round(last * 0.9) });
  types['take-profit-limit'] = await kraken.createOrder('BTC/USD', 'limit', 'sell', 0.01, Math.round(last * 1.11),
    { takeProfitPrice: Math.round(last * 1.1) });
  types['trailing-stop'] = await kraken.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined,
    { trailingAmount: 100 });
  const open = await kraken.fetchOpenOrders('BTC/USD');
  const byId = Object.fromEntries(open.map((o) => [o.id, o]));
  step('order types', {
    limit: byId[limit.id] ? byId[limit.id].type : null,
    clientOrderId: byId[limit.id] ? byId[limit.id].clientOrderId : null,
    postOnly: byId[limit.id] ? byId[limit.id].postOnly : null,
    resting: Object.fromEntries(Object.entries(types).map(([t, o]) => [t, byId[o.id] ? byId[o.id].info.descr.ordertype : null])),
    open: open.length,
  });

  const amended = await kraken.editOrder(limit.id, 'BTC/USD', 'limit', 'buy', 0.02, Math.round(last * 0.7));
  const afterAmend = await kraken.fetchOrder(limit.id, 'BTC/USD');
  step('editOrder', { sameId: afterAmend.id === limit.id, amount: afterAmend.amount, price: afterAmend.price,
    answered: amended.id !== undefined || amended.info !== undefined });

  const cancelled = await kraken.cancelOrder(limit.id, 'BTC/USD');
  const afterCancel = await kraken.fetchOrder(limit.id, 'BTC/USD');
  step('cancelOrder', { status: afterCancel.status, answered: cancelled !== undefined });

  await kraken.cancelAllOrders();
  step('cancelAllOrders', { open: (await kraken.fetchOpenOrders('BTC/USD')).length });

  const closed = await kraken.fetchClosedOrders('BTC/USD');
  step('fetchClosedOrders', { closed: closed.length, canceled: closed.filter((o) => o.status === 'canceled').length });

  const trades = await kraken.fetchMyTrades('BTC/USD');
  step('fetchMyTrades', { trades: trades.length, first: trades.length ? { side: trades[0].side,
    amount: trades[0].amount, order: trades[0].order !== undefined } : null });

  const ledger = await kraken.fetchLedger();
  step('fetchLedger', { entries: ledger.length, currencies: [...new Set(ledger.map((e) => e.currency))].sort() });

  const candles = await kraken.fetchOHLCV('BTC/USD', '1m');
  step('fetchOHLCV', { candles: candles.length, lastClose: candles.length ? candles[candles.length - 1][4] : null });

  const short = await kraken.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined, { leverage: 2 });
  const positions = await kraken.fetchPositions(['BTC/USD']);
  const closeShort = await kraken.createOrder('BTC/USD', 'market', 'buy', 0.01, undefined,
    { leverage: 2, reduceOnly: true });
  step('margin', { opened: short.id !== undefined, positions: positions.length,
    side: positions.length ? positions[0].side : null, closed: closeShort.id !== undefined,
    after: (await kraken.fetchPositions(['BTC/USD'])).length });

  await expectError('InvalidOrder', ccxt.InvalidOrder,
    () => kraken.createOrder('BTC/USD', 'market', 'buy', 0.00001));
  await expectError('InsufficientFunds', ccxt.InsufficientFunds,
    () => kraken.createOrder('BTC/USD', 'market', 'buy', 100000));
  const wrongKey = new ccxt.kraken({ apiKey: 'not-a-key', secret, urls, enableRateLimit: false });
  wrongKey.markets = kraken.markets;
  wrongKey.markets_by_id = kraken.markets_by_id;
  await expectError('AuthenticationError', ccxt.AuthenticationError, () => wrongKey.fetchBalance());
  const staleNonce = new ccxt.kraken({ apiKey, secret, urls, enableRateLimit: false });
  staleNonce.nonce = () => 1;
  await expectError('InvalidNonce', ccxt.InvalidNonce, () => staleNonce.fetchBalance());
}

main().then(() => {
  console.log(JSON.stringify(report, null, 1));
}).catch((e) => {
  report.failed = { error: e.constructor.name, message: e.message, stack: e.stack };
  console.log(JSON.stringify(report, null, 1));
  process.exit(1);
});
