//! Hand-built ClientHellos and a bounded parser for the plaintext server flight.

use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::ProbeErrorKind;

/// Largest record body accepted (2^14 plaintext + 2048 expansion allowance).
const MAX_RECORD: usize = 16384 + 2048;
/// Largest handshake message accepted (a generous certificate chain).
const MAX_HS_MESSAGE: usize = 256 * 1024;
/// Bytes read from one connection at most.
const MAX_TOTAL: usize = 512 * 1024;
/// Handshake messages accepted before ServerHelloDone at most.
const MAX_MESSAGES: usize = 32;

const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub connect: Duration,
    pub read: Duration,
    pub deadline: Instant,
}

#[derive(Clone, Debug)]
pub(crate) struct Fail {
    pub kind: ProbeErrorKind,
    pub message: String,
}

fn fail(kind: ProbeErrorKind, message: impl Into<String>) -> Fail {
    Fail {
        kind,
        message: message.into(),
    }
}

/// Connect with the connect timeout, bounded by the overall deadline.
pub(crate) fn connect(addr: SocketAddr, lim: &Limits) -> Result<TcpStream, Fail> {
    let now = Instant::now();
    if now >= lim.deadline {
        return Err(fail(
            ProbeErrorKind::Deadline,
            "overall deadline reached before connecting",
        ));
    }
    let t = lim.connect.min(lim.deadline - now);
    let sock = TcpStream::connect_timeout(&addr, t).map_err(|e| match e.kind() {
        IoKind::TimedOut | IoKind::WouldBlock => fail(
            ProbeErrorKind::Timeout,
            format!("connect to {addr} timed out after {t:?}"),
        ),
        _ => fail(
            ProbeErrorKind::Connect,
            format!("connect to {addr} failed: {e}"),
        ),
    })?;
    let _ = sock.set_nodelay(true);
    Ok(sock)
}

/// What a ClientHello offers.
pub(crate) struct Hello<'a> {
    /// Record-layer and client_version: 0x0300..=0x0303, 0x0101 (TLCP); for TLS 1.3 use
    /// `tls13 = true` (client_version 0x0303 + supported_versions).
    pub version: u16,
    pub tls13: bool,
    pub suites: &'a [u16],
    pub groups: &'a [u16],
    pub key_shares: &'a [(u16, Vec<u8>)],
    pub sni: Option<&'a str>,
}

fn put_u16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_be_bytes());
}

fn put_u24(v: &mut Vec<u8>, x: usize) {
    v.extend_from_slice(&[(x >> 16) as u8, (x >> 8) as u8, x as u8]);
}

fn ext(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    put_u16(out, typ);
    put_u16(out, body.len() as u16);
    out.extend_from_slice(body);
}

fn u16_list(items: &[u16], len_bytes: usize) -> Vec<u8> {
    let mut v = Vec::new();
    let n = items.len() * 2;
    if len_bytes == 1 {
        v.push(n as u8);
    } else {
        put_u16(&mut v, n as u16);
    }
    for &i in items {
        put_u16(&mut v, i);
    }
    v
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; N];
    // A failing system RNG only weakens the randomness of a probe's hello, not its findings.
    let _ = ring::rand::SystemRandom::new().fill(&mut b);
    b
}

