# Sourced by the launchers (bin/mailroom, the repository's ./mailroom): class data sharing (AppCDS) for Mailroom's
# JVM. A started JVM spends seconds of CPU loading, parsing and verifying the ~9,600 classes a server uses; an
# archive of them, mapped at start, saves that on every later start and on the first messages and IMAP commands.
#
#   class_data_sharing_options JAVA LIB_DIR ARCHIVE_DIR ARGS...    sets the array cds_options (maybe empty)
#
# The archive is made by the server itself: a `start` finding no archive for the current jars and JDK runs with
# -XX:+RecordDynamicDumpInfo and $MAILROOM_CDS_DUMP naming the file, and writes it after its orderly stop
# (org.mailroom.dist.ClassDataArchive): the classes of a real run, no training load. Every later command (start,
# admin, status, stop) maps it. Its name holds a fingerprint of the jars (names, sizes, modification times) and of
# the JDK, so an upgrade of either simply makes a new one at the next orderly stop; the JVM checks the same things
# itself and, should the archive not match anyway, runs without it (its warnings are switched off: never a failed
# start, never noise in the output). Only HotSpot JDKs 17 and newer are given the options.
#   MAILROOM_CDS=off          no archive used or made
#   MAILROOM_CDS_DIR=DIR      where archives live (default: the launcher's choice, passed as ARCHIVE_DIR); nothing
#                             is made when DIR cannot be created or written (e.g. a read-only installation)
class_data_sharing_options() {
    local java=$1 lib=$2 dir=${MAILROOM_CDS_DIR:-$3}
    shift 3
    cds_options=()
    [[ "${MAILROOM_CDS:-on}" != off ]] || return 0
    local java_home
    java_home="$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")"
    # HotSpot's own layout; OpenJ9 and others name these options differently.
    [[ -f "$java_home/lib/server/libjvm.so" && -f "$java_home/release" ]] || return 0
    local version
    version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home/release")"
    [[ "$version" =~ ^[0-9]+$ ]] && (( version >= 17 )) || return 0
    local fingerprint
    fingerprint="$( { cat "$java_home/release"; stat -L -c '%n %s %Y' "$java_home/lib/modules" \
        "$java_home/lib/server/libjvm.so" "$lib"/*.jar; } 2>/dev/null | cksum | cut -d' ' -f1)" || return 0
    local archive="$dir/mailroom-$fingerprint.jsa"
    # The JVM's own messages about the archive (mismatch, skipped classes while dumping) stay out of the output.
    local quiet=(-Xlog:cds=off -Xlog:cds+dynamic=off)
    if [[ -f "$archive" ]]; then
        cds_options=(-XX:SharedArchiveFile="$archive" "${quiet[@]}")
    elif [[ "$(class_data_sharing_command "$@")" == start ]] && mkdir -p "$dir" 2>/dev/null && [[ -w "$dir" ]]; then
        cds_options=(-XX:+RecordDynamicDumpInfo "${quiet[@]}")
        export MAILROOM_CDS_DUMP="$archive"
    fi
}

# The command word of a Mailroom command line (start, stop, status, admin), past --config FILE.
class_data_sharing_command() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --config) shift 2 ;;
            -*) shift ;;
            *) echo "$1"; return ;;
        esac
    done
}
