"""Certificates for the simulator's https mode: a throwaway CA and a server certificate it signs.

Made fresh for every simulator, so no private key lives in the repository. A CA plus a leaf
(rather than one self-signed certificate) keeps strict verifiers happy: OpenSSL in X509_STRICT
mode, which newer Pythons turn on by default, rejects a self-signed leaf used as its own CA.
``cryptography`` comes with ansible-core; it is imported only when https is asked for, so the
plain-http simulator stays standard library only.
"""

import datetime
import ipaddress
import os
import ssl

CA_NAME = "jobctl.cloud API simulator test CA"
SERVER_NAME = "jobctl.cloud API simulator"
# Long enough for any test run, short enough that a leaked file is worthless soon.
VALID_FOR = datetime.timedelta(days=2)


def _names(host):
    """Subject alternative names: the bound address plus the usual loopback spellings."""
    from cryptography import x509

    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
             x509.IPAddress(ipaddress.ip_address("::1"))]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return names
    if all(getattr(n, "value", None) != address for n in names):
        names.append(x509.IPAddress(address))
    return names


def _ca(name, now, until):
    """A throwaway CA named ``name``: ``(key, subject, subject key identifier, certificate)``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_subject).issuer_name(ca_subject)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_subject, ca_ski, ca_cert


def _write_key(path, key):
    """A private key as unencrypted PKCS#8 PEM, readable by this user alone."""
    from cryptography.hazmat.primitives import serialization

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def make_certificates(directory, host="127.0.0.1"):
    """Write ca.pem, cert.pem (server certificate followed by the CA) and key.pem into
    ``directory``; return their paths as ``(ca_file, cert_file, key_file)``."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:  # pragma: no cover - ansible-core depends on cryptography
        raise RuntimeError("the simulator's https mode needs the 'cryptography' package: %s" % exc) from None

    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    until = now + VALID_FOR

    ca_key, ca_subject, ca_ski, ca_cert = _ca(CA_NAME, now, until)

    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)]))
        .issuer_name(ca_subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    ca_file = os.path.join(directory, "ca.pem")
    cert_file = os.path.join(directory, "cert.pem")
    key_file = os.path.join(directory, "key.pem")
    with open(ca_file, "wb") as handle:
        handle.write(ca_cert.public_bytes(pem))
    with open(cert_file, "wb") as handle:
        handle.write(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    _write_key(key_file, key)
    return ca_file, cert_file, key_file


def server_context(cert_file, key_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


CLIENT_CA_NAME = "jobctl.cloud API simulator client CA"
CLIENT_NAME = "jobctl.cloud API simulator client"


def _client_pair(directory, prefix, ca_name, now, until):
    """A CA of its own and a client certificate it signs: ``<prefix>-ca.pem``, ``<prefix>.pem``,
    ``<prefix>-key.pem`` in ``directory``; returns the three paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_key, ca_subject, ca_ski, ca_cert = _ca(ca_name, now, until)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CLIENT_NAME)]))
        .issuer_name(ca_subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = [os.path.join(directory, name) for name in (prefix + "-ca.pem", prefix + ".pem", prefix + "-key.pem")]
    with open(paths[0], "wb") as handle:
        handle.write(ca_cert.public_bytes(pem))
    with open(paths[1], "wb") as handle:
        handle.write(cert.public_bytes(pem))
    _write_key(paths[2], key)
    return paths


def make_client_certificates(directory):
    """For a server that requires client certificates: the CA it trusts and a client certificate that
    CA signed (``client.pem``, ``client-key.pem``), plus a ``wrong`` client certificate signed by
    another CA (``wrong.pem``, ``wrong-key.pem``) that the server refuses.

    Returns ``{"ca": ..., "cert": ..., "key": ..., "wrong_cert": ..., "wrong_key": ...}``.
    """
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    until = now + VALID_FOR
    ca, cert, key = _client_pair(directory, "client", CLIENT_CA_NAME, now, until)
    dummy, wrong_cert, wrong_key = _client_pair(directory, "wrong", "another CA nobody trusts", now, until)
    return {"ca": ca, "cert": cert, "key": key, "wrong_cert": wrong_cert, "wrong_key": wrong_key}


def require_client_certificates(context, ca_file):
    """Make a server context ask every client for a certificate signed by ``ca_file`` and refuse those without."""
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(ca_file)
    return context
