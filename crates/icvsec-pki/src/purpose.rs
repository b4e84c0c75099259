//! The intended use of a certificate, shared by the linter (EKU fits the declared use)
//! and the path validator (EKU along the path): its own module so that neither of the two
//! imports the other for it.

use serde::{Deserialize, Serialize};

/// Intended use checked against extendedKeyUsage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyPurpose {
    ServerAuth,
    ClientAuth,
    CodeSigning,
}

impl KeyPurpose {
    /// Name as used in [`crate::ExtendedKeyUsageExt::names`].
    pub fn name(self) -> &'static str {
        match self {
            Self::ServerAuth => "serverAuth",
            Self::ClientAuth => "clientAuth",
            Self::CodeSigning => "codeSigning",
        }
    }
    pub(crate) fn oid(self) -> &'static str {
        match self {
            Self::ServerAuth => "1.3.6.1.5.5.7.3.1",
            Self::ClientAuth => "1.3.6.1.5.5.7.3.2",
            Self::CodeSigning => "1.3.6.1.5.5.7.3.3",
        }
    }
}
