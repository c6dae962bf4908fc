//! Configuration from the environment.

use crate::Error;

/// `GHL_API_KEY`: an OAuth access token or a Private Integration Token.
pub const ENV_API_KEY: &str = "GHL_API_KEY";
/// `GHL_LOCATION_ID`: the default location.
pub const ENV_LOCATION_ID: &str = "GHL_LOCATION_ID";
/// `GHL_CLIENT_ID`: the marketplace app's client id.
pub const ENV_CLIENT_ID: &str = "GHL_CLIENT_ID";
/// `GHL_CLIENT_SECRET`: the marketplace app's client secret.
pub const ENV_CLIENT_SECRET: &str = "GHL_CLIENT_SECRET";
/// `GHL_BASE_URL`: another API host (a mock server, for tests).
pub const ENV_BASE_URL: &str = "GHL_BASE_URL";

/// The variables `Client::from_env` reads, trimmed; empty means unset.
#[derive(Default)]
pub(crate) struct EnvSettings {
    pub api_key: Option<String>,
    pub location_id: Option<String>,
    pub oauth: Option<(String, String)>,
    pub base_url: Option<String>,
}

impl EnvSettings {
    /// Reads the variables through `lookup` (the process environment in
    /// production, a map in tests). `Err` from `lookup` means "not Unicode".
    pub fn read(lookup: impl Fn(&str) -> Result<Option<String>, ()>) -> Result<Self, Error> {
        let get = |name: &str| -> Result<Option<String>, Error> {
            let value = lookup(name).map_err(|()| Error::Config(format!("{name} is not valid UTF-8")))?;
            // A trailing newline from `$(cat token-file)` is common; it is not part of the value.
            Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
        };
        let oauth = match (get(ENV_CLIENT_ID)?, get(ENV_CLIENT_SECRET)?) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::Config(format!(
                    "{ENV_CLIENT_ID} is set but {ENV_CLIENT_SECRET} is not; set both or neither"
                )));
            }
            (None, Some(_)) => {
                return Err(Error::Config(format!(
                    "{ENV_CLIENT_SECRET} is set but {ENV_CLIENT_ID} is not; set both or neither"
                )));
            }
        };
        let settings = EnvSettings {
            api_key: get(ENV_API_KEY)?,
            location_id: get(ENV_LOCATION_ID)?,
            oauth,
            base_url: get(ENV_BASE_URL)?,
        };
        if settings.api_key.is_none() && settings.oauth.is_none() {
            return Err(Error::Config(format!(
                "no credentials in the environment: set {ENV_API_KEY} (a Private Integration Token or access token), \
                 or {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} for OAuth"
            )));
        }
        Ok(settings)
    }

    /// The process environment.
    pub fn from_process() -> Result<Self, Error> {
        Self::read(|name| match std::env::var(name) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<EnvSettings, Error> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        EnvSettings::read(|k| Ok(map.get(k).cloned()))
    }

    #[test]
    fn reads_and_trims() {
        let s = read(&[(ENV_API_KEY, "pit-123\n"), (ENV_LOCATION_ID, " loc "), (ENV_BASE_URL, "")]).unwrap();
        assert_eq!(s.api_key.as_deref(), Some("pit-123"));
        assert_eq!(s.location_id.as_deref(), Some("loc"));
        assert!(s.base_url.is_none() && s.oauth.is_none());
        let s = read(&[(ENV_CLIENT_ID, "id"), (ENV_CLIENT_SECRET, "secret")]).unwrap();
        assert_eq!(s.oauth, Some(("id".into(), "secret".into())));
    }

    #[test]
    fn explains_what_is_missing() {
        let e = read(&[]).err().unwrap().to_string();
        assert!(e.contains("GHL_API_KEY") && e.contains("GHL_CLIENT_ID"), "{e}");
        let e = read(&[(ENV_CLIENT_ID, "id")]).err().unwrap().to_string();
        assert!(e.contains("GHL_CLIENT_SECRET is not"), "{e}");
        let e = read(&[(ENV_CLIENT_SECRET, "super-secret")]).err().unwrap().to_string();
        assert!(!e.contains("super-secret"), "{e}");
        let e = EnvSettings::read(|_| Err(())).err().unwrap().to_string();
        assert!(e.contains("not valid UTF-8"), "{e}");
    }
}
