/** The incoming message parsed once (mime4j, jsoup) into what signals read: headers, text, links, attachments. */
package org.mailroom.sorter.message;
