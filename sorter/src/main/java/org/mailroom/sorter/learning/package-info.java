/**
 * What the sorter learns from: {@link org.mailroom.sorter.learning.UserAction}s published by the IMAP side through
 * {@link org.mailroom.sorter.learning.UserActionListener}. Free of James and storage types on purpose.
 */
package org.mailroom.sorter.learning;
