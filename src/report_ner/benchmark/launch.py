"""Run one command and report its wall time, peak RSS and exit code as JSON.

``python -m report_ner.benchmark.launch RESULT.json COMMAND...``. The benchmark starts its
timed runs through this small process because Linux charges a child, at ``exec``, with
the resident set of the process that forked it: timed runs started straight from the
benchmark (which has loaded a model to score the gold files) would all report at least the
benchmark's own memory. This launcher holds a few megabytes, less than any run it starts.
Only the standard library is imported here, for the same reason.
"""

import json
import os
import subprocess
import sys
import time


def main(result_path: str, argv: list[str]) -> int:
    start = time.perf_counter()
    process = subprocess.Popen(argv)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:  # interrupted: leave no run going on behind the benchmark
        process.kill()
        process.wait()
        raise
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    peak_mb = usage.ru_maxrss / (1024**2 if sys.platform == "darwin" else 1024)
    with open(result_path, "w", encoding="utf-8") as out:
        json.dump({"seconds": seconds, "peak_rss_mb": peak_mb, "exit_code": process.returncode}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
