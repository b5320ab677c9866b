/**
 * The sorter: decides for every incoming message and local recipient a {@link org.mailroom.sorter.Decision}
 * (Priority, Inbox or Spam, keywords, scores and reasons) from {@link org.mailroom.sorter.Signal}s over an
 * {@link org.mailroom.sorter.IncomingMail}. Scores are log-odds per {@link org.mailroom.sorter.Dimension}; user
 * rules are checked first and always win. Free of James, SMTP and JDBC types: the state it learns lives behind
 * interfaces defined here and implemented by storage.
 */
package org.mailroom.sorter;
