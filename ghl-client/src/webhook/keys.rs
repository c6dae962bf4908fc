//! The two signature schemes and the public keys that check them.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use rsa::signature::Verifier as _;
use rsa::traits::PublicKeyParts as _;

use super::error::{KeyError, WebhookError};

/// The RSA public key HighLevel publishes for the legacy `x-wh-signature`
/// header (SubjectPublicKeyInfo PEM, 4096 bits).
///
/// It is one of [`WebhookVerifier`](super::WebhookVerifier)'s default keys.
///
/// ```
/// use ghl_client::webhook::{HIGHLEVEL_RSA_PUBLIC_KEY_PEM, PublicKey, SignatureScheme};
/// let key = PublicKey::from_pem(HIGHLEVEL_RSA_PUBLIC_KEY_PEM).unwrap();
/// assert_eq!(key.scheme(), SignatureScheme::RsaSha256);
/// ```
pub const HIGHLEVEL_RSA_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC
Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6
dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB
csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv
uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF
3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU
J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp
IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN
h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC
HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ
PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk
T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==
-----END PUBLIC KEY-----
";

/// Smallest RSA modulus accepted as a key, in bits.
const MIN_RSA_BITS: usize = 2048;
/// Longest signature header value looked at (an 8192-bit RSA signature in base64 is 1368 characters).
const MAX_SIGNATURE_CHARS: usize = 2048;

/// How a delivery is signed; each scheme has its own header.
///
/// ```
/// use ghl_client::webhook::SignatureScheme;
/// assert_eq!(SignatureScheme::Ed25519.header_name(), "x-ghl-signature");
/// assert_eq!("rsa-sha256".parse::<SignatureScheme>().unwrap(), SignatureScheme::RsaSha256);
/// assert!("hmac-sha1".parse::<SignatureScheme>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// Ed25519 over the raw body, base64 in `x-ghl-signature` (the current scheme).
    Ed25519,
    /// RSA PKCS#1 v1.5 with SHA-256 over the raw body, base64 in
    /// `x-wh-signature` (the legacy scheme, signed until July 2026).
    RsaSha256,
}

impl SignatureScheme {
    /// Both schemes, current first.
    pub const ALL: [SignatureScheme; 2] = [SignatureScheme::Ed25519, SignatureScheme::RsaSha256];

    /// The (lower-case) header that carries a signature of this scheme.
    pub const fn header_name(self) -> &'static str {
        match self {
            SignatureScheme::Ed25519 => "x-ghl-signature",
            SignatureScheme::RsaSha256 => "x-wh-signature",
        }
    }

    /// Short name: `ed25519` or `rsa-sha256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::Ed25519 => "ed25519",
            SignatureScheme::RsaSha256 => "rsa-sha256",
        }
    }

    /// The scheme whose header is `name` (any case), if any.
    ///
    /// ```
    /// use ghl_client::webhook::SignatureScheme;
    /// assert_eq!(SignatureScheme::from_header_name("X-GHL-Signature"), Some(SignatureScheme::Ed25519));
    /// assert_eq!(SignatureScheme::from_header_name("x-signature"), None);
    /// ```
    pub fn from_header_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.header_name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureScheme {
    type Err = WebhookError;

    /// `ed25519`, `rsa-sha256` (or `rsa`), in any case; anything else is
    /// [`WebhookError::UnknownScheme`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ed25519" => Ok(SignatureScheme::Ed25519),
            "rsa-sha256" | "rsa" => Ok(SignatureScheme::RsaSha256),
            _ => Err(WebhookError::UnknownScheme { name: s.chars().take(64).collect() }),
        }
    }
}

/// A public key that checks webhook signatures: Ed25519 (for
/// `x-ghl-signature`) or RSA (for `x-wh-signature`).
///
/// Parse it from PEM (`-----BEGIN PUBLIC KEY-----`, or `RSA PUBLIC KEY` for
/// PKCS#1), DER, base64 or hex. A bare 32-byte Ed25519 key is accepted in
/// base64 and hex; otherwise the bytes must be a DER SubjectPublicKeyInfo
/// (either algorithm) or an RSA PKCS#1 public key. RSA keys must have at
/// least 2048 bits; Ed25519 keys of small order are refused.
///
/// ```
/// use ghl_client::webhook::{PublicKey, SignatureScheme};
/// let hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
/// let key = PublicKey::from_hex(hex)?;
/// assert_eq!(key.scheme(), SignatureScheme::Ed25519);
/// // The same key as base64 and as PEM:
/// assert_eq!(PublicKey::from_base64("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")?, key);
/// assert_eq!(PublicKey::parse(hex)?, key);
/// # Ok::<(), ghl_client::webhook::KeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(Inner);

#[derive(Clone, PartialEq, Eq)]
enum Inner {
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<RsaKey>),
}

/// An RSA key with its PKCS#1 v1.5 / SHA-256 verifier made once.
#[derive(Clone)]
struct RsaKey {
    public: rsa::RsaPublicKey,
    verifier: rsa::pkcs1v15::VerifyingKey<rsa::sha2::Sha256>,
}

