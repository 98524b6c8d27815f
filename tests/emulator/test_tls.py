"""The lab's TLS identity: certificates shaped like Microsoft's, checked by real TLS stacks.

Each handshake runs over real TCP on loopback against ``LabCA.server_context``;
``openssl s_client`` is the outside client that shows the chain and the suite.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from exolab.emulator.clock import FixedClock
from exolab.emulator.tls import LEGACY_CIPHERS, UTCTIME_LIMIT, LabCA, leaf_window
from tests.lab_date import suite_lab_date

MX_NAMES = ("mail.protection.outlook.com", "*.mail.protection.outlook.com")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LabCA:
    return LabCA(tmp_path_factory.mktemp("ca"), FixedClock(suite_lab_date()))


@contextmanager
def serving(context: ssl.SSLContext) -> Iterator[int]:
    """A TLS server on 127.0.0.1 that completes handshakes and echoes nothing."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                try:
                    with context.wrap_socket(conn, server_side=True) as tls:
                        tls.recv(1)
                except (ssl.SSLError, OSError):
                    pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join()
        listener.close()


def s_client(port: int, *args: str) -> str:
    assert shutil.which("openssl"), "openssl is needed (make tools)"
    proc = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *args],
        input=b"",
        capture_output=True,
        timeout=30,
        check=False,
    )
    return (proc.stdout + proc.stderr).decode("utf-8", "replace")


def names_of(cert: x509.Certificate) -> tuple[str, list[str]]:
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return str(cn), sans.get_values_for_type(x509.DNSName)


def test_every_certificate_is_rsa_2048_sha256_and_dated_in_utctime(ca: LabCA) -> None:
    leaves = [ca.leaf(h).cert for h in ("smtp.office365.com", "login.microsoftonline.com")]
    for cert in [ca.root, ca.intermediate, *leaves, ca.leaf(*MX_NAMES).cert]:
        key = cert.public_key()
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
        assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
        assert cert.not_valid_after_utc <= UTCTIME_LIMIT < datetime(2050, 1, 1, tzinfo=UTC)


def test_leaves_carry_microsofts_common_names_and_sans(ca: LabCA) -> None:
    assert names_of(ca.leaf("smtp.office365.com").cert)[0] == "outlook.com"
    assert "*.office365.com" in names_of(ca.leaf("smtp-legacy.office365.com").cert)[1]
    cn, sans = names_of(ca.leaf(*MX_NAMES).cert)
    assert cn == "mail.protection.outlook.com" and "*.mail.protection.outlook.com" in sans
    assert names_of(ca.leaf("login.microsoftonline.com").cert)[0] == (
        "stamp2.login.microsoftonline.com"
    )
    subject = ca.leaf("smtp.office365.com").cert.subject.rfc4514_string()
    assert subject == "CN=outlook.com,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US"


def test_a_leaf_lives_a_year_and_a_day_when_the_lab_runs_near_today() -> None:
    today = datetime(2026, 5, 1, tzinfo=UTC)
    for lab in (today, today + timedelta(days=40), today - timedelta(days=40)):
        start, end = leaf_window(lab, today)
        assert timedelta(days=365) <= end - start < timedelta(days=367)
        assert start <= lab <= end and start <= today <= end


def test_the_lab_leaf_covers_the_lab_date(ca: LabCA) -> None:
    cert = ca.leaf("smtp.office365.com").cert
    assert cert.not_valid_before_utc <= suite_lab_date() <= cert.not_valid_after_utc


def test_leaf_window_covers_a_lab_date_far_from_today() -> None:
    today, lab = datetime(2026, 5, 1, tzinfo=UTC), datetime(2029, 3, 1, tzinfo=UTC)
    start, end = leaf_window(lab, today)
    assert start <= today <= end and start <= lab <= end
    assert leaf_window(datetime(2049, 6, 1, tzinfo=UTC), today)[1] == UTCTIME_LIMIT


@pytest.mark.parametrize(
    "host", ["smtp.office365.com", "smtp-legacy.office365.com", "login.microsoftonline.com"]
)
def test_python_verifies_each_host_against_the_exported_root(ca: LabCA, host: str) -> None:
    with serving(ca.server_context((host,))) as port:
        client = ssl.create_default_context(cafile=str(ca.pem_path))
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            client.wrap_socket(raw, server_hostname=host) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_the_server_sends_leaf_and_intermediate_but_not_the_root(ca: LabCA) -> None:
    with serving(ca.server_context(("smtp.office365.com",))) as port:
        out = s_client(port, "-showcerts", "-CAfile", str(ca.pem_path))
    assert out.count("-----BEGIN CERTIFICATE-----") == 2
    assert "CN = outlook.com" in out and "CN = exolab Cloud Services CA-1" in out
    assert "Verify return code: 0 (ok)" in out


def test_tls13_picks_aes_256_gcm_first_even_when_the_client_prefers_aes_128(ca: LabCA) -> None:
    with serving(ca.server_context(MX_NAMES)) as port:
        out = s_client(
            port, "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"
        )
    assert "TLS_AES_256_GCM_SHA384" in out


def test_tls12_picks_ecdhe_rsa_aes256_gcm(ca: LabCA) -> None:
    with serving(ca.server_context(MX_NAMES)) as port:
        out = s_client(port, "-tls1_2")
    assert "ECDHE-RSA-AES256-GCM-SHA384" in out


def test_a_tls10_rsa_only_client_completes_where_legacy_is_allowed(ca: LabCA) -> None:
    legacy = ca.server_context(("smtp-legacy.office365.com",), "1.0", "1.3")
    with serving(legacy) as port:
        out = s_client(port, "-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0")
    assert "Cipher is AES128-SHA" in out and "TLSv1" in out
    assert "AES128-SHA" in LEGACY_CIPHERS


