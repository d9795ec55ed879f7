package io.tvkraken.telemetry;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads (https://prometheus.io/docs/prometheus/latest/querying/basics/): every
 * identifier that is not a function, a keyword, a label name or part of a string, a label matcher, a range or a
 * duration. Grafana's template variables ({@code $asset}, {@code $__rate_interval}) are dropped first, and a Grafana
 * variable query {@code label_values(metric, label)} reads {@code metric}.
 */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$");
    /** An identifier not glued to a number ({@code 5m}, {@code 1e3}) and not called as a function. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN", "start", "end", "atan2");

    private PromQl() {
    }

    static Set<String> metricNames(String expression) {
        String text = expression;
        Matcher labelValues = LABEL_VALUES.matcher(text);
        if (labelValues.matches()) {
            text = labelValues.group(1);
        }
        text = GRAFANA_VARIABLE.matcher(text).replaceAll(" ");
        text = STRING.matcher(text).replaceAll(" ");
        text = MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = LABEL_LIST.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            if (!KEYWORDS.contains(identifier.group(1))) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }
}
