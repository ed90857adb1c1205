#!/usr/bin/env bash
# Regenerates tools/local/template.expanded.json: template.yaml after AWS::LanguageExtensions and the SAM
# transform, with DlqArns set to the local stack's placeholder watched queue (the local stack instantiates
# that queue's Pipe role once per real watched queue by replacing the ARN). Commit the result; the deployment
# tests fail when it is stale. With a path argument it writes there instead (the tests' freshness check).
# PYTHON overrides the interpreter. Needs cfn-lint 1.51 under Python 3.11: pip install cfn-lint==1.51.0
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import cfnlint' 2>/dev/null; then
      python="$candidate"
      break
    fi
  done
fi
if [[ -z "$python" ]]; then
  echo "no python3.11 or python3 that can import cfnlint: pip install cfn-lint==1.51.0 (under Python 3.11)" >&2
  exit 1
fi
out="${1:-$root/tools/local/template.expanded.json}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$python" "$root/tools/aws/expand_template.py" "$root/template.yaml" \
  --param DlqArns=arn:aws:sqs:us-east-1:000000000000:watched-dlq > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
