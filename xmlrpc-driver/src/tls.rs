//! TLS configuration shared by the runtime crates (feature `rustls`).
//!
//! The runtime crates wrap their sockets with [`rustls`]; this module builds
//! the configurations they use, so that every runtime trusts the same roots
//! and reads certificates the same way:
//!
//! - [`ClientTlsConfig`]: which server certificates a client trusts: the
//!   bundled Mozilla roots (`webpki-roots`), the system's roots, extra
//!   roots from PEM (for a self-signed server), or, for tests only, any
//!   certificate at all ([`ClientTlsConfig::insecure`]).
//! - [`server_config`]: a server configuration from a PEM certificate chain
//!   and a PEM private key.
//! - [`server_name`]: the name a client checks the certificate against,
//!   from a URL's host.
//!
//! Every configuration uses the `ring` crypto provider and offers the ALPN
//! protocol `http/1.1`. Nothing here opens a socket; the only reads are of the system's certificate store, when
//! [`RootSource::Native`] or [`RootSource::BundledAndNative`] asks for it.
//!
//! ```
//! use xmlrpc_driver::tls::{ClientTlsConfig, RootSource};
//!
//! let config = ClientTlsConfig::new().roots(RootSource::Bundled).build()?;
//! assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
//! # Ok::<(), xmlrpc_driver::tls::TlsError>(())
//! ```

use std::fmt;
use std::sync::Arc;

pub use rustls;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// PEM text that could not be read.
    #[error("invalid PEM: {0}")]
    Pem(String),
    /// PEM text without any certificate.
    #[error("no certificate found in PEM input")]
    NoCertificate,
    /// PEM text without a private key.
    #[error("no private key found in PEM input")]
    NoPrivateKey,
    /// A certificate that cannot serve as a trust anchor.
    #[error("unusable root certificate: {0}")]
    BadRoot(String),
    /// The root store would be empty: no server could be trusted.
    #[error("no trusted root certificates")]
    NoRoots,
    /// A host that is neither a DNS name nor an IP address.
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
    /// rustls refused the configuration (a key that does not match its
    /// certificate, for example).
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where a client's trusted root certificates come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootSource {
    /// Mozilla's root program, compiled in (`webpki-roots`): the same on
    /// every machine.
    Bundled,
    /// The operating system's store (`rustls-native-certs`), read when the
    /// configuration is built.
    Native,
    /// Both of the above (the default): what a browser on this machine
    /// would trust, and the bundled roots where the system has none.
    #[default]
    BundledAndNative,
    /// None: only the roots added with [`ClientTlsConfig::add_root_pem`] or
    /// [`ClientTlsConfig::add_root_der`].
    None,
}

/// Which server certificates a client trusts.
///
/// Build it with [`ClientTlsConfig::new`], adjust it, then call
/// [`build`](Self::build) once and share the result between connections.
///
/// ```
/// use xmlrpc_driver::tls::{ClientTlsConfig, RootSource};
///
/// // Trust exactly one self-signed server.
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()])?;
/// let tls = ClientTlsConfig::new()
///     .roots(RootSource::None)
///     .add_root_pem(cert.cert.pem().as_bytes())?
///     .build()?;
/// # let _ = tls;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientTlsConfig {
    roots: RootSource,
    extra_roots: Vec<CertificateDer<'static>>,
    insecure: bool,
}

impl ClientTlsConfig {
    /// Bundled and system roots, certificates verified.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets where the trusted roots come from.
    #[must_use]
    pub fn roots(mut self, roots: RootSource) -> Self {
        self.roots = roots;
        self
    }

