//! What a run reads and the few policy knobs of the generator.

use std::path::PathBuf;

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
        }
    }
}
