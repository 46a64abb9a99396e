"""A SAML 2 identity provider for the tests: pysaml2's own IdP `Server`, with a key and certificate made
for the test run, answering the portal's real AuthnRequest with a real (signed, or deliberately not)
Response — the portal checks it with xmlsec1 exactly as it would Inera's."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import saml2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

IDP_ENTITY_ID = "https://idp.test.example/saml"
IDP_SSO_URL = "https://idp.test.example/saml/sso"
SP_ENTITY_ID = "https://portal.test.example/saml2/metadata/"
PORTAL_URL = "https://portal.test.example"
ACS_URL = f"{PORTAL_URL}/saml2/acs/"

HSA = "urn:sambi:names:attribute:employeeHsaId"
PURPOSE = "urn:sambi:names:attribute:commissionPurpose"
UNIT = "urn:sambi:names:attribute:healthCareUnitHsaId"
PROVIDER = "urn:sambi:names:attribute:healthCareProviderHsaId"


def key_pair(folder: Path, name: str, common_name: str) -> tuple[str, str]:
    """An RSA key and a self-signed certificate, as PEM files in the folder: (key path, cert path)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@dataclass
class IdP:
    folder: Path
    key_file: str
    cert_file: str
    sso_url: str = IDP_SSO_URL

    @property
    def metadata_file(self) -> str:
        return str(self.folder / "idp-metadata.xml")

    def config(self, sp_metadata_file: str | None = None) -> IdPConfig:
        conf = {
            "entityid": IDP_ENTITY_ID,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "allow_unknown_attributes": True,
            "service": {
                "idp": {
                    "name": "Test-IdP",
                    "endpoints": {"single_sign_on_service": [(self.sso_url, saml2.BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None}},
                }
            },
            "metadata": {"local": [sp_metadata_file]} if sp_metadata_file else {},
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def write_metadata(self) -> str:
        Path(self.metadata_file).write_text(str(entity_descriptor(self.config())))
        return self.metadata_file

    def server(self, sp_metadata: str) -> Server:
        sp_file = self.folder / "sp-metadata.xml"
        sp_file.write_text(sp_metadata)
        return Server(config=self.config(str(sp_file)))

    def answer(
        self,
        sp_metadata: str,
        login_redirect: str,
        attributes: dict[str, list[str]],
        *,
        sign_assertion: bool = True,
        sign_response: bool = False,
        encrypt_assertion: bool = False,
        tamper=None,
        acs_url: str = ACS_URL,
        sp_entity_id: str = SP_ENTITY_ID,
    ) -> dict:
        """The POST the browser would make to the ACS after signing in at this IdP: the Response to the
        AuthnRequest in `login_redirect` (the portal's redirect to the IdP), base64 as the HTTP-POST
        binding carries it. `tamper(xml) -> xml` changes the signed XML before it is sent."""
        server = self.server(sp_metadata)
        query = parse_qs(urlsplit(login_redirect).query)
        request = server.parse_authn_request(query["SAMLRequest"][0], saml2.BINDING_HTTP_REDIRECT)
        response = server.create_authn_response(
            identity=attributes,
            in_response_to=request.message.id,
            destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="transient-abc123"),
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            # Encrypted to the certificate in the portal's metadata, signed inside (as Inera may send it).
            encrypt_assertion=encrypt_assertion,
            encrypt_assertion_self_contained=True,
            userid="test-user",
            # SITHS eID: a certificate on a card (TLS client authentication).
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient",
                "authn_auth": IDP_ENTITY_ID,
            },
        )
        xml = str(response)
        if tamper:
            xml = tamper(xml)
        data = {"SAMLResponse": base64.b64encode(xml.encode()).decode()}
        if "RelayState" in query:
            data["RelayState"] = query["RelayState"][0]
        return data