def test_a_tls10_client_fails_where_only_tls12_and_13_are_offered(ca: LabCA) -> None:
    with serving(ca.server_context(MX_NAMES)) as port:
        out = s_client(port, "-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0")
    assert "Cipher is (NONE)" in out or "alert" in out


def test_an_rsa_root_is_kept_across_restarts(tmp_path: Path) -> None:
    first = LabCA(tmp_path).fingerprint()
    again = LabCA(tmp_path)
    assert again.fingerprint() == first
    assert again.der_path.read_bytes() == x509.load_pem_x509_certificate(
        again.pem_path.read_bytes()
    ).public_bytes(serialization.Encoding.DER)


def test_an_elliptic_curve_root_from_an_older_lab_is_replaced_by_an_rsa_one(tmp_path: Path) -> None:
    old = trustme.CA()
    (tmp_path / "ca.pem").write_bytes(old.cert_pem.bytes())
    (tmp_path / "ca-key.pem").write_bytes(old.private_key_pem.bytes())
    ca = LabCA(tmp_path)
    assert isinstance(ca.root.public_key(), rsa.RSAPublicKey)
    assert x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes()) == ca.root


def test_labs_of_one_ca_share_a_leaf_while_its_window_and_names_are_the_same(
    tmp_path: Path,
) -> None:
    first = LabCA(tmp_path / "one", FixedClock(suite_lab_date()))
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    second = LabCA(tmp_path / "two", FixedClock(suite_lab_date()))
    assert second.leaf("smtp.office365.com").cert == first.leaf("smtp.office365.com").cert
    assert second.leaf("smtp.azurecomm.net") != first.leaf("smtp.office365.com")
    a_year_later = LabCA(tmp_path / "two", FixedClock(suite_lab_date() + timedelta(days=400)))
    later = a_year_later.leaf("smtp.office365.com").cert
    assert later != first.leaf("smtp.office365.com").cert
    assert later.not_valid_after_utc > first.leaf("smtp.office365.com").cert.not_valid_after_utc
    other_ca = LabCA(tmp_path / "other", FixedClock(suite_lab_date()))
    theirs = other_ca.leaf("smtp.office365.com").cert
    assert theirs != first.leaf("smtp.office365.com").cert
    assert theirs.issuer == first.leaf("smtp.office365.com").cert.issuer  # same name, own key
    assert theirs.signature != first.leaf("smtp.office365.com").cert.signature


def test_labs_of_one_ca_share_a_server_context_per_leaf_and_settings(tmp_path: Path) -> None:
    first = LabCA(tmp_path / "one", FixedClock(suite_lab_date()))
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    second = LabCA(tmp_path / "two", FixedClock(suite_lab_date()))
    context = first.server_context(("smtp.office365.com",), "1.0", "1.3")
    assert second.server_context(("smtp.office365.com",), "1.0", "1.3") is context
    assert first.server_context(("smtp.office365.com",), "1.2", "1.3") is not context
    assert first.server_context(("smtp-legacy.office365.com",), "1.0", "1.3") is not context
    other_ca = LabCA(tmp_path / "other", FixedClock(suite_lab_date()))
    assert other_ca.server_context(("smtp.office365.com",), "1.0", "1.3") is not context


def test_a_client_certificate_context_asks_for_one_from_the_lab_root_only(ca: LabCA) -> None:
    plain = ca.server_context(MX_NAMES)
    asking = ca.server_context(MX_NAMES, client_certificates=True)
    assert plain.verify_mode == ssl.CERT_NONE and plain.get_ca_certs() == []
    assert asking.verify_mode == ssl.CERT_OPTIONAL
    (trusted,) = asking.get_ca_certs(binary_form=True)
    assert trusted == ca.der_path.read_bytes()
    assert ca.server_context(MX_NAMES, client_certificates=True) is asking


def test_a_key_log_context_belongs_to_its_caller_alone(ca: LabCA, tmp_path: Path) -> None:
    shared = ca.server_context(("smtp.office365.com",))
    logged = ca.server_context(("smtp.office365.com",), keylog=tmp_path / "keys.log")
    again = ca.server_context(("smtp.office365.com",), keylog=tmp_path / "keys.log")
    assert logged is not shared and again is not logged
    assert logged.keylog_filename == str(tmp_path / "keys.log")
    assert not shared.keylog_filename
    assert ca.server_context(("smtp.office365.com",)) is shared


def test_adopted_leaf_keys_sign_the_leaves_of_their_identity(tmp_path: Path) -> None:
    """A process can take the leaf keys an earlier one made (the runner keeps them between
    runs): the leaf it issues carries the adopted key; a damaged or wrong-size key is
    skipped, and a new one is made for its identity."""
    from exolab.emulator import tls

    adopted = rsa.generate_private_key(public_exponent=65537, key_size=tls.KEY_BITS)
    pem = adopted.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tls.adopt_leaf_keys({"adopted.test": pem, "damaged.test": b"not a key", "small.test": small})
    leaf = LabCA(tmp_path).leaf("adopted.test")
    assert leaf.key.public_key().public_numbers() == adopted.public_key().public_numbers()
    assert tls.leaf_keys_pem()["adopted.test"] == pem
    for label in ("damaged.test", "small.test"):
        made = LabCA(tmp_path).leaf(label).cert.public_key()
        assert isinstance(made, rsa.RSAPublicKey) and made.key_size == tls.KEY_BITS
