#!/usr/bin/env bash
# Runs the codec benchmarks and prints the table of MB/s and ratios.
#
#   benches/run.sh                 # everything, a few minutes
#   benches/run.sh parse_mixed10mb # a criterion filter, passed through
#   benches/run.sh --report-only   # the table of the last run only
set -euo pipefail
cd "$(dirname "$0")"
if [[ "${1:-}" == "--report-only" ]]; then
    exec python3 report.py
fi
start=$(date +%s)
cargo bench --bench codec -- "$@"
python3 report.py --since "$start"
