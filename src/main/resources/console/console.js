// The console's one script (docs/operations.md#console): it reads and acts through the admin API, with the session
// cookie the browser carries; nothing else is loaded. Every list refreshes every two seconds.
'use strict';

const REFRESH_MS = 2000;
let active = 'orders';

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function row(cells, className) {
  const tr = element('tr', null, className);
  cells.forEach((cell) => tr.appendChild(cell instanceof Node ? cell : element('td', cell)));
  return tr;
}

function fill(tableId, rows) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...rows);
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const answer = await fetch(path, options);
  if (answer.status === 401) {
    window.location.replace('/console');
    throw new Error('logged out');
  }
  const text = await answer.text();
  const json = text ? JSON.parse(text) : {};
  if (!answer.ok && answer.status !== 409) {
    throw new Error(path + ': ' + answer.status + ' ' + ((json.error && (json.error.message + (json.error.details
      && json.error.details.length ? ': ' + json.error.details.join('; ') : ''))) || text));
  }
  return json;
}

function parse(text) {
  try {
    return typeof text === 'string' ? JSON.parse(text) : (text || {});
  } catch (e) {
    return {};
  }
}

function time(value) {
  return value ? new Date(value).toLocaleString() : '';
}

async function showStatus() {
  const status = await call('GET', '/status');
  const mode = document.getElementById('mode');
  mode.textContent = status.mode ? 'mode: ' + status.mode : '';
  const state = document.getElementById('trading-state');
  state.textContent = status.trading_enabled ? 'trading on' : 'trading OFF';
  state.className = 'pill ' + (status.trading_enabled ? 'on' : 'off');
  document.getElementById('trading-now').textContent = status.trading_enabled ? 'on' : 'off';
  const toggle = document.getElementById('trading-toggle');
  toggle.textContent = status.trading_enabled ? 'Switch trading off' : 'Switch trading on';
  toggle.dataset.enable = String(!status.trading_enabled);
}

async function showOrders() {
  const answer = await call('GET', '/admin/orders?limit=200');
  const strategy = document.getElementById('filter-strategy').value.trim();
  const outcome = document.getElementById('filter-outcome').value;
  const account = document.getElementById('filter-account').value.trim();
  const rows = [];
  for (const entry of answer.orders) {
    const alert = parse(entry.body);
    const result = parse(entry.answer);
    const status = result.status || entry.state;
    // an account's own order names its account; an alert for several lists the accounts it named
    const named = alert.accounts || alert.account;
    const accounts = entry.account ? [entry.account]
      : (named ? (Array.isArray(named) ? named : String(named).split(',').map((a) => a.trim())) : ['default']);
    if ((strategy && alert.strategy !== strategy) || (outcome && status !== outcome)
        || (account && !accounts.includes(account))) {
      continue;
    }
    const order = result.order
      ? [result.order.side, result.order.volume, result.order.pair, result.order.order_type].filter(Boolean).join(' ')
      : (alert.position !== undefined ? 'target ' + alert.position : '');
    const detail = result.error ? result.error.code + ': ' + result.error.message
      : (result.position && result.position.message) || '';
    const outcomeCell = element('td', status, 'status-' + status);
    const tr = row([time(entry.received_at), entry.id, accounts.join(', '), alert.strategy || '', alert.ticker || '',
      order, outcomeCell,
      detail]);
    tr.dataset.alertId = entry.alert_id;
    tr.dataset.status = status;
    rows.push(tr);
  }
  fill('orders-table', rows);
}

async function showDeadLetters() {
  const answer = await call('GET', '/admin/dead-letters');
  document.getElementById('dead-letter-count').textContent = answer.count ? '(' + answer.count + ')' : '';
  fill('dead-letters-table', answer.dead_letters.map((letter) => {
    const button = element('button', 'Replay', 'replay');
    button.type = 'button';
    button.dataset.id = letter.id;
    button.addEventListener('click', () => replay(letter.id));
    const action = element('td');
    action.appendChild(button);
    const tr = row([time(letter.received_at), letter.id, letter.reason, letter.message,
      letter.may_have_been_placed ? 'yes' : 'no', action]);
    tr.dataset.id = letter.id;
    return tr;
  }));
}

async function replay(id) {
  const result = await call('POST', '/admin/dead-letters/' + encodeURIComponent(id) + '/replay');
  document.getElementById('replay-result').textContent = id + ': ' + (result.status || '')
    + (result.outcome && result.outcome.status ? ' (' + result.outcome.status + ')' : '');
  await refresh();
}

async function showPositions() {
  const report = await call('GET', '/admin/positions');
  document.getElementById('drift').textContent = report.drift
    ? 'Drift: the account does not cover the books (rows in red).' : 'No drift: the account covers every book.';
  fill('books-table', report.books.map((book) => row([book.account || 'default', book.strategy || '(default)',
    book.pair, book.position,
    book.open_orders, book.last_alert || ''])));
  fill('assets-table', report.assets.map((asset) => row([asset.symbol, asset.books, asset.account || '?',
    asset.drift ? 'yes' : 'no'], asset.drift ? 'drift' : '')));
  fill('shorts-table', (report.shorts || []).map((line) => row([line.pair, line.books, line.account || '?',
    line.drift ? 'yes' : 'no'], line.drift ? 'drift' : '')));
}

async function showTrading() {
  const answer = await call('GET', '/admin/trading/changes');
  fill('trading-changes-table', answer.changes.map((change) => row([time(change.changed_at),
    change.enabled ? 'on' : 'off', change.source_address || '', change.instance || ''])));
}

async function toggleTrading() {
  const enable = document.getElementById('trading-toggle').dataset.enable === 'true';
  await call('POST', '/admin/trading', { enabled: enable });
  await refresh();
}

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989'];

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, String(value)));
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

