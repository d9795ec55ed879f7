"""Peer C of the benchmark (docs/development.md#benchmark): the design this product replaces.

A TradingView webhook receiver as it is commonly written in Python: FastAPI on uvicorn (one worker), the alert's
HMAC checked, its JSON parsed, and one signed Kraken AddOrder sent with `requests` per alert, the answer waiting for
Kraken's. No journal, no idempotency, no rate budget, no retries. The blocking Kraken call runs in Starlette's thread
pool, as FastAPI does for a plain `def` endpoint, so that one slow call does not stop the event loop.

Configuration (environment): WEBHOOK_SECRET, KRAKEN_API_URL, KRAKEN_API_KEY, KRAKEN_API_SECRET (base64).
Run: uvicorn app:app --host 127.0.0.1 --port 8000 --workers 1
"""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse

import requests
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"].encode()
KRAKEN_API_URL = os.environ.get("KRAKEN_API_URL", "https://api.kraken.com").rstrip("/")
KRAKEN_API_KEY = os.environ["KRAKEN_API_KEY"]
KRAKEN_API_SECRET = base64.b64decode(os.environ["KRAKEN_API_SECRET"])

app = FastAPI()
kraken = requests.Session()


def kraken_private(method: str, data: dict) -> dict:
    """Kraken's signed REST call: API-Sign = HMAC-SHA512(secret, path + SHA256(nonce + body))."""
    path = "/0/private/" + method
    data = dict(data, nonce=str(time.time_ns() // 1000))
    body = urllib.parse.urlencode(data)
    digest = hashlib.sha256((data["nonce"] + body).encode()).digest()
    signature = base64.b64encode(hmac.new(KRAKEN_API_SECRET, path.encode() + digest, hashlib.sha512).digest())
    response = kraken.post(KRAKEN_API_URL + path, data=body, timeout=10, headers={
        "API-Key": KRAKEN_API_KEY,
        "API-Sign": signature.decode(),
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    })
    response.raise_for_status()
    return response.json()


@app.post("/webhook")
async def webhook(request: Request):
    raw = await request.body()
    expected = hmac.new(WEBHOOK_SECRET, raw, hashlib.sha256).hexdigest()
    given = request.headers.get("x-signature", "").removeprefix("sha256=")
    if not hmac.compare_digest(expected, given):
        return JSONResponse({"status": "rejected", "error": "bad signature"}, status_code=401)
    try:
        alert = json.loads(raw)
        side = alert["action"].lower()
        if side not in ("buy", "sell"):
            raise ValueError("action must be buy or sell")
        order = {
            "pair": alert["ticker"].upper().removeprefix("KRAKEN:").replace("/", ""),
            "type": side,
            "ordertype": alert.get("order_type", "market"),
            "volume": str(alert["volume"]),
        }
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return JSONResponse({"status": "rejected", "error": str(e)}, status_code=400)
    try:
        reply = await run_in_threadpool(kraken_private, "AddOrder", order)
    except requests.RequestException as e:
        return JSONResponse({"status": "error", "error": str(e)}, status_code=502)
    if reply.get("error"):
        return JSONResponse({"status": "rejected", "error": reply["error"]}, status_code=422)
    return {"status": "executed", "alert_id": alert.get("id"), "txid": reply["result"]["txid"]}
