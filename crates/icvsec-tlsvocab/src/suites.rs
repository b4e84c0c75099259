//! Cipher-suite table: IANA TLS registry entries known to OpenSSL 1.x/3.x, TLS 1.3 suites
//! (incl. RFC 8998 SM4 suites), TLCP (GB/T 38636) suites and SSLv3/export legacy suites.
//!
//! Data provenance: the attributes (key exchange, authentication, encryption, MAC, minimum
//! protocol, OpenSSL strength class, FIPS/"not default" flags) of the 155 TLS ≤ 1.2 and TLS
//! 1.3 suites that the OpenSSL 3.0 build used for development lists were taken from
//! `openssl ciphers -stdname -V` output; the legacy, TLCP and SM entries were written from
//! the IANA registry, OpenSSL 1.0.2's `s3_lib.c` naming and GB/T 38636 / RFC 8998.

use crate::versions::Version;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Key-exchange method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyExchange {
    /// Static RSA key transport (no forward secrecy).
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman (also anonymous DH).
    Dhe,
    /// Static DH, RSA-signed certificate.
    DhRsa,
    /// Static DH, DSS-signed certificate.
    DhDss,
    /// Ephemeral elliptic-curve DH (also anonymous ECDH).
    Ecdhe,
    /// Static ECDH, RSA-signed certificate.
    EcdhRsa,
    /// Static ECDH, ECDSA-signed certificate.
    EcdhEcdsa,
    /// Pre-shared key.
    Psk,
    /// RSA-encrypted PSK.
    RsaPsk,
    /// DHE with PSK.
    DhePsk,
    /// ECDHE with PSK.
    EcdhePsk,
    /// Secure Remote Password.
    Srp,
    /// Kerberos 5.
    Krb5,
    /// TLCP "ECC": SM2 key transport with the encryption certificate (no forward secrecy).
    Sm2,
    /// TLCP "ECDHE": SM2 key agreement with ephemeral keys.
    Sm2Dhe,
    /// TLS 1.3: negotiated separately (always (EC)DHE or PSK-(EC)DHE/PSK).
    Any,
}

/// Server authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authentication {
    /// Anonymous (no authentication).
    Null,
    /// RSA signature.
    Rsa,
    /// DSA signature.
    Dss,
    /// ECDSA signature.
    Ecdsa,
    /// Pre-shared key.
    Psk,
    /// SRP verifier.
    Srp,
    /// Kerberos 5.
    Krb5,
    /// Static DH certificate.
    Dh,
    /// Static ECDH certificate.
    Ecdh,
    /// SM2 certificates (TLCP).
    Sm2,
    /// TLS 1.3: negotiated separately.
    Any,
}

/// Bulk encryption algorithm (with its mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Encryption {
    Null,
    Rc4_40,
    Rc4_128,
    Rc2Cbc40,
    Des40Cbc,
    DesCbc,
    TripleDesCbc,
    IdeaCbc,
    SeedCbc,
    Aes128Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
    Aes128Ccm,
    Aes256Ccm,
    Aes128Ccm8,
    Aes256Ccm8,
    Camellia128Cbc,
    Camellia256Cbc,
    Aria128Gcm,
    Aria256Gcm,
    ChaCha20Poly1305,
    Sm4Cbc,
    Sm4Gcm,
    Sm4Ccm,
}

impl Encryption {
    /// Nominal key bits (168 for 3DES, 40 for export ciphers, 0 for NULL).
    pub fn bits(self) -> u16 {
        use Encryption::*;
        match self {
            Null => 0,
            Rc4_40 | Rc2Cbc40 | Des40Cbc => 40,
            DesCbc => 56,
            TripleDesCbc => 168,
            Rc4_128 | IdeaCbc | SeedCbc | Aes128Cbc | Aes128Gcm | Aes128Ccm | Aes128Ccm8
            | Camellia128Cbc | Aria128Gcm | Sm4Cbc | Sm4Gcm | Sm4Ccm => 128,
            Aes256Cbc | Aes256Gcm | Aes256Ccm | Aes256Ccm8 | Camellia256Cbc | Aria256Gcm
            | ChaCha20Poly1305 => 256,
        }
    }

    /// Effective security strength in bits as OpenSSL ranks it (`@STRENGTH`): 3DES = 112.
    pub fn strength_bits(self) -> u16 {
        match self {
            Encryption::TripleDesCbc => 112,
            e => e.bits(),
        }
    }

    /// Authenticated encryption (GCM, CCM, ChaCha20-Poly1305).
    pub fn is_aead(self) -> bool {
        use Encryption::*;
        matches!(
            self,
            Aes128Gcm
                | Aes256Gcm
                | Aes128Ccm
                | Aes256Ccm
                | Aes128Ccm8
                | Aes256Ccm8
                | Aria128Gcm
                | Aria256Gcm
                | ChaCha20Poly1305
                | Sm4Gcm
                | Sm4Ccm
        )
    }

    /// CBC-mode block cipher.
    pub fn is_cbc(self) -> bool {
        use Encryption::*;
        matches!(
            self,
            Rc2Cbc40
                | Des40Cbc
                | DesCbc
                | TripleDesCbc
                | IdeaCbc
                | SeedCbc
                | Aes128Cbc
                | Aes256Cbc
                | Camellia128Cbc
                | Camellia256Cbc
                | Sm4Cbc
        )
    }
}

/// Record MAC (or `Aead` when the cipher authenticates; the PRF hash is then implied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Mac {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sm3,
    Aead,
}

/// Protocol family a suite belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolFamily {
    /// Usable from SSLv3/TLS 1.0 on (and in TLS 1.2).
    Legacy,
    /// TLS 1.2 only (SHA-256/384 PRF or AEAD suites).
    Tls12,
    /// TLS 1.3 only.
    Tls13,
    /// TLCP (GB/T 38636) only.
    Tlcp,
}

/// OpenSSL strength class (`HIGH`, `MEDIUM`, `LOW`, `EXPORT`, or none for NULL ciphers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Strength {
    None,
    Export,
    Low,
    Medium,
    High,
}