    /// Also trusts every certificate in `pem` (a CA certificate, or a
    /// self-signed server's own certificate).
    ///
    /// # Errors
    ///
    /// [`TlsError::Pem`] for unreadable PEM, [`TlsError::NoCertificate`]
    /// when `pem` holds no certificate.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, TlsError> {
        let certs = certificates_from_pem(pem)?;
        self.extra_roots.extend(certs);
        Ok(self)
    }

    /// Also trusts this DER-encoded certificate.
    #[must_use]
    pub fn add_root_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(CertificateDer::from(der.into()));
        self
    }

    /// **Dangerous.** With `true`, the client accepts any certificate for
    /// any name: the connection is encrypted but not authenticated, so
    /// anyone on the path can read and change it. For tests and for
    /// reaching a known machine during development only (`curl --insecure`).
    /// Handshake signatures are still checked.
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// Whether [`insecure`](Self::insecure) is on.
    #[must_use]
    pub fn is_insecure(&self) -> bool {
        self.insecure
    }

    /// Builds the rustls configuration.
    ///
    /// System roots that fail to load or parse are skipped (and logged):
    /// one broken file in the system store must not stop every client.
    ///
    /// # Errors
    ///
    /// [`TlsError::NoRoots`] when no root could be loaded (and the
    /// configuration is not insecure), [`TlsError::BadRoot`] for an added
    /// root that is not a usable CA certificate, [`TlsError::Rustls`] if
    /// rustls refuses the protocol versions.
    pub fn build(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        let provider = provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let mut config = if self.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                    algorithms: provider.signature_verification_algorithms,
                }))
                .with_no_client_auth()
        } else {
            builder
                .with_root_certificates(self.root_store()?)
                .with_no_client_auth()
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    fn root_store(&self) -> Result<RootCertStore, TlsError> {
        let mut store = RootCertStore::empty();
        if matches!(
            self.roots,
            RootSource::Bundled | RootSource::BundledAndNative
        ) {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        if matches!(
            self.roots,
            RootSource::Native | RootSource::BundledAndNative
        ) {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!(%error, "skipping part of the system certificate store");
            }
            let (added, ignored) = store.add_parsable_certificates(found.certs);
            tracing::debug!(added, ignored, "loaded system root certificates");
        }
        for cert in &self.extra_roots {
            store
                .add(cert.clone())
                .map_err(|e| TlsError::BadRoot(e.to_string()))?;
        }
        if store.is_empty() {
            return Err(TlsError::NoRoots);
        }
        Ok(store)
    }
}

/// A server configuration from a PEM certificate chain (leaf first) and a
/// PEM private key (PKCS#8, PKCS#1 or SEC1).
///
/// ```
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()])?;
/// let config = xmlrpc_driver::tls::server_config(
///     cert.cert.pem().as_bytes(),
///     cert.signing_key.serialize_pem().as_bytes(),
/// )?;
/// assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`TlsError::Pem`], [`TlsError::NoCertificate`] or
/// [`TlsError::NoPrivateKey`] for unusable input, [`TlsError::Rustls`] when
/// the key does not fit the certificate.
pub fn server_config(
    cert_chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = certificates_from_pem(cert_chain_pem)?;
    let key = private_key_from_pem(key_pem)?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Every certificate in `pem`, in order.
///
/// # Errors
///
/// [`TlsError::Pem`] for unreadable PEM, [`TlsError::NoCertificate`] when
/// there is none.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    Ok(certs)
}

/// The first private key in `pem`.
///
/// # Errors
///
/// [`TlsError::NoPrivateKey`] when there is none, [`TlsError::Pem`] for
/// unreadable PEM.
pub fn private_key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoPrivateKey,
        other => TlsError::Pem(other.to_string()),
    })
}

/// The name a client checks the server's certificate against: a DNS name,
/// or an IP address (IPv6 with or without its URL brackets).
///
/// ```
/// use xmlrpc_driver::tls::server_name;
///
/// assert!(server_name("example.com").is_ok());
/// assert!(server_name("[::1]").is_ok());
/// assert!(server_name("not a name").is_err());
/// ```
///
/// # Errors
///
/// [`TlsError::InvalidServerName`] when `host` is neither.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(bare.to_owned()).map_err(|_| TlsError::InvalidServerName(host.to_owned()))
}