impl PartialEq for RsaKey {
    fn eq(&self, other: &Self) -> bool {
        self.public == other.public
    }
}

impl Eq for RsaKey {}

impl PublicKey {
    /// HighLevel's published RSA key ([`HIGHLEVEL_RSA_PUBLIC_KEY_PEM`]).
    pub fn highlevel_rsa() -> PublicKey {
        // The constant is checked by a unit test; a failure here cannot happen at run time.
        PublicKey::from_pem(HIGHLEVEL_RSA_PUBLIC_KEY_PEM)
            .unwrap_or_else(|e| unreachable!("the published key parses: {e}"))
    }

    /// Which signatures the key checks.
    pub fn scheme(&self) -> SignatureScheme {
        match &self.0 {
            Inner::Ed25519(_) => SignatureScheme::Ed25519,
            Inner::Rsa(_) => SignatureScheme::RsaSha256,
        }
    }

    /// A raw 32-byte Ed25519 public key.
    ///
    /// ```
    /// use ghl_client::webhook::PublicKey;
    /// assert!(PublicKey::ed25519_from_bytes(&[0u8; 32]).is_err()); // small order
    /// ```
    pub fn ed25519_from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::new("the 32 bytes are not an Ed25519 public key"))?;
        if key.is_weak() {
            return Err(KeyError::new("the Ed25519 key has small order and would accept forged signatures"));
        }
        Ok(PublicKey(Inner::Ed25519(key)))
    }

    /// A key in PEM: `PUBLIC KEY` (SubjectPublicKeyInfo, Ed25519 or RSA) or
    /// `RSA PUBLIC KEY` (PKCS#1). Text around the PEM block is ignored, and
    /// literal `\n` sequences (as left by some environment files) count as
    /// line breaks.
    ///
    /// ```
    /// use ghl_client::webhook::PublicKey;
    /// let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
    /// assert!(PublicKey::from_pem(pem).is_ok());
    /// assert!(PublicKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_err());
    /// ```
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let text = pem.replace("\\n", "\n");
        let begin = text.find("-----BEGIN ").ok_or_else(|| KeyError::new("no `-----BEGIN ...-----` line"))?;
        let rest = &text[begin + "-----BEGIN ".len()..];
        let label_end = rest.find("-----").ok_or_else(|| KeyError::new("the BEGIN line is not closed by `-----`"))?;
        let label = rest[..label_end].trim();
        let body = &rest[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body.find(&end_marker).ok_or_else(|| KeyError::new(format!("no `{end_marker}` line")))?;
        let der = decode_key_base64(&body[..body_end])?;
        match label {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            l if l.contains("PRIVATE") => {
                Err(KeyError::new("this is a private key; give the public key (`-----BEGIN PUBLIC KEY-----`)"))
            }
            other => {
                Err(KeyError::new(format!("unsupported PEM label `{other}` (expected PUBLIC KEY or RSA PUBLIC KEY)")))
            }
        }
    }

    /// A key in DER: SubjectPublicKeyInfo (Ed25519 or RSA) or RSA PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        Self::from_spki_der(der).or_else(|spki| Self::from_pkcs1_der(der).map_err(|_| spki))
    }

    /// A key in base64 (standard or URL-safe alphabet, whitespace ignored):
    /// 32 bytes are a raw Ed25519 key, anything else goes to [`Self::from_der`].
    pub fn from_base64(text: &str) -> Result<PublicKey, KeyError> {
        Self::from_raw_or_der(&decode_key_base64(text)?)
    }

    /// A key in hex (whitespace and `:` separators ignored): 32 bytes are a
    /// raw Ed25519 key, anything else goes to [`Self::from_der`].
    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace() && *c != ':').collect();
        let bytes = hex::decode(clean).map_err(|e| KeyError::new(format!("not hex: {e}")))?;
        Self::from_raw_or_der(&bytes)
    }

    /// Any of the text forms: PEM when it contains `-----BEGIN`, hex when it
    /// is made only of hex digits, base64 otherwise.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let trimmed = text.trim();
        if trimmed.contains("-----BEGIN") {
            Self::from_pem(trimmed)
        } else if !trimmed.is_empty()
            && trimmed.chars().all(|c| c.is_ascii_hexdigit())
            && trimmed.len().is_multiple_of(2)
        {
            Self::from_hex(trimmed)
        } else {
            Self::from_base64(trimmed)
        }
    }

    fn from_raw_or_der(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        match <&[u8; 32]>::try_from(bytes) {
            Ok(raw) => Self::ed25519_from_bytes(raw),
            Err(_) => Self::from_der(bytes),
        }
    }

    fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        if let Ok(key) =
            <ed25519_dalek::VerifyingKey as ed25519_dalek::pkcs8::DecodePublicKey>::from_public_key_der(der)
        {
            return Self::ed25519_from_bytes(key.as_bytes());
        }
        match <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(der) {
            Ok(key) => Self::rsa(key),
            Err(_) => Err(KeyError::new("not an Ed25519 or RSA public key (DER SubjectPublicKeyInfo)")),
        }
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let key = <rsa::RsaPublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(der)
            .map_err(|_| KeyError::new("not an RSA public key (DER PKCS#1)"))?;
        Self::rsa(key)
    }

    fn rsa(key: rsa::RsaPublicKey) -> Result<PublicKey, KeyError> {
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(KeyError::new(format!("the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required")));
        }
        let verifier = rsa::pkcs1v15::VerifyingKey::new(key.clone());
        Ok(PublicKey(Inner::Rsa(Box::new(RsaKey { public: key, verifier }))))
    }

    /// Whether `signature` (raw bytes, already decoded) is a valid signature
    /// of `message` under this key. Never panics.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.0 {
            Inner::Ed25519(key) => match ed25519_dalek::Signature::from_slice(signature) {
                Ok(sig) => key.verify_strict(message, &sig).is_ok(),
                Err(_) => false,
            },
            Inner::Rsa(key) => match rsa::pkcs1v15::Signature::try_from(signature) {
                Ok(sig) => key.verifier.verify(message, &sig).is_ok(),
                Err(_) => false,
            },
        }
    }

    /// Expected signature length in bytes.
    pub(crate) fn signature_len(&self) -> usize {
        match &self.0 {
            Inner::Ed25519(_) => ed25519_dalek::SIGNATURE_LENGTH,
            Inner::Rsa(key) => key.public.size(),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Ed25519(key) => write!(f, "PublicKey(ed25519 {})", hex::encode(key.as_bytes())),
            Inner::Rsa(key) => write!(f, "PublicKey(rsa-sha256, {} bits)", key.public.size() * 8),
        }
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;

    /// Same as [`PublicKey::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PublicKey::parse(s)
    }
}

