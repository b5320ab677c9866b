/**
 * Attachments: their real content types and text (Apache Tika, within byte, time and nesting limits), and the
 * spam signals about them (executables, disguised types, archives that cannot be inspected such as zip bombs).
 */
package org.mailroom.sorter.attachment;
