#!/usr/bin/env bash
# A target-position session (docs/strategies.md): eight alerts of one strategy, fired five seconds apart, sent in a
# shuffled order as TradingView's resends and a slow network can deliver them. The strategy goes long, flat, long,
# short (a reversal) and long again (another), so it needs "leverage" in the strategies file; swing-margin in
# examples/strategies.yaml has it. Prints each answer (status, orders, book) and the book at the end. Against the
# README's paper-mode start with an admin token and the example strategies file:
#   STRATEGIES_FILE=examples/strategies.yaml ADMIN_TOKEN=demo java @jvm.options -jar target/tradingview-kraken-webhook.jar
#   ADMIN_TOKEN=demo STRATEGY=swing-margin examples/target-positions.sh
# Signs with WEBHOOK_SECRET when set (examples/send-alert.sh). Needs curl, and jq for the summary lines.
set -euo pipefail
base="${BASE_URL:-http://127.0.0.1:${PORT:-8080}}"
strategy="${STRATEGY:-swing-margin}"
now=$(date -u +%s)
# fired 35, 30, ... 0 seconds ago (inside MAX_ALERT_AGE_SECONDS); the position the strategy held after each
positions=(0.02 0.05 0 0.03 -0.02 -0.01 0.04 0)
# the order they arrive in: the second fired arrives first, the sixth before the fifth
order=(1 0 2 3 5 4 6 7)
orders='if .legs then ([.legs[] | "\(.leg): \(.order.side // "") \(.order.volume // "") \(.status)"] | join(", "))
        else (.order // {} | "\(.side // "") \(.volume // "")") end'
for i in "${order[@]}"; do
  fired=$(date -u -d "@$((now - (7 - i) * 5))" +%Y-%m-%dT%H:%M:%SZ)
  body="{\"ticker\":\"BTCUSD\",\"strategy\":\"$strategy\",\"position\":\"${positions[$i]}\",\"id\":\"$strategy-$now-$i\",\"time\":\"$fired\"}"
  headers=(-H "Content-Type: application/json")
  if [ -n "${WEBHOOK_SECRET:-}" ]; then
    signature="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -hex | sed 's/^.*= //')"
    headers+=(-H "X-Signature: $signature")
  fi
  answer=$(curl -sS "${headers[@]}" --data-binary "$body" "$base/webhook/tradingview")
  printf 'alert %d fired %s target %-5s -> %s\n' "$i" "$fired" "${positions[$i]}" \
    "$(jq -r "[.status, ($orders), \"book \" + (.position.book // \"?\")] | join(\"  \")" <<<"$answer")"
done
if [ -n "${ADMIN_TOKEN:-}" ]; then
  curl -sS -H "Authorization: Bearer $ADMIN_TOKEN" "$base/admin/positions" \
    | jq -c --arg s "$strategy" '{book: (.books[] | select(.strategy == $s) | {strategy, pair, position}), shorts}'
fi
