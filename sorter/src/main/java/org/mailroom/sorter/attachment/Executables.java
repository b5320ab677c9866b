package org.mailroom.sorter.attachment;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What counts as something that runs when opened: by file name extension, and by detected content type. */
final class Executables {

    /** Programs, scripts, installers, shortcuts and disk images that mail-borne malware uses. */
    private static final Set<String> PROGRAM_EXTENSIONS = Set.of("exe", "scr", "com", "pif", "cpl", "bat", "cmd",
        "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "msi", "msp", "jar", "ps1", "psm1", "lnk", "reg", "dll",
        "iso", "img", "vhd", "vhdx", "appx", "msix", "application", "gadget", "sct", "chm", "xll", "one");
    /** Office files that may carry macros. */
    private static final Set<String> MACRO_EXTENSIONS = Set.of("docm", "dotm", "xlsm", "xltm", "xlam", "pptm",
        "potm", "ppam", "ppsm", "sldm");

    private static final Set<String> PROGRAM_TYPES = Set.of("application/x-msdownload", "application/x-dosexec",
        "application/x-executable", "application/x-elf", "application/x-sharedlib", "application/java-archive",
        "application/x-ms-shortcut", "application/x-ms-installer", "application/x-msi", "application/hta",
        "application/javascript", "text/javascript", "application/x-bat", "text/x-vbscript",
        "application/x-iso9660-image", "application/x-mach-o-executable", "application/vnd.ms-htmlhelp");

    /** How {@link AttachmentInspector} reports an archive holding a program (the entry name follows). */
    static final String INSIDE_ARCHIVE = "archive holds a program: ";

    private Executables() {
    }

    /** "program" or "macro-enabled Office file" when the name or type says so. */
    static Optional<String> kind(Optional<String> fileName, String type) {
        String lowerType = type.toLowerCase(Locale.ROOT);
        if (PROGRAM_TYPES.contains(lowerType)) {
            return Optional.of("program");
        }
        if (lowerType.contains("macroenabled")) {
            return Optional.of("macro-enabled Office file");
        }
        return fileName.flatMap(Executables::kindByName);
    }

    static Optional<String> kindByName(String fileName) {
        String extension = extension(fileName);
        if (PROGRAM_EXTENSIONS.contains(extension)) {
            return Optional.of("program");
        }
        if (MACRO_EXTENSIONS.contains(extension)) {
            return Optional.of("macro-enabled Office file");
        }
        return Optional.empty();
    }

    /** The lower-case extension, ignoring trailing dots and spaces that hide it ("invoice.exe. "). */
    static String extension(String fileName) {
        String name = fileName.strip().toLowerCase(Locale.ROOT);
        while (name.endsWith(".") || name.endsWith(" ")) {
            name = name.substring(0, name.length() - 1);
        }
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }
}
