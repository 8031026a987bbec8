#!/usr/bin/env python3
"""Shares of a JFR recording's execution samples (src/bench/profile.sh KEEP_JFR=...).

Usage: src/bench/jfr-shares.py FILE.jfr [FRAME ...]
Prints the share of samples under each playcounter frame (inclusive: anywhere in the stack),
the samples under the store by their innermost store frame (the JDK code it calls included), and
for each FRAME given, what it calls (the frame just above it), with its own time as "(self)".
"""
import collections
import re
import subprocess
import sys

out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128",
                      sys.argv[1]], capture_output=True, text=True, check=True).stdout
stacks, stack = [], None
for line in out.splitlines():
    line = line.strip()
    if line.startswith("jdk.ExecutionSample"):
        if stack is not None:
            stacks.append(stack)
        stack = []
    m = re.match(r"([\w.$<>]+)\(.*line: \d+", line)
    if m and stack is not None:
        stack.append(m.group(1))  # innermost first
if stack:
    stacks.append(stack)
total = len(stacks) or 1
pct = lambda n: f"{n * 100 / total:5.1f}%"
inclusive = collections.Counter(f for s in stacks for f in set(s))
print(f"{len(stacks)} samples; under playcounter frames (inclusive):")
for f, n in sorted(((f, n) for f, n in inclusive.items() if f.startswith("org.playcounter.")),
                   key=lambda x: -x[1])[:30]:
    print(f"  {pct(n)}  {f}")
store = collections.Counter()
for s in stacks:
    inner = next((f for f in s if f.startswith("org.playcounter.store.")), None)
    if inner:
        store[inner] += 1
print(f"under the store: {pct(sum(store.values()))}; by innermost store frame:")
for f, n in store.most_common(15):
    print(f"  {pct(n)}  {f}")
for target in sys.argv[2:]:
    callees = collections.Counter()
    for s in stacks:
        if target in s:
            i = s.index(target)
            callees[s[i - 1] if i > 0 else "(self)"] += 1
    print(f"what {target} calls:")
    for f, n in callees.most_common(10):
        print(f"  {pct(n)}  {f}")
