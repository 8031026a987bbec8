#!/usr/bin/env python3
"""Heap cost of the counts, and of streaming them out, in a real Jetty 12 distribution.

For each size (default 1,000,000 and 10,000,000 distinct songs) this starts the built WAR in its
own Jetty JVM on 127.0.0.1, fills it with bulk POSTs, and reports:
  - heap used by the counts per song: (heap after a full GC, filled) - (heap after a full GC, empty)
  - GET / : wall time, bytes, and peak extra heap while it streams
  - drain (DELETE / with Prefer: return=representation): the same
"Peak extra heap" is the largest heap-after-GC that the GC log shows while the request runs,
minus the filled baseline. The young generation is kept small (-Xmn32m) so that collections
happen often during the request and the after-GC figures track what the request keeps alive.

Usage: python3 src/bench/memory.py [SONGS ...]     (run `mvn -DskipTests verify` first, or let
the script do it; PLAYCOUNTER_WAR=path/to.war measures that WAR instead). Starts and stops only the Jetty process it launched, by its process id.
"""
import glob
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAP = "-Xmx6g"
BODY_LIMIT = 8 << 20


def build():
    wars = glob.glob(os.path.join(ROOT, "target", "playcounter-*.war"))
    homes = glob.glob(os.path.join(ROOT, "target", "containers", "jetty-home-12.1.*"))
    if not wars or not homes:
        subprocess.run(["mvn", "-B", "-q", "-DskipTests", "verify"], cwd=ROOT, check=True)
        wars = glob.glob(os.path.join(ROOT, "target", "playcounter-*.war"))
        homes = glob.glob(os.path.join(ROOT, "target", "containers", "jetty-home-12.1.*"))
    # PLAYCOUNTER_WAR=path measures another build (an older one, for a comparison in one run)
    return os.environ.get("PLAYCOUNTER_WAR", wars[0]), homes[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_jetty(war, home, port, base):
    subprocess.run(["java", "-jar", os.path.join(home, "start.jar"),
                    "--add-modules=server,http,ee10-deploy"], cwd=base, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(war, os.path.join(base, "webapps", "ROOT.war"))
    gc_log = os.path.join(base, "gc.log")
    cmd = ["java", HEAP, "-Xmn32m", "-XX:+UseParallelGC", "-Xlog:gc:file=" + gc_log,
           "-Dplaycounter.max-body-bytes=%d" % BODY_LIMIT, "-Dplaycounter.max-songs=20000000",
           "-jar", os.path.join(home, "start.jar"), "jetty.http.host=127.0.0.1",
           "jetty.http.port=%d" % port]
    proc = subprocess.Popen(cmd, cwd=base, stdout=open(os.path.join(base, "jetty.log"), "w"),
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _ = request(port, "GET", "/song/0")
            if status == 200:
                return proc, gc_log
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("jetty did not start; see " + base)


def request(port, method, path, body=None, headers=None, sink=False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    if sink:
        total = 0
        while True:
            chunk = resp.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
        conn.close()
        return resp.status, total
    data = resp.read()
    conn.close()
    return resp.status, data


def heap_used_after_full_gc(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True,
                         capture_output=True, text=True).stdout
    used = 0
    for line in out.splitlines():
        if "Metaspace" in line or "class space" in line:
            continue
        m = re.search(r"(?:PSYoungGen|ParOldGen)\s+total \d+K, used (\d+)K", line)
        if m:
            used += int(m.group(1)) * 1024
    return used


def gc_after_values(gc_log, from_line):
    values = []
    with open(gc_log) as f:
        lines = f.readlines()
    for line in lines[from_line:]:
        m = re.search(r"(\d+)M->(\d+)M\(\d+M\)", line)
        if m:
            values.append(int(m.group(2)) << 20)
    return values, len(lines)


def line_count(path):
    with open(path) as f:
        return sum(1 for _ in f)


def fill(port, songs):
    pairs_per_body = 500_000
    start = time.time()
    for first in range(0, songs, pairs_per_body):
        last = min(songs, first + pairs_per_body)
        body = ",".join("s%d=%d" % (i, 1 + i % 7) for i in range(first, last))
        status, data = request(port, "POST", "/", body=body.encode("ascii"),
                               headers={"Content-Type": "text/plain"}, sink=True)
        if status != 200:
            raise SystemExit("fill failed: %s" % status)
    return time.time() - start


def measure(port, gc_log, baseline, method, headers):
    mark = line_count(gc_log)
    start = time.time()
    status, size = request(port, method, "/", headers=headers, sink=True)
    elapsed = time.time() - start
    if status != 200:
        raise SystemExit("%s / answered %s" % (method, status))
    time.sleep(0.5)
    after, _ = gc_after_values(gc_log, mark)
    peak = max(after) - baseline if after else 0
    return elapsed, size, peak, len(after)


def run(songs, war, home):
    base = tempfile.mkdtemp(prefix="playcounter-memory-")
    port = free_port()
    proc, gc_log = start_jetty(war, home, port, base)
    try:
        empty = heap_used_after_full_gc(proc.pid)
        fill_secs = fill(port, songs)
        filled = heap_used_after_full_gc(proc.pid)
        per_song = (filled - empty) / songs
        get = measure(port, gc_log, filled, "GET", {})
        filled = heap_used_after_full_gc(proc.pid)
        drain = measure(port, gc_log, filled, "DELETE", {"Prefer": "return=representation"})
        drained = heap_used_after_full_gc(proc.pid)
        status, body = request(port, "GET", "/")
        assert status == 200 and body == b"", "drain left songs behind"
        mib = 1 << 20
        print("songs %12s | fill %6.1f s | counts %7.1f MiB = %5.1f bytes/song | "
              "GET / %6.2f s, %6.1f MiB body, peak +%6.1f MiB heap (%d GCs) | "
              "drain %6.2f s, peak +%6.1f MiB heap (%d GCs) | heap after drain %6.1f MiB"
              % (format(songs, ","), fill_secs, (filled - empty) / mib, per_song,
                 get[0], get[1] / mib, get[2] / mib, get[3],
                 drain[0], drain[2] / mib, drain[3], drained / mib), flush=True)
        return per_song, get[0], drain[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(base, ignore_errors=True)


def chart(title, ylabel, out, lines, *series):
    """Draws lines ("label value ...") with chart_bars of lib.sh, as every benchmark does."""
    lib = os.path.join(ROOT, "src", "bench", "lib.sh")
    subprocess.run(["bash", "-c", '. "$0"; chart_bars "$@"', lib, title, ylabel, out, *series],
                   input="".join(line + "\n" for line in lines), text=True)


def main():
    sizes = [int(a.replace("_", "")) for a in sys.argv[1:]] or [1_000_000, 10_000_000]
    war, home = build()
    print("playcounter memory benchmark: %s, Jetty %s, %s -Xmn32m ParallelGC, java %s"
          % (os.path.basename(war), os.path.basename(home), HEAP,
             subprocess.run(["java", "-version"], capture_output=True, text=True)
             .stderr.splitlines()[0]))
    results = [(songs, run(songs, war, home)) for songs in sizes]
    stamp = "%s %s" % (time.strftime("%Y-%m-%d", time.gmtime()), subprocess.run(
        ["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip())
    chart("memory.py: heap per song, %s" % stamp, "bytes per song (heap after a full GC)",
          "memory-per-song.svg", ["%s songs %.1f" % (format(n, ","), r[0]) for n, r in results])
    chart("memory.py: GET / and drain of every song, %s" % stamp, "seconds", "memory-get-drain.svg",
          ["%s songs %.2f %.2f" % (format(n, ","), r[1], r[2]) for n, r in results], "GET /", "drain")


if __name__ == "__main__":
    main()