/// Serialize a ClientHello into TLS records.
pub(crate) fn build_client_hello(h: &Hello<'_>) -> Vec<u8> {
    let client_version = if h.tls13 { 0x0303 } else { h.version };
    let mut body = Vec::with_capacity(1024);
    put_u16(&mut body, client_version);
    body.extend_from_slice(&random_bytes::<32>());
    if h.tls13 {
        body.push(32);
        body.extend_from_slice(&random_bytes::<32>());
    } else {
        body.push(0);
    }
    let suites = u16_list(h.suites, 2);
    body.extend_from_slice(&suites);
    body.extend_from_slice(&[1, 0]); // compression: null only

    if h.version != 0x0300 || h.tls13 {
        let mut exts = Vec::new();
        if let Some(name) = h.sni {
            let name = &name.as_bytes()[..name.len().min(255)];
            let mut sni = Vec::new();
            put_u16(&mut sni, (name.len() + 3) as u16);
            sni.push(0);
            put_u16(&mut sni, name.len() as u16);
            sni.extend_from_slice(name);
            ext(&mut exts, 0x0000, &sni);
        }
        if !h.groups.is_empty() {
            ext(&mut exts, 0x000A, &u16_list(h.groups, 2));
            ext(&mut exts, 0x000B, &[1, 0]); // ec_point_formats: uncompressed
        }
        if h.tls13 || h.version >= 0x0303 {
            ext(
                &mut exts,
                0x000D,
                &u16_list(crate::catalog::SIGNATURE_ALGORITHMS, 2),
            );
        }
        ext(&mut exts, 0x0017, &[]); // extended_master_secret
        ext(&mut exts, 0xFF01, &[0]); // renegotiation_info (initial)
        if h.tls13 {
            ext(&mut exts, 0x002B, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3
            ext(&mut exts, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
            let mut ks = Vec::new();
            let total: usize = h.key_shares.iter().map(|(_, k)| 4 + k.len()).sum();
            put_u16(&mut ks, total as u16);
            for (g, k) in h.key_shares {
                put_u16(&mut ks, *g);
                put_u16(&mut ks, k.len() as u16);
                ks.extend_from_slice(k);
            }
            ext(&mut exts, 0x0033, &ks);
        }
        // Padding (RFC 7685) around the 256..511-byte hello size that some stacks mishandle.
        let hs_len = body.len() + 2 + exts.len();
        if (0x100..0x200).contains(&(hs_len + 4)) {
            let pad = (0x200 - (hs_len + 4)).saturating_sub(4).max(1);
            ext(&mut exts, 0x0015, &vec![0; pad]);
        }
        put_u16(&mut body, exts.len() as u16);
        body.extend_from_slice(&exts);
    }

    let mut hs = Vec::with_capacity(body.len() + 4);
    hs.push(1);
    put_u24(&mut hs, body.len());
    hs.extend_from_slice(&body);

    let record_version = match h.version {
        0x0300 => 0x0300,
        0x0101 => 0x0101,
        _ => 0x0301,
    };
    let mut out = Vec::with_capacity(hs.len() + 10);
    for chunk in hs.chunks(16384) {
        out.push(22);
        put_u16(&mut out, record_version);
        put_u16(&mut out, chunk.len() as u16);
        out.extend_from_slice(chunk);
    }
    out
}

/// How far to read the server's first flight.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Until {
    ServerHello,
    KeyExchange,
    HelloDone,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ServerHello {
    /// Negotiated version (supported_versions if present, else legacy_version).
    pub version: u16,
    pub suite: u16,
    pub hrr: bool,
    /// TLS 1.3: key_share group of the ServerHello, or the selected group of an HRR.
    pub group: Option<u16>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Flight {
    pub certs: Vec<Vec<u8>>,
    pub cert_request: bool,
    pub ske_group: Option<u16>,
    pub done: bool,
    /// Set when the flight ended before what was asked for (close, alert, oddity).
    pub cut_short: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Hello(ServerHello, Flight),
    Alert {
        level: u8,
        description: u8,
    },
    /// The server closed (or reset) the connection without sending anything.
    Closed,
    Failed(Fail),
}

/// Connect, send `hello`, read the server flight as far as `until`.
pub(crate) fn exchange(addr: SocketAddr, hello: &[u8], until: Until, lim: &Limits) -> Outcome {
    let mut sock = match connect(addr, lim) {
        Ok(s) => s,
        Err(f) => return Outcome::Failed(f),
    };
    let _ = sock.set_write_timeout(Some(lim.read.max(Duration::from_millis(1))));
    if let Err(e) = sock.write_all(hello) {
        return match e.kind() {
            IoKind::ConnectionReset | IoKind::BrokenPipe | IoKind::ConnectionAborted => {
                Outcome::Closed
            }
            IoKind::TimedOut | IoKind::WouldBlock => Outcome::Failed(fail(
                ProbeErrorKind::Timeout,
                "timed out sending ClientHello",
            )),
            _ => Outcome::Failed(fail(
                ProbeErrorKind::Io,
                format!("sending ClientHello: {e}"),
            )),
        };
    }
    let start = Instant::now();
    let conn_deadline = (start + lim.read).min(lim.deadline);
    let by_overall = lim.deadline <= start + lim.read;
    let mut reader = Reader {
        sock: &mut sock,
        buf: Vec::new(),
        pos: 0,
        total: 0,
        deadline: conn_deadline,
        by_overall,
        read_timeout: lim.read,
    };
    let out = read_flight(&mut reader, until);
    let _ = sock.shutdown(std::net::Shutdown::Both);
    out
}

struct Reader<'a> {
    sock: &'a mut TcpStream,
    buf: Vec<u8>,
    pos: usize,
    total: usize,
    deadline: Instant,
    by_overall: bool,
    read_timeout: Duration,
}

enum ReadErr {
    Eof,
    Fail(Fail),
}

impl Reader<'_> {
    /// Ensure `n` unread bytes are buffered.
    fn fill(&mut self, n: usize) -> Result<(), ReadErr> {
        while self.buf.len() - self.pos < n {
            let now = Instant::now();
            if now >= self.deadline {
                return Err(ReadErr::Fail(self.timeout_fail()));
            }
            let _ = self.sock.set_read_timeout(Some(self.deadline - now));
            let mut tmp = [0u8; 8192];
            let want = (n - (self.buf.len() - self.pos)).clamp(1, tmp.len());
            match self.sock.read(&mut tmp[..want]) {
                Ok(0) => return Err(ReadErr::Eof),
                Ok(k) => {
                    self.total += k;
                    if self.total > MAX_TOTAL {
                        return Err(ReadErr::Fail(fail(
                            ProbeErrorKind::Garbage,
                            format!(
                                "server sent more than {MAX_TOTAL} bytes before its flight ended"
                            ),
                        )));
                    }
                    if self.pos > 0 && self.pos == self.buf.len() {
                        self.buf.clear();
                        self.pos = 0;
                    }
                    self.buf.extend_from_slice(&tmp[..k]);
                }
                Err(e) => match e.kind() {
                    IoKind::WouldBlock | IoKind::TimedOut => {
                        return Err(ReadErr::Fail(self.timeout_fail()));
                    }
                    IoKind::Interrupted => continue,
                    IoKind::ConnectionReset | IoKind::ConnectionAborted => {
                        return Err(ReadErr::Eof);
                    }
                    _ => {
                        return Err(ReadErr::Fail(fail(
                            ProbeErrorKind::Io,
                            format!("read: {e}"),
                        )));
                    }
                },
            }
        }
        Ok(())
    }

    fn timeout_fail(&self) -> Fail {
        if self.by_overall {
            fail(
                ProbeErrorKind::Deadline,
                format!(
                    "overall deadline reached while reading (received {} bytes)",
                    self.total
                ),
            )
        } else {
            fail(
                ProbeErrorKind::Timeout,
                format!(
                    "no complete response within the read timeout of {:?} (received {} bytes)",
                    self.read_timeout, self.total
                ),
            )
        }
    }

    fn take(&mut self, n: usize) -> Result<Vec<u8>, ReadErr> {
        self.fill(n)?;
        let v = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(v)
    }
}

fn describe_garbage(head: &[u8]) -> String {
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    let printable = head.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    if head.starts_with(b"HTTP/") || head.starts_with(b"<") {
        format!(
            "server answered in plaintext (looks like HTTP/HTML): {}",
            hex.join(" ")
        )
    } else if head.starts_with(b"SSH-") {
        format!("server answered with an SSH banner: {}", hex.join(" "))
    } else if printable {
        format!(
            "server answered with plaintext {:?}, not a TLS record",
            String::from_utf8_lossy(head)
        )
    } else {
        format!("not a TLS record header: {}", hex.join(" "))
    }
}

fn read_flight(r: &mut Reader<'_>, until: Until) -> Outcome {
    let mut hs: Vec<u8> = Vec::new();
    let mut hs_pos = 0usize;
    let mut sh: Option<ServerHello> = None;
    let mut flight = Flight::default();
    let mut messages = 0usize;
    let mut first_record = true;
    let cut = |sh: Option<ServerHello>, mut flight: Flight, why: String| -> Outcome {
        match sh {
            Some(sh) => {
                flight.cut_short = Some(why);
                Outcome::Hello(sh, flight)
            }
            None => Outcome::Failed(fail(ProbeErrorKind::Protocol, why)),
        }
    };
    loop {
        let header = match r.take(5) {
            Ok(h) => h,
            Err(ReadErr::Eof) => {
                let have = r.buf.len() - r.pos;
                if r.total == 0 {
                    return Outcome::Closed;
                }
                if have > 0 && first_record {
                    return Outcome::Failed(fail(
                        ProbeErrorKind::Garbage,
                        describe_garbage(&r.buf[r.pos..]),
                    ));
                }
                return cut(
                    sh,
                    flight,
                    format!("connection closed mid-flight after {} bytes", r.total),
                );
            }
            Err(ReadErr::Fail(f)) => {
                if first_record && r.buf.len() > r.pos {
                    let head = &r.buf[r.pos..];
                    if !plausible_header(head) {
                        return Outcome::Failed(fail(
                            ProbeErrorKind::Garbage,
                            describe_garbage(head),
                        ));
                    }
                }
                return match sh {
                    Some(sh) if until != Until::ServerHello => {
                        let mut fl = flight;
                        fl.cut_short = Some(f.message.clone());
                        Outcome::Hello(sh, fl)
                    }
                    _ => Outcome::Failed(f),
                };
            }
        };
        if !plausible_header(&header) {
            return Outcome::Failed(fail(ProbeErrorKind::Garbage, describe_garbage(&header)));
        }
        first_record = false;
        let typ = header[0];
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        let body = match r.take(len) {
            Ok(b) => b,
            Err(ReadErr::Eof) => {
                return cut(
                    sh,
                    flight,
                    format!("connection closed inside a {len}-byte record"),
                );
            }
            Err(ReadErr::Fail(f)) => {
                return match sh {
                    Some(_) => cut(sh, flight, f.message),
                    None => Outcome::Failed(f),
                };
            }
        };
        match typ {
            21 => {
                if body.len() < 2 {
                    return cut(sh, flight, "truncated alert record".into());
                }
                let (level, description) = (body[0], body[1]);
                if level == 1 && description != 0 {
                    continue; // warning (e.g. unrecognized_name): keep reading
                }
                if sh.is_some() {
                    return cut(
                        sh,
                        flight,
                        format!(
                            "alert {} after ServerHello",
                            crate::catalog::alert_name(description)
                        ),
                    );
                }
                return Outcome::Alert { level, description };
            }
            22 => {
                hs.extend_from_slice(&body);
                // Parse every complete handshake message buffered so far.
                loop {
                    let avail = hs.len() - hs_pos;
                    if avail < 4 {
                        break;
                    }
                    let mtype = hs[hs_pos];
                    let mlen = ((hs[hs_pos + 1] as usize) << 16)
                        | ((hs[hs_pos + 2] as usize) << 8)
                        | hs[hs_pos + 3] as usize;
                    if mlen > MAX_HS_MESSAGE {
                        let why = format!(
                            "handshake message type {mtype} claims {mlen} bytes (limit {MAX_HS_MESSAGE})"
                        );
                        return match sh {
                            Some(_) => cut(sh, flight, why),
                            None => Outcome::Failed(fail(ProbeErrorKind::Garbage, why)),
                        };
                    }
                    if avail < 4 + mlen {
                        break;
                    }
                    let msg = hs[hs_pos + 4..hs_pos + 4 + mlen].to_vec();
                    hs_pos += 4 + mlen;
                    messages += 1;
                    if messages > MAX_MESSAGES {
                        return cut(sh, flight, "too many handshake messages".into());
                    }
                    match (&sh, mtype) {
                        (None, 2) => match parse_server_hello(&msg) {
                            Ok(h) => {
                                let stop =
                                    until == Until::ServerHello || h.version == 0x0304 || h.hrr;
                                sh = Some(h);
                                if stop {
                                    return Outcome::Hello(sh.unwrap_or_default(), flight);
                                }
                            }
                            Err(why) => {
                                return Outcome::Failed(fail(
                                    ProbeErrorKind::Garbage,
                                    format!("malformed ServerHello: {why}"),
                                ));
                            }
                        },
                        (None, t) => {
                            return Outcome::Failed(fail(
                                ProbeErrorKind::Protocol,
                                format!("expected ServerHello, got handshake message type {t}"),
                            ));
                        }
                        (Some(_), 11) => match parse_certificate(&msg) {
                            Ok(c) => flight.certs = c,
                            Err(why) => {
                                return cut(sh, flight, format!("malformed Certificate: {why}"));
                            }
                        },
                        (Some(_), 12) => {
                            // ServerKeyExchange: ECParameters curve_type named_curve(3) + group.
                            if msg.len() >= 3 && msg[0] == 3 {
                                flight.ske_group = Some(u16::from_be_bytes([msg[1], msg[2]]));
                            }
                            if until == Until::KeyExchange {
                                return Outcome::Hello(sh.unwrap_or_default(), flight);
                            }
                        }
                        (Some(_), 13) => flight.cert_request = true,
                        (Some(_), 14) => {
                            flight.done = true;
                            return Outcome::Hello(sh.unwrap_or_default(), flight);
                        }
                        (Some(_), _) => {} // CertificateStatus etc.: not needed
                    }
                }
                if hs_pos == hs.len() {
                    hs.clear();
                    hs_pos = 0;
                }
            }
            20 => {} // ChangeCipherSpec (middlebox compatibility): ignore
            23 => {
                return cut(
                    sh,
                    flight,
                    "application data before the handshake completed".into(),
                );
            }
            _ => unreachable!("plausible_header checked the type"),
        }
    }
}

fn plausible_header(h: &[u8]) -> bool {
    if h.is_empty() || !(20..=23).contains(&h[0]) {
        return false;
    }
    if h.len() >= 3 {
        let v = u16::from_be_bytes([h[1], h[2]]);
        if !((0x0300..=0x0304).contains(&v) || v == 0x0101) {
            return false;
        }
    }
    if h.len() >= 5 {
        let len = u16::from_be_bytes([h[3], h[4]]) as usize;
        if len == 0 || len > MAX_RECORD {
            return false;
        }
    }
    true
}

struct Cur<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cur<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.b.len() - self.p < n {
            return Err(format!("truncated at byte {} (need {n} more)", self.p));
        }
        let s = &self.b[self.p..self.p + n];
        self.p += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Result<usize, String> {
        let b = self.bytes(3)?;
        Ok(((b[0] as usize) << 16) | ((b[1] as usize) << 8) | b[2] as usize)
    }
    fn rest(&self) -> usize {
        self.b.len() - self.p
    }
}

