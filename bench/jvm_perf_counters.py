#!/usr/bin/env python3
"""A HotSpot JVM's perf-data counters, read from its hsperfdata file (the one jstat reads: $TMPDIR/hsperfdata_<user>/
<pid>), without attaching to the JVM: no safepoint, no thread in it, so it can be read around single commands.

    python3 bench/jvm_perf_counters.py PID          # the GC figures below, once
    from jvm_perf_counters import PerfData; PerfData(pid).gc()   # the same as a dict (imap_phases.py --gc)

gc(): young collections so far and their milliseconds (G1's "young" collector also counts mixed collections), other
collections (full, and the concurrent cycles' pauses), eden used and its current capacity in MB (G1 updates eden's
use when a mutator takes a new region: 4 MB steps on the IMAP benchmark's heap), survivor and old use, old
capacity, safepoints and their milliseconds. Used by bench/README.md's IMAP chapter, h-gc (twenty-first session).
"""
import glob
import mmap
import os
import struct
import sys
import tempfile


class PerfData:
    def __init__(self, pid):
        paths = glob.glob(os.path.join(tempfile.gettempdir(), "hsperfdata_*", str(pid)))
        if not paths:
            raise FileNotFoundError("no hsperfdata file for pid %s (a JVM started with -XX:-UsePerfData?)" % pid)
        with open(paths[0], "rb") as f:
            self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        order = ">" if self.data[4] == 0 else "<"
        self.order = order
        # prologue: magic, byte order, major, minor, accessible, used, overflow, modification time, entry offset, count
        entry_offset, count = struct.unpack(order + "II", self.data[24:32])
        self.offsets = {}
        at = entry_offset
        for _ in range(count):
            length, name_offset, vector_length, data_type, _, _, _, data_offset = struct.unpack(
                order + "IIIBBBBI", self.data[at:at + 20])
            end = self.data.find(b"\0", at + name_offset)
            if data_type == ord("J") and vector_length == 0:
                self.offsets[self.data[at + name_offset:end].decode()] = at + data_offset
            at += length

    def long(self, name, default=0):
        at = self.offsets.get(name)
        return default if at is None else struct.unpack(self.order + "q", self.data[at:at + 8])[0]

    def gc(self):
        ticks = self.long("sun.os.hrt.frequency", 1) or 1
        mb = 1024.0 * 1024.0
        return {
            "young": self.long("sun.gc.collector.0.invocations"),
            "young_ms": self.long("sun.gc.collector.0.time") * 1000.0 / ticks,
            "other": self.long("sun.gc.collector.1.invocations") + self.long("sun.gc.collector.2.invocations"),
            "eden_mb": self.long("sun.gc.generation.0.space.0.used") / mb,
            "eden_capacity_mb": self.long("sun.gc.generation.0.space.0.capacity") / mb,
            "survivor_mb": self.long("sun.gc.generation.0.space.2.used") / mb,
            "old_mb": self.long("sun.gc.generation.1.space.0.used") / mb,
            "old_capacity_mb": self.long("sun.gc.generation.1.space.0.capacity") / mb,
            "safepoints": self.long("sun.rt.safepoints"),
            "safepoint_ms": self.long("sun.rt.safepointTime") * 1000.0 / ticks,
        }


if __name__ == "__main__":
    for key, value in PerfData(int(sys.argv[1])).gc().items():
        print("%s=%s" % (key, ("%.1f" % value) if isinstance(value, float) else value))
