#!/usr/bin/env bash
# Signs an alert with WEBHOOK_SECRET (X-Signature: hex HMAC-SHA256 of the exact body bytes) and sends it.
#   examples/send-alert.sh examples/market-buy.json                 # to http://127.0.0.1:8080/webhook/tradingview
#   URL=http://127.0.0.1:8080/webhook/tradingview/validate examples/send-alert.sh examples/limit-sell.json
# Without WEBHOOK_SECRET the alert is sent unsigned (paper mode accepts that, with a warning at start-up).
# Needs curl and openssl.
set -euo pipefail
file="${1:?usage: send-alert.sh ALERT.json}"
url="${URL:-http://127.0.0.1:${PORT:-8080}/webhook/tradingview}"
body="$(cat "$file")"
headers=(-H "Content-Type: application/json")
if [ -n "${WEBHOOK_SECRET:-}" ]; then
  signature="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -hex | sed 's/^.*= //')"
  headers+=(-H "X-Signature: $signature")
fi
curl -sS -i "${headers[@]}" --data-binary "$body" "$url"
echo
