//! What a run reads and the few policy knobs of the generator.

use std::path::PathBuf;

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
        }
    }
}
