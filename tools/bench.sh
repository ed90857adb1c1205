#!/usr/bin/env bash
# The one benchmark command: the Core hot path per alarm kind and DLQ enrichment (BenchmarkDotNet, Release).
# Extra arguments go to BenchmarkDotNet, e.g. tools/bench.sh --filter '*DecidePath*'.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project tools/Bench -- --filter '*' "$@"
