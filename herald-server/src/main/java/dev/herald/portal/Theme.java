package dev.herald.portal;

import java.util.Locale;

/**
 * The accent colour as a small stylesheet ({@code HERALD_PORTAL_ACCENT}), so a platform that embeds the portal
 * makes it look like its own site without an inline style (the Content-Security-Policy allows none).
 */
final class Theme {
    private Theme() {
    }

    /** @param accent {@code #rgb} or {@code #rrggbb}, validated by the configuration */
    static String css(String accent) {
        String hex = expand(accent);
        int r = Integer.parseInt(hex.substring(1, 3), 16);
        int g = Integer.parseInt(hex.substring(3, 5), 16);
        int b = Integer.parseInt(hex.substring(5, 7), 16);
        // why: text on an accent-coloured button must stay readable whatever colour a platform picks;
        // the relative luminance (WCAG) tells whether white or near-black contrasts more (they tie near 0.2)
        String ink = luminance(r, g, b) > 0.2 ? "#111827" : "#ffffff";
        return ":root {\n"
                + "  --accent: " + hex + ";\n"
                + "  --accent-ink: " + ink + ";\n"
                + "  --accent-rgb: " + r + ", " + g + ", " + b + ";\n"
                + "}\n";
    }

    static String expand(String accent) {
        String a = accent.toLowerCase(Locale.ROOT);
        if (a.length() == 4) {
            return "#" + a.charAt(1) + a.charAt(1) + a.charAt(2) + a.charAt(2) + a.charAt(3) + a.charAt(3);
        }
        return a;
    }

    private static double luminance(int r, int g, int b) {
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    }

    private static double linear(int channel) {
        double c = channel / 255.0;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
