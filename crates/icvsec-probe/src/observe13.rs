//! TLS 1.3 observation through rustls: the certificate chain and whether the server sends a
//! CertificateRequest are encrypted in TLS 1.3, so they are read by a real handshake.
//!
//! The certificate verifier below ACCEPTS EVERYTHING and only records what it is shown. It
//! is used for observation only: the connection is closed as soon as the handshake ends and
//! no application data is ever sent over it.

use std::io::ErrorKind as IoKind;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientConfig, ClientConnection, ResolvesClientCert};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, IpAddr as PkiIp, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::ProbeErrorKind;
use crate::wire::{Fail, Limits, connect};

#[derive(Debug, Default)]
struct Seen {
    chain: Option<Vec<Vec<u8>>>,
    cert_requested: bool,
}

#[derive(Debug)]
struct RecordingVerifier {
    seen: Arc<Mutex<Seen>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.as_ref().to_vec()];
        chain.extend(intermediates.iter().map(|c| c.as_ref().to_vec()));
        if let Ok(mut s) = self.seen.lock() {
            s.chain = Some(chain);
        }
        // Observation only: see the module documentation.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Records that the server asked for a client certificate; never offers one.
#[derive(Debug)]
struct RecordingResolver {
    seen: Arc<Mutex<Seen>>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        if let Ok(mut s) = self.seen.lock() {
            s.cert_requested = true;
        }
        None
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[derive(Debug, Default)]
pub(crate) struct Observation13 {
    pub chain: Option<Vec<Vec<u8>>>,
    /// Some(..) once the server's Certificate was seen (CertificateRequest precedes it).
    pub cert_requested: Option<bool>,
    pub error: Option<Fail>,
}

pub(crate) fn observe(addr: SocketAddr, sni: Option<&str>, lim: &Limits) -> Observation13 {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = match ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(RecordingVerifier {
                seen: seen.clone(),
                provider,
            }))
            .with_client_cert_resolver(Arc::new(RecordingResolver { seen: seen.clone() })),
        Err(e) => {
            return Observation13 {
                error: Some(Fail {
                    kind: ProbeErrorKind::Tls13Observation,
                    message: format!("rustls configuration: {e}"),
                }),
                ..Default::default()
            };
        }
    };
    let name = match sni.and_then(|s| ServerName::try_from(s.to_string()).ok()) {
        Some(n) => n,
        None => ServerName::IpAddress(PkiIp::from(addr.ip())),
    };
    let error = run(addr, Arc::new(config), name, lim).err();
    let s = seen.lock().map(|s| (s.chain.clone(), s.cert_requested));
    let (chain, requested) = s.unwrap_or((None, false));
    Observation13 {
        cert_requested: chain.as_ref().map(|_| requested),
        chain,
        // A handshake that fails after the Certificate (e.g. because no client certificate
        // was sent to a server that requires one) still observed everything needed.
        error,
    }
}

fn run(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    lim: &Limits,
) -> Result<(), Fail> {
    let mut sock = connect(addr, lim)?;
    let mut conn = ClientConnection::new(config, name).map_err(|e| Fail {
        kind: ProbeErrorKind::Tls13Observation,
        message: format!("rustls: {e}"),
    })?;
    let deadline = (Instant::now() + lim.read).min(lim.deadline);
    while conn.is_handshaking() {
        let now = Instant::now();
        if now >= deadline {
            return Err(Fail {
                kind: if deadline == lim.deadline {
                    ProbeErrorKind::Deadline
                } else {
                    ProbeErrorKind::Timeout
                },
                message: "TLS 1.3 handshake (rustls) did not finish in time".into(),
            });
        }
        let _ = sock.set_read_timeout(Some(deadline - now));
        let _ = sock.set_write_timeout(Some(deadline - now));
        match conn.complete_io(&mut sock) {
            Ok((0, 0)) if conn.is_handshaking() && !conn.wants_write() => {
                return Err(Fail {
                    kind: ProbeErrorKind::Closed,
                    message: "server closed during the TLS 1.3 handshake (rustls)".into(),
                });
            }
            Ok(_) => {}
            Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut) => continue,
            Err(e) => {
                return Err(Fail {
                    kind: ProbeErrorKind::Tls13Observation,
                    message: format!("TLS 1.3 handshake (rustls): {e}"),
                });
            }
        }
    }
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    Ok(())
}
