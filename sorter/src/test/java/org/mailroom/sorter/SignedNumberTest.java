package org.mailroom.sorter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The scores' two-decimal form is read off the shortest decimal digits exactly as BigDecimal rounds them. */
class SignedNumberTest {

    private static String byBigDecimal(double magnitude) {
        return BigDecimal.valueOf(magnitude).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    void agreesWithBigDecimalOnEdgesAndRandomValues() {
        double[] edges = {0.0, 0.005, 0.015, 0.125, 0.995, 1.005, 2.675, 9.995, 99.995, 0.0049999, 0.001, 0.00099,
            9_999_999.994, 9_999_999.995, 1e7, 1.5e-5, 123456.785, 0.1 + 0.2, 30.0, 5e-324, Double.MAX_VALUE};
        for (double v : edges) {
            assertEquals(byBigDecimal(v), Sorter.twoDecimals(v), String.valueOf(v));
        }
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble() * 20;
                case 1 -> Math.round(random.nextDouble() * 200_000) / 1000.0;   // three decimals: the ties
                case 2 -> random.nextDouble() * Math.pow(10, random.nextInt(12) - 4);
                default -> Math.abs(random.nextGaussian() * 3);
            };
            assertEquals(byBigDecimal(v), Sorter.twoDecimals(v), String.valueOf(v));
        }
    }

    @Test
    void signedKeepsTheSignAndFormatsLikeFormatter() {
        assertEquals("+1.24", Sorter.signed(1.235));
        assertEquals("-0.00", Sorter.signed(-0.0));
        assertEquals("-3.10", Sorter.signed(-3.1));
        assertEquals(String.format(Locale.ROOT, "%+.2f", Double.NaN), Sorter.signed(Double.NaN));
    }
}
