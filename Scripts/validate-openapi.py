#!/usr/bin/env python3
"""Checks real answers of `lbp serve` against its OpenAPI 3.1 document.

Usage: validate-openapi.py SPEC.json ANSWERS.jsonl

SPEC.json is Sources/Service/openapi.json. Each line of ANSWERS.jsonl is one answer:
{"path": "/v1/lines/{claim_id}/{line}", "method": "get", "status": 200,
 "content_type": "application/json", "body": "<the body as text>"}.
The document itself is validated (openapi-spec-validator, when installed), then every JSON body
(and each line of a JSON Lines body) against the schema the document gives for that route,
method, status and media type. Exit 0 when every answer fits; 1 with one line per misfit.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate-openapi: python3 -m pip install jsonschema (needed to check answers)")


def main():
    spec_path, answers_path = sys.argv[1], sys.argv[2]
    spec = json.load(open(spec_path, encoding="utf-8"))
    try:
        from openapi_spec_validator import validate
        validate(spec)
    except ImportError:
        print("validate-openapi: openapi-spec-validator not installed; the document itself is not checked")
    problems, checked = [], 0
    for number, text in enumerate(open(answers_path, encoding="utf-8"), 1):
        answer = json.loads(text)
        operation = spec["paths"].get(answer["path"], {}).get(answer["method"])
        if operation is None:
            problems.append(f"answer {number}: {answer['method'].upper()} {answer['path']} is not in the document")
            continue
        response = operation["responses"].get(str(answer["status"]))
        if response is None:
            problems.append(f"answer {number}: {answer['path']} answered {answer['status']}, not in the document")
            continue
        media = answer["content_type"].split(";")[0].strip()
        content = response.get("content", {}).get(media)
        if content is None:
            problems.append(f"answer {number}: {answer['path']} {answer['status']} answered {media}, not in the document")
            continue
        if not media.startswith("application/json") and media != "application/x-ndjson":
            checked += 1
            continue
        bodies = [json.loads(line) for line in answer["body"].splitlines() if line.strip()] \
            if media == "application/x-ndjson" else [json.loads(answer["body"])]
        schema = dict(content["schema"])
        schema["components"] = spec["components"]
        validator = jsonschema.Draft202012Validator(schema)
        for body in bodies:
            for error in validator.iter_errors(body):
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"answer {number}: {answer['method'].upper()} {answer['path']} {answer['status']}: at {where or 'top'}: {error.message[:200]}")
        checked += 1
    for problem in problems:
        print(problem)
    print(f"validate-openapi: {checked} answers checked, {len(problems)} misfits")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
