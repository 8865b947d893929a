"""An S3-compatible server for the tests: moto's server mode in a thread, on a free port of
127.0.0.1, and a plain boto3 client that arranges and checks its buckets independently of the
app's own client (obstore)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from teams.file_store import S3Location

REGION = "eu-central-1"
KEY_ID = "kaizen-test-key"
SECRET = "kaizen-test-secret"  # moto accepts any credentials
_CLIENTS: dict[str, Any] = {}  # boto3 clients by endpoint


def _client(endpoint: str) -> Any:
    if endpoint not in _CLIENTS:
        import boto3

        _CLIENTS[endpoint] = boto3.client(
            "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
        )
    return _CLIENTS[endpoint]


def object_names(location: S3Location) -> list[str]:
    """The names of every object under the location's prefix (the prefix left off)."""
    prefix = f"{location.prefix}/" if location.prefix else ""
    listing = _client(location.endpoint).list_objects_v2(Bucket=location.bucket, Prefix=prefix)
    return sorted(item["Key"].removeprefix(prefix) for item in listing.get("Contents", []))


def object_bytes(location: S3Location, name: str) -> bytes:
    key = f"{location.prefix}/{name}" if location.prefix else name
    data: bytes = _client(location.endpoint).get_object(Bucket=location.bucket, Key=key)["Body"].read()
    return data


@dataclass
class S3Server:
    server: Any  # moto.server.ThreadedMotoServer
    endpoint: str

    def new_bucket(self, prefix: str = "") -> S3Location:
        bucket = f"kaizen-test-{uuid.uuid4().hex[:16]}"
        _client(self.endpoint).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        return S3Location(
            bucket=bucket,
            prefix=prefix,
            endpoint=self.endpoint,
            region=REGION,
            access_key_id=KEY_ID,
            secret_access_key=SECRET,
        )

    def stop(self) -> None:
        _CLIENTS.pop(self.endpoint, None)
        self.server.stop()


def start_s3_server() -> S3Server:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return S3Server(server=server, endpoint=f"http://{host}:{port}")
