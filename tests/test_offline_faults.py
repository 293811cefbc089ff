"""Fault injection in the offline model: what each specification does on the wire and to the client."""

import time

import httpx
import openai
import pytest

from workbook.offline import Options, start_in_background
from workbook.offline.faults import FaultSpecError, parse_fault

CHAT = {"model": "course-model", "messages": [{"role": "user", "content": "Hello"}]}


@pytest.mark.parametrize("spec, expected", [
    ("429;retry-after=1", dict(status=429, retry_after=1.0)),
    ("500", dict(status=500)),
    ("503;times=2", dict(status=503, times=2)),
    ("drop", dict(drop=True)),
    ("slow-first-token=2000ms", dict(first_byte_delay=2.0)),
    ("slow-first-token=1.5s;500", dict(first_byte_delay=1.5, status=500)),
])
def test_specifications_parse(spec, expected):
    fault = parse_fault(spec)
    for name, value in expected.items():
        assert getattr(fault, name) == value


@pytest.mark.parametrize("spec", ["none", "", " off "])
def test_none_means_no_fault(spec):
    assert parse_fault(spec) is None


@pytest.mark.parametrize("spec, says", [
    ("418x", "unknown fault"),
    ("200", "not an error status"),
    ("retry-after=1", "needs a status"),
    ("429;retry-after=soon", "number of seconds"),
    ("slow-first-token=fast", "duration"),
    ("500;times=0", "times must be"),
    ("500;drop", "choose one"),
    ("times=2", "no fault given"),
])
def test_bad_specifications_say_what_is_wrong(spec, says):
    with pytest.raises(FaultSpecError, match=says):
        parse_fault(spec)


def test_bad_server_option_fails_at_start():
    with pytest.raises(FaultSpecError, match="unknown fault"):
        start_in_background(Options(faults="teapot"))


def _post(server, headers=None, body=CHAT):
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer k", **(headers or {})},
                      timeout=10) as http:
        return http.post("/chat/completions", json=body)


def test_bad_header_gets_a_400_in_openai_format(server):
    response = _post(server, {"X-Offline-Fault": "429;retry-after=later"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_fault" and error["param"] == "X-Offline-Fault"
    assert "retry-after must be a number of seconds" in error["message"] and "'500'" in error["message"]


def test_429_has_retry_after_and_openai_error_body(server):
    response = _post(server, {"X-Offline-Fault": "429;retry-after=1"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_times_fails_the_first_identical_requests_then_starts_again_after_a_success(server):
    body = {**CHAT, "messages": [{"role": "user", "content": "times test 1"}]}
    statuses = [_post(server, {"X-Offline-Fault": "500;times=2"}, body).status_code for _ in range(6)]
    assert statuses == [500, 500, 200, 500, 500, 200]
    other = {**CHAT, "messages": [{"role": "user", "content": "times test 2"}]}
    assert _post(server, {"X-Offline-Fault": "500;times=2"}, other).status_code == 500  # its own count


def test_no_header_means_no_fault_on_a_normal_server(server):
    assert _post(server).status_code == 200


def test_dropped_connection_is_a_protocol_error_for_the_client(server):
    with pytest.raises(httpx.RemoteProtocolError):
        _post(server, {"X-Offline-Fault": "drop"})
    assert _post(server).status_code == 200  # the server itself is fine afterwards


def test_official_client_retries_a_transient_429_and_honours_retry_after(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=2,
                           default_headers={"X-Offline-Fault": "429;retry-after=1;times=1"})
    start = time.monotonic()
    raw = client.chat.completions.with_raw_response.create(
        model="course-model", messages=[{"role": "user", "content": "retry-after test"}])
    assert raw.retries_taken == 1
    assert time.monotonic() - start >= 0.9  # it waited the second the server asked for
    assert raw.parse().choices[0].message.content


def test_official_client_gives_up_after_its_retries_with_the_status_error(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=1,
                           default_headers={"X-Offline-Fault": "500"})
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(**CHAT)
    assert caught.value.status_code == 500


def test_slow_first_token_trips_a_client_timeout(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0, timeout=0.3,
                           default_headers={"X-Offline-Fault": "slow-first-token=1500ms"})
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(**CHAT)


def test_server_wide_fault_and_header_override():
    with start_in_background(Options(faults="503")) as faulty:
        assert _post(faulty).status_code == 503
        assert _post(faulty, {"X-Offline-Fault": "none"}).status_code == 200
    # GET requests are never faulted: listing models still works for doctor and clients.
    with start_in_background(Options(faults="500")) as faulty:
        with httpx.Client(base_url=faulty.base_url, headers={"Authorization": "Bearer k"}) as http:
            assert http.get("/models").status_code == 200


def test_serve_fault_flag_injects_into_every_request_and_refuses_a_bad_one():
    import subprocess
    import sys

    from workbook.offline import free_port

    bad = subprocess.run([sys.executable, "-m", "workbook", "serve", "--fault", "429;retry-after=soon"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--fault:" in bad.stdout and "retry-after" in bad.stdout
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "workbook", "serve", "--port", str(port), "--fault", "503"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        for _ in range(300):
            try:
                httpx.get(base + "/models", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        reply = httpx.post(base + "/chat/completions", headers={"Authorization": "Bearer k"}, timeout=30,
                           json={"model": "course-model", "messages": [{"role": "user", "content": "Hi"}]})
        assert reply.status_code == 503 and reply.json()["error"]["message"]
        healthy = httpx.post(base + "/chat/completions", timeout=30,
                             headers={"Authorization": "Bearer k", "X-Offline-Fault": "none"},
                             json={"model": "course-model", "messages": [{"role": "user", "content": "Hi"}]})
        assert healthy.status_code == 200  # a request's own header overrides the server-wide fault
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=15)
    assert "answering every request with the fault '503'" in " ".join(out.split())  # rich wraps lines
