//! The simulator's PKI: a CA, a server certificate for 127.0.0.1/localhost (and `kubesim.test`, a
//! name that resolves nowhere, reached through the tests' proxies), client certs.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::DigitallySignedStruct;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, SubjectPublicKeyInfoDer, UnixTime,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};

use crate::state::{Shared, lock};

pub(crate) struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    pub(crate) fn generate() -> anyhow::Result<Pki> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "kubesim-ca");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Pki {
            ca_pem: cert.pem(),
            ca_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    pub(crate) fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    pub(crate) fn server_config(
        &self,
        shared: Shared,
    ) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let mut params = CertificateParams::new(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
            "kubesim.test".to_string(),
        ])?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "kube-apiserver");
        params.distinguished_name = dn;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(IssuedClientCerts {
            shared,
            provider: provider.clone(),
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![cert.der().clone(), self.ca_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// (DER, cert PEM, key PEM)
    pub(crate) fn client_cert(&self, user: &str) -> anyhow::Result<(Vec<u8>, String, String)> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, user);
        params.distinguished_name = dn;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((cert.der().to_vec(), cert.pem(), key.serialize_pem()))
    }
}

/// Client certificates as the API server's Go TLS takes them (VerifyClientCertIfGiven): any
/// version, X.509 v1 included (what `openssl x509 -req` makes; webpki, and so rustls's own
/// verifier, refuses v1). A certificate is accepted when this simulator issued or registered
/// it ([`crate::Sim::client_cert`], [`crate::Sim::register_client_cert`]); the handshake
/// signature is checked with the certificate's own key.
struct IssuedClientCerts {
    shared: Shared,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl std::fmt::Debug for IssuedClientCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedClientCerts")
    }
}

impl ClientCertVerifier for IssuedClientCerts {
    fn client_auth_mandatory(&self) -> bool {
        false
    }
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match lock(&self.shared)
            .client_certs
            .contains_key(end_entity.as_ref())
        {
            true => Ok(ClientCertVerified::assertion()),
            false => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let spki = subject_public_key_info(cert.as_ref()).ok_or(
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding),
        )?;
        rustls::crypto::verify_tls13_signature_with_raw_key(
            message,
            &SubjectPublicKeyInfoDer::from(spki),
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// One DER element: (tag, whole element, content, rest).
type Element<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

fn der_element(input: &[u8]) -> Option<Element<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        n if n < 0x80 => (n as usize, rest),
        n => {
            let count = (n & 0x7f) as usize;
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let len = rest[..count]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | b as usize);
            (len, &rest[count..])
        }
    };
    let header = input.len() - rest.len();
    if rest.len() < len {
        return None;
    }
    Some((tag, &input[..header + len], &rest[..len], &rest[len..]))
}

/// The SubjectPublicKeyInfo of a certificate (RFC 5280 4.1), v1 or v3.
fn subject_public_key_info(cert: &[u8]) -> Option<&[u8]> {
    let (_, _, certificate, _) = der_element(cert)?;
    let (_, _, mut tbs, _) = der_element(certificate)?;
    // [0] version is absent in v1 certificates.
    if tbs.first() == Some(&0xa0) {
        tbs = der_element(tbs)?.3;
    }
    // serial, signature algorithm, issuer, validity, subject.
    for _ in 0..5 {
        tbs = der_element(tbs)?.3;
    }
    Some(der_element(tbs)?.1)
}
