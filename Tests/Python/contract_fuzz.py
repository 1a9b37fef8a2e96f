#!/usr/bin/env python3
"""The contract fuzzer: schemathesis, pointed at the platform's served /openapi.json, checks that every
answer is one the document promises (status, content type, headers, body schema) and that none is a 5xx.

Environment:
  PLATFORM_URL        the platform's root URL, such as http://127.0.0.1:8080
  FUZZ_SEED           the seed of the generated requests (a fixed one makes a run repeatable)
  FUZZ_MAX_EXAMPLES   generated requests per operation and phase
  (stdin)             two platform API tokens of two tenants, one a line (never printed): the first runs
                      every operation but the destructive ones, the second runs those alone (revokeToken
                      may revoke the very token that calls it; deleteMe deletes its whole account)

Runs schemathesis in this process, so the tokens reach it as arguments of a function call, never as a
command line or an environment variable of another process; its output is sanitized (the Authorization
header is masked in the curl commands it prints), and it runs in a scratch folder that is removed after
it, since it stores the cases it failed on (for `st replay`) under `.schemathesis` in its working folder.
Exits 0 when both runs found nothing, else 1 (2 for a usage error).
"""

import os
import sys
import tempfile

# Deleting the account or revoking a token ends the credentials that call it: the first run leaves these
# out, the second runs only them, with a tenant of their own.
DESTRUCTIVE = ["revokeToken", "deleteMe"]

# Every check schemathesis has about the contract: the status, content type, headers and schema of each
# answer, no 5xx, bad input rejected and good input accepted, 405 with Allow for an undeclared method,
# a missing or ignored credential refused.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "ignored_auth",
    ]
)


def settings():
    """The environment's settings this script reads; exits 2 naming those missing."""
    names = ["PLATFORM_URL", "FUZZ_SEED", "FUZZ_MAX_EXAMPLES"]
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        print(f"usage error: not set in the environment: {', '.join(missing)}", file=sys.stderr, flush=True)
        sys.exit(2)
    return {name: os.environ[name] for name in names}


def run(label, token, filters):
    """Runs `schemathesis run` with `filters`; answers its exit status."""
    from schemathesis.cli import schemathesis

    setting = settings()
    arguments = [
        "--config-file",
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml"),
        "--no-color",
        "run",
        f"{setting['PLATFORM_URL']}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        setting["FUZZ_SEED"],
        "--max-examples",
        setting["FUZZ_MAX_EXAMPLES"],
        # One worker: with more, hypothesis parses source (ast.parse, to describe its filters) in several
        # threads at once, which CPython 3.11 can fail with "AST constructor recursion depth mismatch"
        # (python/cpython#106905), reported as a KeyError in the run (seen on listAuditLog and listAgents).
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--output-sanitize",
        "true",
        *filters,
    ]
    print(f"run: {label}", flush=True)
    try:
        schemathesis.main(args=arguments, prog_name="schemathesis", standalone_mode=True)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0


def main():
    settings()
    tokens = sys.stdin.read().split()
    if len(tokens) != 2:
        print("usage error: expected two tokens on standard input, one a line", file=sys.stderr, flush=True)
        sys.exit(2)
    exclude = [argument for name in DESTRUCTIVE for argument in ("--exclude-operation-id", name)]
    include = [argument for name in DESTRUCTIVE for argument in ("--include-operation-id", name)]
    with tempfile.TemporaryDirectory(prefix="contract-fuzz-") as scratch:
        os.chdir(scratch)
        statuses = [run("every operation but the destructive ones", tokens[0], exclude)]
        statuses.append(run("the destructive operations, with a tenant of their own", tokens[1], include))
    print(f"exit statuses: {[int(status) for status in statuses]}", flush=True)
    sys.exit(0 if all(status == 0 for status in statuses) else 1)


if __name__ == "__main__":
    main()