/// The crypto provider every configuration here uses.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The verifier behind [`ClientTlsConfig::insecure`]: any certificate for
/// any name passes, but the handshake signatures must still be valid.
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for AcceptAnyCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AcceptAnyCertificate")
    }
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        // Generation from fixed names cannot fail with the ring provider.
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("certificate generation")
    }

    #[test]
    fn server_config_from_rcgen_pem() {
        let ck = self_signed();
        let config = server_config(
            ck.cert.pem().as_bytes(),
            ck.signing_key.serialize_pem().as_bytes(),
        );
        assert!(config.is_ok(), "{config:?}");
    }

    #[test]
    fn server_config_errors() {
        let ck = self_signed();
        let cert = ck.cert.pem();
        let key = ck.signing_key.serialize_pem();
        assert!(matches!(
            server_config(b"", key.as_bytes()),
            Err(TlsError::NoCertificate)
        ));
        assert!(matches!(
            server_config(cert.as_bytes(), b"nothing"),
            Err(TlsError::NoPrivateKey)
        ));
        assert!(matches!(
            server_config(cert.as_bytes(), cert.as_bytes()),
            Err(TlsError::NoPrivateKey)
        ));
        let other = self_signed();
        assert!(matches!(
            server_config(
                cert.as_bytes(),
                other.signing_key.serialize_pem().as_bytes()
            ),
            Err(TlsError::Rustls(_))
        ));
        let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            certificates_from_pem(broken.as_bytes()),
            Err(TlsError::Pem(_))
        ));
    }

    #[test]
    fn client_roots() {
        assert!(
            ClientTlsConfig::new()
                .roots(RootSource::Bundled)
                .build()
                .is_ok()
        );
        assert!(matches!(
            ClientTlsConfig::new().roots(RootSource::None).build(),
            Err(TlsError::NoRoots)
        ));
        let insecure = ClientTlsConfig::new()
            .roots(RootSource::None)
            .insecure(true);
        assert!(insecure.is_insecure());
        assert!(insecure.build().is_ok());
        let ck = self_signed();
        let own = ClientTlsConfig::new()
            .roots(RootSource::None)
            .add_root_pem(ck.cert.pem().as_bytes())
            .and_then(|c| c.build());
        assert!(own.is_ok(), "{own:?}");
        assert!(matches!(
            ClientTlsConfig::new().add_root_pem(b"no pem here"),
            Err(TlsError::NoCertificate)
        ));
        assert!(matches!(
            ClientTlsConfig::new()
                .roots(RootSource::None)
                .add_root_der(vec![1, 2, 3])
                .build(),
            Err(TlsError::BadRoot(_))
        ));
    }

    #[test]
    fn server_names() {
        assert!(matches!(
            server_name("localhost"),
            Ok(ServerName::DnsName(_))
        ));
        assert!(matches!(
            server_name("127.0.0.1"),
            Ok(ServerName::IpAddress(_))
        ));
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(server_name("::1"), Ok(ServerName::IpAddress(_))));
        assert!(server_name("").is_err());
        assert!(server_name("a b").is_err());
    }

    /// A full handshake in memory: the client trusting the server's own
    /// certificate, the insecure client, and a client that must refuse.
    #[test]
    fn handshake_in_memory() {
        let ck = self_signed();
        let server = server_config(
            ck.cert.pem().as_bytes(),
            ck.signing_key.serialize_pem().as_bytes(),
        )
        .expect("server config");
        let trusting = ClientTlsConfig::new()
            .roots(RootSource::None)
            .add_root_pem(ck.cert.pem().as_bytes())
            .and_then(|c| c.build())
            .expect("client config");
        let insecure = ClientTlsConfig::new()
            .roots(RootSource::None)
            .insecure(true)
            .build()
            .expect("client config");
        let bundled = ClientTlsConfig::new()
            .roots(RootSource::Bundled)
            .build()
            .expect("client config");
        assert!(handshake(&server, trusting.clone(), "localhost").is_ok());
        assert!(handshake(&server, trusting, "other.example").is_err());
        assert!(handshake(&server, insecure, "other.example").is_ok());
        assert!(handshake(&server, bundled, "localhost").is_err());
    }

    fn handshake(
        server: &Arc<rustls::ServerConfig>,
        client: Arc<rustls::ClientConfig>,
        name: &str,
    ) -> Result<(), rustls::Error> {
        let mut c = rustls::ClientConnection::new(client, server_name(name).expect("name"))?;
        let mut s = rustls::ServerConnection::new(server.clone())?;
        for _ in 0..10 {
            let mut buf = Vec::new();
            c.write_tls(&mut buf)
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            s.read_tls(&mut &buf[..])
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            s.process_new_packets()?;
            buf.clear();
            s.write_tls(&mut buf)
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            c.read_tls(&mut &buf[..])
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            c.process_new_packets()?;
            if !c.is_handshaking() && !s.is_handshaking() {
                return Ok(());
            }
        }
        Err(rustls::Error::General("handshake did not finish".into()))
    }
}
