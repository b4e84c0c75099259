//! OID tables: signature algorithms, hash families, curves, EKU purposes.

use serde::{Deserialize, Serialize};

/// Hash family of a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashFamily {
    Md2,
    Md4,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Sm3,
    /// The hash is part of the scheme (Ed25519 uses SHA-512, Ed448 SHAKE256).
    Intrinsic,
    Unknown,
}

impl HashFamily {
    /// MD2, MD4, MD5 and SHA-1 (collision attacks; SP 800-131A disallows them for signatures).
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Md2 | Self::Md4 | Self::Md5 | Self::Sha1)
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Md2 => "MD2",
            Self::Md4 => "MD4",
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_224 => "SHA3-224",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Sm3 => "SM3",
            Self::Intrinsic => "intrinsic",
            Self::Unknown => "unknown",
        }
    }
}

/// Signature algorithm OID -> (friendly name, hash family).
pub(crate) fn signature_algorithm(oid: &str) -> Option<(&'static str, HashFamily)> {
    use HashFamily::*;
    Some(match oid {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", Md2),
        "1.2.840.113549.1.1.3" => ("md4WithRSAEncryption", Md4),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", Md5),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", Sha1),
        "1.3.14.3.2.29" => ("sha1WithRSASignature (OIW)", Sha1),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", Sha224),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", Sha256),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", Sha384),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", Sha512),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", Unknown),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", Sha1),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", Sha224),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", Sha256),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", Sha384),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", Sha512),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", Sha1),
        "2.16.840.1.101.3.4.3.1" => ("dsa-with-SHA224", Sha224),
        "2.16.840.1.101.3.4.3.2" => ("dsa-with-SHA256", Sha256),
        "2.16.840.1.101.3.4.3.9" => ("ecdsa-with-SHA3-224", Sha3_224),
        "2.16.840.1.101.3.4.3.10" => ("ecdsa-with-SHA3-256", Sha3_256),
        "2.16.840.1.101.3.4.3.11" => ("ecdsa-with-SHA3-384", Sha3_384),
        "2.16.840.1.101.3.4.3.12" => ("ecdsa-with-SHA3-512", Sha3_512),
        "2.16.840.1.101.3.4.3.13" => ("rsa-with-SHA3-224", Sha3_224),
        "2.16.840.1.101.3.4.3.14" => ("rsa-with-SHA3-256", Sha3_256),
        "2.16.840.1.101.3.4.3.15" => ("rsa-with-SHA3-384", Sha3_384),
        "2.16.840.1.101.3.4.3.16" => ("rsa-with-SHA3-512", Sha3_512),
        "1.3.101.112" => ("Ed25519", Intrinsic),
        "1.3.101.113" => ("Ed448", Intrinsic),
        "1.2.156.10197.1.501" => ("SM2-with-SM3", Sm3),
        "1.2.156.10197.1.504" => ("RSA-with-SM3", Sm3),
        _ => return None,
    })
}

/// Hash algorithm OID (as in RSASSA-PSS parameters) -> family.
pub(crate) fn hash_algorithm(oid: &str) -> HashFamily {
    use HashFamily::*;
    match oid {
        "1.2.840.113549.2.2" => Md2,
        "1.2.840.113549.2.5" => Md5,
        "1.3.14.3.2.26" => Sha1,
        "2.16.840.1.101.3.4.2.4" => Sha224,
        "2.16.840.1.101.3.4.2.1" => Sha256,
        "2.16.840.1.101.3.4.2.2" => Sha384,
        "2.16.840.1.101.3.4.2.3" => Sha512,
        "1.2.156.10197.1.401" => Sm3,
        _ => Unknown,
    }
}

/// Named curve OID -> name.
pub fn curve_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.10045.3.1.1" => "P-192",
        "1.3.132.0.33" => "P-224",
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        "1.3.36.3.3.2.8.1.1.1" => "brainpoolP160r1",
        "1.3.36.3.3.2.8.1.1.3" => "brainpoolP192r1",
        "1.3.36.3.3.2.8.1.1.5" => "brainpoolP224r1",
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1",
        "1.3.36.3.3.2.8.1.1.9" => "brainpoolP320r1",
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1",
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1",
        "1.2.156.10197.1.301" => "SM2",
        _ => return None,
    })
}

/// Field size in bits of a named curve.
pub(crate) fn curve_bits(name: &str) -> u32 {
    match name {
        "P-192" | "brainpoolP192r1" => 192,
        "P-224" | "brainpoolP224r1" => 224,
        "P-256" | "secp256k1" | "brainpoolP256r1" | "SM2" => 256,
        "brainpoolP320r1" => 320,
        "P-384" | "brainpoolP384r1" => 384,
        "brainpoolP512r1" => 512,
        "P-521" => 521,
        "brainpoolP160r1" => 160,
        _ => 0,
    }
}

/// Extended key usage OID -> short name.
pub(crate) fn eku_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.37.0" => "any",
        "1.3.6.1.5.5.7.3.1" => "serverAuth",
        "1.3.6.1.5.5.7.3.2" => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "ocspSigning",
        "1.3.6.1.4.1.311.10.3.3" => "msSGC",
        "2.16.840.1.113730.4.1" => "nsSGC",
        _ => return None,
    })
}

pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub(crate) const OID_EC: &str = "1.2.840.10045.2.1";
pub(crate) const OID_SM2_KEY: &str = "1.2.156.10197.1.301";
pub(crate) const OID_ED25519: &str = "1.3.101.112";
pub(crate) const OID_ED448: &str = "1.3.101.113";
pub(crate) const OID_DSA: &str = "1.2.840.10040.4.1";
