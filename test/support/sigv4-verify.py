"""Checks SigV4 signatures with botocore's SigV4Auth, an implementation independent of the client's.

Started once with the known credentials and region as a JSON argument:
  {"region": "eu-west-1", "service": "execute-api", "keys": {"AKID": {"secret": "...", "token": "..."}}}
then reads one JSON request per line ({"method", "url", "headers", "body" (base64)}) and answers one
JSON line per request: {"ok": true, "accessKeyId": ...} or {"ok": false, "reason": ...}.
"""

import base64
import datetime
import hmac
import json
import re
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$"
)
MAX_SKEW = datetime.timedelta(minutes=5)


def verify(config, request):
    headers = {name.lower(): value for name, value in request["headers"].items()}
    match = AUTHORIZATION.match(headers.get("authorization", ""))
    if not match:
        return "no SigV4 Authorization header"
    key_id, date, region, service, signed_names, signature = match.groups()
    key = config["keys"].get(key_id)
    if key is None:
        return "unknown access key"
    if region != config["region"] or service != config["service"]:
        return "wrong credential scope"
    timestamp = headers.get("x-amz-date", "")
    if not re.match(r"^\d{8}T\d{6}Z$", timestamp) or timestamp[:8] != date:
        return "X-Amz-Date missing or not the scope's date"
    signed_at = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs(datetime.datetime.now(datetime.timezone.utc) - signed_at) > MAX_SKEW:
        return "signature expired"
    names = signed_names.split(";")
    if "host" not in names or "x-amz-date" not in names:
        return "host and x-amz-date must be signed"
    if key.get("token") is not None and headers.get("x-amz-security-token") != key["token"]:
        return "wrong session token"
    if any(name not in headers for name in names):
        return "a signed header is missing"
    # Exactly the headers the client signed, as received; botocore builds its own canonical request.
    aws_request = AWSRequest(
        method=request["method"],
        url=request["url"],
        headers={name: headers[name] for name in names},
        data=base64.b64decode(request.get("body") or ""),
    )
    aws_request.context["timestamp"] = timestamp
    auth = SigV4Auth(Credentials(key_id, key["secret"], key.get("token")), service, region)
    expected = auth.signature(auth.string_to_sign(aws_request, auth.canonical_request(aws_request)), aws_request)
    if not hmac.compare_digest(expected, signature):
        return "signature does not match"
    return None


def main():
    config = json.loads(sys.argv[1])
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reason = verify(config, request)
        except Exception as error:  # a malformed request is refused, never the verifier's end
            request, reason = {}, f"unreadable request: {error}"
        answer = {"ok": True, "id": request.get("id")} if reason is None else {"ok": False, "id": request.get("id"), "reason": reason}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
