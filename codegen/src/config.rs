//! What a run reads and the few policy knobs of the generator.

use std::path::PathBuf;

use crate::ir::Token;

/// Who the generated client talks to: the names its docs and attributes use.
/// Everything the emitters say about the vendor comes from here.
#[derive(Clone, Debug)]
pub struct Vendor {
    /// The API's owner as docs name it ("HighLevel").
    pub name: String,
    /// Prefix of the environment variables the client reads (`GHL` → `GHL_API_KEY`).
    pub env_prefix: String,
}

impl Default for Vendor {
    fn default() -> Self {
        Vendor { name: "HighLevel".to_owned(), env_prefix: "GHL".to_owned() }
    }
}

/// Which token kind a security scheme stands for, by its name. HighLevel
/// calls its schemes `Location-Access`, `Agency-Access`, `bearer`, … across
/// documents; an operation listing schemes of both kinds takes either token.
#[derive(Clone, Debug)]
pub struct TokenSchemes {
    /// Checked in order; a scheme matching none implies no token kind.
    pub rules: Vec<SchemeRule>,
}

/// One rule of [`TokenSchemes`].
#[derive(Clone, Debug)]
pub struct SchemeRule {
    /// Lower-case scheme name (or its start, with `prefix`).
    pub name: String,
    /// Whether `name` is a prefix rather than the whole name.
    pub prefix: bool,
    /// The token kind the scheme stands for: `Location` or `Agency`.
    pub token: Token,
}

impl Default for TokenSchemes {
    /// HighLevel's naming (spec/README.md, "Security").
    fn default() -> Self {
        let rule = |name: &str, prefix, token| SchemeRule { name: name.to_owned(), prefix, token };
        TokenSchemes {
            rules: vec![
                rule("agency", true, Token::Agency),
                rule("location", true, Token::Location),
                rule("bearer", false, Token::Location),
            ],
        }
    }
}

impl TokenSchemes {
    /// The token kind a scheme stands for, if any (names compare case-insensitively).
    pub fn token_of(&self, scheme: &str) -> Option<Token> {
        let lower = scheme.to_ascii_lowercase();
        self.rules.iter().find(|r| if r.prefix { lower.starts_with(&r.name) } else { lower == r.name }).map(|r| r.token)
    }
}

/// Input and policy for [`crate::generate`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory of OpenAPI documents.
    pub spec_dir: PathBuf,
    /// `Version` header used when an operation states none.
    pub default_version: String,
    /// Parameter names the client can fill from its configuration.
    pub location_params: Vec<String>,
    /// Command named in the `@generated` banner.
    pub command: String,
    /// Feature enabling every module at the top of the spec directory (HighLevel's
    /// `v2`, beside `v3` for `spec/v3/`); `None` gives none.
    pub root_group: Option<String>,
    /// Read documents as published rather than as curated: defects the
    /// generator can work around (undeclared path parameters, `type: any`,
    /// schemaless multipart bodies, broken `$ref`s, bodies of unsupported media
    /// types) become located warnings and a sensible fallback (a string
    /// parameter, raw JSON, a skipped operation) instead of errors. Off for
    /// `spec/`, whose defects should be fixed, not papered over.
    pub lenient: bool,
    /// Names of the API's owner in generated docs and attributes.
    pub vendor: Vendor,
    /// Which token kind each security scheme stands for.
    pub token_schemes: TokenSchemes,
}

impl Config {
    /// The settings for HighLevel's API with specs in `spec_dir`.
    pub fn new(spec_dir: impl Into<PathBuf>) -> Self {
        Config {
            spec_dir: spec_dir.into(),
            default_version: "2021-07-28".to_owned(),
            location_params: vec!["locationId".to_owned(), "location_id".to_owned()],
            command: "cargo xtask codegen".to_owned(),
            root_group: Some("v2".to_owned()),
            lenient: false,
            vendor: Vendor::default(),
            token_schemes: TokenSchemes::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlevel_scheme_names_map_to_token_kinds() {
        let schemes = TokenSchemes::default();
        assert_eq!(schemes.token_of("Location-Access-Only"), Some(Token::Location));
        assert_eq!(schemes.token_of("Agency-Access"), Some(Token::Agency));
        assert_eq!(schemes.token_of("bearer"), Some(Token::Location));
        assert_eq!(schemes.token_of("bearerAuth"), None, "`bearer` is a whole name, not a prefix");
        assert_eq!(schemes.token_of("apiKey"), None);
    }

    #[test]
    fn another_api_names_its_own_schemes() {
        let schemes = TokenSchemes {
            rules: vec![SchemeRule { name: "workspace".to_owned(), prefix: true, token: Token::Location }],
        };
        assert_eq!(schemes.token_of("WorkspaceToken"), Some(Token::Location));
        assert_eq!(schemes.token_of("Location-Access"), None);
    }
}
