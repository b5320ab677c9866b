package org.mailroom.sorter.spam;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A lenient reader of RFC 5322 dates as mail really carries them ({@code Tue, 3 Sep 2002 14:02:11 -0400 (EDT)},
 * no weekday, two-digit years, seconds missing, zone names): enough to compare the Date header with the time a
 * Received line was written, which is all the spam features need. Empty when the text is not a date.
 */
final class MailDate {
    private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
    /**
     * What {@code split("\\s+")} would compile on every call (only one-character patterns skip the regex engine):
     * a message's Date and Received lines are read several times per classification.
     */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private MailDate() {
    }

    /** Seconds since the epoch, or empty when {@code text} is not a readable date. */
    static OptionalLong epochSeconds(String text) {
        String[] parts = WHITESPACE.split(withoutComments(text).replace(',', ' ').trim());
        int i = 0;
        if (parts.length > 0 && !parts[0].isEmpty() && Character.isLetter(parts[0].charAt(0))) {
            i++; // weekday
        }
        if (parts.length - i < 4) {
            return OptionalLong.empty();
        }
        try {
            int day = Integer.parseInt(parts[i]);
            String monthName = parts[i + 1].toLowerCase(Locale.ROOT);
            int month = monthName.length() >= 3 ? MONTHS.indexOf(monthName.substring(0, 3)) : -1;
            int year = Integer.parseInt(parts[i + 2]);
            if (month < 0 || month % 3 != 0 || day < 1 || day > 31) {
                return OptionalLong.empty();
            }
            year = year < 50 ? 2000 + year : year < 1000 ? 1900 + year : year;
            String[] time = parts[i + 3].split(":");
            int hour = Integer.parseInt(time[0]);
            int minute = time.length > 1 ? Integer.parseInt(time[1]) : 0;
            int second = time.length > 2 ? Integer.parseInt(time[2]) : 0;
            if (hour > 23 || minute > 59 || second > 60) {
                return OptionalLong.empty();
            }
            int offsetMinutes = parts.length > i + 4 ? zoneMinutes(parts[i + 4]) : 0;
            long days = java.time.LocalDate.of(year, month / 3 + 1, Math.min(day, 28)).toEpochDay() + Math.max(0,
                day - 28);
            return OptionalLong.of(days * 86_400 + hour * 3_600L + minute * 60L + second - offsetMinutes * 60L);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static int zoneMinutes(String zone) {
        if ((zone.startsWith("+") || zone.startsWith("-")) && zone.length() == 5) {
            int value = Integer.parseInt(zone.substring(1));
            int minutes = value / 100 * 60 + value % 100;
            return zone.startsWith("-") ? -minutes : minutes;
        }
        return switch (zone.toUpperCase(Locale.ROOT)) {
            case "EDT" -> -240;
            case "EST", "CDT" -> -300;
            case "CST", "MDT" -> -360;
            case "MST", "PDT" -> -420;
            case "PST" -> -480;
            default -> 0; // GMT, UT, UTC, Z and unknown names
        };
    }

    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