// Equity after each alert, one line per account, drawn as SVG: no library, nothing fetched.
function drawEquity(accounts) {
  const chart = document.getElementById('equity-chart');
  const width = Number(chart.getAttribute('width'));
  const height = Number(chart.getAttribute('height'));
  const pad = { left: 80, right: 130, top: 16, bottom: 28 };
  const points = accounts.flatMap((a) => a.equity.map((p) => ({ t: Date.parse(p.at), v: Number(p.equity) })));
  chart.replaceChildren();
  if (points.length === 0) {
    chart.appendChild(svg('text', { x: pad.left, y: height / 2 }, 'no alerts in the range'));
    return;
  }
  const t0 = Math.min(...points.map((p) => p.t));
  const t1 = Math.max(...points.map((p) => p.t));
  const v0 = Math.min(...points.map((p) => p.v));
  const v1 = Math.max(...points.map((p) => p.v));
  const x = (t) => pad.left + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v1 === v0 ? 0.5 : (v - v0) / (v1 - v0)) * (height - pad.top - pad.bottom);
  chart.appendChild(svg('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom,
    stroke: '#888' }));
  chart.appendChild(svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom, stroke: '#888' }));
  chart.appendChild(svg('text', { x: 4, y: y(v1) + 4, 'font-size': 11 }, v1.toFixed(2)));
  chart.appendChild(svg('text', { x: 4, y: y(v0) + 4, 'font-size': 11 }, v0.toFixed(2)));
  chart.appendChild(svg('text', { x: pad.left, y: height - 8, 'font-size': 11 }, new Date(t0).toLocaleString()));
  chart.appendChild(svg('text', { x: width - pad.right, y: height - 8, 'font-size': 11, 'text-anchor': 'end' },
    new Date(t1).toLocaleString()));
  accounts.forEach((account, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const line = account.equity.map((p) => x(Date.parse(p.at)).toFixed(1) + ',' + y(Number(p.equity)).toFixed(1));
    chart.appendChild(svg('polyline', { points: line.join(' '), fill: 'none', stroke: colour, 'stroke-width': 2,
      'data-account': account.account }));
    chart.appendChild(svg('text', { x: width - pad.right + 8, y: pad.top + 14 * (i + 1), fill: colour,
      'font-size': 12 }, account.account + ' ' + account.pnl));
  });
}

function showReplay(replay) {
  const progress = replay.progress || {};
  document.getElementById('replay-status').textContent = 'replay ' + replay.id + ': ' + replay.state + ' ('
    + progress.done + ' of ' + progress.total + ' alerts)' + (replay.error ? ': ' + replay.error : '');
  if (!replay.report) {
    return;
  }
  const report = replay.report;
  fill('replay-table', report.by_strategy_and_account.map((r) => row([r.strategy || '', r.account, r.alerts,
    r.executed, Object.entries(r.refused).map(([code, n]) => code + ' ' + n).join(', '), r.fees])));
  fill('replay-accounts-table', report.accounts.map((a) => row([a.account, a.orders, a.fees, a.starting_equity,
    a.ending_equity, a.pnl, Object.entries(a.balances).map(([asset, n]) => asset + ' ' + n).join(', ')])));
  drawEquity(report.accounts);
  const csv = document.getElementById('replay-csv');
  csv.href = '/admin/replays/' + encodeURIComponent(replay.id) + '/orders';
  csv.hidden = false;
}

async function runReplay(event) {
  event.preventDefault();
  const request = { from: document.getElementById('replay-from').value.trim(),
    to: document.getElementById('replay-to').value.trim() };
  const accounts = document.getElementById('replay-accounts').value.trim();
  if (accounts) {
    request.accounts = accounts.split(',').map((a) => a.trim());
  }
  const settings = document.getElementById('replay-settings').value.trim();
  if (settings) {
    try {
      request.settings = JSON.parse(settings);
    } catch (e) {
      document.getElementById('replay-status').textContent = 'settings: not JSON (' + e.message + ')';
      return;
    }
  }
  let replay;
  try {
    replay = await call('POST', '/admin/replays', request);
  } catch (e) {
    document.getElementById('replay-status').textContent = e.message;
    return;
  }
  showReplay(replay);
  while (replay.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    replay = await call('GET', '/admin/replays/' + encodeURIComponent(replay.id));
    showReplay(replay);
  }
}

async function refresh() {
  try {
    await showStatus();
    await showDeadLetters();
    if (active === 'orders') {
      await showOrders();
    } else if (active === 'positions') {
      await showPositions();
    } else if (active === 'trading') {
      await showTrading();
    }
    document.getElementById('error').textContent = '';
  } catch (e) {
    document.getElementById('error').textContent = e.message;
  }
}

function select(tab) {
  active = tab;
  document.querySelectorAll('.tab').forEach((button) => button.classList.toggle('active', button.dataset.tab === tab));
  document.querySelectorAll('.panel').forEach((panel) => panel.classList.toggle('active', panel.id === tab));
  refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('.tab').forEach((button) => button.addEventListener('click',
    () => select(button.dataset.tab)));
  document.getElementById('trading-toggle').addEventListener('click', toggleTrading);
  document.getElementById('filter-strategy').addEventListener('input', refresh);
  document.getElementById('filter-outcome').addEventListener('change', refresh);
  document.getElementById('filter-account').addEventListener('input', refresh);
  document.getElementById('replay-form').addEventListener('submit', runReplay);
  document.getElementById('replay-from').value = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  document.getElementById('replay-to').value = new Date(Date.now() + 60 * 1000).toISOString();
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/console/session', { method: 'DELETE' });
    window.location.replace('/console');
  });
  select('orders');
  setInterval(refresh, REFRESH_MS);
});
