package io.layerwatch.config;

import java.io.Serializable;
import java.util.regex.Pattern;

/** A glob on ARNs or names: {@code *} matches any run of characters (including / and :), {@code ?} one. */
public final class Glob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final Pattern pattern;

    public Glob(String text) {
        this.text = text;
        StringBuilder re = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.pattern = Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public boolean matches(String value) {
        return value != null && pattern.matcher(value).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
