package org.mailroom.dist.config;

/** One thing wrong with a bound configuration: the dotted key it is about and a sentence saying what is wrong. */
record ConfigProblem(String key, String message) {
}