pub(crate) fn parse_server_hello(m: &[u8]) -> Result<ServerHello, String> {
    let mut c = Cur { b: m, p: 0 };
    let legacy = c.u16()?;
    let random = c.bytes(32)?;
    let sid_len = c.u8()? as usize;
    if sid_len > 32 {
        return Err(format!("session id length {sid_len} > 32"));
    }
    c.bytes(sid_len)?;
    let suite = c.u16()?;
    let _compression = c.u8()?;
    let mut sh = ServerHello {
        version: legacy,
        suite,
        hrr: random == HRR_RANDOM,
        group: None,
    };
    if c.rest() >= 2 {
        let ext_len = c.u16()? as usize;
        let exts = c.bytes(ext_len)?;
        let mut e = Cur { b: exts, p: 0 };
        while e.rest() > 0 {
            let typ = e.u16()?;
            let len = e.u16()? as usize;
            let data = e.bytes(len)?;
            match typ {
                0x002B if data.len() == 2 => sh.version = u16::from_be_bytes([data[0], data[1]]),
                0x0033 if data.len() >= 2 => {
                    sh.group = Some(u16::from_be_bytes([data[0], data[1]]))
                }
                _ => {}
            }
        }
    }
    Ok(sh)
}

/// TLS <= 1.2 Certificate: certificate_list<0..2^24-1> of opaque ASN.1Cert<1..2^24-1>.
pub(crate) fn parse_certificate(m: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut c = Cur { b: m, p: 0 };
    let total = c.u24()?;
    if total != c.rest() {
        return Err(format!("list length {total} but {} bytes follow", c.rest()));
    }
    let mut certs = Vec::new();
    while c.rest() > 0 {
        let n = c.u24()?;
        if n == 0 {
            return Err(format!("empty certificate entry at byte {}", c.p));
        }
        certs.push(c.bytes(n)?.to_vec());
        if certs.len() > 16 {
            return Err("more than 16 certificates".into());
        }
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_well_formed() {
        let suites = [0xC02Fu16, 0x009C];
        let h = Hello {
            version: 0x0303,
            tls13: false,
            suites: &suites,
            groups: &[0x001D],
            key_shares: &[],
            sni: Some("example.test"),
        };
        let rec = build_client_hello(&h);
        assert_eq!(rec[0], 22);
        assert_eq!(&rec[1..3], &[3, 1]);
        let len = u16::from_be_bytes([rec[3], rec[4]]) as usize;
        assert_eq!(len, rec.len() - 5);
        assert_eq!(rec[5], 1);
        let body_len = ((rec[6] as usize) << 16) | ((rec[7] as usize) << 8) | rec[8] as usize;
        assert_eq!(body_len, len - 4);
        assert_eq!(&rec[9..11], &[3, 3]);
        // suites after random(32) + sid len(1)
        assert_eq!(&rec[44..50], &[0, 4, 0xC0, 0x2F, 0x00, 0x9C]);
        // padded out of the 256..511 range
        assert!(!(0x100..0x200).contains(&(len)), "{len}");
    }

    #[test]
    fn server_hello_parse() {
        let mut m = vec![3, 3];
        m.extend_from_slice(&HRR_RANDOM);
        m.push(0);
        m.extend_from_slice(&[0x13, 0x02, 0]);
        m.extend_from_slice(&[0, 12, 0, 0x2B, 0, 2, 3, 4, 0, 0x33, 0, 2, 0, 0x17]);
        let sh = parse_server_hello(&m).unwrap();
        assert!(sh.hrr);
        assert_eq!(sh.version, 0x0304);
        assert_eq!(sh.suite, 0x1302);
        assert_eq!(sh.group, Some(0x0017));
        assert!(parse_server_hello(&m[..20]).is_err());
    }

    #[test]
    fn certificate_parse_rejects_bad_lengths() {
        assert_eq!(
            parse_certificate(&[0, 0, 4, 0, 0, 1, 0xAA]).unwrap(),
            vec![vec![0xAA]]
        );
        assert!(parse_certificate(&[0, 0, 9, 0, 0, 1, 0xAA]).is_err());
        assert!(parse_certificate(&[0, 0, 4, 0, 0, 5, 0xAA]).is_err());
    }
}
