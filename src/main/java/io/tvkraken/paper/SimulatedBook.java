package io.tvkraken.paper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The order book the paper exchange shows in Depth and fills market orders against
 * (docs/paper-exchange.md#the-order-book). The paper exchange has no other traders, so the book is drawn around the
 * last price {@code p}: asks at {@code p × (1 + k × STEP)} and bids at {@code p × (1 − k × STEP)} for
 * {@code k = 1 … LEVELS}, on the pair's tick (asks rounded up, bids down), each level holding {@code levelQuote} of the
 * quote currency, in base on the pair's lot. A market order takes the levels in turn, best first, so a large one fills
 * at a worse average price than a small one - it slips, as at Kraken. Volume past the last level fills at the last
 * level's price. The book does not remember what was taken: the next order finds it whole again, around the last price.
 */
final class SimulatedBook {

    static final int LEVELS = 100;
    /** 5 basis points between levels, and from the last price to the best bid and ask. */
    static final BigDecimal STEP = new BigDecimal("0.0005");
    /** The quote a level holds when the configuration sets none: what Depth shows then. */
    static final BigDecimal DEFAULT_LEVEL_QUOTE = new BigDecimal("50000");

    record Level(BigDecimal price, BigDecimal volume) {
    }

    /** What a market order got: its volume, what it paid or received, and the average price. */
    record Fill(BigDecimal volume, BigDecimal cost, BigDecimal averagePrice) {
    }

    private SimulatedBook() {
    }

    /** The best {@code count} levels of one side, best first. */
    static List<Level> side(PaperPair pair, boolean asks, BigDecimal last, BigDecimal levelQuote, int count) {
        BigDecimal quote = levelQuote.signum() == 0 ? DEFAULT_LEVEL_QUOTE : levelQuote;
        List<Level> levels = new ArrayList<>();
        for (int k = 1; k <= Math.min(count, LEVELS); k++) {
            BigDecimal move = STEP.multiply(BigDecimal.valueOf(k));
            BigDecimal raw = last.multiply(asks ? BigDecimal.ONE.add(move) : BigDecimal.ONE.subtract(move));
            BigDecimal price = onTick(pair, raw, asks ? RoundingMode.CEILING : RoundingMode.FLOOR);
            BigDecimal volume = quote.divide(price, pair.lotDecimals(), RoundingMode.DOWN);
            if (price.signum() > 0 && volume.signum() > 0) {
                levels.add(new Level(price, volume));
            }
        }
        return levels;
    }

    /**
     * A market order of {@code volume} walking the book: a buy takes the asks, a sell the bids. With
     * {@code levelQuote} zero it fills at the last price instead.
     */
    static Fill fill(PaperPair pair, boolean buy, BigDecimal volume, BigDecimal last, BigDecimal levelQuote) {
        if (levelQuote.signum() == 0) {
            return new Fill(volume, volume.multiply(last), last);
        }
        BigDecimal left = volume;
        BigDecimal cost = BigDecimal.ZERO;
        List<Level> levels = side(pair, buy, last, levelQuote, LEVELS);
        BigDecimal price = last;
        for (Level level : levels) {
            if (left.signum() == 0) {
                break;
            }
            BigDecimal take = left.min(level.volume());
            price = level.price();
            cost = cost.add(take.multiply(price));
            left = left.subtract(take);
        }
        cost = cost.add(left.multiply(price));
        return new Fill(volume, cost, cost.divide(volume, MathContext.DECIMAL64));
    }

    private static BigDecimal onTick(PaperPair pair, BigDecimal price, RoundingMode rounding) {
        BigDecimal tick = pair.tickSize();
        if (tick == null || tick.signum() == 0) {
            return price.setScale(pair.pairDecimals(), rounding);
        }
        return price.divide(tick, 0, rounding).multiply(tick).setScale(pair.pairDecimals(), RoundingMode.HALF_EVEN);
    }
}