fn decode_key_base64(text: &str) -> Result<Vec<u8>, KeyError> {
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if clean.is_empty() {
        return Err(KeyError::new("the key is empty"));
    }
    let lenient = |alphabet: &base64::alphabet::Alphabet| {
        base64::engine::GeneralPurpose::new(
            alphabet,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        )
    };
    lenient(&base64::alphabet::STANDARD)
        .decode(&clean)
        .or_else(|_| lenient(&base64::alphabet::URL_SAFE).decode(&clean))
        .map_err(|e| KeyError::new(format!("not base64: {e}")))
}

/// Decodes a signature header value: standard base64, canonical, padding optional.
pub(crate) fn decode_signature(scheme: SignatureScheme, value: &[u8]) -> Result<Vec<u8>, WebhookError> {
    let bad = |reason: &'static str| WebhookError::BadEncoding { scheme, reason };
    if value.is_empty() {
        return Err(bad("the header is empty"));
    }
    if value.len() > MAX_SIGNATURE_CHARS {
        return Err(bad("the header is too long for a signature"));
    }
    if !value.is_ascii() {
        return Err(bad("the header contains non-ASCII bytes"));
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(value).map_err(|_| bad("the header is not canonical base64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_rsa_key_parses_as_4096_bits() {
        let key = PublicKey::from_pem(HIGHLEVEL_RSA_PUBLIC_KEY_PEM).unwrap();
        assert_eq!(key.scheme(), SignatureScheme::RsaSha256);
        assert_eq!(key.signature_len(), 512);
        assert_eq!(format!("{key:?}"), "PublicKey(rsa-sha256, 4096 bits)");
        // The same key through the other entry points.
        assert_eq!(PublicKey::parse(HIGHLEVEL_RSA_PUBLIC_KEY_PEM).unwrap(), key);
        assert_eq!(PublicKey::from_pem(&HIGHLEVEL_RSA_PUBLIC_KEY_PEM.replace('\n', "\\n")).unwrap(), key);
        let body: String = HIGHLEVEL_RSA_PUBLIC_KEY_PEM.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(PublicKey::from_base64(&body).unwrap(), key);
    }

    #[test]
    fn signature_decoding_is_strict() {
        let s = SignatureScheme::Ed25519;
        assert_eq!(decode_signature(s, b"AAEC").unwrap(), [0, 1, 2]);
        assert_eq!(decode_signature(s, b"AAE=").unwrap(), [0, 1]);
        assert_eq!(decode_signature(s, b"AAE").unwrap(), [0, 1]);
        for bad in [&b""[..], b"AAF=", b"AA E", b"AA-_", b"A", b"AAEC\n", "AAÉC".as_bytes(), &[b'A'; 4000]] {
            assert!(matches!(decode_signature(s, bad), Err(WebhookError::BadEncoding { .. })), "{bad:?}");
        }
    }

    #[test]
    fn key_errors_are_descriptive() {
        let msg = |r: Result<PublicKey, KeyError>| r.unwrap_err().to_string();
        assert!(msg(PublicKey::from_hex("zz")).contains("not hex"));
        assert!(msg(PublicKey::from_base64("!!!")).contains("not base64"));
        assert!(msg(PublicKey::from_base64("")).contains("empty"));
        assert!(msg(PublicKey::from_base64("AAAA")).contains("not an Ed25519 or RSA public key"));
        assert!(msg(PublicKey::from_pem("hello")).contains("BEGIN"));
        assert!(msg(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n")).contains("END PUBLIC KEY"));
        assert!(
            msg(PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))
                .contains("CERTIFICATE")
        );
    }
}
