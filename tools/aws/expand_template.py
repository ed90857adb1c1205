#!/usr/bin/env python3.11
"""Print a SAM template as the plain CloudFormation AWS would deploy: AWS::LanguageExtensions (Fn::ForEach
expanded over the parameter defaults), then the SAM transform, both as cfn-lint runs them.

    python3.11 tools/aws/expand_template.py template.yaml [--param Name=Value ...] > out.json

--param sets a parameter's Default before the transforms, so a ForEach over a CommaDelimitedList expands over
that value. Because AWS::LanguageExtensions is declared, cfn-lint also replaces a Ref to a parameter with a
non-empty Default by that Default inside Resources (e.g. WorkflowType, LogRetentionDays, SecretsPrefix), so
the output is the stack as deployed with the defaults (and the --param values). SAM's local CodeUri becomes
cfn-lint's placeholder Code (S3Bucket "bucket", S3Key "value"), as `sam package` would put an S3 location
there. The output is JSON with sorted keys, indent 1 and a trailing newline, so it diffs well. Any decode or
transform error is printed to stderr and the exit code is 1.
"""

import argparse
import json
import sys

from cfnlint.decode import decode
from cfnlint.template import Template
from cfnlint.template.transforms import Transform


def parse_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected Name=Value, got {text!r}")
    return name, value


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template")
    parser.add_argument("--param", action="append", type=parse_param, default=[], metavar="Name=Value",
                        help="parameter Default to expand with (repeatable)")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)

    tpl, matches = decode(args.template)
    if matches or tpl is None:
        for match in matches:
            print(match, file=sys.stderr)
        return 1

    parameters = tpl.get("Parameters", {})
    for name, value in args.param:
        if name not in parameters:
            print(f"{args.template}: no parameter {name}", file=sys.stderr)
            return 1
        parameters[name]["Default"] = value

    transform = Transform()
    declared = tpl.get("Transform", [])
    declared = declared if isinstance(declared, list) else [declared]
    unknown = [name for name in declared if name not in transform.transforms]
    if unknown:
        print(f"{args.template}: cannot expand transform(s) {unknown}", file=sys.stderr)
        return 1

    cfn = Template(args.template, tpl, [args.region])
    matches = transform.transform(cfn)
    if matches:
        for match in matches:
            print(match, file=sys.stderr)
        return 1

    # Every declared transform has run: what is left is plain CloudFormation.
    cfn.template.pop("Transform", None)
    # decode() gives str/dict subclasses that carry line marks; json serialises them as plain values.
    sys.stdout.write(json.dumps(cfn.template, sort_keys=True, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