/// In which OpenSSL generations a suite exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpensslAvailability {
    /// In the cipher table of OpenSSL 1.1.x and 3.x (may still be compiled out or need the
    /// legacy provider, e.g. RC4, 3DES, IDEA, SEED).
    OpenSsl3,
    /// Only in OpenSSL ≤ 1.0.2 (export, single DES, static DH/ECDH, Kerberos suites).
    OpenSsl102Only,
    /// Not in upstream OpenSSL (TLCP and RFC 8998 SM suites: Tongsuo/GmSSL).
    NotInOpenssl,
}

/// Classification flags of a suite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SuiteFlags {
    /// Authenticated encryption.
    pub aead: bool,
    /// Ephemeral key exchange (DHE/ECDHE, TLCP ECDHE, TLS 1.3).
    pub forward_secrecy: bool,
    /// NULL encryption.
    pub null: bool,
    /// No server authentication.
    pub anonymous: bool,
    /// Export-grade (40/56-bit) suite.
    pub export: bool,
    /// RC4 stream cipher.
    pub rc4: bool,
    /// Single DES (56 or 40 bits).
    pub des: bool,
    /// Triple DES.
    #[serde(rename = "3des")]
    pub triple_des: bool,
    /// CBC-mode block cipher.
    pub cbc: bool,
    /// Chinese SM algorithms (SM2/SM3/SM4).
    pub sm: bool,
    /// Pre-shared-key based.
    pub psk: bool,
    /// MD5 record MAC.
    pub md5: bool,
    /// SHA-1 record MAC.
    pub sha1: bool,
}

/// OpenSSL-specific metadata used by the cipher-string engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpensslMeta {
    /// Strength class (`HIGH`/`MEDIUM`/`LOW`/`EXPORT`).
    pub strength: Strength,
    /// In OpenSSL's `FIPS` alias.
    pub fips: bool,
    /// In OpenSSL 3's `COMPLEMENTOFDEFAULT` (not in `DEFAULT`).
    pub not_default: bool,
    /// Which OpenSSL generations have it.
    pub availability: OpensslAvailability,
    /// Tie-break rank of OpenSSL's internal table order (lower = earlier in the
    /// pre-sorted list); meaningful only among suites of equal sort keys.
    pub rank: u16,
}

/// One cipher suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CipherSuite {
    /// Code point (e.g. 0xC02F).
    pub code: u16,
    /// IANA registry name (for TLCP: the GB/T 38636 name, e.g. "ECC_SM4_CBC_SM3").
    pub iana_name: String,
    /// OpenSSL name, if OpenSSL (or Tongsuo, for SM suites) names it.
    pub openssl_name: Option<String>,
    /// Key exchange.
    pub kx: KeyExchange,
    /// Authentication.
    pub auth: Authentication,
    /// Encryption.
    pub enc: Encryption,
    /// Encryption key bits.
    pub enc_bits: u16,
    /// MAC.
    pub mac: Mac,
    /// Oldest protocol version the suite can be used with.
    pub min_version: Version,
    /// Protocol family.
    pub family: ProtocolFamily,
    /// Classification flags.
    pub flags: SuiteFlags,
    /// OpenSSL metadata.
    pub openssl: OpensslMeta,
}

impl CipherSuite {
    /// Code point as "0xC0,0x2F" (OpenSSL `-V` style).
    pub fn code_string(&self) -> String {
        format!("0x{:02X},0x{:02X}", self.code >> 8, self.code & 0xff)
    }

    /// Preferred display name: OpenSSL name, else IANA name.
    pub fn display_name(&self) -> &str {
        self.openssl_name.as_deref().unwrap_or(&self.iana_name)
    }

    /// Whether the suite can be negotiated at `v`.
    pub fn usable_with(&self, v: Version) -> bool {
        match self.family {
            ProtocolFamily::Tls13 => v == Version::Tls13,
            ProtocolFamily::Tlcp => v == Version::Tlcp,
            ProtocolFamily::Tls12 => v == Version::Tls12,
            ProtocolFamily::Legacy => match (v.tls_rank(), self.min_version.tls_rank()) {
                (Some(r), Some(m)) => r >= m && r <= 4,
                _ => v == Version::Tlcp && self.kx == KeyExchange::Rsa,
            },
        }
    }
}

const FIPS: u8 = 1;
const ND: u8 = 2;
/// Removed in OpenSSL 1.1.0 (1.0.2 only).
const R: u8 = 4;
/// Not in upstream OpenSSL at all.
const X: u8 = 8;

struct Row {
    code: u16,
    iana: &'static str,
    ossl: &'static str,
    kx: KeyExchange,
    au: Authentication,
    enc: Encryption,
    mac: Mac,
    min: Version,
    strength: Strength,
    flags: u8,
    rank: u16,
}

#[allow(clippy::too_many_arguments)]
const fn s(
    code: u16,
    iana: &'static str,
    ossl: &'static str,
    kx: KeyExchange,
    au: Authentication,
    enc: Encryption,
    mac: Mac,
    min: Version,
    strength: Strength,
    flags: u8,
    rank: u16,
) -> Row {
    Row {
        code,
        iana,
        ossl,
        kx,
        au,
        enc,
        mac,
        min,
        strength,
        flags,
        rank,
    }
}

use Authentication as A;
use Encryption as E;
use KeyExchange as K;
use Mac as M;
use Strength as S;
use Version as V;

