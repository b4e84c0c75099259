//! Misbehaving servers written here, on 127.0.0.1 with ports picked at run time: the probe
//! must come back with errors and `complete == false`, never hang and never report a
//! version as merely "rejected" when nothing TLS was ever said.
//!
//! Hang guard: the probe runs on a helper thread; the test waits for it for the probe's own
//! overall deadline plus slack and fails (rather than hangs) if it does not return.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use icvsec_probe::{ProbeErrorKind, ProbeOptions, ProbeResult, ProtocolStatus, probe_tls};

/// In-process fake server; stopped and joined on drop.
struct FakeServer {
    port: u16,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl FakeServer {
    fn start(behave: fn(TcpStream, Arc<AtomicBool>)) -> FakeServer {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut conns = Vec::new();
            for s in l.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(s) = s else { continue };
                let st2 = st.clone();
                conns.push(std::thread::spawn(move || behave(s, st2)));
            }
            for c in conns {
                let _ = c.join();
            }
        });
        FakeServer {
            port,
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn sleep_until_stopped(stop: &AtomicBool, max: Duration) {
    let step = Duration::from_millis(20);
    let mut t = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) && t < max {
        std::thread::sleep(step);
        t += step;
    }
}

fn drain_hello(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut b = [0u8; 4096];
    let _ = s.read(&mut b);
}

fn opts() -> ProbeOptions {
    ProbeOptions {
        sni: None,
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_millis(700),
        overall_deadline: Duration::from_secs(8),
        parallelism: 4,
    }
}

/// Run the probe on a thread; fail the test if it outlives its own deadline plus slack.
fn probe_bounded(port: u16, o: ProbeOptions) -> ProbeResult {
    let (tx, rx) = std::sync::mpsc::channel();
    let bound = o.overall_deadline * 2 + Duration::from_secs(20);
    std::thread::spawn(move || {
        let _ = tx.send(probe_tls(&format!("127.0.0.1:{port}"), &o));
    });
    let r = rx
        .recv_timeout(bound)
        .expect("probe did not return within its overall deadline (hang)");
    println!("{}", r.to_json());
    r
}

fn assert_partial(r: &ProbeResult, kinds: &[ProbeErrorKind]) {
    assert!(!r.complete);
    assert!(!r.errors.is_empty());
    assert!(
        r.errors.iter().any(|e| kinds.contains(&e.kind)),
        "expected one of {kinds:?} in {:?}",
        r.errors
    );
    // Nothing TLS was ever said: no version may be called accepted or rejected.
    for p in &r.protocols {
        assert_eq!(p.status, ProtocolStatus::Unknown, "{:?}", p.version);
        assert!(p.cipher_suites.is_empty());
    }
    assert!(r.certificate_chain.is_empty());
    assert_eq!(r.client_auth.requested, None);
    // The partial result survives JSON.
    assert_eq!(&ProbeResult::from_json(&r.to_json()).unwrap(), r);
}

#[test]
fn silent_server() {
    let srv = FakeServer::start(|mut s, stop| {
        drain_hello(&mut s);
        sleep_until_stopped(&stop, Duration::from_secs(60));
    });
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Timeout, ProbeErrorKind::Deadline]);
    assert!(r.errors.iter().any(|e| e.kind == ProbeErrorKind::Skipped));
}

#[test]
fn slow_drip_server() {
    // A plausible record header, then one byte every 150 ms: each read succeeds, the
    // per-connection response budget must still end it.
    let srv = FakeServer::start(|mut s, stop| {
        drain_hello(&mut s);
        let mut msg = vec![
            0x16, 0x03, 0x03, 0x00, 0x4A, 0x02, 0x00, 0x00, 0x46, 0x03, 0x03,
        ];
        msg.extend_from_slice(&[0x11; 64]);
        for b in msg {
            if stop.load(Ordering::SeqCst) || s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(150));
        }
        sleep_until_stopped(&stop, Duration::from_secs(60));
    });
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Timeout, ProbeErrorKind::Deadline]);
    assert!(
        r.errors.iter().any(|e| e.message.contains("received")),
        "timeout messages tell how much was received: {:?}",
        r.errors
    );
}

#[test]
fn garbage_server() {
    let srv = FakeServer::start(|mut s, _| {
        drain_hello(&mut s);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Garbage]);
    assert!(
        r.errors.iter().any(|e| e.message.contains("HTTP")),
        "{:?}",
        r.errors
    );
}

