//! Which bearer token a call carries.
//!
//! A client may hold a location token, an agency token, a token of unstated
//! kind (e.g. `GHL_API_KEY`), and an OAuth session. Each operation says which
//! kind it takes ([`TokenKind`]); the first configured token that fits is
//! used, and an agency OAuth token is turned into a location token when a
//! location operation needs one.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;
use crate::runtime::oauth::UserType;
use crate::runtime::refresh::OAuthSession;
use crate::runtime::request::{OperationMeta, TokenKind};
use crate::runtime::transport::Net;

/// The `Authorization` header for `token`, marked sensitive so that HTTP
/// layers never log it. The error never quotes the token.
pub(crate) fn bearer_header(token: &SecretString) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).map_err(|_| {
        Error::Config(
            "a token contains characters that are not allowed in an HTTP header (a line break or control character?)"
                .into(),
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The configured credentials.
#[derive(Default)]
pub(crate) struct Credentials {
    pub location: Option<SecretString>,
    pub agency: Option<SecretString>,
    pub any: Option<SecretString>,
    pub oauth: Option<Arc<OAuthSession>>,
    /// The `Authorization` headers of the three fixed tokens, made once by
    /// [`Credentials::seal`] rather than formatted again for every call.
    fixed_headers: [Option<HeaderValue>; 3],
}

/// The fixed token an operation of `kind` takes, out of (location, agency, any).
fn pick<T>(kind: TokenKind, [location, agency, any]: [&Option<T>; 3]) -> Option<&T> {
    match kind {
        TokenKind::None => None,
        TokenKind::Location => location.as_ref().or(any.as_ref()),
        TokenKind::Agency => agency.as_ref().or(any.as_ref()),
        TokenKind::Either => location.as_ref().or(agency.as_ref()).or(any.as_ref()),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |t: &Option<SecretString>| t.as_ref().map(|_| "[redacted]");
        f.debug_struct("Credentials")
            .field("location_token", &set(&self.location))
            .field("agency_token", &set(&self.agency))
            .field("token", &set(&self.any))
            .field("oauth", &self.oauth)
            .finish()
    }
}

/// A token chosen for one attempt, and where it came from.
pub(crate) struct Bearer {
    /// `None` for operations that take no token.
    pub header: Option<HeaderValue>,
    pub origin: Origin,
}

/// Where a bearer token came from, so that a 401 can renew the right one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A fixed token: nothing to renew.
    Static,
    /// The OAuth record of this revision.
    OAuth(u64),
    /// A location token of this cache generation, made from the agency token.
    Location { location_id: String, generation: u64 },
}

impl Origin {
    /// Whether a 401 can be answered by getting a new token.
    pub fn renewable(&self) -> bool {
        *self != Origin::Static
    }
}

impl Credentials {
    /// Hides every secret this client knows (tokens, the client secret) in `error`.
    pub fn redact_error(&self, error: Error) -> Error {
        let mut secrets: Vec<SecretString> =
            [&self.location, &self.agency, &self.any].into_iter().flatten().cloned().collect();
        if let Some(oauth) = &self.oauth {
            secrets.extend(oauth.known_secrets());
        }
        let exposed: Vec<&str> = secrets.iter().map(|s| s.expose_secret()).collect();
        error.redact(&exposed)
    }

    /// Checks the fixed tokens and makes their headers (after the last change to them).
    pub fn seal(&mut self) -> Result<(), Error> {
        let mut headers = [None, None, None];
        for (slot, token) in headers.iter_mut().zip([&self.location, &self.agency, &self.any]) {
            if let Some(token) = token {
                *slot = Some(bearer_header(token)?);
            }
        }
        self.fixed_headers = headers;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.location.is_none() && self.agency.is_none() && self.any.is_none() && self.oauth.is_none()
    }

    /// The token for `meta` when no wait can be needed (none, or a fixed
    /// token); `None` when it comes from OAuth ([`Credentials::bearer`]).
    /// Lets a call skip the future of the OAuth path.
    pub fn fixed_bearer(&self, meta: &OperationMeta) -> Option<Result<Bearer, Error>> {
        if meta.token == TokenKind::None {
            return Some(Ok(Bearer { header: None, origin: Origin::Static }));
        }
        let token = pick(meta.token, [&self.location, &self.agency, &self.any])?;
        let [l, a, n] = &self.fixed_headers;
        let header = match pick(meta.token, [l, a, n]) {
            Some(header) => Ok(header.clone()),
            None => bearer_header(token), // not sealed
        };
        Some(header.map(|header| Bearer { header: Some(header), origin: Origin::Static }))
    }

    /// The token for `meta`, renewing the one in `failed` if given.
    /// `location` is the location the call is about, for location tokens.
    pub async fn bearer(
        &self,
        net: &Net,
        meta: &'static OperationMeta,
        location: Option<&str>,
        failed: Option<&Origin>,
    ) -> Result<Bearer, Error> {
        if let Some(fixed) = self.fixed_bearer(meta) {
            return fixed;
        }
        let Some(oauth) = &self.oauth else {
            return Err(self.no_token(meta));
        };
        let failed_revision = match failed {
            Some(Origin::OAuth(rev)) => Some(*rev),
            _ => None,
        };
        // Boxed: the OAuth futures are large, and inline they would grow every
        // call's future, fixed tokens included, which is copied and allocated per call.
        let record = Box::pin(oauth.access(net, meta.id, failed_revision)).await?;
        match (meta.token, record.tokens.user_type) {
            (TokenKind::Either | TokenKind::None, _)
            | (TokenKind::Location, UserType::Location)
            | (TokenKind::Agency, UserType::Company) => Ok(Bearer {
                header: Some(bearer_header(&record.tokens.access_token)?),
                origin: Origin::OAuth(record.revision),
            }),
            (TokenKind::Location, UserType::Company) => {
                let Some(location_id) = location else {
                    return Err(Error::auth(
                        meta.id,
                        "this operation needs a location token, and a location id to request one with the agency token; \
                         pass `locationId` on the call or configure the client with `.location_id(..)`",
                    ));
                };
                let failed_generation = match failed {
                    Some(Origin::Location { location_id: l, generation }) if l == location_id => Some(*generation),
                    _ => None,
                };
                let (token, generation) =
                    Box::pin(oauth.location_token(net, meta.id, record, location_id, failed_generation)).await?;
                Ok(Bearer {
                    header: Some(bearer_header(&token)?),
                    origin: Origin::Location { location_id: location_id.to_owned(), generation },
                })
            }
            (TokenKind::Agency, UserType::Location) => Err(Error::auth(
                meta.id,
                "this operation needs an agency (company) token, but the stored OAuth token is a location token; \
                 install the app for the agency (user_type Company) or configure `.agency_token(..)`",
            )),
        }
    }

    fn no_token(&self, meta: &OperationMeta) -> Error {
        let (needs, how) = match meta.token {
            TokenKind::Location => (
                "a sub-account (location) token",
                "configure `.location_token(..)` or `.private_integration_token(..)` with a location Private Integration Token, or OAuth with an agency or location install",
            ),
            TokenKind::Agency => (
                "an agency (company) token",
                "configure `.agency_token(..)` with an agency Private Integration Token, or OAuth with an agency install",
            ),
            TokenKind::Either | TokenKind::None => {
                ("an access token", "set GHL_API_KEY or configure a token or OAuth on the builder")
            }
        };
        let have =
            if self.is_empty() { "no token is configured" } else { "none of the configured tokens is of that kind" };
        Error::auth(meta.id, format!("this operation needs {needs} and {have}; {how}"))
    }
}
