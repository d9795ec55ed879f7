-- The price of an alert's pair when its outcome was decided (docs/journal.md#market-prices): the last trade price the
-- service held for the pair then (the refresh-market-data route keeps the prices of the pairs in use at most
-- kraken.prices.refresh-ms old), and when that price was read. Recorded from this version on, for replays of recorded
-- days; NULL when no price was held (a pair's first alert, an alert refused before its pair was known).
ALTER TABLE alert ADD COLUMN market_price VARCHAR(48);
ALTER TABLE alert ADD COLUMN market_price_at TIMESTAMP WITH TIME ZONE;