#[test]
fn binary_garbage_server() {
    let srv = FakeServer::start(|mut s, _| {
        drain_hello(&mut s);
        let _ = s.write_all(&[0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x02, 0x03, 0xFF, 0xFE]);
    });
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Garbage]);
}

#[test]
fn absurd_length_server() {
    // A record carrying a handshake header that claims a 16 MiB ServerHello.
    let srv = FakeServer::start(|mut s, _| {
        drain_hello(&mut s);
        let _ = s.write_all(&[0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xFF, 0xFF, 0xFF]);
        let _ = s.flush();
        std::thread::sleep(Duration::from_millis(100));
    });
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Garbage]);
    assert!(
        r.errors.iter().any(|e| e.message.contains("limit")),
        "{:?}",
        r.errors
    );
}

#[test]
fn immediate_close_server() {
    let srv = FakeServer::start(|s, _| drop(s));
    let r = probe_bounded(srv.port, opts());
    assert_partial(&r, &[ProbeErrorKind::Closed]);
}

#[test]
fn nothing_listening() {
    let port = common::free_port();
    let r = probe_bounded(port, opts());
    assert_partial(&r, &[ProbeErrorKind::Connect]);
}

/// Minimal parse of a ClientHello record: (client_version, offered suites).
fn parse_client_hello(b: &[u8]) -> Option<(u16, Vec<u16>)> {
    if b.len() < 44 || b[0] != 0x16 || b[5] != 1 {
        return None;
    }
    let ver = u16::from_be_bytes([b[9], b[10]]);
    let sid = b[43] as usize;
    let at = 44 + sid;
    let n = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize;
    let list = b.get(at + 2..at + 2 + n)?;
    Some((
        ver,
        list.chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect(),
    ))
}

#[test]
fn hello_then_stall_server() {
    // Speaks just enough TLS 1.2: a ServerHello for 0xC02F when offered, then silence (no
    // Certificate, no ServerHelloDone); alerts otherwise. TLS 1.2 is accepted, but the
    // certificate flight is missing, so the probe must be partial.
    let srv = FakeServer::start(|mut s, stop| {
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut b = vec![0u8; 8192];
        let mut got = 0;
        while got < 5 || got < 5 + u16::from_be_bytes([b[3], b[4]]) as usize {
            match s.read(&mut b[got..]) {
                Ok(0) | Err(_) => return,
                Ok(k) => got += k,
            }
            if got == b.len() {
                return;
            }
        }
        let Some((ver, suites)) = parse_client_hello(&b[..got]) else {
            return;
        };
        if ver != 0x0303 {
            let _ = s.write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70]);
            return;
        }
        if !suites.contains(&0xC02F) {
            let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40]);
            return;
        }
        let mut sh = vec![0x03, 0x03];
        sh.extend_from_slice(&[0x42; 32]);
        sh.push(0);
        sh.extend_from_slice(&[0xC0, 0x2F, 0x00]);
        let mut rec = vec![
            0x16,
            0x03,
            0x03,
            0x00,
            (sh.len() + 4) as u8,
            0x02,
            0x00,
            0x00,
            sh.len() as u8,
        ];
        rec.extend_from_slice(&sh);
        let _ = s.write_all(&rec);
        // Stall until the client gives up (read returns 0) or the test ends.
        let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
        while !stop.load(Ordering::SeqCst) {
            match s.read(&mut b) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return,
            }
        }
    });
    let r = probe_bounded(srv.port, opts());
    assert!(!r.complete);
    assert_eq!(r.accepted_versions(), vec![icvsec_probe::Version::Tls12]);
    let p12 = r.protocol(icvsec_probe::Version::Tls12).unwrap();
    assert_eq!(p12.cipher_suites.len(), 1);
    assert_eq!(p12.cipher_suites[0].code, 0xC02F);
    assert_eq!(
        p12.client_certificate_requested, None,
        "never reached ServerHelloDone"
    );
    assert!(
        r.errors
            .iter()
            .any(|e| e.stage == "TLSv1.2 certificate flight"),
        "{:?}",
        r.errors
    );
    for v in [icvsec_probe::Version::Tls10, icvsec_probe::Version::Tls11] {
        let p = r.protocol(v).unwrap();
        assert_eq!(p.status, ProtocolStatus::Rejected);
        assert_eq!(
            p.alert.as_ref().map(|a| a.name.as_str()),
            Some("protocol_version")
        );
    }
    assert!(r.certificate_chain.is_empty());
    assert_eq!(r.client_auth.requested, None);
}

