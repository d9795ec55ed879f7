#!/usr/bin/env bash
# A target-position session (docs/strategies.md): six alerts of one strategy, fired five seconds apart, sent in a
# shuffled order as TradingView's resends and a slow network can deliver them. Prints each answer (status, order,
# book) and the book at the end. Against the README's paper-mode start with an admin token:
#   ADMIN_TOKEN=demo java @jvm.options -jar target/tradingview-kraken-webhook.jar
#   ADMIN_TOKEN=demo examples/target-positions.sh
# Signs with WEBHOOK_SECRET when set (examples/send-alert.sh). Needs curl, and jq for the summary lines.
set -euo pipefail
base="${BASE_URL:-http://127.0.0.1:${PORT:-8080}}"
strategy="${STRATEGY:-demo-$(date +%s)}"
now=$(date -u +%s)
# fired 25, 20, 15, 10, 5 and 0 seconds ago (inside MAX_ALERT_AGE_SECONDS); the position the strategy held after each
positions=(0.02 0.05 0 0.03 0.03 0.01)
order=(1 0 2 4 3 5)   # the order they arrive in: the second fired arrives first, the fifth before the fourth
for i in "${order[@]}"; do
  fired=$(date -u -d "@$((now - (5 - i) * 5))" +%Y-%m-%dT%H:%M:%SZ)
  body="{\"ticker\":\"BTCUSD\",\"strategy\":\"$strategy\",\"position\":\"${positions[$i]}\",\"id\":\"$strategy-$i\",\"time\":\"$fired\"}"
  headers=(-H "Content-Type: application/json")
  if [ -n "${WEBHOOK_SECRET:-}" ]; then
    signature="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -hex | sed 's/^.*= //')"
    headers+=(-H "X-Signature: $signature")
  fi
  answer=$(curl -sS "${headers[@]}" --data-binary "$body" "$base/webhook/tradingview")
  printf 'alert %d fired %s target %-5s -> %s\n' "$i" "$fired" "${positions[$i]}" \
    "$(jq -r '[.status, (.order // {} | "\(.side // "") \(.volume // "")"), "book " + (.position.book // "?")] | join("  ")' <<<"$answer")"
done
if [ -n "${ADMIN_TOKEN:-}" ]; then
  curl -sS -H "Authorization: Bearer $ADMIN_TOKEN" "$base/admin/positions" \
    | jq -c --arg s "$strategy" '.books[] | select(.strategy == $s)'
fi
