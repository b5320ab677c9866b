package org.mailroom.sorter.learning;

/** Where mail a user sent goes to teach importance: {@code ImportanceModel::learnSent}. */
@FunctionalInterface
public interface SentLearning {

    void learnSent(SentMail sent);
}
