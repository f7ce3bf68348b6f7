package dev.migwatch.alert;

/** Figures written for people in alert messages. */
final class Texts {
    private Texts() {
    }

    /** 45 s, 12 min 3 s, 2 h 5 min, 3 d 4 h. */
    static String seconds(long s) {
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        if (s < 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
    }
}
