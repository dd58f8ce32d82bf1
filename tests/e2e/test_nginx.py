"""Debian's nginx with the production nginx/nginx.conf in front of the production build of the app.

The configuration files are used as they are, with only the upstream host (`app:8000`) and the listen ports
(80, 443) replaced by loopback ones; nginx/select-server.sh picks plain HTTP or HTTPS exactly as at container
start. Each test runs against both sites: plain HTTP (no certificate) and HTTPS with a self-signed
certificate made here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import redis
import socketio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.app_fixtures import CHROMIUM, CHROMIUM_ARGS, chromium  # noqa: F401
from tests.e2e.prod_app import BACKEND_REDIS_URL, PUBLIC_ORIGIN, ROOT, ProdApp, free_port, prod_app  # noqa: F401

pytestmark = pytest.mark.slow

NGINX = Path("/usr/sbin/nginx")
NGINX_DIR = ROOT / "nginx"
SYSTEM_MIME_TYPES = Path("/etc/nginx/mime.types")
EVENT_NAMESPACE = "/_event"
HYDRATE_EVENT = "reflex___state____state.hydrate"
TELEGRAM_ANCESTORS = ("https://web.telegram.org", "https://*.telegram.org")


def _require_nginx() -> None:
    if NGINX.exists() and SYSTEM_MIME_TYPES.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("nginx is missing in CI: `apt-get install -y nginx`")
    pytest.skip("nginx not installed (apt-get install -y nginx); CI runs these tests")


def make_self_signed_certificate(ssl_dir: Path) -> Path:
    """fullchain.pem + privkey.pem for 127.0.0.1/localhost, as an operator would put them in nginx/ssl/."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lunch-bot e2e")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    ssl_dir.mkdir(parents=True, exist_ok=True)
    (ssl_dir / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    chain = ssl_dir / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return chain


def point_frontend_at(html: Path, origin: str) -> None:
    """Make the copied build talk to `origin`, as if exported with REFLEX_API_URL=origin for this site.

    Reflex bakes the backend URLs (http(s)://…/ping, ws(s)://…/_event) into one asset; its precompressed
    sidecar is dropped so nginx serves the rewritten file.
    """
    host = PUBLIC_ORIGIN.split("://", 1)[1]
    scheme, address = origin.split("://", 1)
    socket_scheme = "wss" if scheme == "https" else "ws"
    rewritten = 0
    for script in (html / "assets").glob("*.js"):
        text = script.read_text()
        if host not in text:
            continue
        text = text.replace(f"https://{host}", f"{scheme}://{address}").replace(
            f"wss://{host}", f"{socket_scheme}://{address}"
        )
        script.write_text(text)
        script.with_name(script.name + ".gz").unlink(missing_ok=True)
        rewritten += 1
    assert rewritten, f"the build has no backend URL for {PUBLIC_ORIGIN}"


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"expected exactly one {old!r} in {path.name}"
    path.write_text(text.replace(old, new))


def select_server(conf_dir: Path) -> str:
    """Run nginx/select-server.sh (the image's /docker-entrypoint.d script) against conf_dir."""
    result = subprocess.run(
        ["sh", str(NGINX_DIR / "select-server.sh")],
        env={**os.environ, "NGINX_CONF_DIR": str(conf_dir)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


@dataclass
class Site:
    scheme: str
    base_url: str
    http_port: int
    prefix: Path
    log_path: Path
    verify: ssl.SSLContext | bool
    process: subprocess.Popen[bytes]

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, verify=self.verify, timeout=15, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _start_nginx(scheme: str, app: ProdApp, root: Path) -> Site:
    prefix = root / scheme
    conf = prefix / "conf"
    conf.mkdir(parents=True)
    shutil.copy(NGINX_DIR / "nginx.conf", conf / "nginx.conf")
    shutil.copytree(NGINX_DIR / "lunch", conf / "lunch")
    shutil.copy(SYSTEM_MIME_TYPES, conf / "mime.types")
    shutil.copytree(app.frontend_dir, prefix / "html")
    verify: ssl.SSLContext | bool = False
    if scheme == "https":
        chain = make_self_signed_certificate(conf / "ssl")
        verify = ssl.create_default_context(cafile=str(chain))

    chosen = select_server(conf)
    active = conf / "lunch" / "active" / "server.conf"
    expected = "server-https.conf" if scheme == "https" else "server-http.conf"
    assert active.read_text() == (NGINX_DIR / "lunch" / expected).read_text()
    assert ("HTTPS" in chosen) == (scheme == "https")

    http_port, https_port = free_port(), free_port()
    _replace_once(conf / "nginx.conf", "server app:8000 ", f"server 127.0.0.1:{app.port} ")
    _replace_once(active, "listen 80 ", f"listen 127.0.0.1:{http_port} ")
    if scheme == "https":
        _replace_once(active, "listen 443 ", f"listen 127.0.0.1:{https_port} ")
    # nginx workers run as an unprivileged user when started by root: let them read the site.
    for path in [root, *root.rglob("*")]:
        if "ssl" not in path.parts:
            path.chmod(0o755 if path.is_dir() else 0o644)

    command = [str(NGINX), "-e", "stderr", "-p", f"{prefix}/", "-c", str(conf / "nginx.conf")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    log_path = prefix / "nginx.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
    port = https_port if scheme == "https" else http_port
    point_frontend_at(prefix / "html", f"{scheme}://127.0.0.1:{port}")
    site = Site(scheme, f"{scheme}://127.0.0.1:{port}", http_port, prefix, log_path, verify, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"nginx exited:\n{site.log_text()}"
        with contextlib.suppress(httpx.HTTPError), site.client() as client:
            if client.get("/nginx-health").status_code == 200:
                return site
        time.sleep(0.1)
    raise AssertionError(f"nginx did not start:\n{site.log_text()}")


def _stop_nginx(site: Site) -> None:
    if site.process.poll() is None:
        site.process.terminate()
        try:
            site.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            site.process.kill()
            site.process.wait(timeout=5)


@pytest.fixture(scope="module", params=["http", "https"])
def site(request: pytest.FixtureRequest, prod_app: ProdApp) -> Iterator[Site]:  # noqa: F811
    _require_nginx()
    # Not under pytest's 0700 temp dirs: nginx workers run as an unprivileged user and must reach the files.
    root = Path(tempfile.mkdtemp(prefix="lunch-nginx-"))
    try:
        started = _start_nginx(request.param, prod_app, root)
        try:
            yield started
        finally:
            _stop_nginx(started)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _hashed_asset(index_html: str) -> str:
    assets = re.findall(r'"(/assets/[A-Za-z0-9_.~-]+-[A-Za-z0-9_-]{8}\.(?:js|css))"', index_html)
    assert assets, "no hashed asset referenced by index.html"
    return assets[0]


def _assert_security_headers(response: httpx.Response, scheme: str) -> None:
    csp = response.headers.get("content-security-policy", "")
    ancestors = re.search(r"frame-ancestors ([^;]+)", csp)
    assert ancestors, f"no frame-ancestors in CSP: {csp!r}"
    for origin in TELEGRAM_ANCESTORS:
        assert origin in ancestors.group(1).split()
    assert "'none'" not in ancestors.group(1)
    assert "object-src 'none'" in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin"
    assert "x-frame-options" not in response.headers, "X-Frame-Options would stop Telegram from framing the app"
    if scheme == "https":
        assert response.headers.get("strict-transport-security", "").startswith("max-age=31536000")
    else:
        assert "strict-transport-security" not in response.headers


# --- the Mini App page and static files -----------------------------------------------------------------


def test_mini_app_page_loads(site: Site, prod_app: ProdApp) -> None:  # noqa: F811
    with site.client() as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.text == (prod_app.frontend_dir / "index.html").read_text()
        assert page.headers["cache-control"] == "no-cache"
        _assert_security_headers(page, site.scheme)
        # Deep links (a route without a prerendered file) get the SPA fallback, not an nginx 404.
        deep = client.get("/orders/42?from=telegram")
        assert deep.status_code == 200
        assert deep.headers["content-type"].startswith("text/html")
        assert "/assets/" in deep.text
        # Every script the page needs is served.
        for script in set(re.findall(r'src="(/assets/[^"]+\.js)"|href="(/assets/[^"]+\.js)"', page.text)):
            path = script[0] or script[1]
            assert client.get(path).status_code == 200, path


def test_hashed_asset_has_a_long_immutable_cache_and_gzip(site: Site) -> None:
    with site.client() as client:
        asset = _hashed_asset(client.get("/").text)
        response = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        cache = response.headers["cache-control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
        assert response.headers.get("content-encoding") == "gzip"
        assert "javascript" in response.headers["content-type"] or "css" in response.headers["content-type"]
        _assert_security_headers(response, site.scheme)
        missing = client.get("/assets/does-not-exist-12345678.js")
        assert missing.status_code == 404


# --- the backend behind nginx --------------------------------------------------------------------------


def test_backend_routes_reach_the_app(site: Site, prod_app: ProdApp) -> None:  # noqa: F811
    with site.client() as client:
        ping = client.get("/ping")
        assert ping.status_code == 200 and ping.json() == "pong"
        assert client.get("/_health").status_code == 200
        api_health = client.get("/api/health")
        assert api_health.status_code == 200
        assert api_health.json()["checks"] == {"database": "ok", "redis": "ok"}
        _assert_security_headers(api_health, site.scheme)
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json() == api_health.json()
        # /_upload reaches the backend: the answer is the backend's own (nginx's static files answer 405).
        upload = client.post("/_upload", files={"files": ("a.txt", b"hello")})
        direct = httpx.post(f"{prod_app.base_url}/_upload", files={"files": ("a.txt", b"hello")}, timeout=15)
        assert (upload.status_code, upload.text) == (direct.status_code, direct.text)
        assert client.post("/index.html").status_code == 405


def test_health_follows_the_backend(site: Site, prod_app: ProdApp) -> None:  # noqa: F811
    with prod_app.stopped(), site.client() as client:
        assert client.get("/health").status_code >= 500
        assert client.get("/api/health").status_code >= 500
        assert client.get("/").status_code == 200, "static pages do not depend on the backend"
        assert client.get("/nginx-health").status_code == 200
    with site.client() as client:
        assert client.get("/health").status_code == 200


async def test_websocket_event_round_trips_through_event_route(site: Site) -> None:
    token = str(uuid.uuid4())
    received: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
    # The HTTPS site is checked against the test's own certificate, not with verification switched off.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=site.verify))
    sio = socketio.AsyncClient(reconnection=False, http_session=session)

    @sio.on("event", namespace=EVENT_NAMESPACE)
    async def on_event(data: object) -> None:
        await received.put(("event", data))

    @sio.on("ping", namespace=EVENT_NAMESPACE)
    async def on_ping(data: object) -> None:
        await received.put(("ping", data))

    try:
        await sio.connect(
            f"{site.base_url}?token={token}",
            socketio_path="/_event",
            transports=["websocket"],
            namespaces=[EVENT_NAMESPACE],
            wait_timeout=30,
        )
        await sio.emit("ping", namespace=EVENT_NAMESPACE)
        assert await asyncio.wait_for(received.get(), 30) == ("ping", "pong")
        hydrate = {"name": HYDRATE_EVENT, "payload": {}, "router_data": {"pathname": "/", "query": {}, "asPath": "/"}}
        await sio.emit("event", hydrate, namespace=EVENT_NAMESPACE)
        kind, update = await asyncio.wait_for(received.get(), 30)
        assert kind == "event"
        assert isinstance(update, dict) and "reflex___state____state" in update["delta"]
        headers = update["delta"]["reflex___state____state"]["rx_router_headers_rx_state_"]
        assert headers["upgrade"].lower() == "websocket", "the upgrade headers reached the backend"
    finally:
        await sio.disconnect()
        await session.close()

    # Production mode keeps the state in Redis (what lets `--scale app=N` work).
    client = redis.Redis.from_url(BACKEND_REDIS_URL)
    try:
        assert any(token in key.decode() for key in client.scan_iter(match=f"*{token}*"))
    finally:
        client.close()


# --- edge behaviour --------------------------------------------------------------------------------------


def test_real_client_ip_comes_from_the_trusted_proxy(site: Site) -> None:
    with site.client() as client:
        assert client.get("/ping", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200
        assert client.get("/ping?plain=1").status_code == 200
    deadline = time.monotonic() + 10
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = site.log_text().splitlines()
        if any("/ping?plain=1" in line for line in lines):
            break
        time.sleep(0.1)
    forwarded = [line for line in lines if '"GET /ping HTTP' in line]
    plain = [line for line in lines if "/ping?plain=1" in line]
    assert forwarded and forwarded[-1].startswith("203.0.113.7 ")
    assert plain and plain[-1].startswith("127.0.0.1 ")


async def test_api_is_rate_limited_per_client(site: Site) -> None:
    async with httpx.AsyncClient(
        base_url=site.base_url, verify=site.verify, timeout=30, limits=httpx.Limits(max_connections=150)
    ) as client:
        # A client address of its own, so the other tests' budget is untouched.
        burst = [client.get("/api/health", headers={"X-Forwarded-For": "198.51.100.77"}) for _ in range(150)]
        statuses = [response.status_code for response in await asyncio.gather(*burst)]
        assert 429 in statuses and 200 in statuses
        assert set(statuses) <= {200, 429}
        other = await client.get("/api/health", headers={"X-Forwarded-For": "198.51.100.78"})
        assert other.status_code == 200, "another client keeps its own budget"
        static = await client.get("/", headers={"X-Forwarded-For": "198.51.100.77"})
        assert static.status_code == 200, "only /api/ is limited"


def test_plain_http_redirects_to_https_when_a_certificate_is_present(site: Site) -> None:
    if site.scheme != "https":
        pytest.skip("the plain-HTTP site serves port 80 itself")
    with httpx.Client(base_url=f"http://127.0.0.1:{site.http_port}", timeout=15) as client:
        redirect = client.get("/orders?day=2026-12-01")
        assert redirect.status_code == 301
        assert redirect.headers["location"] == "https://127.0.0.1/orders?day=2026-12-01"
        assert client.get("/nginx-health").status_code == 200


def test_gzip_for_pages(site: Site) -> None:
    with site.client() as client:
        page = client.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.headers.get("content-encoding") == "gzip"
        assert "accept-encoding" in page.headers.get("vary", "").lower()


def test_select_server_needs_both_certificate_files(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    shutil.copytree(NGINX_DIR / "lunch", conf / "lunch")
    (conf / "ssl").mkdir()
    (conf / "ssl" / "fullchain.pem").write_text("certificate only")
    assert "plain HTTP" in select_server(conf)
    active = conf / "lunch" / "active"
    assert [p.name for p in active.iterdir()] == ["server.conf"]
    assert (active / "server.conf").read_text() == (NGINX_DIR / "lunch" / "server-http.conf").read_text()
    (conf / "ssl" / "privkey.pem").write_text("key")
    assert "HTTPS" in select_server(conf)
    assert (active / "server.conf").read_text() == (NGINX_DIR / "lunch" / "server-https.conf").read_text()


# --- a real browser through nginx ------------------------------------------------------------------------

CSP_RECORDER = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
SCREEN_SETTLED = "document.querySelector('.ma-root') && document.querySelector('.ma-root').dataset.screen !== 'loading'"
BROWSER_TIMEOUT = 60_000


async def _browser_context(chromium: Any) -> Any:  # noqa: F811
    # The HTTPS site uses the test's self-signed certificate; no internet: telegram.org's script is stubbed
    # (without Telegram's initData the Mini App shows its "open it from the bot" screen).
    context = await chromium.new_context(ignore_https_errors=True)
    context.set_default_timeout(BROWSER_TIMEOUT)

    async def empty_script(route: Any) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body="")

    await context.route("https://telegram.org/**", empty_script)
    await context.add_init_script(CSP_RECORDER)
    return context


async def test_mini_app_works_in_a_browser_under_the_security_policy(site: Site, chromium: Any) -> None:  # noqa: F811
    context = await _browser_context(chromium)
    try:
        page = await context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        await page.goto(f"{site.base_url}/")
        # Leaving "loading" needs the on_load event to go through /_event and back, and rx.call_script.
        await page.wait_for_function(SCREEN_SETTLED)
        assert await page.locator(".ma-root").get_attribute("data-screen") == "outside"
        assert await page.evaluate("window.__csp") == []
        assert not [line for line in console if "Content Security Policy" in line], console
    finally:
        await context.close()


@pytest.fixture(scope="module")
async def chromium_for_framing() -> AsyncIterator[Any]:
    """Chromium that lets a public page frame a loopback address.

    The routed https://web.telegram.org page is "public" and the site under test is on 127.0.0.1, which
    Chromium's local-network protection blocks before CSP is even consulted; in production both are public.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.async_api import async_playwright

    disabled = "LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, f"--disable-features={disabled}"]
        )
        try:
            yield browser
        finally:
            await browser.close()


async def test_telegram_web_may_frame_the_app_and_other_sites_may_not(site: Site, chromium_for_framing: Any) -> None:
    if site.scheme != "https":
        pytest.skip("Telegram's web clients are HTTPS pages: they can only frame the HTTPS site")
    context = await _browser_context(chromium_for_framing)
    parent = f'<!doctype html><iframe id="app" src="{site.base_url}/" width="390" height="800"></iframe>'

    async def parent_page(route: Any) -> None:
        await route.fulfill(status=200, content_type="text/html", body=parent)

    try:
        for origin in ("https://web.telegram.org", "https://evil.example"):
            await context.route(f"{origin}/", parent_page)
        telegram = await context.new_page()
        await telegram.goto("https://web.telegram.org/")
        frame = telegram.frame_locator("#app")
        await frame.locator(".ma-root").wait_for()
        app_frame = next(f for f in telegram.frames if f.url.startswith(site.base_url))
        await app_frame.wait_for_function(SCREEN_SETTLED)

        other = await context.new_page()
        async with other.expect_console_message(lambda message: "frame-ancestors" in message.text):
            await other.goto("https://evil.example/")
        for frame_of_other in other.frames:
            if frame_of_other.url.startswith(site.base_url):
                assert await frame_of_other.query_selector(".ma-root") is None
    finally:
        await context.close()