#[rustfmt::skip]
static ROWS: &[Row] = &[
    s(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", K::Any, A::Any, E::Aes256Gcm, M::Aead, V::Tls13, S::High, FIPS|ND, 0),
    s(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", K::Any, A::Any, E::ChaCha20Poly1305, M::Aead, V::Tls13, S::High, FIPS|ND, 1),
    s(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", K::Any, A::Any, E::Aes128Gcm, M::Aead, V::Tls13, S::High, FIPS|ND, 2),
    s(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", K::Ecdhe, A::Ecdsa, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 3),
    s(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", K::Ecdhe, A::Rsa, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 4),
    s(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", K::Dhe, A::Dss, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS|ND, 5),
    s(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", K::Dhe, A::Rsa, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 6),
    s(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", K::Ecdhe, A::Ecdsa, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 7),
    s(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", K::Ecdhe, A::Rsa, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 8),
    s(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", K::Dhe, A::Rsa, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 9),
    s(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", K::Ecdhe, A::Ecdsa, E::Aes256Ccm8, M::Aead, V::Tls12, S::High, ND, 10),
    s(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", K::Ecdhe, A::Ecdsa, E::Aes256Ccm, M::Aead, V::Tls12, S::High, ND, 11),
    s(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", K::Dhe, A::Rsa, E::Aes256Ccm8, M::Aead, V::Tls12, S::High, ND, 12),
    s(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", K::Dhe, A::Rsa, E::Aes256Ccm, M::Aead, V::Tls12, S::High, ND, 13),
    s(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", K::Ecdhe, A::Ecdsa, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 14),
    s(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", K::Ecdhe, A::Rsa, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 15),
    s(0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", K::Dhe, A::Dss, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 16),
    s(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", K::Dhe, A::Rsa, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 17),
    s(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", K::Dhe, A::Null, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS|ND, 18),
    s(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", K::Ecdhe, A::Ecdsa, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 19),
    s(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", K::Ecdhe, A::Rsa, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 20),
    s(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", K::Dhe, A::Dss, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS|ND, 21),
    s(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", K::Dhe, A::Rsa, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 22),
    s(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", K::Ecdhe, A::Ecdsa, E::Aes128Ccm8, M::Aead, V::Tls12, S::High, ND, 23),
    s(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", K::Ecdhe, A::Ecdsa, E::Aes128Ccm, M::Aead, V::Tls12, S::High, ND, 24),
    s(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", K::Dhe, A::Rsa, E::Aes128Ccm8, M::Aead, V::Tls12, S::High, ND, 25),
    s(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", K::Dhe, A::Rsa, E::Aes128Ccm, M::Aead, V::Tls12, S::High, ND, 26),
    s(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", K::Ecdhe, A::Ecdsa, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 27),
    s(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", K::Ecdhe, A::Rsa, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 28),
    s(0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", K::Dhe, A::Dss, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 29),
    s(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", K::Dhe, A::Rsa, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 30),
    s(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", K::Dhe, A::Null, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS|ND, 31),
    s(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", K::Ecdhe, A::Ecdsa, E::Aes256Cbc, M::Sha384, V::Tls12, S::High, FIPS, 32),
    s(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", K::Ecdhe, A::Rsa, E::Aes256Cbc, M::Sha384, V::Tls12, S::High, FIPS, 33),
    s(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", K::Dhe, A::Rsa, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, FIPS, 34),
    s(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", K::Dhe, A::Dss, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, FIPS|ND, 35),
    s(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", K::Ecdhe, A::Ecdsa, E::Camellia256Cbc, M::Sha384, V::Tls12, S::High, ND, 36),
    s(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", K::Ecdhe, A::Rsa, E::Camellia256Cbc, M::Sha384, V::Tls12, S::High, ND, 37),
    s(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", K::Dhe, A::Rsa, E::Camellia256Cbc, M::Sha256, V::Tls12, S::High, ND, 38),
    s(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", K::Dhe, A::Dss, E::Camellia256Cbc, M::Sha256, V::Tls12, S::High, ND, 39),
    s(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", K::Dhe, A::Null, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, FIPS|ND, 40),
    s(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", K::Dhe, A::Null, E::Camellia256Cbc, M::Sha256, V::Tls12, S::High, ND, 41),
    s(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", K::Ecdhe, A::Ecdsa, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS, 42),
    s(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", K::Ecdhe, A::Rsa, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS, 43),
    s(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", K::Dhe, A::Rsa, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS, 44),
    s(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", K::Dhe, A::Dss, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS|ND, 45),
    s(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", K::Ecdhe, A::Ecdsa, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 46),
    s(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", K::Ecdhe, A::Rsa, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 47),
    s(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", K::Dhe, A::Rsa, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 48),
    s(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", K::Dhe, A::Dss, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 49),
    s(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", K::Dhe, A::Null, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS|ND, 50),
    s(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", K::Dhe, A::Null, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 51),
    s(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", K::Ecdhe, A::Ecdsa, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, FIPS, 52),
    s(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", K::Ecdhe, A::Rsa, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, FIPS, 53),
    s(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", K::Dhe, A::Rsa, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 54),
    s(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", K::Dhe, A::Dss, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS|ND, 55),
    s(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", K::Dhe, A::Rsa, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, ND, 56),
    s(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", K::Dhe, A::Dss, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, ND, 57),
    s(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", K::Ecdhe, A::Null, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, FIPS|ND, 58),
    s(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", K::Dhe, A::Null, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS|ND, 59),
    s(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", K::Dhe, A::Null, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, ND, 60),
    s(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", K::Ecdhe, A::Ecdsa, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, FIPS, 61),
    s(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", K::Ecdhe, A::Rsa, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, FIPS, 62),
    s(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", K::Dhe, A::Rsa, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 63),
    s(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", K::Dhe, A::Dss, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS|ND, 64),
    s(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", K::Dhe, A::Rsa, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, ND, 65),
    s(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", K::Dhe, A::Dss, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, ND, 66),
    s(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", K::Ecdhe, A::Null, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, FIPS|ND, 67),
    s(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", K::Dhe, A::Null, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS|ND, 68),
    s(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", K::Dhe, A::Null, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, ND, 69),
    s(0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384", K::RsaPsk, A::Rsa, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 70),
    s(0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384", K::DhePsk, A::Psk, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 71),
    s(0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", K::RsaPsk, A::Rsa, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 72),
    s(0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305", K::DhePsk, A::Psk, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 73),
    s(0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", K::EcdhePsk, A::Psk, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 74),
    s(0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", K::DhePsk, A::Psk, E::Aes256Ccm8, M::Aead, V::Tls12, S::High, ND, 75),
    s(0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM", K::DhePsk, A::Psk, E::Aes256Ccm, M::Aead, V::Tls12, S::High, ND, 76),
    s(0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384", K::RsaPsk, A::Rsa, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 77),
    s(0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384", K::DhePsk, A::Psk, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 78),
    s(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", K::Rsa, A::Rsa, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 79),
    s(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", K::Rsa, A::Rsa, E::Aes256Ccm8, M::Aead, V::Tls12, S::High, ND, 80),
    s(0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", K::Rsa, A::Rsa, E::Aes256Ccm, M::Aead, V::Tls12, S::High, ND, 81),
    s(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", K::Rsa, A::Rsa, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 82),
    s(0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384", K::Psk, A::Psk, E::Aes256Gcm, M::Aead, V::Tls12, S::High, FIPS, 83),
    s(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", K::Psk, A::Psk, E::ChaCha20Poly1305, M::Aead, V::Tls12, S::High, 0, 84),
    s(0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8", K::Psk, A::Psk, E::Aes256Ccm8, M::Aead, V::Tls12, S::High, ND, 85),
    s(0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM", K::Psk, A::Psk, E::Aes256Ccm, M::Aead, V::Tls12, S::High, ND, 86),
    s(0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384", K::Psk, A::Psk, E::Aria256Gcm, M::Aead, V::Tls12, S::High, ND, 87),
    s(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256", K::RsaPsk, A::Rsa, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 88),
    s(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", K::DhePsk, A::Psk, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 89),
    s(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", K::DhePsk, A::Psk, E::Aes128Ccm8, M::Aead, V::Tls12, S::High, ND, 90),
    s(0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM", K::DhePsk, A::Psk, E::Aes128Ccm, M::Aead, V::Tls12, S::High, ND, 91),
    s(0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256", K::RsaPsk, A::Rsa, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 92),
    s(0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256", K::DhePsk, A::Psk, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 93),
    s(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", K::Rsa, A::Rsa, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 94),
    s(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", K::Rsa, A::Rsa, E::Aes128Ccm8, M::Aead, V::Tls12, S::High, ND, 95),
    s(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", K::Rsa, A::Rsa, E::Aes128Ccm, M::Aead, V::Tls12, S::High, ND, 96),
    s(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", K::Rsa, A::Rsa, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 97),
    s(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", K::Psk, A::Psk, E::Aes128Gcm, M::Aead, V::Tls12, S::High, FIPS, 98),
    s(0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", K::Psk, A::Psk, E::Aes128Ccm8, M::Aead, V::Tls12, S::High, ND, 99),
    s(0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", K::Psk, A::Psk, E::Aes128Ccm, M::Aead, V::Tls12, S::High, ND, 100),
    s(0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256", K::Psk, A::Psk, E::Aria128Gcm, M::Aead, V::Tls12, S::High, ND, 101),
    s(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", K::Rsa, A::Rsa, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, FIPS, 102),
    s(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", K::Rsa, A::Rsa, E::Camellia256Cbc, M::Sha256, V::Tls12, S::High, ND, 103),
    s(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", K::Rsa, A::Rsa, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, FIPS, 104),
    s(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", K::Rsa, A::Rsa, E::Camellia128Cbc, M::Sha256, V::Tls12, S::High, ND, 105),
    s(0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", K::EcdhePsk, A::Psk, E::Aes256Cbc, M::Sha384, V::Tls10, S::High, FIPS, 106),
    s(0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", K::EcdhePsk, A::Psk, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, FIPS, 107),
    s(0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA", K::Srp, A::Dss, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, ND, 108),
    s(0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA", K::Srp, A::Rsa, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, 0, 109),
    s(0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", K::Srp, A::Srp, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, 0, 110),
    s(0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384", K::RsaPsk, A::Rsa, E::Aes256Cbc, M::Sha384, V::Tls10, S::High, FIPS, 111),
    s(0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384", K::DhePsk, A::Psk, E::Aes256Cbc, M::Sha384, V::Tls10, S::High, FIPS, 112),
    s(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA", K::RsaPsk, A::Rsa, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 113),
    s(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA", K::DhePsk, A::Psk, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 114),
    s(0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384", K::EcdhePsk, A::Psk, E::Camellia256Cbc, M::Sha384, V::Tls10, S::High, ND, 115),
    s(0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384", K::RsaPsk, A::Rsa, E::Camellia256Cbc, M::Sha384, V::Tls10, S::High, ND, 116),
    s(0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384", K::DhePsk, A::Psk, E::Camellia256Cbc, M::Sha384, V::Tls10, S::High, ND, 117),
    s(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", K::Rsa, A::Rsa, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 118),
    s(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", K::Rsa, A::Rsa, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, ND, 119),
    s(0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384", K::Psk, A::Psk, E::Aes256Cbc, M::Sha384, V::Tls10, S::High, FIPS, 120),
    s(0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", K::Psk, A::Psk, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 121),
    s(0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384", K::Psk, A::Psk, E::Camellia256Cbc, M::Sha384, V::Tls10, S::High, ND, 122),
    s(0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256", K::EcdhePsk, A::Psk, E::Aes128Cbc, M::Sha256, V::Tls10, S::High, FIPS, 123),
    s(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", K::EcdhePsk, A::Psk, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, FIPS, 124),
    s(0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA", K::Srp, A::Dss, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, ND, 125),
    s(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", K::Srp, A::Rsa, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, 0, 126),
    s(0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA", K::Srp, A::Srp, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, 0, 127),
    s(0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256", K::RsaPsk, A::Rsa, E::Aes128Cbc, M::Sha256, V::Tls10, S::High, FIPS, 128),
    s(0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256", K::DhePsk, A::Psk, E::Aes128Cbc, M::Sha256, V::Tls10, S::High, FIPS, 129),
    s(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", K::RsaPsk, A::Rsa, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 130),
    s(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA", K::DhePsk, A::Psk, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 131),
    s(0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", K::EcdhePsk, A::Psk, E::Camellia128Cbc, M::Sha256, V::Tls10, S::High, ND, 132),
    s(0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256", K::RsaPsk, A::Rsa, E::Camellia128Cbc, M::Sha256, V::Tls10, S::High, ND, 133),
    s(0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256", K::DhePsk, A::Psk, E::Camellia128Cbc, M::Sha256, V::Tls10, S::High, ND, 134),
    s(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", K::Rsa, A::Rsa, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 135),
    s(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", K::Rsa, A::Rsa, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, ND, 136),
    s(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", K::Psk, A::Psk, E::Aes128Cbc, M::Sha256, V::Tls10, S::High, FIPS, 137),
    s(0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", K::Psk, A::Psk, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, FIPS, 138),
    s(0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256", K::Psk, A::Psk, E::Camellia128Cbc, M::Sha256, V::Tls10, S::High, ND, 139),
    s(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", K::Ecdhe, A::Ecdsa, E::Null, M::Sha1, V::Tls10, S::None, 0, 140),
    s(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", K::Ecdhe, A::Rsa, E::Null, M::Sha1, V::Tls10, S::None, 0, 141),
    s(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", K::Ecdhe, A::Null, E::Null, M::Sha1, V::Tls10, S::None, 0, 142),
    s(0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", K::Rsa, A::Rsa, E::Null, M::Sha256, V::Tls12, S::None, 0, 143),
    s(0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384", K::EcdhePsk, A::Psk, E::Null, M::Sha384, V::Tls10, S::None, 0, 144),
    s(0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256", K::EcdhePsk, A::Psk, E::Null, M::Sha256, V::Tls10, S::None, 0, 145),
    s(0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA", K::EcdhePsk, A::Psk, E::Null, M::Sha1, V::Tls10, S::None, 0, 146),
    s(0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384", K::RsaPsk, A::Rsa, E::Null, M::Sha384, V::Tls10, S::None, 0, 147),
    s(0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256", K::RsaPsk, A::Rsa, E::Null, M::Sha256, V::Tls10, S::None, 0, 148),
    s(0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", K::DhePsk, A::Psk, E::Null, M::Sha384, V::Tls10, S::None, 0, 149),
    s(0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", K::DhePsk, A::Psk, E::Null, M::Sha256, V::Tls10, S::None, 0, 150),
    s(0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA", K::RsaPsk, A::Rsa, E::Null, M::Sha1, V::Ssl3, S::None, 0, 151),
    s(0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA", K::DhePsk, A::Psk, E::Null, M::Sha1, V::Ssl3, S::None, 0, 152),
    s(0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", K::Rsa, A::Rsa, E::Null, M::Sha1, V::Ssl3, S::None, 0, 153),
    s(0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", K::Rsa, A::Rsa, E::Null, M::Md5, V::Ssl3, S::None, 0, 154),
    s(0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384", K::Psk, A::Psk, E::Null, M::Sha384, V::Tls10, S::None, 0, 155),
    s(0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256", K::Psk, A::Psk, E::Null, M::Sha256, V::Tls10, S::None, 0, 156),
    s(0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", K::Psk, A::Psk, E::Null, M::Sha1, V::Ssl3, S::None, 0, 157),
    // --- TLS 1.3 suites OpenSSL knows but does not enable by default ---
    s(0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", K::Any, A::Any, E::Aes128Ccm, M::Aead, V::Tls13, S::High, 0, 1000),
    s(0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", K::Any, A::Any, E::Aes128Ccm8, M::Aead, V::Tls13, S::High, 0, 1001),
    // --- RFC 8998 (TLS 1.3 SM suites; Tongsuo names) ---
    s(0x00C6, "TLS_SM4_GCM_SM3", "TLS_SM4_GCM_SM3", K::Any, A::Any, E::Sm4Gcm, M::Aead, V::Tls13, S::High, X, 1002),
    s(0x00C7, "TLS_SM4_CCM_SM3", "TLS_SM4_CCM_SM3", K::Any, A::Any, E::Sm4Ccm, M::Aead, V::Tls13, S::High, X, 1003),
    // --- TLCP, GB/T 38636-2020 (ex GM/T 0024); OpenSSL-style names as Tongsuo spells them ---
    s(0xE011, "ECDHE_SM4_CBC_SM3", "ECDHE-SM2-SM4-CBC-SM3", K::Sm2Dhe, A::Sm2, E::Sm4Cbc, M::Sm3, V::Tlcp, S::High, X, 1010),
    s(0xE013, "ECC_SM4_CBC_SM3", "ECC-SM2-SM4-CBC-SM3", K::Sm2, A::Sm2, E::Sm4Cbc, M::Sm3, V::Tlcp, S::High, X, 1011),
    s(0xE051, "ECDHE_SM4_GCM_SM3", "ECDHE-SM2-SM4-GCM-SM3", K::Sm2Dhe, A::Sm2, E::Sm4Gcm, M::Aead, V::Tlcp, S::High, X, 1012),
    s(0xE053, "ECC_SM4_GCM_SM3", "ECC-SM2-SM4-GCM-SM3", K::Sm2, A::Sm2, E::Sm4Gcm, M::Aead, V::Tlcp, S::High, X, 1013),
    // --- In the OpenSSL 1.1/3.x table but compiled out (weak-ssl-ciphers) or needing the
    //     legacy provider on the development build: RC4, 3DES, IDEA, SEED ---
    s(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", K::Rsa, A::Rsa, E::Rc4_128, M::Md5, V::Ssl3, S::Medium, ND, 2000),
    s(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", K::Rsa, A::Rsa, E::Rc4_128, M::Sha1, V::Ssl3, S::Medium, ND, 2001),
    s(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", K::Dhe, A::Null, E::Rc4_128, M::Md5, V::Ssl3, S::Medium, ND, 2002),
    s(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", K::Ecdhe, A::Ecdsa, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, ND, 2003),
    s(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", K::Ecdhe, A::Rsa, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, ND, 2004),
    s(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", K::Ecdhe, A::Null, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, ND, 2005),
    s(0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", K::Psk, A::Psk, E::Rc4_128, M::Sha1, V::Ssl3, S::Medium, ND, 2006),
    s(0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK-RC4-SHA", K::DhePsk, A::Psk, E::Rc4_128, M::Sha1, V::Ssl3, S::Medium, ND, 2007),
    s(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK-RC4-SHA", K::RsaPsk, A::Rsa, E::Rc4_128, M::Sha1, V::Ssl3, S::Medium, ND, 2008),
    s(0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA", K::EcdhePsk, A::Psk, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, ND, 2009),
    s(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", K::Rsa, A::Rsa, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2010),
    s(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "DHE-DSS-DES-CBC3-SHA", K::Dhe, A::Dss, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2011),
    s(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA", K::Dhe, A::Rsa, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2012),
    s(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", K::Dhe, A::Null, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2013),
    s(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", K::Ecdhe, A::Ecdsa, E::TripleDesCbc, M::Sha1, V::Tls10, S::Medium, ND | FIPS, 2014),
    s(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", K::Ecdhe, A::Rsa, E::TripleDesCbc, M::Sha1, V::Tls10, S::Medium, ND | FIPS, 2015),
    s(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", K::Ecdhe, A::Null, E::TripleDesCbc, M::Sha1, V::Tls10, S::Medium, ND | FIPS, 2016),
    s(0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA", K::Psk, A::Psk, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2017),
    s(0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA", K::DhePsk, A::Psk, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2018),
    s(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA", K::RsaPsk, A::Rsa, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND | FIPS, 2019),
    s(0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA", K::EcdhePsk, A::Psk, E::TripleDesCbc, M::Sha1, V::Tls10, S::Medium, ND | FIPS, 2020),
    s(0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA", K::Srp, A::Srp, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2021),
    s(0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA", K::Srp, A::Rsa, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2022),
    s(0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA", K::Srp, A::Dss, E::TripleDesCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2023),
    s(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", K::Rsa, A::Rsa, E::IdeaCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2024),
    s(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", K::Rsa, A::Rsa, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2025),
    s(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", K::Dhe, A::Dss, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2026),
    s(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", K::Dhe, A::Rsa, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2027),
    s(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", K::Dhe, A::Null, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, ND, 2028),
    // --- OpenSSL <= 1.0.2 only: export, single DES, static DH/ECDH, Kerberos ---
    s(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", K::Rsa, A::Rsa, E::Rc4_40, M::Md5, V::Ssl3, S::Export, R, 3000),
    s(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", K::Rsa, A::Rsa, E::Rc2Cbc40, M::Md5, V::Ssl3, S::Export, R, 3001),
    s(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", K::Rsa, A::Rsa, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3002),
    s(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", K::Rsa, A::Rsa, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3003),
    s(0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA", K::DhDss, A::Dh, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3004),
    s(0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA", K::DhDss, A::Dh, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3005),
    s(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", K::DhDss, A::Dh, E::TripleDesCbc, M::Sha1, V::Ssl3, S::High, R, 3006),
    s(0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA", K::DhRsa, A::Dh, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3007),
    s(0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA", K::DhRsa, A::Dh, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3008),
    s(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA", K::DhRsa, A::Dh, E::TripleDesCbc, M::Sha1, V::Ssl3, S::High, R, 3009),
    s(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", K::Dhe, A::Dss, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3010),
    s(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", K::Dhe, A::Dss, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3011),
    s(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", K::Dhe, A::Rsa, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3012),
    s(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", K::Dhe, A::Rsa, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3013),
    s(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", K::Dhe, A::Null, E::Rc4_40, M::Md5, V::Ssl3, S::Export, R, 3014),
    s(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", K::Dhe, A::Null, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3015),
    s(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", K::Dhe, A::Null, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3016),
    s(0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", "KRB5-DES-CBC-SHA", K::Krb5, A::Krb5, E::DesCbc, M::Sha1, V::Ssl3, S::Low, R, 3017),
    s(0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5-DES-CBC3-SHA", K::Krb5, A::Krb5, E::TripleDesCbc, M::Sha1, V::Ssl3, S::High, R, 3018),
    s(0x0020, "TLS_KRB5_WITH_RC4_128_SHA", "KRB5-RC4-SHA", K::Krb5, A::Krb5, E::Rc4_128, M::Sha1, V::Ssl3, S::Medium, R, 3019),
    s(0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", "KRB5-IDEA-CBC-SHA", K::Krb5, A::Krb5, E::IdeaCbc, M::Sha1, V::Ssl3, S::Medium, R, 3020),
    s(0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", "KRB5-DES-CBC-MD5", K::Krb5, A::Krb5, E::DesCbc, M::Md5, V::Ssl3, S::Low, R, 3021),
    s(0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", "KRB5-DES-CBC3-MD5", K::Krb5, A::Krb5, E::TripleDesCbc, M::Md5, V::Ssl3, S::High, R, 3022),
    s(0x0024, "TLS_KRB5_WITH_RC4_128_MD5", "KRB5-RC4-MD5", K::Krb5, A::Krb5, E::Rc4_128, M::Md5, V::Ssl3, S::Medium, R, 3023),
    s(0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", "KRB5-IDEA-CBC-MD5", K::Krb5, A::Krb5, E::IdeaCbc, M::Md5, V::Ssl3, S::Medium, R, 3024),
    s(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "EXP-KRB5-DES-CBC-SHA", K::Krb5, A::Krb5, E::Des40Cbc, M::Sha1, V::Ssl3, S::Export, R, 3025),
    s(0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", "EXP-KRB5-RC2-CBC-SHA", K::Krb5, A::Krb5, E::Rc2Cbc40, M::Sha1, V::Ssl3, S::Export, R, 3026),
    s(0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", "EXP-KRB5-RC4-SHA", K::Krb5, A::Krb5, E::Rc4_40, M::Sha1, V::Ssl3, S::Export, R, 3027),
    s(0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", "EXP-KRB5-DES-CBC-MD5", K::Krb5, A::Krb5, E::Des40Cbc, M::Md5, V::Ssl3, S::Export, R, 3028),
    s(0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-KRB5-RC2-CBC-MD5", K::Krb5, A::Krb5, E::Rc2Cbc40, M::Md5, V::Ssl3, S::Export, R, 3029),
    s(0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", "EXP-KRB5-RC4-MD5", K::Krb5, A::Krb5, E::Rc4_40, M::Md5, V::Ssl3, S::Export, R, 3030),
    s(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA", K::DhDss, A::Dh, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, R, 3031),
    s(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", K::DhRsa, A::Dh, E::Aes128Cbc, M::Sha1, V::Ssl3, S::High, R, 3032),
    s(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA", K::DhDss, A::Dh, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, R, 3033),
    s(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA", K::DhRsa, A::Dh, E::Aes256Cbc, M::Sha1, V::Ssl3, S::High, R, 3034),
    s(0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256", K::DhDss, A::Dh, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, R, 3035),
    s(0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256", K::DhRsa, A::Dh, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, R, 3036),
    s(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256", K::DhDss, A::Dh, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, R, 3037),
    s(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256", K::DhRsa, A::Dh, E::Aes256Cbc, M::Sha256, V::Tls12, S::High, R, 3038),
    s(0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256", K::DhRsa, A::Dh, E::Aes128Gcm, M::Aead, V::Tls12, S::High, R, 3039),
    s(0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384", K::DhRsa, A::Dh, E::Aes256Gcm, M::Aead, V::Tls12, S::High, R, 3040),
    s(0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256", K::DhDss, A::Dh, E::Aes128Gcm, M::Aead, V::Tls12, S::High, R, 3041),
    s(0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384", K::DhDss, A::Dh, E::Aes256Gcm, M::Aead, V::Tls12, S::High, R, 3042),
    s(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA", K::DhDss, A::Dh, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, R, 3043),
    s(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA", K::DhRsa, A::Dh, E::Camellia128Cbc, M::Sha1, V::Ssl3, S::High, R, 3044),
    s(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA", K::DhDss, A::Dh, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, R, 3045),
    s(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA", K::DhRsa, A::Dh, E::Camellia256Cbc, M::Sha1, V::Ssl3, S::High, R, 3046),
    s(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA", K::DhDss, A::Dh, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, R, 3047),
    s(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA", K::DhRsa, A::Dh, E::SeedCbc, M::Sha1, V::Ssl3, S::Medium, R, 3048),
    s(0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA", K::EcdhEcdsa, A::Ecdh, E::Null, M::Sha1, V::Tls10, S::None, R, 3049),
    s(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", K::EcdhEcdsa, A::Ecdh, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, R, 3050),
    s(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA", K::EcdhEcdsa, A::Ecdh, E::TripleDesCbc, M::Sha1, V::Tls10, S::High, R, 3051),
    s(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA", K::EcdhEcdsa, A::Ecdh, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, R, 3052),
    s(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", K::EcdhEcdsa, A::Ecdh, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, R, 3053),
    s(0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA", K::EcdhRsa, A::Ecdh, E::Null, M::Sha1, V::Tls10, S::None, R, 3054),
    s(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA", K::EcdhRsa, A::Ecdh, E::Rc4_128, M::Sha1, V::Tls10, S::Medium, R, 3055),
    s(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA", K::EcdhRsa, A::Ecdh, E::TripleDesCbc, M::Sha1, V::Tls10, S::High, R, 3056),
    s(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", K::EcdhRsa, A::Ecdh, E::Aes128Cbc, M::Sha1, V::Tls10, S::High, R, 3057),
    s(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", K::EcdhRsa, A::Ecdh, E::Aes256Cbc, M::Sha1, V::Tls10, S::High, R, 3058),
    s(0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256", K::EcdhEcdsa, A::Ecdh, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, R, 3059),
    s(0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384", K::EcdhEcdsa, A::Ecdh, E::Aes256Cbc, M::Sha384, V::Tls12, S::High, R, 3060),
    s(0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256", K::EcdhRsa, A::Ecdh, E::Aes128Cbc, M::Sha256, V::Tls12, S::High, R, 3061),
    s(0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384", K::EcdhRsa, A::Ecdh, E::Aes256Cbc, M::Sha384, V::Tls12, S::High, R, 3062),
    s(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256", K::EcdhEcdsa, A::Ecdh, E::Aes128Gcm, M::Aead, V::Tls12, S::High, R, 3063),
    s(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384", K::EcdhEcdsa, A::Ecdh, E::Aes256Gcm, M::Aead, V::Tls12, S::High, R, 3064),
    s(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256", K::EcdhRsa, A::Ecdh, E::Aes128Gcm, M::Aead, V::Tls12, S::High, R, 3065),
    s(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384", K::EcdhRsa, A::Ecdh, E::Aes256Gcm, M::Aead, V::Tls12, S::High, R, 3066),
];

fn build(r: &Row) -> CipherSuite {
    let anonymous = r.au == Authentication::Null;
    let family = match (r.min, r.kx) {
        (Version::Tls13, _) => ProtocolFamily::Tls13,
        (Version::Tlcp, _) => ProtocolFamily::Tlcp,
        (Version::Tls12, _) => ProtocolFamily::Tls12,
        _ => ProtocolFamily::Legacy,
    };
    let forward_secrecy = matches!(
        r.kx,
        KeyExchange::Dhe
            | KeyExchange::Ecdhe
            | KeyExchange::DhePsk
            | KeyExchange::EcdhePsk
            | KeyExchange::Sm2Dhe
            | KeyExchange::Any
    );
    let flags = SuiteFlags {
        aead: r.enc.is_aead(),
        forward_secrecy,
        null: r.enc == Encryption::Null,
        anonymous,
        export: r.strength == Strength::Export,
        rc4: matches!(r.enc, Encryption::Rc4_40 | Encryption::Rc4_128),
        des: matches!(r.enc, Encryption::DesCbc | Encryption::Des40Cbc),
        triple_des: r.enc == Encryption::TripleDesCbc,
        cbc: r.enc.is_cbc(),
        sm: matches!(
            r.enc,
            Encryption::Sm4Cbc | Encryption::Sm4Gcm | Encryption::Sm4Ccm
        ),
        psk: matches!(
            r.kx,
            KeyExchange::Psk | KeyExchange::RsaPsk | KeyExchange::DhePsk | KeyExchange::EcdhePsk
        ),
        md5: r.mac == Mac::Md5,
        sha1: r.mac == Mac::Sha1,
    };
    let availability = if r.flags & X != 0 {
        OpensslAvailability::NotInOpenssl
    } else if r.flags & R != 0 {
        OpensslAvailability::OpenSsl102Only
    } else {
        OpensslAvailability::OpenSsl3
    };
    CipherSuite {
        code: r.code,
        iana_name: r.iana.to_string(),
        openssl_name: (!r.ossl.is_empty()).then(|| r.ossl.to_string()),
        kx: r.kx,
        auth: r.au,
        enc: r.enc,
        enc_bits: r.enc.bits(),
        mac: r.mac,
        min_version: r.min,
        family,
        flags,
        openssl: OpensslMeta {
            strength: r.strength,
            fips: r.flags & FIPS != 0,
            not_default: r.flags & ND != 0,
            availability,
            rank: r.rank,
        },
    }
}

/// Every suite in the table, sorted by code point.
pub fn all() -> &'static [CipherSuite] {
    static TABLE: OnceLock<Vec<CipherSuite>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut v: Vec<CipherSuite> = ROWS.iter().map(build).collect();
        v.sort_by_key(|c| c.code);
        v
    })
}

/// Parse a code point: "0xC02F", "C02F", "0xC0,0x2F", "C0,2F", "{0xC0,0x2F}".
pub fn parse_code(s: &str) -> Option<u16> {
    let t: String = s
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if let Some((a, b)) = t.split_once(',') {
        let p = |x: &str| {
            let x = x
                .strip_prefix("0x")
                .or_else(|| x.strip_prefix("0X"))
                .unwrap_or(x);
            if x.is_empty() || x.len() > 2 {
                return None;
            }
            u8::from_str_radix(x, 16).ok()
        };
        return Some((u16::from(p(a)?) << 8) | u16::from(p(b)?));
    }
    let x = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    if x.len() != 4 && !(t.starts_with("0x") || t.starts_with("0X")) {
        return None;
    }
    if x.is_empty() || x.len() > 4 {
        return None;
    }
    u16::from_str_radix(x, 16).ok()
}

/// Find a suite by IANA name, OpenSSL name (both case-insensitive) or code point
/// ("0xC02F", "C0,2F", "0xC0,0x2F"). OpenSSL's historical "EDH-" spellings of the
/// "DHE-" names are accepted too.
pub fn lookup(s: &str) -> Option<&'static CipherSuite> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(c) = by_name(t) {
        return Some(c);
    }
    if let Some(rest) = t.strip_prefix("EDH-")
        && let Some(c) = by_name(&format!("DHE-{rest}"))
    {
        return Some(c);
    }
    if let Some(rest) = t.strip_prefix("DHE-")
        && let Some(c) = by_name(&format!("EDH-{rest}"))
    {
        return Some(c);
    }
    parse_code(t).and_then(by_code)
}

fn by_name(t: &str) -> Option<&'static CipherSuite> {
    all().iter().find(|c| {
        c.iana_name.eq_ignore_ascii_case(t)
            || c.openssl_name
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(t))
    })
}

/// Find a suite by code point.
pub fn by_code(code: u16) -> Option<&'static CipherSuite> {
    let t = all();
    t.binary_search_by_key(&code, |c| c.code)
        .ok()
        .map(|i| &t[i])
}

#[path = "suite_names.rs"]
mod suite_names;

/// IANA-style name of any code point icvsec knows: the attribute table's name, else the
/// name of a code point known by name only; `None` for unknown or unnamed code points.
pub fn iana_name(code: u16) -> Option<&'static str> {
    if let Some(c) = by_code(code) {
        return Some(c.iana_name.as_str());
    }
    let t = suite_names::NAMES_ONLY;
    t.binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .and_then(|i| t[i].1)
}

/// Every code point icvsec knows (described or named only), ascending: what a prober
/// offers.
pub fn known_codes() -> Vec<u16> {
    let mut v: Vec<u16> = all()
        .iter()
        .map(|c| c.code)
        .chain(suite_names::NAMES_ONLY.iter().map(|&(c, _)| c))
        .collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_only_code_points_are_sorted_and_not_described() {
        let t = suite_names::NAMES_ONLY;
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            t.iter().all(|&(c, _)| by_code(c).is_none()),
            "described twice"
        );
        let codes = known_codes();
        assert_eq!(codes.len(), all().len() + t.len());
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            iana_name(0xC02F),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(iana_name(0xE013), Some("ECC_SM4_CBC_SM3"));
        assert_eq!(iana_name(0x00FF), Some("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"));
        assert_eq!(iana_name(0xE001), None);
        assert_eq!(iana_name(0xFFFF), None);
    }

    #[test]
    fn table_is_consistent() {
        let t = all();
        assert!(t.len() > 250, "{}", t.len());
        let mut codes: Vec<u16> = t.iter().map(|c| c.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), t.len(), "duplicate code points");
        let mut names: Vec<String> = t
            .iter()
            .filter_map(|c| c.openssl_name.clone())
            .map(|n| n.to_ascii_uppercase())
            .collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate OpenSSL names");
        for c in t {
            assert_eq!(c.flags.aead, c.mac == Mac::Aead, "{}", c.iana_name);
        }
    }

    #[test]
    fn lookups() {
        let c = lookup("0xC02F").unwrap();
        assert_eq!(c.iana_name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert_eq!(
            c.openssl_name.as_deref(),
            Some("ECDHE-RSA-AES128-GCM-SHA256")
        );
        assert_eq!(c.kx, KeyExchange::Ecdhe);
        assert!(c.flags.aead && c.flags.forward_secrecy && !c.flags.cbc);
        assert_eq!(lookup("C0,2F").unwrap().code, 0xC02F);
        assert_eq!(lookup("0xC0,0x2F").unwrap().code, 0xC02F);
        assert_eq!(lookup("ecdhe-rsa-aes128-gcm-sha256").unwrap().code, 0xC02F);
        assert_eq!(
            lookup("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                .unwrap()
                .code,
            0xC02F
        );
        let r = lookup("RC4-SHA").unwrap();
        assert!(r.flags.rc4 && !r.flags.forward_secrecy && r.flags.sha1);
        let d = lookup("DES-CBC3-SHA").unwrap();
        assert!(d.flags.triple_des && d.flags.cbc);
        assert_eq!(d.enc_bits, 168);
        let e = lookup("EXP-RC4-MD5").unwrap();
        assert!(e.flags.export && e.flags.rc4 && e.flags.md5);
        let n = lookup("NULL-SHA256").unwrap();
        assert!(n.flags.null);
        let a = lookup("ADH-AES128-GCM-SHA256").unwrap();
        assert!(a.flags.anonymous);
        assert_eq!(lookup("EDH-RSA-DES-CBC3-SHA").unwrap().code, 0x0016);
        let t = lookup("0xE013").unwrap();
        assert_eq!(t.iana_name, "ECC_SM4_CBC_SM3");
        assert_eq!(t.family, ProtocolFamily::Tlcp);
        assert!(t.flags.sm && !t.flags.forward_secrecy);
        assert!(lookup("0xE011").unwrap().flags.forward_secrecy);
        assert!(lookup("E0,53").unwrap().flags.aead);
        assert_eq!(lookup("0xE051").unwrap().iana_name, "ECDHE_SM4_GCM_SM3");
        let sm = lookup("TLS_SM4_GCM_SM3").unwrap();
        assert_eq!(sm.code, 0x00C6);
        assert_eq!(sm.family, ProtocolFamily::Tls13);
        assert_eq!(lookup("0x00C7").unwrap().iana_name, "TLS_SM4_CCM_SM3");
        assert!(
            lookup("TLS_AES_128_GCM_SHA256")
                .unwrap()
                .usable_with(Version::Tls13)
        );
        assert!(lookup("AES128-SHA").unwrap().usable_with(Version::Tls10));
        assert!(!lookup("AES128-SHA256").unwrap().usable_with(Version::Tls11));
        assert!(lookup("nonsense").is_none());
        assert!(lookup("0xFFFF").is_none());
        assert!(lookup("12").is_none());
    }
}