/// Read one whole ClientHello record (bounded); None on close or oddity.
fn read_client_hello(s: &mut TcpStream) -> Option<(u16, Vec<u16>)> {
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut b = vec![0u8; 8192];
    let mut got = 0;
    while got < 5 || got < 5 + u16::from_be_bytes([b[3], b[4]]) as usize {
        match s.read(&mut b[got..]) {
            Ok(0) | Err(_) => return None,
            Ok(k) => got += k,
        }
        if got == b.len() {
            return None;
        }
    }
    parse_client_hello(&b[..got])
}

fn hs_msg(typ: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len();
    let mut m = vec![typ, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    m.extend_from_slice(body);
    m
}

#[test]
fn fragmented_flight_is_reassembled() {
    // A TLS 1.2 flight (ServerHello, Certificate with two entries, CertificateRequest,
    // ServerHelloDone) cut into 10-byte records, each written separately: messages span
    // records and records hold pieces of several messages.
    let srv = FakeServer::start(|mut s, _| {
        let Some((ver, suites)) = read_client_hello(&mut s) else {
            return;
        };
        if ver != 0x0303 {
            let _ = s.write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70]);
            return;
        }
        if !suites.contains(&0x009C) {
            let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40]);
            return;
        }
        let mut sh = vec![0x03, 0x03];
        sh.extend_from_slice(&[0x42; 32]);
        sh.push(0);
        sh.extend_from_slice(&[0x00, 0x9C, 0x00]);
        let certs: [&[u8]; 2] = [&[0x30, 0x03, 0x01, 0x01, 0xFF], &[0x30, 0x02, 0x05, 0x00]];
        let mut list = Vec::new();
        for c in certs {
            list.extend_from_slice(&[0, 0, c.len() as u8]);
            list.extend_from_slice(c);
        }
        let mut cert = vec![0, 0, list.len() as u8];
        cert.extend_from_slice(&list);
        let mut stream = hs_msg(2, &sh);
        stream.extend(hs_msg(11, &cert));
        stream.extend(hs_msg(13, &[1, 1, 0, 2, 4, 1, 0, 0]));
        stream.extend(hs_msg(14, &[]));
        for piece in stream.chunks(10) {
            let mut rec = vec![0x16, 0x03, 0x03, 0x00, piece.len() as u8];
            rec.extend_from_slice(piece);
            if s.write_all(&rec).is_err() {
                return;
            }
            let _ = s.flush();
        }
        std::thread::sleep(Duration::from_millis(50));
    });
    let r = probe_bounded(srv.port, opts());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.accepted_versions(), vec![icvsec_probe::Version::Tls12]);
    let p12 = r.protocol(icvsec_probe::Version::Tls12).unwrap();
    assert_eq!(p12.cipher_suites.len(), 1);
    assert_eq!(p12.cipher_suites[0].code, 0x009C);
    assert_eq!(
        p12.cipher_suites[0].name.as_deref(),
        Some("TLS_RSA_WITH_AES_128_GCM_SHA256")
    );
    assert_eq!(p12.client_certificate_requested, Some(true));
    assert_eq!(
        r.certificate_chain,
        vec![
            "-----BEGIN CERTIFICATE-----\nMAMBAf8=\n-----END CERTIFICATE-----\n".to_string(),
            "-----BEGIN CERTIFICATE-----\nMAIFAA==\n-----END CERTIFICATE-----\n".to_string(),
        ]
    );
    assert_eq!(r.client_auth.requested, Some(true));
    assert_eq!(
        r.protocol(icvsec_probe::Version::Tls13).unwrap().status,
        ProtocolStatus::Rejected
    );
}

#[test]
fn overall_deadline_bounds_a_silent_server() {
    // Read timeout longer than the whole budget: the overall deadline must end it.
    let srv = FakeServer::start(|mut s, stop| {
        drain_hello(&mut s);
        sleep_until_stopped(&stop, Duration::from_secs(60));
    });
    let o = ProbeOptions {
        read_timeout: Duration::from_secs(30),
        overall_deadline: Duration::from_secs(1),
        ..opts()
    };
    let r = probe_bounded(srv.port, o);
    assert_partial(&r, &[ProbeErrorKind::Deadline]);
}
